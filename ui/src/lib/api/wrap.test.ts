import { describe, expect, it } from 'vitest';
import type { ErrorPayload } from './types';
import { ApiError, onCommandError, toApiError, unwrap, wrapCommands } from './wrap';

const payload: ErrorPayload = {
  kind: 'validation',
  field: 'name',
  message_key: 'validation.required',
  params: {},
  fields: [{ field: 'name', message_key: 'validation.required', params: {} }],
  message: 'invalid input: name: validation.required'
};

describe('unwrap', () => {
  it('returns the data of an ok result', () => {
    expect(unwrap({ status: 'ok', data: 42 })).toBe(42);
  });
  it('throws an ApiError carrying the payload of an error result', () => {
    try {
      unwrap({ status: 'error', error: payload });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).payload).toEqual(payload);
      expect((e as ApiError).kind).toBe('validation');
      expect((e as ApiError).message).toBe(payload.message);
    }
  });
});

describe('toApiError', () => {
  it('keeps an ApiError as it is', () => {
    const e = new ApiError(payload);
    expect(toApiError(e)).toBe(e);
  });
  it('wraps strings and Errors as transport failures', () => {
    expect(toApiError('boom').payload).toMatchObject({ kind: 'storage', message_key: 'error.ipc', params: { detail: 'boom' } });
    expect(toApiError(new TypeError('bad arg')).payload.params).toEqual({ detail: 'bad arg' });
  });
  it('fills missing lists of a partial payload', () => {
    const e = toApiError({ kind: 'conflict', message_key: 'error.already_undone', field: null, message: 'x' });
    expect(e.payload.fields).toEqual([]);
    expect(e.payload.params).toEqual({});
  });
});

describe('wrapCommands', () => {
  const fake = {
    ok: async (a: number, b: number) => ({ status: 'ok' as const, data: a + b }),
    fails: async () => ({ status: 'error' as const, error: payload }),
    throws: async () => {
      throw 'ipc refused';
    }
  };
  const api = wrapCommands(fake) as unknown as {
    ok: (a: number, b: number) => Promise<number>;
    fails: () => Promise<never>;
    throws: () => Promise<never>;
  };

  it('passes arguments and unwraps data', async () => {
    await expect(api.ok(2, 3)).resolves.toBe(5);
  });
  it('rejects with the payload of an error result', async () => {
    await expect(api.fails()).rejects.toMatchObject({ payload });
  });
  it('rejects with an ApiError when the call itself throws', async () => {
    const err = await api.throws().catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.payload.params.detail).toBe('ipc refused');
  });
});

describe('onCommandError', () => {
  it('tells every listener of each failed command until it stops listening', async () => {
    const api = wrapCommands({ fails: async () => ({ status: 'error' as const, error: { ...payload, kind: 'damaged' as const } }) }) as unknown as {
      fails: () => Promise<never>;
    };
    const seen: string[] = [];
    const stop = onCommandError((e) => seen.push(e.kind));
    await api.fails().catch(() => {});
    stop();
    await api.fails().catch(() => {});
    expect(seen).toEqual(['damaged']);
  });
});

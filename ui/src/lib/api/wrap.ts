// Thin wrapper over the generated bindings: every command returns its data or throws an
// `ApiError` carrying the core's ErrorPayload, so screens can `await api.customerGet(id)`.

import type { ErrorPayload } from './types';

/** What every generated command resolves to. */
export type Result<T, E> = { status: 'ok'; data: T } | { status: 'error'; error: E };

/** A failed command: the core's payload, with a readable message for logs. */
export class ApiError extends Error {
  readonly payload: ErrorPayload;
  constructor(payload: ErrorPayload) {
    super(payload.message || payload.message_key);
    this.name = 'ApiError';
    this.payload = payload;
  }
  get kind(): ErrorPayload['kind'] {
    return this.payload.kind;
  }
}

/** A payload for failures that never reached the core (IPC refused the call, bad arguments). */
export function transportPayload(detail: string): ErrorPayload {
  return {
    kind: 'storage',
    field: null,
    message_key: 'error.ipc',
    params: { detail },
    fields: [],
    message: detail
  };
}

function looksLikePayload(v: unknown): v is ErrorPayload {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { message_key?: unknown }).message_key === 'string' &&
    typeof (v as { kind?: unknown }).kind === 'string'
  );
}

/** Turns anything a command may throw or return as error into an ApiError. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (looksLikePayload(e)) {
    return new ApiError({ ...e, fields: Array.isArray(e.fields) ? e.fields : [], params: e.params ?? {} });
  }
  if (e instanceof Error) return new ApiError(transportPayload(e.message));
  return new ApiError(transportPayload(typeof e === 'string' ? e : JSON.stringify(e)));
}

type ErrorListener = (e: ApiError) => void;
const errorListeners: ErrorListener[] = [];

/** Calls `fn` with every error a command returns (the app watches for damage this way). */
export function onCommandError(fn: ErrorListener): () => void {
  errorListeners.push(fn);
  return () => {
    const i = errorListeners.indexOf(fn);
    if (i >= 0) errorListeners.splice(i, 1);
  };
}

function failed(e: unknown): ApiError {
  const err = toApiError(e);
  for (const fn of errorListeners) fn(err);
  return err;
}

/** The data of an ok result; throws the error of an error result. */
export function unwrap<T>(r: Result<T, ErrorPayload>): T {
  if (r.status === 'ok') return r.data;
  throw toApiError(r.error);
}

type Data<R> = R extends { status: 'ok'; data: infer T } ? T : R extends { status: 'error' } ? never : R;
export type Unwrapped<Commands> = {
  [K in keyof Commands]: Commands[K] extends (...args: infer A) => Promise<infer R>
    ? (...args: A) => Promise<Data<R>>
    : never;
};

/** Wraps every command of `cmds` with [`unwrap`]. */
export function wrapCommands<C extends Record<string, (...args: never[]) => Promise<unknown>>>(cmds: C) {
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(cmds)) {
    out[name] = async (...args: unknown[]) => {
      let r: unknown;
      try {
        r = await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (e) {
        throw failed(e);
      }
      if (typeof r === 'object' && r !== null && 'status' in r) {
        const res = r as Result<unknown, ErrorPayload>;
        if (res.status === 'error') throw failed(res.error);
        return res.data;
      }
      return r;
    };
  }
  return out;
}

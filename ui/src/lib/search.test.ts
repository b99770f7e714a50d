import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { get } from 'svelte/store';
import { createSearch } from './search';

/** A fake backend whose answers the test releases one by one, in any order. */
function backend() {
  const calls: { query: string; resolve: (v: string[]) => void; reject: (e: unknown) => void }[] = [];
  const run = (query: string) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ query, resolve, reject });
    });
  return { calls, run };
}

describe('createSearch', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits for typing to pause before searching', async () => {
    const b = backend();
    const s = createSearch(b.run, [] as string[], 120);
    s.set('d');
    await vi.advanceTimersByTimeAsync(60);
    s.set('da');
    await vi.advanceTimersByTimeAsync(60);
    s.set('dan');
    await vi.advanceTimersByTimeAsync(119);
    expect(b.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(b.calls.map((c) => c.query)).toEqual(['dan']);
  });

  it('drops a slow answer to an older query that arrives after the newer one', async () => {
    const b = backend();
    const s = createSearch(b.run, [] as string[], 120);
    s.set('dang');
    await vi.advanceTimersByTimeAsync(120);
    s.set('dang thi');
    await vi.advanceTimersByTimeAsync(120);
    expect(b.calls.map((c) => c.query)).toEqual(['dang', 'dang thi']);

    b.calls[1].resolve(['Đặng Thị Ngọc Ánh']);
    await vi.runAllTimersAsync();
    expect(get(s)).toMatchObject({ query: 'dang thi', result: ['Đặng Thị Ngọc Ánh'], loading: false });

    b.calls[0].resolve(['Đặng Văn A', 'Đặng Thị Ngọc Ánh']); // stale: must not replace the newer result
    await vi.runAllTimersAsync();
    expect(get(s)).toMatchObject({ query: 'dang thi', result: ['Đặng Thị Ngọc Ánh'] });
  });

  it('drops a stale failure too', async () => {
    const b = backend();
    const s = createSearch(b.run, [] as string[], 10);
    s.set('a');
    await vi.advanceTimersByTimeAsync(10);
    s.set('ab');
    await vi.advanceTimersByTimeAsync(10);
    b.calls[1].resolve(['ab']);
    b.calls[0].reject(new Error('late failure'));
    await vi.runAllTimersAsync();
    expect(get(s).error).toBeNull();
    expect(get(s).result).toEqual(['ab']);
  });

  it('reports the error of the latest query', async () => {
    const b = backend();
    const s = createSearch(b.run, [] as string[], 10);
    s.set('x');
    await vi.advanceTimersByTimeAsync(10);
    b.calls[0].reject('down');
    await vi.runAllTimersAsync();
    expect(get(s)).toMatchObject({ error: 'down', loading: false, query: 'x' });
  });

  it('flush runs at once, and cancel ignores answers still in flight', async () => {
    const b = backend();
    const s = createSearch(b.run, [] as string[], 1000);
    s.set('now');
    const done = s.flush();
    expect(b.calls.map((c) => c.query)).toEqual(['now']);
    s.cancel();
    b.calls[0].resolve(['late']);
    await done;
    expect(get(s).result).toEqual([]);
    expect(get(s).loading).toBe(false);
    await vi.advanceTimersByTimeAsync(2000);
    expect(b.calls).toHaveLength(1); // the pending debounce did not fire again
  });
});

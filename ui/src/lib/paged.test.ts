import { describe, expect, it } from 'vitest';
import { PagedList, type Page } from './paged';

type Pending = { filter: string; offset: number; limit: number; resolve: (p: Page<string>) => void; reject: (e: unknown) => void };

function source() {
  const calls: Pending[] = [];
  const fetch = (filter: string, offset: number, limit: number) =>
    new Promise<Page<string>>((resolve, reject) => calls.push({ filter, offset, limit, resolve, reject }));
  return { calls, fetch };
}
const rows = (filter: string, offset: number, n: number) => Array.from({ length: n }, (_, i) => `${filter}${offset + i}`);
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('PagedList', () => {
  it('loads only the pages a window needs, once', async () => {
    const s = source();
    const list = new PagedList(s.fetch, '', 100);
    const first = list.reset('');
    s.calls[0].resolve({ total: 100000, rows: rows('', 0, 100) });
    await first;
    expect(list.total).toBe(100000);
    expect(list.row(5)).toBe('5');

    void list.ensure(150, 260);
    void list.ensure(180, 220); // already loading: no second request
    expect(s.calls.slice(1).map((c) => [c.offset, c.limit])).toEqual([
      [100, 100],
      [200, 100]
    ]);
    expect(list.row(150)).toBeUndefined();
    s.calls[1].resolve({ total: null, rows: rows('', 100, 100) });
    await flush();
    expect(list.row(150)).toBe('150');
    expect(list.total).toBe(100000); // later pages are not counted; the first count stays
  });

  it('never asks past the end', async () => {
    const s = source();
    const list = new PagedList(s.fetch, '', 100);
    const p = list.reset('');
    s.calls[0].resolve({ total: 120, rows: rows('', 0, 100) });
    await p;
    void list.ensure(0, 5000);
    expect(s.calls.map((c) => c.offset)).toEqual([0, 100]);
  });

  it('drops pages of an older filter that arrive after a reset', async () => {
    const s = source();
    let changes = 0;
    const list = new PagedList<string, string>(s.fetch, 'a', 100, () => changes++);
    const p1 = list.reset('a');
    const p2 = list.reset('b');
    s.calls[1].resolve({ total: 3, rows: ['b0', 'b1', 'b2'] });
    await p2;
    s.calls[0].resolve({ total: 999, rows: rows('a', 0, 100) }); // stale
    await p1;
    expect(list.total).toBe(3);
    expect(list.row(0)).toBe('b0');
    expect(list.row(3)).toBeUndefined();
    expect(changes).toBe(1);
  });

  it('keeps showing the old rows until the new first page arrives', async () => {
    const s = source();
    const list = new PagedList<string, string>(s.fetch, 'a', 100);
    const p1 = list.reset('a');
    s.calls[0].resolve({ total: 2, rows: ['a0', 'a1'] });
    await p1;
    const p2 = list.reset('b');
    expect(list.pending).toBe(true);
    expect(list.row(0)).toBe('a0');
    void list.ensure(0, 50); // no page requests for the old filter while a reset is under way
    expect(s.calls).toHaveLength(2);
    s.calls[1].resolve({ total: 1, rows: ['b0'] });
    await p2;
    expect(list.row(0)).toBe('b0');
    expect(list.row(1)).toBeUndefined();
    expect(list.pending).toBe(false);
  });

  it('reports an error and empties the list when a reset fails', async () => {
    const s = source();
    const list = new PagedList<string, string>(s.fetch, 'a', 100);
    const p = list.reset('a');
    s.calls[0].reject(new Error('db gone'));
    await p;
    expect(list.error).toBeInstanceOf(Error);
    expect(list.total).toBe(0);
    expect(list.loaded).toBe(true);
  });

  it('keeps whether the total is a cap', async () => {
    const s = source();
    const list = new PagedList<string, string>(s.fetch, 'a', 100);
    const p = list.reset('nguyen');
    s.calls[0].resolve({ total: 500, capped: true, rows: rows('n', 0, 100) });
    await p;
    expect(list.capped).toBe(true);
    const q = list.reset('nguyen van an');
    s.calls[1].resolve({ total: 3, rows: rows('a', 0, 3) });
    await q;
    expect(list.capped).toBe(false);
  });

  it('shows an estimated total until the exact count arrives, and drops a count for an old filter', async () => {
    const s = source();
    const counts: { filter: string; resolve: (n: number) => void }[] = [];
    const count = (filter: string) => new Promise<number>((resolve) => counts.push({ filter, resolve }));
    let changes = 0;
    const list = new PagedList<string, string>(s.fetch, 'a', 100, () => changes++, count);
    const first = list.reset('a');
    s.calls[0].resolve({ total: 5000, estimated: true, rows: rows('a', 0, 100) });
    await first;
    expect([list.total, list.estimated, counts.map((c) => c.filter)]).toEqual([5000, true, ['a']]);
    counts[0].resolve(4321);
    await flush();
    expect([list.total, list.estimated]).toEqual([4321, false]);
    expect(changes).toBeGreaterThanOrEqual(2);

    // a count that arrives after the filter changed is dropped
    const second = list.reset('b');
    s.calls[1].resolve({ total: 800, estimated: true, rows: rows('b', 0, 100) });
    await second;
    void list.reset('c');
    counts[1].resolve(777);
    await flush();
    expect(list.total).toBe(800); // still b's first page (c's has not arrived), not b's late count
    s.calls[2].resolve({ total: 12, rows: rows('c', 0, 12) });
    await flush();
    expect([list.total, list.estimated]).toEqual([12, false]);
  });
});

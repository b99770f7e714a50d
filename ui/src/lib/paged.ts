// A long list loaded page by page as the user scrolls: rows are fetched only for the visible
// window, and answers for an older filter are dropped.

export interface Page<R> {
  /** Counted on the first page only; null on later pages. */
  total: number | null;
  rows: R[];
  /** The total is a cap: more rows matched than are listed (a broad text search). */
  capped?: boolean;
  /** The total is an estimate; the exact one comes from `count` (when the list has one). */
  estimated?: boolean;
}

export type Fetch<F, R> = (filter: F, offset: number, limit: number) => Promise<Page<R>>;
export type Count<F> = (filter: F) => Promise<number>;

export class PagedList<F, R> {
  total = 0;
  /** The total is a cap (more matched; only the best are listed). */
  capped = false;
  /** The total is an estimate while the exact one is counted. */
  estimated = false;
  /** Bumped on every reset; answers carry the generation they were asked in. */
  generation = 0;
  /** True once the first page for the current filter arrived (or failed). */
  loaded = false;
  error: unknown = null;
  /** A reset is under way: the old rows stay visible until the new first page arrives. */
  private stale = false;
  private pages = new Map<number, R[]>();
  private inflight = new Set<number>();
  private filter: F;

  constructor(
    private fetch: Fetch<F, R>,
    filter: F,
    readonly pageSize = 100,
    private onChange: () => void = () => {},
    private count: Count<F> | null = null
  ) {
    this.filter = filter;
  }

  /** Starts over with a new filter; loads its first page (the old rows show until it arrives). */
  reset(filter: F): Promise<void> {
    this.filter = filter;
    this.generation++;
    this.inflight = new Set();
    this.stale = true;
    return this.load(0);
  }

  /** True while a reset waits for its first page. */
  get pending(): boolean {
    return this.stale || this.inflight.size > 0;
  }

  /** Reloads the pages currently held (after an edit elsewhere), keeping the scroll position. */
  refresh(): Promise<void> {
    const held = [...this.pages.keys()];
    this.generation++;
    this.inflight = new Set();
    this.stale = true;
    return this.load(held.includes(0) || held.length === 0 ? 0 : held[0]).then(() =>
      Promise.all(held.filter((p) => !this.pages.has(p)).map((p) => this.load(p))).then(() => {})
    );
  }

  /** The row at `index`, or undefined while its page is not loaded. */
  row(index: number): R | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** Makes sure the rows from `start` to `end` (inclusive) are loaded or loading. */
  ensure(start: number, end: number): Promise<void> {
    if (!this.loaded || this.stale) return Promise.resolve();
    const last = Math.min(end, this.total - 1);
    const wanted: Promise<void>[] = [];
    for (let p = Math.floor(Math.max(0, start) / this.pageSize); p * this.pageSize <= last; p++) {
      if (!this.pages.has(p) && !this.inflight.has(p)) wanted.push(this.load(p));
    }
    return Promise.all(wanted).then(() => {});
  }

  /** Replaces an estimated total with the exact count, unless the filter changed meanwhile. */
  private async exact(gen: number): Promise<void> {
    if (!this.count) return;
    try {
      const n = await this.count(this.filter);
      if (gen !== this.generation) return;
      this.total = n;
      this.estimated = false;
    } catch (e) {
      if (gen !== this.generation) return;
      this.error = e;
    }
    this.onChange();
  }

  private async load(page: number): Promise<void> {
    const gen = this.generation;
    this.inflight.add(page);
    try {
      const res = await this.fetch(this.filter, page * this.pageSize, this.pageSize);
      if (gen !== this.generation) return; // the filter changed meanwhile
      this.inflight.delete(page);
      if (this.stale) {
        this.pages = new Map();
        this.stale = false;
      }
      this.pages.set(page, res.rows);
      if (res.total !== null) {
        // only the first page is counted
        this.total = res.total;
        this.estimated = (res.estimated ?? false) && this.count !== null;
        if (this.estimated) void this.exact(gen);
      }
      this.capped = res.capped ?? false;
      this.loaded = true;
      this.error = null;
    } catch (e) {
      if (gen !== this.generation) return;
      this.inflight.delete(page);
      if (this.stale) {
        this.pages = new Map();
        this.total = 0;
        this.capped = false;
        this.estimated = false;
        this.stale = false;
      }
      this.error = e;
      this.loaded = true;
    }
    this.onChange();
  }
}

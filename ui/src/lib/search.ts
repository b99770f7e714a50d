// Search-as-you-type: debounced, and only the answer to the latest query is ever shown (an
// older, slower response arriving late is dropped).

import { writable, type Readable } from 'svelte/store';

export interface SearchState<T> {
  query: string;
  result: T;
  loading: boolean;
  error: unknown;
}

export interface SearchStore<T> extends Readable<SearchState<T>> {
  /** Sets the query; runs after the debounce delay. */
  set(query: string): void;
  /** Runs the pending (or current) query now. */
  flush(): Promise<void>;
  /** Drops any pending run and every answer still in flight. */
  cancel(): void;
}

export function createSearch<T>(
  run: (query: string) => Promise<T>,
  initial: T,
  delay = 120
): SearchStore<T> {
  const state = writable<SearchState<T>>({ query: '', result: initial, loading: false, error: null });
  let query = '';
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function fire(): Promise<void> {
    timer = null;
    const mine = ++seq;
    const q = query;
    state.update((s) => ({ ...s, loading: true }));
    try {
      const result = await run(q);
      if (mine !== seq) return; // a newer query was started: this answer is stale
      state.set({ query: q, result, loading: false, error: null });
    } catch (error) {
      if (mine !== seq) return;
      state.update((s) => ({ ...s, query: q, loading: false, error }));
    }
  }

  return {
    subscribe: state.subscribe,
    set(q: string) {
      query = q;
      if (timer) clearTimeout(timer);
      timer = setTimeout(fire, delay);
    },
    flush() {
      if (timer) clearTimeout(timer);
      return fire();
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
      seq++;
      state.update((s) => ({ ...s, loading: false }));
    }
  };
}

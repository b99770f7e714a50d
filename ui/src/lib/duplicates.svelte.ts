// Duplicate check while a customer form is filled in: debounced, only the latest answer counts.

import { api, type CustomerInput, type DuplicateHit } from './api';
import { createSearch } from './search';

export function duplicateChecker(excludeId: () => string | null) {
  let current: CustomerInput | null = null;
  const search = createSearch<DuplicateHit[]>(
    async () => (current ? api.customerCheckDuplicates(current, excludeId()) : []),
    [],
    400
  );
  return {
    store: search,
    /** Schedules a check of `input` (a snapshot is taken now). */
    check(input: CustomerInput) {
      current = $state.snapshot(input) as CustomerInput;
      search.set(JSON.stringify([current.phones, current.emails, current.tax_code, current.name]));
    },
    async now(input: CustomerInput): Promise<DuplicateHit[]> {
      current = $state.snapshot(input) as CustomerInput;
      search.set(JSON.stringify([current.phones, current.emails, current.tax_code, current.name]));
      await search.flush();
      let out: DuplicateHit[] = [];
      search.subscribe((s) => (out = s.result))();
      return out;
    },
    cancel: () => search.cancel()
  };
}

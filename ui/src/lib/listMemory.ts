// Where the customer list was (filters, scroll, selected row), so coming back from a 360 lands
// on the same spot; and its first page, asked early at start-up beside the window's other
// start-up calls rather than after the shell has rendered.

import { api, type CustomerFilter, type CustomerPage } from '$lib/api';

export const listMemory = {
  query: '',
  stageId: '',
  ownerId: '',
  tag: '',
  province: '',
  segmentId: '',
  active: 0,
  scrollTop: 0
};

/** Rows per page of the customer list. */
export const CUSTOMER_PAGE = 100;

/** The list's filter for the remembered fields. */
export function customerFilter(
  m: Pick<typeof listMemory, 'query' | 'stageId' | 'ownerId' | 'tag' | 'province' | 'segmentId'>
): CustomerFilter {
  return {
    query: m.query.trim() === '' ? null : m.query,
    stage_id: m.stageId || null,
    owner_id: m.ownerId || null,
    tag: m.tag || null,
    province: m.province || null,
    segment_id: m.segmentId || null
  };
}

let early: { key: string; page: Promise<CustomerPage> } | null = null;

/** Asks for the first page of the remembered list now; the list takes it when it first loads. */
export function prefetchCustomers(): void {
  const filter = customerFilter(listMemory);
  const page = api.customerList(filter, 0, CUSTOMER_PAGE);
  page.catch(() => {}); // a failure is the list's to show, when it takes the page
  early = { key: JSON.stringify(filter), page };
}

/**
 * A page of the customer list: the one asked early when it is that page (taken once, so every
 * later load, a refresh after an edit included, asks the core afresh), otherwise a new call.
 */
export function customerPage(filter: CustomerFilter, offset: number, limit: number): Promise<CustomerPage> {
  const taken = early;
  early = null;
  if (taken && offset === 0 && limit === CUSTOMER_PAGE && taken.key === JSON.stringify(filter)) return taken.page;
  return api.customerList(filter, offset, limit);
}

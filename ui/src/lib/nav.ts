// Links and navigation inside the app (client-side routes, e.g. `/customers/<id>`).

import { goto } from '$app/navigation';
import { resolve } from '$app/paths';

export const href = {
  today: () => resolve('/'),
  customers: () => resolve('/customers'),
  care: () => resolve('/care'),
  newCustomer: () => resolve('/customers/new'),
  customer: (id: string) => resolve('/customers/[id]', { id }),
  trash: () => resolve('/trash'),
  settings: () => resolve('/settings'),
  import: () => resolve('/import'),
  duplicates: () => resolve('/duplicates'),
  segments: () => resolve('/segments'),
  pipeline: () => resolve('/pipeline'),
  tickets: () => resolve('/tickets'),
  reports: () => resolve('/reports'),
  ticket: (id: string) => resolve('/tickets/[id]', { id })
};

export function openCustomer(id: string): Promise<void> {
  return goto(href.customer(id));
}

// The ChangeContext of the running app (language, zone, names of stages/staff/custom fields).
import { app, dealStageName, stageName, staffName } from './app.svelte';
import type { ChangeContext } from './changes';

export function changeContext(
  t: (key: string, opts?: { values?: Record<string, string | number> }) => string,
  currency?: string | null
): ChangeContext {
  return {
    lang: app.lang,
    tz: app.tz,
    t: (key, values) => t(key, values ? { values } : undefined),
    stageName,
    dealStageName,
    dealTitle: (id) => app.dealTitles[id],
    staffName: (id) => staffName(id),
    customFieldLabel: (fieldId) => app.customFields.find((f) => f.id === fieldId)?.label,
    currency
  };
}

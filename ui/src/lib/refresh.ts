/** What a screen must read again after another device's changes were applied, from the tables
 *  they changed (`WorkspaceChangedEvent`). */
export interface Refresh {
  /** Customer lists, the 360, the pipeline and segments (customersVersion). */
  customers: boolean;
  /** Today and Care (careVersion). */
  care: boolean;
  staff: boolean;
  stages: boolean;
  dealStages: boolean;
  customFields: boolean;
  /** Workspace settings (time zone, language...). */
  settings: boolean;
}

const CUSTOMER_DATA = new Set([
  'customers',
  'contacts',
  'custom_values',
  'interactions',
  'segments',
  'segment_members',
  'deals'
]);
const CARE_DATA = new Set(['care_plans', 'care_enrolments', 'care_tasks']);

export function refreshFor(tables: readonly string[]): Refresh {
  const has = (t: string) => tables.includes(t);
  const customFields = has('custom_fields');
  const stages = has('stages');
  const dealStages = has('deal_stages');
  const staff = has('staff');
  return {
    // a renamed stage, owner or field shows in the lists and the 360 too
    customers: tables.some((t) => CUSTOMER_DATA.has(t)) || customFields || stages || dealStages || staff,
    // tasks name their customer and assignee
    care: tables.some((t) => CARE_DATA.has(t)) || has('customers') || staff,
    staff,
    stages,
    dealStages,
    customFields,
    settings: has('settings')
  };
}

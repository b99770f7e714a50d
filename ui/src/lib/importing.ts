// The import screen's logic, kept out of the component so it can be tested: labels of mapping
// targets, cell problems by row and column, and the mapping as the user edits it.

import type { CustomField, ImportPreview, Mapping, PreviewRow, RowError } from './api';

type Translate = (key: string, opts?: { values?: Record<string, string | number> }) => string;

/** A target as the user reads it ("Số điện thoại", "Trường: Hạng thành viên"). */
export function targetLabel(t: Translate, target: string, fields: CustomField[], entity: 'customers' | 'interactions' | 'tickets' = 'customers'): string {
  if (entity === 'interactions' && target === 'kind') return t('import.target.kind_interaction');
  if (target.startsWith('custom:')) {
    const key = target.slice('custom:'.length);
    const f = fields.find((x) => x.key === key);
    return t('import.target.custom', { values: { label: f?.label ?? key } });
  }
  return t(`import.target.${target}`);
}

/** The target chosen for a column (columns a mapping does not list are not imported). */
export function targetOf(mapping: Mapping, column: string): string {
  return mapping.columns.find((c) => c.column === column)?.target ?? 'ignore';
}

/** The mapping with one column's target changed (a column the mapping lacked is added). */
export function withTarget(mapping: Mapping, column: string, target: string): Mapping {
  const columns = mapping.columns.some((c) => c.column === column)
    ? mapping.columns.map((c) => (c.column === column ? { column, target } : c))
    : [...mapping.columns, { column, target }];
  return { columns };
}

/** Targets that take one column only: choosing one for a column frees it from any other. */
const SINGLE = new Set([
  'name', 'family_name', 'middle_name', 'given_name', 'kind', 'address', 'street', 'ward', 'district', 'province', 'tax_code', 'external_id', 'company', 'title', 'source', 'owner', 'stage', 'birthday', 'gender', 'expected_revenue', 'currency',
  // interactions: every target takes one column
  'customer_phone', 'customer_email', 'customer_code', 'occurred_at', 'channel', 'direction', 'summary', 'body', 'item', 'quantity', 'unit_price', 'amount', 'staff',
  // tickets: every target takes one column
  'number', 'subject', 'customer_name', 'priority', 'team', 'category', 'assignee', 'created_at', 'first_response_at', 'solved_at', 'closed_at', 'replies', 'csat', 'nps', 'ces'
]);

/** Sets a column's target; a single-column target moves there from the column that had it. */
export function assign(mapping: Mapping, column: string, target: string): Mapping {
  let m = withTarget(mapping, column, target);
  if (SINGLE.has(target) || target.startsWith('custom:')) {
    m = { columns: m.columns.map((c) => (c.column !== column && c.target === target ? { ...c, target: 'ignore' } : c)) };
  }
  return m;
}

/** The problems of one preview cell, as i18n messages. */
export function cellProblems(row: PreviewRow, column: number): { key: string; params: Record<string, string> }[] {
  return row.problems
    .filter((p) => p.column === column)
    .map((p) => ({ key: p.message_key, params: Object.fromEntries(Object.entries(p.params).filter((e): e is [string, string] => e[1] !== undefined)) }));
}

/** How many preview rows would be rejected. */
export function rowsWithProblems(preview: ImportPreview): number {
  return preview.rows.filter((r) => r.problems.length > 0).length;
}

/** A rejected row's reason in the user's language (the core's English is the fallback). */
export function rowErrorText(t: Translate, e: RowError): string {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.params)) if (v !== undefined) values[k] = v;
  const text = t(e.message_key, { values });
  return text === e.message_key ? e.reason : text;
}

/** The file name of a path, for titles. */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** A saved mapping applied to this file: its target for each column it names, the current
 *  (suggested) one for the others. */
export function withSaved(saved: Mapping, current: Mapping): Mapping {
  return { columns: current.columns.map((c) => saved.columns.find((s) => s.column === c.column) ?? c) };
}

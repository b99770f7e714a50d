// From a failed command to what a form shows: each field error next to its input (keyed by the
// core's field path, e.g. `phones[1].number`), the rest in a banner above the form.

import { toApiError } from './api/wrap';

export interface Message {
  key: string;
  params: Record<string, string>;
}

export interface FormErrors {
  /** field path -> messages for that field, in the order the core reported them */
  fields: Record<string, Message[]>;
  /** errors not tied to a field the form shows (or not validation errors at all) */
  general: Message[];
}

/** For screens without inputs per field: every message goes to the banner (with its field). */
export const NOT_SHOWN = (): boolean => false;

export const NO_ERRORS: FormErrors = Object.freeze({ fields: {}, general: [] }) as FormErrors;

/**
 * Splits an error into per-field and general messages. `shown` says whether the form has an
 * input for a field path; field errors for anything else go to `general` so none is lost.
 */
export function formErrors(e: unknown, shown: (field: string) => boolean = () => true): FormErrors {
  const p = toApiError(e).payload;
  const out: FormErrors = { fields: {}, general: [] };
  const list = p.fields.length > 0 ? p.fields : p.field ? [{ field: p.field, message_key: p.message_key, params: p.params }] : [];
  if (list.length === 0) {
    out.general.push({ key: p.message_key, params: stringParams(p.params) });
    return out;
  }
  for (const f of list) {
    const m = { key: f.message_key, params: stringParams(f.params) };
    if (shown(f.field)) {
      (out.fields[f.field] ??= []).push(m);
    } else {
      out.general.push({ ...m, params: { ...m.params, field: f.field } });
    }
  }
  return out;
}

function stringParams(p: Partial<Record<string, string>> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p ?? {})) if (v !== undefined) out[k] = v;
  return out;
}

export function hasErrors(e: FormErrors): boolean {
  return e.general.length > 0 || Object.keys(e.fields).length > 0;
}

/** The first field path with an error, in the order the core reported them (for focusing it). */
export function firstErrorField(e: FormErrors): string | null {
  return Object.keys(e.fields)[0] ?? null;
}

/** The same errors without those of one field (the user edited it). */
export function clearField(e: FormErrors, field: string): FormErrors {
  if (!(field in e.fields)) return e;
  const fields = { ...e.fields };
  delete fields[field];
  return { fields, general: e.general };
}

/** Translation key of an entity named in `error.not_found` ("trashed customer" -> entity.trashed_customer). */
export function entityKey(entity: string): string {
  return 'entity.' + entity.trim().toLowerCase().replace(/\s+/g, '_');
}

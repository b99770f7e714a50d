// The customer form's model: an empty form, a form from a saved customer, and which field paths
// the form has inputs for (so every error the core reports lands next to an input or in the banner).

import type { CustomField, Customer, CustomerInput } from './api';
import { formatPhone } from './format';

export function emptyInput(): CustomerInput {
  return {
    kind: 'person',
    name: '',
    family_name: null,
    middle_name: null,
    given_name: null,
    phones: [{ label: '', number: '' }],
    emails: [{ label: '', address: '' }],
    street: null,
    ward: null,
    district: null,
    province: null,
    tax_code: null,
    source: null,
    owner_id: null,
    stage_id: null,
    tags: [],
    birthday: null,
    gender: null,
    expected_revenue: null,
    currency: null,
    notes: null,
    external_id: null,
    custom: {}
  };
}

/**
 * A saved customer's values exactly as stored (the core's `Customer::to_input`): what a form was
 * opened with, sent beside the edited values so the core saves only the fields the user changed.
 */
export function storedInput(c: Customer): CustomerInput {
  const { id, contacts, created_at, updated_at, deleted_at, ...rest } = c;
  return JSON.parse(JSON.stringify(rest));
}

/** The form values that recreate a saved customer (with one empty row to type a new phone/email). */
export function inputFromCustomer(c: Customer): CustomerInput {
  const { id, contacts, created_at, updated_at, deleted_at, ...rest } = c;
  const input: CustomerInput = JSON.parse(JSON.stringify(rest)); // also works on $state proxies
  // Phones are edited as people write them; the core normalises them back to the same E.164.
  input.phones = input.phones.map((p) => ({ ...p, number: formatPhone(p.number) }));
  if (input.phones.length === 0) input.phones.push({ label: '', number: '' });
  if (input.emails.length === 0) input.emails.push({ label: '', address: '' });
  return input;
}

const SIMPLE = new Set([
  'kind',
  'name',
  'street',
  'ward',
  'district',
  'province',
  'source',
  'owner_id',
  'stage_id',
  'tags',
  'birthday',
  'gender',
  'expected_revenue',
  'currency',
  'notes',
  'external_id'
]);
const PERSON = new Set(['family_name', 'middle_name', 'given_name']);

/** Whether the customer form shows an input for a field path the core named in an error. */
export function formShows(field: string, input: CustomerInput, customFields: CustomField[]): boolean {
  if (SIMPLE.has(field)) return true;
  if (PERSON.has(field)) return input.kind === 'person';
  if (field === 'tax_code') return input.kind === 'company';
  let m = /^phones\[(\d+)\]\.(number|label)$/.exec(field);
  if (m) return Number(m[1]) < input.phones.length;
  m = /^emails\[(\d+)\]\.(address|label)$/.exec(field);
  if (m) return Number(m[1]) < input.emails.length;
  if (/^tags\[\d+\]$/.test(field)) return true;
  m = /^custom\.(.+)$/.exec(field);
  if (m) return customFields.some((f) => f.key === m![1]);
  return false;
}

/** The input a field error belongs to, for focusing: `phones[1].number` -> `field-phone-1`. */
export function testIdOf(field: string): string {
  let m = /^phones\[(\d+)\]\.number$/.exec(field);
  if (m) return `field-phone-${m[1]}`;
  m = /^emails\[(\d+)\]\.address$/.exec(field);
  if (m) return `field-email-${m[1]}`;
  if (/^tags\[\d+\]$/.test(field)) return 'field-tags';
  m = /^custom\.(.+)$/.exec(field);
  if (m) return `field-custom-${m[1]}`;
  return `field-${field}`;
}

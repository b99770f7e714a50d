// A customer form opened before someone else changed the customer. The core saves only the fields
// the user changed and refuses a field both changed (`error.edit_conflict`, one field error each);
// the form then moves onto the customer as it is now: fields the user did not touch show the new
// values, fields the user changed stay, and each conflicting field asks to keep mine or take theirs.

import type { CustomerInput } from './api';

/** The field paths the core compares: every input field, each custom value as `custom.<key>`. */
export function fieldPaths(...inputs: CustomerInput[]): string[] {
  const top = new Set<string>();
  const custom = new Set<string>();
  for (const i of inputs) {
    for (const k of Object.keys(i)) if (k !== 'custom') top.add(k);
    for (const k of Object.keys(i.custom ?? {})) custom.add(`custom.${k}`);
  }
  return [...top, ...custom];
}

export function getField(input: CustomerInput, path: string): unknown {
  if (path.startsWith('custom.')) return input.custom[path.slice('custom.'.length)];
  return (input as unknown as Record<string, unknown>)[path];
}

/** Sets a field (a copy of the value, so the form never shares it with another input). */
export function setField(input: CustomerInput, path: string, value: unknown): void {
  const copy = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  if (path.startsWith('custom.')) {
    const key = path.slice('custom.'.length);
    if (copy === undefined || copy === '') delete input.custom[key];
    else input.custom[key] = copy;
  } else {
    (input as unknown as Record<string, unknown>)[path] = copy;
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The draft moved onto the customer as it is now: each field the user left as it was opened
 * (`opened`) takes its current value (`now`); fields the user changed, and the conflicting ones,
 * keep the user's value. Form values throughout (as `inputFromCustomer` makes them).
 */
export function rebase(draft: CustomerInput, opened: CustomerInput, now: CustomerInput, conflicts: string[]): CustomerInput {
  const out: CustomerInput = JSON.parse(JSON.stringify(draft));
  for (const path of fieldPaths(draft, opened, now)) {
    if (conflicts.includes(path)) continue;
    if (same(getField(draft, path), getField(opened, path))) setField(out, path, getField(now, path));
  }
  return out;
}

/** What a form shares with its fields (Svelte context under `CONFLICTS`): field path -> its
 *  current value as shown, and the user's choice for one field. */
export interface ConflictContext {
  readonly current: Record<string, string>;
  resolve(field: string, take: boolean): void;
}

export const CONFLICTS = Symbol('conflicts');

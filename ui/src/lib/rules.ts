// The rule editor's document: the segment rule format itself (`{"all": [...]}`, see
// src/segments/rules.rs), edited as a tree. Which fields exist and which ops each takes come from
// the core (`segmentFields`); the core checks the rules again when they are counted or saved.

import type { FieldSpec } from '$lib/api';

export type Value = null | string | number | boolean | (string | number)[];
export interface Condition {
  field: string;
  op: string;
  value: Value;
}
export type Group = { all: Node[] } | { any: Node[] };
export type Node = Group | Condition;

export function isGroup(n: Node): n is Group {
  return 'all' in n || 'any' in n;
}
export function children(g: Group): Node[] {
  return 'all' in g ? g.all : g.any;
}
export function mode(g: Group): 'all' | 'any' {
  return 'all' in g ? 'all' : 'any';
}
/** The same group with the other mode (its children kept). */
export function withMode(g: Group, m: 'all' | 'any'): Group {
  const kids = children(g);
  return m === 'all' ? { all: kids } : { any: kids };
}

/** What an op of a kind of field takes as its value (how the editor asks for it). */
export type Shape = 'none' | 'one' | 'many' | 'range' | 'days' | 'flag';
export function shape(kind: string, op: string): Shape {
  if (op === 'empty' || op === 'not_empty') return 'none';
  if (op === 'within_days' || op === 'not_within_days') return 'days';
  if (op === 'between') return 'range';
  if (op === 'in' || op === 'not_in') return 'many';
  if (kind === 'flag') return 'flag';
  return 'one';
}

/** A value of the right shape to start from when the field or op changes. */
export function startValue(kind: string, op: string, old: Value): Value {
  const s = shape(kind, op);
  const numeric = kind === 'number' || kind === 'money';
  switch (s) {
    case 'none':
      return null;
    case 'days':
      return typeof old === 'number' && Number.isInteger(old) && old >= 0 ? old : 30;
    case 'flag':
      return typeof old === 'boolean' ? old : true;
    case 'range':
      return Array.isArray(old) && old.length === 2 ? old : numeric ? [0, 0] : ['', ''];
    case 'many':
      return Array.isArray(old) ? old : old === null || old === '' ? [] : [old as string | number];
    case 'one':
      if (Array.isArray(old)) return old[0] ?? (numeric ? 0 : '');
      if (numeric) return typeof old === 'number' ? old : 0;
      return typeof old === 'string' ? old : '';
  }
}

/** A new condition on `spec`'s field with its first op. */
export function newCondition(spec: FieldSpec): Condition {
  const op = spec.ops[0];
  return { field: spec.field, op, value: startValue(spec.kind, op, null) };
}

/** The rules as stored text; an empty editor is "every customer". */
export function toText(g: Group): string {
  return JSON.stringify(g);
}

/** Reads stored rules; anything that is not a group becomes a group holding it. */
export function fromText(text: string | null | undefined): Group {
  if (!text) return { all: [] };
  try {
    const v = JSON.parse(text) as Node;
    return isGroup(v) ? v : { all: [v] };
  } catch {
    return { all: [] };
  }
}

/** The path the core names a node by (`rules.all[1].any[0]`), for showing its errors beside it. */
export function childPath(parent: string, g: Group, i: number): string {
  return `${parent}.${mode(g)}[${i}]`;
}

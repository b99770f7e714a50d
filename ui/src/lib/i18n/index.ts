// Translations: Vietnamese and English, the same keys (checked by i18n.test.ts). Every string a
// person sees comes from here; the core's error keys (validation.*, error.*) are translated too.

import { addMessages, init, locale, _ } from 'svelte-i18n';
import { get } from 'svelte/store';
import { en } from './en';
import { vi } from './vi';
import { entityKey, type Message } from '../errors';
import type { Lang } from '../format';

addMessages('vi', vi);
addMessages('en', en);

export function setupI18n(lang: Lang): void {
  init({ fallbackLocale: 'en', initialLocale: lang });
  document.documentElement.lang = lang;
}

export function applyLanguage(lang: Lang): void {
  locale.set(lang);
  document.documentElement.lang = lang;
}

type Translate = (key: string, opts?: { values?: Record<string, string | number>; default?: string }) => string;

/** Translates a core message (error key + params); entity names in params are translated too. */
export function messageText(t: Translate, m: Message): string {
  const values: Record<string, string | number> = { ...m.params };
  if (typeof values.count === 'string' && /^\d+$/.test(values.count)) values.count = Number(values.count);
  if (typeof values.entity === 'string') values.entity = t(entityKey(values.entity), { default: values.entity });
  if (typeof values.field === 'string') values.field = fieldLabel(t, values.field);
  const text = t(m.key, { values, default: t('error.unknown', { values: { key: m.key } }) });
  // a field error shown away from its field (the banner) says which field it is about
  return values.field ? `${values.field}: ${text}` : text;
}

/** A field path (`phones[1].number`, `custom.size`, `owner_id`) as a label. */
export function fieldLabel(t: Translate, field: string): string {
  const base = field.replace(/\[\d+\].*$/, '').replace(/^custom\..*$/, 'custom');
  const MISSING = '\u0000';
  // a file's row (`rows[2].score`) is always named with its number and column
  const known = field.startsWith('rows[') ? MISSING : t(`field.${base}`, { default: MISSING });
  if (known !== MISSING) return known;
  // a nested path (a team's `stages[1].name`, `hours.sat[0]`): each part named, a list's place
  // counted from 1 where another part follows
  const parts = field.split('.');
  return parts
    .map((part, i) => {
      const m = /^([a-z_]+)(?:\[(\d+)\])?$/.exec(part);
      if (!m) return part;
      const name = t(`field.${m[1]}`, { default: t(`team.day.${m[1]}`, { default: m[1] }) });
      return m[2] !== undefined && i < parts.length - 1 ? `${name} ${Number(m[2]) + 1}` : name;
    })
    .join(' · ');
}

/** The current translate function, outside components. */
export function tr(key: string, values?: Record<string, string | number>): string {
  return get(_)(key, values ? { values } : undefined);
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { vi } from './vi';
import { fieldLabel } from './index';
import { CHANNELS, DIRECTIONS, FIELD_KINDS, GENDERS, INTERACTION_KINDS, ROLES, SOURCES, CUSTOMER_KINDS, DEAL_STAGE_KINDS } from '../enums';
import { PHONE_KINDS } from '../format';

type Dict = { [k: string]: string | Dict };

function flatten(d: Dict, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const [k, v] of Object.entries(d)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out[key] = v;
    else flatten(v, key, out);
  }
  return out;
}

const flatVi = flatten(vi);
const flatEn = flatten(en);

/** The names of the ICU arguments a message uses: `{count, plural, ...}` and `{name}` -> count, name. */
function placeholders(msg: string): string[] {
  const names = new Set<string>();
  for (const m of msg.matchAll(/\{\s*([a-zA-Z_][\w]*)\s*(?:[,}])/g)) names.add(m[1]);
  return [...names].sort();
}

/** Every key the core can emit as an error message. */
const CORE_KEYS = [
  'validation.required',
  'validation.too_long',
  'validation.phone_invalid',
  'validation.phone_repeated',
  'validation.email_invalid',
  'validation.email_repeated',
  'validation.tax_code_invalid',
  'validation.not_allowed',
  'validation.unknown_staff',
  'validation.unknown_stage',
  'validation.date_invalid',
  'validation.date_out_of_range',
  'validation.negative',
  'validation.positive',
  'validation.currency_invalid',
  'validation.number_invalid',
  'validation.checkbox_invalid',
  'validation.unknown_field',
  'validation.options_required',
  'validation.stage_order_invalid',
  'validation.stage_in_use',
  'validation.field_kind_in_use',
  'validation.time_zone_invalid',
  'validation.control_char',
  'import.not_vcard',
  'import.encoding_wrong',
  'import.cell_too_long',
  'import.rejects_unwritable',
  'demo.not_empty',
  'error.not_found',
  'error.newer_database',
  'error.interrupted',
  'error.already_undone',
  'error.bad_time',
  'error.clock_ahead',
  'validation.hlc_invalid',
  'validation.unknown_name',
  'validation.invalid_json',
  'backup.copy_bad',
  'error.edit_conflict',
  'conflict.changed',
  'error.storage',
  'update.bad_signature',
  'update.unreachable',
  'update.no_package',
  'update.wrong_package',
  'update.not_allowed',
  'update.install_failed',
  'update.import_running',
  'update.none_pending',
  'update.settings_unwritable',
  'update.not_configured',
  'error.invalid',
  'files.not_chosen',
  'notice.phone_renumbered',
  'segment.not_json',
  'segment.rules_unreadable',
  'segment.rule_invalid',
  'segment.group_invalid',
  'segment.field_missing',
  'segment.unknown_field',
  'segment.unknown_custom',
  'segment.unknown_op',
  'segment.op_not_for_field',
  'segment.value_invalid',
  'segment.too_deep',
  'segment.unknown_segment',
  'segment.cycle',
  'segment.in_use',
  'segment.name_taken',
  'segment.not_static',
  'segment.unknown_customer',
  'segment.unknown_preset',
  'settings.unknown_key',
  'validation.out_of_range',
  'validation.deal_stage_in_use',
  'validation.deal_stage_last_of_kind',
  'validation.deal_not_won',
  'validation.deal_purchase_recorded',
  'interaction.recent_contact',
  'bulk.too_many',
  'import.list_customers_only',
  'care.anchor_not_date',
  'care.event_needs_anchor',
  'care.no_birthday',
  'care.no_customer',
  'care.no_date',
  'care.no_deal_in_stage',
  'care.no_purchase',
  'care.no_user',
  'care.plan_name_taken',
  'care.plan_unreadable',
  'care.plan_unreadable_file',
  'care.quiet_hours_invalid',
  'care.snooze_past',
  'care.task_closed',
  'care.unenrol_needs_segment',
  'care.cursor_invalid',
  'care.placeholder_not_for_anchor',
  'care.offset_before_anchor',
  'validation.when_invalid'
];

const CORE_PARAMS: Record<string, string[]> = {
  'validation.too_long': ['max'],
  'validation.phone_invalid': ['value'],
  'validation.email_invalid': ['value'],
  'validation.tax_code_invalid': ['value'],
  'validation.not_allowed': ['value'],
  'validation.stage_in_use': ['count'],
  'import.not_vcard': ['detail'],
  'import.encoding_wrong': ['detail'],
  'import.cell_too_long': ['max'],
  'import.rejects_unwritable': ['detail'],
  'demo.not_empty': ['count'],
  'error.not_found': ['entity'],
  'error.newer_database': ['app_version', 'db_version'],
  'error.interrupted': ['detail'],
  'error.already_undone': ['what'],
  'error.bad_time': ['detail'],
  'error.clock_ahead': ['minutes'],
  'backup.copy_bad': ['detail', 'path'],
  'error.edit_conflict': ['count', 'fields'],
  'conflict.changed': ['current'],
  'error.storage': ['detail'],
  'files.not_chosen': ['path'],
  'notice.phone_renumbered': ['from', 'to'],
  'validation.out_of_range': ['max', 'min'],
  'validation.deal_stage_in_use': ['count'],
  'interaction.recent_contact': ['days', 'last_at'],
  'bulk.too_many': ['count', 'max'],
  'update.bad_signature': ['detail'],
  'update.unreachable': ['detail'],
  'update.no_package': ['detail'],
  'update.wrong_package': ['detail'],
  'update.not_allowed': ['detail'],
  'update.install_failed': ['detail'],
  'update.settings_unwritable': ['detail'],
  'care.cursor_invalid': ['value'],
  'care.placeholder_not_for_anchor': ['anchor', 'value'],
  'care.offset_before_anchor': ['anchor', 'value'],
  'validation.when_invalid': ['value']
};

describe('dictionaries', () => {
  it('have the same keys in Vietnamese and English', () => {
    const onlyVi = Object.keys(flatVi).filter((k) => !(k in flatEn));
    const onlyEn = Object.keys(flatEn).filter((k) => !(k in flatVi));
    expect(onlyVi).toEqual([]);
    expect(onlyEn).toEqual([]);
  });

  it('have no empty strings', () => {
    const empty = [...Object.entries(flatVi), ...Object.entries(flatEn)].filter(([, v]) => v.trim() === '').map(([k]) => k);
    expect(empty).toEqual([]);
  });

  it('use the same placeholders in both languages', () => {
    const differ = Object.keys(flatVi).filter((k) => k in flatEn && placeholders(flatVi[k]).join() !== placeholders(flatEn[k]).join());
    expect(differ).toEqual([]);
  });

  it('translate every error key the core emits, with its params', () => {
    for (const key of CORE_KEYS) {
      expect(flatVi[key], key).toBeTruthy();
      expect(flatEn[key], key).toBeTruthy();
      for (const p of CORE_PARAMS[key] ?? []) {
        expect(placeholders(flatVi[key]), `${key} (vi) uses {${p}}`).toContain(p);
        expect(placeholders(flatEn[key]), `${key} (en) uses {${p}}`).toContain(p);
      }
    }
  });

  it('label every value of every list the forms offer', () => {
    const families: [string, readonly string[]][] = [
      ['kind', CUSTOMER_KINDS],
      ['gender', GENDERS],
      ['role', ROLES],
      ['field_kind', FIELD_KINDS],
      ['interaction.kind', INTERACTION_KINDS],
      ['channel', CHANNELS],
      ['direction', DIRECTIONS],
      ['source', SOURCES],
      ['stage', ['lead', 'prospect', 'customer', 'loyal', 'churned', 'negative']],
      ['duplicates.reason', ['phone', 'email', 'tax_code']],
      ['phone.kind', PHONE_KINDS],
      ['deal', DEAL_STAGE_KINDS.map((k) => `kind_${k}`)],
      ['deal_stage', ['new', 'contacted', 'consulting', 'proposal', 'negotiation', 'won', 'lost']]
    ];
    const missing = families.flatMap(([prefix, values]) => values.map((v) => `${prefix}.${v}`)).filter((k) => !(k in flatVi));
    expect(missing).toEqual([]);
  });

  it('contain every key the source code asks for by name', () => {
    const root = join(__dirname, '..', '..');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(svelte|ts)$/.test(name) && !name.endsWith('.test.ts') && !name.startsWith('bindings')) files.push(p);
      }
    };
    walk(root);
    expect(files.length).toBeGreaterThan(10);
    const used = new Set<string>();
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/(?:\$_|\btr|\bt)\(\s*'([a-z_]+(?:\.[a-z_]+)+)'/g)) used.add(m[1]);
      for (const m of src.matchAll(/\bkey:\s*'([a-z_]+\.[a-z_.]+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(100);
    const missing = [...used].filter((k) => !(k in flatVi) || !(k in flatEn));
    expect(missing).toEqual([]);
  });
});

describe('fieldLabel', () => {
  const t = (key: string, opts?: { default?: string }) => flatVi[key] ?? opts?.default ?? key;
  it('names a row of a file by its number and column, a form list entry by its field', () => {
    expect(fieldLabel(t, 'rows[2].score')).toBe('Dòng 3 · Điểm');
    expect(fieldLabel(t, 'phones[1].number')).toBe('Số điện thoại');
  });
});

// How a recorded change reads: a field label ("Phones", "Contact · Role", a custom field's label)
// and readable old/new values (phones as 0912 345 678, stage and staff by name, money, dates).
// Only presentation: the values are what the core recorded.

import type { FieldChange } from './api';
import { formatDateTime, formatMoney, formatPhone, formatYmd, type Lang } from './format';

export interface ChangeContext {
  lang: Lang;
  tz: string;
  t: (key: string, values?: Record<string, string | number>) => string;
  stageName: (id: string) => string;
  /** a deal stage's name (a deal's `stage_id`) */
  dealStageName?: (id: string) => string;
  /** a deal's title by its id, to say which deal changed */
  dealTitle?: (id: string) => string | undefined;
  staffName: (id: string) => string;
  /** label of a custom field by its id, if it still exists */
  customFieldLabel: (fieldId: string) => string | undefined;
  /** the currency amounts of this record are in (customer's or interaction's) */
  currency?: string | null;
}

/** An instant column (`created_at`, a care task's `due_at`, a ticket message's `at`...) holding
 *  UTC milliseconds: shown as a date and time. */
const isInstant = (column: string, raw: string): boolean => (column.endsWith('_at') || column === 'at') && /^\d{10,}$/.test(raw);

/** The field a change is about, as a label. */
export function changeLabel(c: FieldChange, ctx: ChangeContext): string {
  // a customer joining or leaving a static list (the record's row is "<list>/<customer>")
  if (c.table === 'segment_members') return ctx.t(c.column === '__purged' ? 'history.list_left' : 'history.list_joined');
  if (c.column === '__purged') return ctx.t('history.purged');
  if (c.table === 'custom_values') {
    const fieldId = c.row_id.split('/')[1] ?? '';
    return ctx.customFieldLabel(fieldId) ?? ctx.t('field.custom');
  }
  const field = ctx.t(`field.${c.column}`);
  if (c.table === 'customers') return field;
  if (c.table === 'deals') {
    const title = ctx.dealTitle?.(c.row_id);
    const deal = title ? ctx.t('table.deal_named', { title }) : ctx.t('table.deals');
    return `${deal} · ${c.column === 'stage_id' ? ctx.t('deal.stage') : field}`;
  }
  return `${ctx.t(`table.${c.table}`)} · ${field}`;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function labelled(main: string, label: unknown): string {
  return typeof label === 'string' && label.trim() !== '' ? `${main} (${label})` : main;
}

/** A recorded value as text; '' for none. */
export function changeValue(c: FieldChange, raw: string | null, ctx: ChangeContext): string {
  if (raw === null || raw === undefined) return '';
  const { t } = ctx;
  switch (c.column) {
    case 'phones': {
      const v = parseJson(raw);
      if (!Array.isArray(v)) return raw;
      return v
        .map((p) => (typeof p === 'string' ? formatPhone(p) : labelled(formatPhone(String(p?.number ?? '')), p?.label)))
        .join(', ');
    }
    case 'emails': {
      const v = parseJson(raw);
      if (!Array.isArray(v)) return raw;
      return v.map((e) => (typeof e === 'string' ? e : labelled(String(e?.address ?? ''), e?.label))).join(', ');
    }
    case 'tags': {
      const v = parseJson(raw);
      return Array.isArray(v) ? v.map(String).join(', ') : raw;
    }
    case 'items': {
      const v = parseJson(raw);
      if (!Array.isArray(v)) return raw;
      return v
        .map((it) => `${it?.name ?? ''} × ${it?.quantity ?? ''} @ ${formatMoney(Number(it?.unit_price ?? 0), ctx.currency, ctx.lang)}`)
        .join('; ');
    }
    case 'phone':
      return c.table === 'contacts' ? formatPhone(raw) : raw;
    case 'stage_id':
      return c.table === 'deals' ? (ctx.dealStageName?.(raw) ?? raw) : ctx.stageName(raw);
    case 'expected_close':
      return formatYmd(raw, ctx.lang);
    case 'purchase_id':
      return t('deal.purchase_recorded');
    case 'owner_id':
    case 'assignee_id':
    case 'staff_id':
    case 'actor':
      return ctx.staffName(raw);
    case 'source':
      return t(`source.${raw}`);
    case 'gender':
      return t(`gender.${raw}`);
    case 'kind':
      return c.table === 'interactions' ? t(`interaction.kind.${raw}`) : t(`kind.${raw}`);
    case 'channel':
      // each table has its own channels: a care task's call, a ticket's live chat
      if (c.table === 'care_tasks') return t(`care.channel.${raw}`);
      return c.table === 'tickets' || c.table === 'ticket_messages' ? t(`ticket.channel.${raw}`) : t(`channel.${raw}`);
    case 'priority':
      return c.table === 'tickets' ? t(`ticket.priority.${raw}`) : raw;
    case 'severity':
      return c.table === 'tickets' ? t(`ticket.severity.${raw}`) : raw;
    case 'direction':
      return t(`direction.${raw}`);
    case 'birthday':
      return formatYmd(raw, ctx.lang);
    case 'expected_revenue':
    case 'amount': {
      const n = Number(raw);
      return Number.isFinite(n) ? formatMoney(n, ctx.currency, ctx.lang) : raw;
    }
    case 'is_decision_maker':
      return raw === '1' || raw === 'true' ? t('common.yes') : t('common.no');
    case '__purged':
      return '';
  }
  if (isInstant(c.column, raw)) return formatDateTime(Number(raw), ctx.lang, ctx.tz);
  if (c.table === 'custom_values') {
    if (raw === 'true') return t('common.yes');
    if (raw === 'false') return t('common.no');
    if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) return formatYmd(raw, ctx.lang);
  }
  return raw;
}

export type ChangeKind = 'set' | 'changed' | 'cleared';

/** Whether a change set a value where none was, replaced one, or cleared one. */
export function changeKind(c: FieldChange): ChangeKind {
  if (c.value === null) return 'cleared';
  if (c.previous === null) return 'set';
  return 'changed';
}

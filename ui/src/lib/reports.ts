// The reports screen's own arithmetic of display: which dates a period preset covers, how a
// figure moved against the period before, and how minutes read. Every KPI itself comes computed
// from the core (`reportGet`); nothing here computes a business figure.

import type { Drill } from './api';
import type { Lang } from './format';
import { intlLocale } from './format';

export const PRESETS = ['last_7', 'last_30', 'this_month', 'last_month', 'this_quarter', 'this_year', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];

const pad = (n: number) => String(n).padStart(2, '0');
const ymd = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return ymd(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** The first and last day (YYYY-MM-DD, both included) of a preset around `today`; null for custom. */
export function presetRange(preset: Preset, today: string): { from: string; to: string } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
  if (!m) return null;
  const [y, mo] = [Number(m[1]), Number(m[2])];
  switch (preset) {
    case 'last_7':
      return { from: addDays(today, -6), to: today };
    case 'last_30':
      return { from: addDays(today, -29), to: today };
    case 'this_month':
      return { from: ymd(y, mo, 1), to: ymd(y, mo, daysIn(y, mo)) };
    case 'last_month': {
      const [py, pm] = mo === 1 ? [y - 1, 12] : [y, mo - 1];
      return { from: ymd(py, pm, 1), to: ymd(py, pm, daysIn(py, pm)) };
    }
    case 'this_quarter': {
      const first = Math.floor((mo - 1) / 3) * 3 + 1;
      return { from: ymd(y, first, 1), to: ymd(y, first + 2, daysIn(y, first + 2)) };
    }
    case 'this_year':
      return { from: ymd(y, 1, 1), to: ymd(y, 12, 31) };
    case 'custom':
      return null;
  }
}

/** Whether a larger figure is better, worse, or neither (volumes). */
export type Better = 'up' | 'down' | 'none';

/** How a figure moved against the previous period: the signed difference and whether that is good. */
export function change(
  current: number | null | undefined,
  previous: number | null | undefined,
  better: Better
): { delta: number; tone: 'good' | 'bad' | 'flat' } | null {
  if (current == null || previous == null) return null;
  const delta = Math.round((current - previous) * 10) / 10;
  if (delta === 0 || better === 'none') return { delta, tone: 'flat' };
  const good = better === 'up' ? delta > 0 : delta < 0;
  return { delta, tone: good ? 'good' : 'bad' };
}

/**
 * Minutes as people read them, as a catalogue key and its values: "45 min", "2 h 5 min",
 * "3 d 4 h" (`report.dur_*`); null for no data.
 */
export function durationWords(minutes: number | null | undefined): { key: string; values: Record<string, number> } | null {
  if (minutes == null) return null;
  if (minutes < 1) return { key: 'report.dur_m', values: { m: minutes } };
  const total = Math.round(minutes);
  const d = Math.floor(total / 1440);
  const h = Math.floor((total % 1440) / 60);
  const m = total % 60;
  if (d > 0) return h > 0 ? { key: 'report.dur_d_h', values: { d, h } } : { key: 'report.dur_d', values: { d } };
  if (h > 0) return m > 0 ? { key: 'report.dur_h_m', values: { h, m } } : { key: 'report.dur_h', values: { h } };
  return { key: 'report.dur_m', values: { m } };
}

/** A percentage with one decimal in the user's language ("—" for no data). */
export function formatPercent(p: number | null | undefined, lang: Lang): string {
  if (p == null) return '—';
  return `${p.toLocaleString(intlLocale(lang), { maximumFractionDigits: 1 })} %`;
}

/** A figure with one decimal at most ("—" for no data). */
export function formatFigure(v: number | null | undefined, lang: Lang): string {
  if (v == null) return '—';
  return v.toLocaleString(intlLocale(lang), { maximumFractionDigits: 1 });
}

/** A date `YYYY-MM-DD` as day and month, for a chart's axis: `07/12` in Vietnamese, `7 Dec` in English. */
export function dayMonth(date: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  // Vietnamese writes dd/mm (ICU builds differ on the separator of a day and month alone)
  if (lang === 'vi') return `${m[3]}/${m[2]}`;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Intl.DateTimeFormat(intlLocale(lang), { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(ms);
}

/** A report's number as the query of the list behind it: `?drill=<JSON>&label=<its words>`. */
export function drillSearch<M>(drill: Drill<M>, label: string): string {
  return `?${new URLSearchParams({ drill: JSON.stringify(drill), label })}`;
}

/** The number a list was opened from ([`drillSearch`]), or null: none, or not one that reads. */
export function drillOf<M>(params: URLSearchParams): { drill: Drill<M>; label: string } | null {
  const raw = params.get('drill');
  if (!raw) return null;
  try {
    const drill = JSON.parse(raw) as unknown;
    if (typeof drill !== 'object' || drill === null || !('query' in drill) || !('measure' in drill)) return null;
    return { drill: drill as Drill<M>, label: params.get('label') ?? '' };
  } catch {
    return null;
  }
}

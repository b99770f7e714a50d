// Typed dates and times: what a person writes in a date box (`15/03/1985`, `15-3-85`, `15031985`)
// to the calendar date the core stores (`1985-03-15`), and back. Day first in both languages (the
// app shows dates as dd/mm/yyyy in Vietnamese and as `6 Jan 2025` in English, never month first).
// The date rule is the core's (src/validate.rs `typed_date`): dates.test.ts runs the core's own
// table of cases (src/typed_dates.json) against it.

export type Parsed<T> = { ok: true; value: T | null } | { ok: false };

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function ymd(y: number, m: number, d: number): string | null {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) return null;
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

/**
 * A two-digit year as a full one: the year ending so among the hundred years that end ten years
 * after `thisYear` (in 2026, 1937 to 2036). The core's `validate::full_year`.
 */
export function fullYear(yy: number, thisYear = new Date().getFullYear()): number {
  const y = Math.floor(thisYear / 100) * 100 + yy;
  if (y > thisYear + 10) return y - 100;
  if (y <= thisYear - 90) return y + 100;
  return y;
}

/** Today's date (`YYYY-MM-DD`) in a time zone (the workspace's), not the device's. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * A typed date as `YYYY-MM-DD`, by the core's one rule (`validate::typed_date` in src/validate.rs;
 * both run the cases of src/typed_dates.json): day first separated by `/`, `-`, `.` or spaces
 * (`15/3/1985`, `15.03.85`), year first (`1985-03-15`, `1985/3/5`), eight digits (`19850315` year
 * first from 1900 on, else day first: `15031985`). Two-digit years count from `thisYear`. Empty
 * text is no date (`value: null`); anything else, or a day that does not exist (`31/02/2024`), is
 * `ok: false`.
 */
export function parseDateInput(text: string, thisYear?: number): Parsed<string> {
  const t = text.trim();
  if (t === '') return { ok: true, value: null };
  if (/^\d{8}$/.test(t)) {
    const n = (a: number, b?: number) => Number(t.slice(a, b));
    const yearFirst = n(0, 4) >= 1900 ? ymd(n(0, 4), n(4, 6), n(6)) : null;
    return result(yearFirst ?? ymd(n(4), n(2, 4), n(0, 2)));
  }
  // three groups of digits; between two, spaces and at most one of `/`, `-`, `.`
  const m = /^(\d+)([\s/.-]+)(\d+)([\s/.-]+)(\d+)$/.exec(t);
  if (!m || [m[2], m[4]].some((sep) => (sep.match(/[/.-]/g) ?? []).length > 1)) return { ok: false };
  const [a, b, c] = [m[1], m[3], m[5]];
  if (a.length === 4 && b.length <= 2 && c.length <= 2) return result(ymd(Number(a), Number(b), Number(c)));
  if (a.length <= 2 && b.length <= 2 && c.length === 4) return result(ymd(Number(c), Number(b), Number(a)));
  if (a.length <= 2 && b.length <= 2 && c.length === 2) return result(ymd(fullYear(Number(c), thisYear), Number(b), Number(a)));
  return { ok: false };
}

function result(v: string | null): Parsed<string> {
  return v === null ? { ok: false } : { ok: true, value: v };
}

/** `YYYY-MM-DD` as the text a date box shows: `15/03/1985`. Anything else is shown as it is. */
export function dateInputText(value: string | null | undefined): string {
  if (!value) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : value;
}

/** A calendar date moved by days (or months, clamped to the month's last day). */
export function shiftDate(value: string, days: number, months = 0): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return value;
  let y = Number(m[1]);
  let mo = Number(m[2]) + months;
  y += Math.floor((mo - 1) / 12);
  mo = ((((mo - 1) % 12) + 12) % 12) + 1;
  const d = Math.min(Number(m[3]), daysIn(y, mo));
  const t = new Date(Date.UTC(y, mo - 1, d + days));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/**
 * A typed time of day as `HH:mm` (24-hour): `9:05`, `09.05`, `9h05`, `9h`, `0905`, `905`, `9`.
 * Empty text is no time; anything else is `ok: false`.
 */
export function parseTimeInput(text: string): Parsed<string> {
  const t = text.trim().toLowerCase();
  if (t === '') return { ok: true, value: null };
  let m = /^(\d{1,2})\s*[:.h]\s*(\d{2})?$/.exec(t);
  if (!m) m = /^(\d{1,2})(\d{2})$/.exec(t);
  if (!m) m = /^(\d{1,2})()$/.exec(t);
  if (!m) return { ok: false };
  const h = Number(m[1]);
  const min = m[2] ? Number(m[2]) : 0;
  if (h > 23 || min > 59) return { ok: false };
  return { ok: true, value: `${pad(h)}:${pad(min)}` };
}

// Typed dates and times: what a person writes in a date box (`15/03/1985`, `15-3-85`, `15031985`)
// to the calendar date the core stores (`1985-03-15`), and back. Day first in both languages (the
// app shows dates as dd/mm/yyyy in Vietnamese and as `6 Jan 2025` in English, never month first).

export type Parsed<T> = { ok: true; value: T | null } | { ok: false };

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function ymd(y: number, m: number, d: number): string | null {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) return null;
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

/** A two-digit year as a full one: up to ten years ahead is this century, the rest the last. */
export function fullYear(yy: number, thisYear = new Date().getFullYear()): number {
  const century = Math.floor(thisYear / 100) * 100;
  return century + yy > thisYear + 10 ? century - 100 + yy : century + yy;
}

/**
 * A typed date as `YYYY-MM-DD`: day, month, year separated by `/`, `-`, `.` or spaces
 * (`15/3/1985`, `15.03.85`), eight digits `15031985`, or ISO `1985-03-15`. Empty text is no date
 * (`value: null`); anything else, or a day that does not exist (`31/02/2024`), is `ok: false`.
 */
export function parseDateInput(text: string, thisYear?: number): Parsed<string> {
  const t = text.trim();
  if (t === '') return { ok: true, value: null };
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  if (m) return result(ymd(Number(m[1]), Number(m[2]), Number(m[3])));
  m = /^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{2}|\d{4})$/.exec(t);
  if (m) {
    const y = m[3].length === 2 ? fullYear(Number(m[3]), thisYear) : Number(m[3]);
    return result(ymd(y, Number(m[2]), Number(m[1])));
  }
  m = /^(\d{2})(\d{2})(\d{4})$/.exec(t);
  if (m) return result(ymd(Number(m[3]), Number(m[2]), Number(m[1])));
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

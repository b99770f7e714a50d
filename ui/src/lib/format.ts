// Display formatting: dates in the workspace time zone, money in integer minor units, phones.
// Pure functions of (value, language, time zone) so they are unit-tested and reused everywhere.

export type Lang = 'vi' | 'en';

export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** The BCP 47 locale used for a UI language. */
export function intlLocale(lang: Lang): string {
  return lang === 'vi' ? 'vi-VN' : 'en-GB';
}

/** The language to start in: the workspace's choice, else the OS/browser locale, else Vietnamese. */
export function pickLanguage(saved: string | null | undefined, navigatorLanguages: readonly string[]): Lang {
  if (saved === 'vi' || saved === 'en') return saved;
  for (const l of navigatorLanguages) {
    const base = l.toLowerCase().split(/[-_]/)[0];
    if (base === 'vi') return 'vi';
    if (base === 'en') return 'en';
  }
  return 'vi';
}

const dtfCache = new Map<string, Intl.DateTimeFormat>();
function dtf(locale: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(opts);
  let f = dtfCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, opts);
    dtfCache.set(key, f);
  }
  return f;
}

function safeZone(tz: string | null | undefined): string {
  if (!tz) return DEFAULT_TIME_ZONE;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}

function dateOpts(lang: Lang, timeZone: string): Intl.DateTimeFormatOptions {
  return lang === 'vi'
    ? { day: '2-digit', month: '2-digit', year: 'numeric', timeZone }
    : { day: 'numeric', month: 'short', year: 'numeric', timeZone };
}

/** An instant (UTC ms) as a date: `06/01/2025` in Vietnamese, `6 Jan 2025` in English. */
export function formatDate(ms: number, lang: Lang, tz?: string | null): string {
  return dtf(intlLocale(lang), dateOpts(lang, safeZone(tz))).format(ms);
}

/** An instant as date and 24-hour time in the workspace zone: `06/01/2025 03:30`. */
export function formatDateTime(ms: number, lang: Lang, tz?: string | null): string {
  const zone = safeZone(tz);
  const time = dtf(intlLocale(lang), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone });
  return `${formatDate(ms, lang, zone)} ${time.format(ms)}`;
}

/** A calendar date `YYYY-MM-DD` (birthday, date custom field): no time zone involved. */
export function formatYmd(ymd: string | null | undefined, lang: Lang): string {
  if (!ymd) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return ymd;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return dtf(intlLocale(lang), dateOpts(lang, 'UTC')).format(ms);
}

/**
 * `YYYY-MM-DDTHH:mm` for an `<input type="datetime-local">` showing `ms` in zone `tz`, and back.
 */
export function toLocalInput(ms: number, tz?: string | null): string {
  const parts = dtf('en-CA', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: safeZone(tz)
  }).formatToParts(ms);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/** Inverse of [`toLocalInput`]: the UTC ms of a wall-clock time in zone `tz`; null if unparsable. */
export function fromLocalInput(value: string, tz?: string | null): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // The zone's offset at that instant; a second pass settles DST edges.
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const shown = toLocalInput(guess, tz);
    const s = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(shown)!;
    const shownMs = Date.UTC(Number(s[1]), Number(s[2]) - 1, Number(s[3]), Number(s[4]), Number(s[5]));
    guess += wall - shownMs;
  }
  return guess;
}

const nfCache = new Map<string, Intl.NumberFormat>();
function currencyFormat(lang: Lang, currency: string): Intl.NumberFormat | null {
  const locale = lang === 'vi' ? 'vi-VN' : 'en-US';
  const key = `${locale}|${currency}`;
  let f = nfCache.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    } catch {
      return null;
    }
    nfCache.set(key, f);
  }
  return f;
}

/** How many minor units a currency has (VND 0, USD 2). */
export function currencyDigits(currency: string): number {
  return currencyFormat('en', currency.toUpperCase())?.resolvedOptions().maximumFractionDigits ?? 0;
}

/** Integer minor units as money: `1.250.000 ₫` (vi), `₫1,250,000` (en). */
export function formatMoney(minor: number, currency: string | null | undefined, lang: Lang): string {
  const cur = (currency || 'VND').toUpperCase();
  const f = currencyFormat(lang, cur);
  if (!f) return `${formatInteger(minor, lang)} ${cur}`;
  const digits = f.resolvedOptions().maximumFractionDigits ?? 0;
  return f.format(minor / 10 ** digits);
}

/** An integer with the language's thousands separator: `1.250.000` (vi), `1,250,000` (en). */
export function formatInteger(n: number, lang: Lang): string {
  return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-US', { maximumFractionDigits: 0 }).format(n);
}

/**
 * What an amount input holds: digits only, thousands grouped as the user types. Returns the text
 * to show and the integer it means (null when empty).
 */
export function parseAmountInput(text: string, lang: Lang): { text: string; value: number | null } {
  const digits = text.replace(/\D/g, '').replace(/^0+(?=\d)/, '');
  if (digits === '') return { text: '', value: null };
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) {
    return { text: digits, value: null };
  }
  return { text: formatInteger(value, lang), value };
}

/** An E.164 phone shown readably: Vietnamese numbers nationally (`0912 345 678`), others grouped. */
export function formatPhone(e164: string | null | undefined): string {
  if (!e164) return '';
  if (!/^\+\d{6,15}$/.test(e164)) return e164;
  if (e164.startsWith('+84')) {
    const national = '0' + e164.slice(3);
    if (national.length === 10) {
      // mobile: 0912 345 678
      return `${national.slice(0, 4)} ${national.slice(4, 7)} ${national.slice(7)}`;
    }
    if (national.length === 11) {
      // landline: 028 3822 1234
      return `${national.slice(0, 3)} ${national.slice(3, 7)} ${national.slice(7)}`;
    }
    return national;
  }
  return e164;
}

/** The full name made from its parts, as typed (the core tidies spaces). */
export function composeName(...parts: (string | null | undefined)[]): string {
  return parts
    .map((p) => (p ?? '').trim())
    .filter((p) => p !== '')
    .join(' ');
}

/** The labels the core gives a phone number from its own type when nobody named it. */
export const PHONE_KINDS = ['mobile', 'landline', 'hotline'] as const;
/** The labels an email may carry as keys (the demo's, and the form's when typed in either language). */
export const EMAIL_KINDS = ['personal', 'work'] as const;

/** A label as shown: one of `kinds` in the UI's language (`<prefix>.<kind>`), any other as typed. */
function kindLabel(kinds: readonly string[], prefix: string, t: (key: string) => string, label: string): string {
  return kinds.includes(label) ? t(`${prefix}.${label}`) : label;
}

/** What a label typed in the form is stored as: the kind whose name in the UI's language (or its
 *  own key) it is, so "Di động" stays "mobile" and the form shows it translated; any other label as
 *  typed. */
function kindKey(kinds: readonly string[], prefix: string, t: (key: string) => string, typed: string): string {
  const folded = typed.trim().toLocaleLowerCase();
  return kinds.find((k) => k === folded || t(`${prefix}.${k}`).toLocaleLowerCase() === folded) ?? typed;
}

/** A phone's label as shown: a kind the core gave it in the UI's language, any other as typed. */
export const phoneLabel = (t: (key: string) => string, label: string) => kindLabel(PHONE_KINDS, 'phone.kind', t, label);
export const phoneLabelKey = (t: (key: string) => string, typed: string) => kindKey(PHONE_KINDS, 'phone.kind', t, typed);
/** An email's label, the same way: "personal" reads "Cá nhân" in Vietnamese. */
export const emailLabel = (t: (key: string) => string, label: string) => kindLabel(EMAIL_KINDS, 'email.kind', t, label);
export const emailLabelKey = (t: (key: string) => string, typed: string) => kindKey(EMAIL_KINDS, 'email.kind', t, typed);

/** A file size for people: KB, MB or GB (1024-based), one decimal at most. */
export function formatBytes(bytes: number, lang: Lang): string {
  const n = (v: number) => new Intl.NumberFormat(intlLocale(lang), { maximumFractionDigits: 1 }).format(v);
  if (bytes >= 1 << 30) return `${n(bytes / (1 << 30))} GB`;
  if (bytes >= 1 << 20) return `${n(bytes / (1 << 20))} MB`;
  return `${n(Math.max(1, Math.round(bytes / 1024)))} KB`;
}

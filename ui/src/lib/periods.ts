// The periods the pipeline filters by, as local dates (YYYY-MM-DD) in the workspace zone: a
// deal falls in one by its expected close, or the day it closed.

export const PERIODS = ['all', 'this_month', 'next_month', 'this_quarter', 'this_year'] as const;
export type Period = (typeof PERIODS)[number];

const pad = (n: number) => String(n).padStart(2, '0');
const ymd = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
/** Days in month `m` (1..12) of year `y`. */
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** The first and last day of `period` around `today` (YYYY-MM-DD); both null for all time. */
export function periodRange(period: Period, today: string): { from: string | null; to: string | null } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
  if (!m || period === 'all') return { from: null, to: null };
  const y = Number(m[1]);
  const mo = Number(m[2]);
  switch (period) {
    case 'this_month':
      return { from: ymd(y, mo, 1), to: ymd(y, mo, daysIn(y, mo)) };
    case 'next_month': {
      const [ny, nm] = mo === 12 ? [y + 1, 1] : [y, mo + 1];
      return { from: ymd(ny, nm, 1), to: ymd(ny, nm, daysIn(ny, nm)) };
    }
    case 'this_quarter': {
      const first = Math.floor((mo - 1) / 3) * 3 + 1;
      return { from: ymd(y, first, 1), to: ymd(y, first + 2, daysIn(y, first + 2)) };
    }
    case 'this_year':
      return { from: ymd(y, 1, 1), to: ymd(y, 12, 31) };
  }
}

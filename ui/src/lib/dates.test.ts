import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dateInputText, fullYear, parseDateInput, parseTimeInput, shiftDate, todayIn } from './dates';

const ok = (value: string | null) => ({ ok: true, value });
const bad = { ok: false };

/** The core's table of typed dates (src/typed_dates.json): a Rust test runs the same cases. */
const table: { today: string; cases: { text: string; date: string | null }[] } = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'src', 'typed_dates.json'), 'utf8')
);

describe('parseDateInput', () => {
  it('reads every case of the core table as the core does', () => {
    const thisYear = Number(table.today.slice(0, 4));
    expect(table.cases.length).toBeGreaterThan(30);
    for (const c of table.cases) {
      const want = c.date === 'invalid' ? bad : ok(c.date);
      expect(parseDateInput(c.text, thisYear), JSON.stringify(c.text)).toEqual(want);
    }
  });

  it('counts two-digit years from the year given', () => {
    expect(parseDateInput('15/03/36', 2026)).toEqual(ok('2036-03-15'));
    expect(parseDateInput('15/03/37', 2026)).toEqual(ok('1937-03-15'));
    expect(parseDateInput('15/03/37', 2027)).toEqual(ok('2037-03-15'));
    expect(fullYear(99, 2026)).toBe(1999);
    expect(fullYear(5, 2095)).toBe(2105);
  });
});

describe('todayIn', () => {
  it('is the date in the time zone given, not the device one', () => {
    const at = new Date(Date.UTC(2026, 2, 14, 18, 0)); // 01:00 on 15 March in Vietnam
    expect(todayIn('Asia/Ho_Chi_Minh', at)).toBe('2026-03-15');
    expect(todayIn('UTC', at)).toBe('2026-03-14');
  });
});

describe('dateInputText', () => {
  it('shows a stored date as dd/mm/yyyy', () => {
    expect(dateInputText('1985-03-15')).toBe('15/03/1985');
    expect(dateInputText(null)).toBe('');
    expect(dateInputText('')).toBe('');
    expect(dateInputText('15/3')).toBe('15/3');
  });

  it('round-trips with parseDateInput', () => {
    for (const d of ['2024-02-29', '1900-01-01', '2099-12-31']) {
      expect(parseDateInput(dateInputText(d))).toEqual(ok(d));
    }
  });
});

describe('shiftDate', () => {
  it('moves by days across months and years', () => {
    expect(shiftDate('2024-02-28', 1)).toBe('2024-02-29');
    expect(shiftDate('2024-02-29', 1)).toBe('2024-03-01');
    expect(shiftDate('2024-01-01', -1)).toBe('2023-12-31');
  });
  it('moves by months, keeping the day inside the month', () => {
    expect(shiftDate('2024-01-31', 0, 1)).toBe('2024-02-29');
    expect(shiftDate('2024-12-15', 0, 1)).toBe('2025-01-15');
    expect(shiftDate('2024-01-15', 0, -1)).toBe('2023-12-15');
  });
});

describe('parseTimeInput', () => {
  it('reads 24-hour times in the usual ways', () => {
    expect(parseTimeInput('09:05')).toEqual(ok('09:05'));
    expect(parseTimeInput('9:05')).toEqual(ok('09:05'));
    expect(parseTimeInput('9.05')).toEqual(ok('09:05'));
    expect(parseTimeInput('9h05')).toEqual(ok('09:05'));
    expect(parseTimeInput('14h')).toEqual(ok('14:00'));
    expect(parseTimeInput('1430')).toEqual(ok('14:30'));
    expect(parseTimeInput('930')).toEqual(ok('09:30'));
    expect(parseTimeInput('7')).toEqual(ok('07:00'));
    expect(parseTimeInput('')).toEqual(ok(null));
  });
  it('refuses impossible times', () => {
    expect(parseTimeInput('24:00')).toEqual(bad);
    expect(parseTimeInput('12:60')).toEqual(bad);
    expect(parseTimeInput('9:5')).toEqual(bad);
    expect(parseTimeInput('sáng')).toEqual(bad);
  });
});

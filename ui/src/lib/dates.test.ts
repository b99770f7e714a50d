import { describe, expect, it } from 'vitest';
import { dateInputText, fullYear, parseDateInput, parseTimeInput, shiftDate } from './dates';

const ok = (value: string | null) => ({ ok: true, value });
const bad = { ok: false };

describe('parseDateInput', () => {
  it('reads day first, with any separator', () => {
    expect(parseDateInput('15/03/1985')).toEqual(ok('1985-03-15'));
    expect(parseDateInput('15/3/1985')).toEqual(ok('1985-03-15'));
    expect(parseDateInput('5-3-1985')).toEqual(ok('1985-03-05'));
    expect(parseDateInput('05.03.1985')).toEqual(ok('1985-03-05'));
    expect(parseDateInput(' 5 3 1985 ')).toEqual(ok('1985-03-05'));
    expect(parseDateInput('01/12/2024')).toEqual(ok('2024-12-01'));
  });

  it('reads eight digits and ISO dates', () => {
    expect(parseDateInput('15031985')).toEqual(ok('1985-03-15'));
    expect(parseDateInput('1985-03-15')).toEqual(ok('1985-03-15'));
    expect(parseDateInput('1985-3-5')).toEqual(ok('1985-03-05'));
  });

  it('reads two-digit years around now', () => {
    expect(parseDateInput('15/03/85', 2026)).toEqual(ok('1985-03-15'));
    expect(parseDateInput('15/03/05', 2026)).toEqual(ok('2005-03-15'));
    expect(parseDateInput('15/03/36', 2026)).toEqual(ok('2036-03-15'));
    expect(parseDateInput('15/03/37', 2026)).toEqual(ok('1937-03-15'));
    expect(fullYear(99, 2026)).toBe(1999);
  });

  it('is empty for no text', () => {
    expect(parseDateInput('')).toEqual(ok(null));
    expect(parseDateInput('   ')).toEqual(ok(null));
  });

  it('refuses days that do not exist and other text', () => {
    expect(parseDateInput('31/02/2024')).toEqual(bad);
    expect(parseDateInput('29/02/2023')).toEqual(bad);
    expect(parseDateInput('29/02/2024')).toEqual(ok('2024-02-29'));
    expect(parseDateInput('00/01/2024')).toEqual(bad);
    expect(parseDateInput('12/13/2024')).toEqual(bad); // month first is not read
    expect(parseDateInput('15/03')).toEqual(bad);
    expect(parseDateInput('hôm qua')).toEqual(bad);
    expect(parseDateInput('15/03/198')).toEqual(bad);
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

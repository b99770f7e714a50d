import { describe, expect, it } from 'vitest';
import { change, dayMonth, drillOf, drillSearch, durationWords, formatPercent, presetRange } from './reports';

describe('presetRange', () => {
  it('counts the last days back from today, today included', () => {
    expect(presetRange('last_7', '2026-12-07')).toEqual({ from: '2026-12-01', to: '2026-12-07' });
    expect(presetRange('last_30', '2026-03-01')).toEqual({ from: '2026-01-31', to: '2026-03-01' });
  });
  it('covers whole months, the month before across a year, quarters and years', () => {
    expect(presetRange('this_month', '2028-02-10')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(presetRange('last_month', '2027-01-15')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(presetRange('this_quarter', '2026-11-30')).toEqual({ from: '2026-10-01', to: '2026-12-31' });
    expect(presetRange('this_year', '2026-06-01')).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(presetRange('custom', '2026-06-01')).toBeNull();
  });
});

describe('change', () => {
  it('says whether a move is good by which way is better', () => {
    expect(change(80, 70, 'up')).toEqual({ delta: 10, tone: 'good' });
    expect(change(80, 70, 'down')).toEqual({ delta: 10, tone: 'bad' });
    expect(change(12.34, 12.3, 'down')).toEqual({ delta: 0, tone: 'flat' });
    expect(change(5, 9, 'none')).toEqual({ delta: -4, tone: 'flat' });
    expect(change(null, 9, 'up')).toBeNull();
  });
});

describe('durationWords', () => {
  it('reads minutes as days, hours and minutes', () => {
    expect(durationWords(45)).toEqual({ key: 'report.dur_m', values: { m: 45 } });
    expect(durationWords(125)).toEqual({ key: 'report.dur_h_m', values: { h: 2, m: 5 } });
    expect(durationWords(120)).toEqual({ key: 'report.dur_h', values: { h: 2 } });
    expect(durationWords(3 * 1440 + 250)).toEqual({ key: 'report.dur_d_h', values: { d: 3, h: 4 } });
    expect(durationWords(null)).toBeNull();
  });
  it('formats percents in the language, no data as a dash', () => {
    expect(formatPercent(33.3, 'vi')).toBe('33,3 %');
    expect(formatPercent(null, 'en')).toBe('—');
  });
});

describe('dayMonth', () => {
  it('shortens a date for an axis in each language', () => {
    expect(dayMonth('2026-12-07', 'vi')).toBe('07/12');
    expect(dayMonth('2026-12-07', 'en')).toBe('7 Dec');
  });
});

describe('a number opened as the list behind it', () => {
  const drill = { query: { from: '2026-11-16', to: '2026-11-22' }, previous: false, measure: 'due', value: null } as never;

  it('reads back the drill and its words from the query it makes', () => {
    const search = drillSearch(drill, 'Việc chăm sóc đến hạn · 16/11/2026 – 22/11/2026');
    const back = drillOf(new URLSearchParams(search));
    expect(back).toEqual({ drill, label: 'Việc chăm sóc đến hạn · 16/11/2026 – 22/11/2026' });
  });

  it('gives no drill for none, a broken one or one that is not a drill', () => {
    expect(drillOf(new URLSearchParams(''))).toBeNull();
    expect(drillOf(new URLSearchParams('drill=%7Bnope'))).toBeNull();
    expect(drillOf(new URLSearchParams('drill=42'))).toBeNull();
    expect(drillOf(new URLSearchParams('drill=%7B%22measure%22%3A%22due%22%7D'))).toBeNull();
  });
});

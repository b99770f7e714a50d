import { describe, expect, it } from 'vitest';
import { periodRange } from './periods';

describe('periodRange', () => {
  it('is open for all time', () => {
    expect(periodRange('all', '2026-12-04')).toEqual({ from: null, to: null });
  });
  it('covers whole months, quarters and years', () => {
    expect(periodRange('this_month', '2026-12-04')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(periodRange('next_month', '2026-12-04')).toEqual({ from: '2027-01-01', to: '2027-01-31' });
    expect(periodRange('this_quarter', '2026-12-04')).toEqual({ from: '2026-10-01', to: '2026-12-31' });
    expect(periodRange('this_quarter', '2027-02-10')).toEqual({ from: '2027-01-01', to: '2027-03-31' });
    expect(periodRange('this_year', '2027-02-10')).toEqual({ from: '2027-01-01', to: '2027-12-31' });
  });
  it('knows February in leap years', () => {
    expect(periodRange('this_month', '2028-02-10')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(periodRange('next_month', '2027-01-31')).toEqual({ from: '2027-02-01', to: '2027-02-28' });
  });
});

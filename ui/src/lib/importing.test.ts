import { describe, expect, it } from 'vitest';
import { assign, baseName, withSaved, cellProblems, rowErrorText, targetLabel, targetOf, withTarget } from './importing';
import type { CustomField, PreviewRow, RowError } from './api';

const t = (key: string, opts?: { values?: Record<string, string | number> }) =>
  opts?.values ? `${key}(${Object.values(opts.values).join(',')})` : key;

describe('mapping', () => {
  const m = { columns: [{ column: 'Họ tên', target: 'name' }, { column: 'SĐT', target: 'phone' }, { column: 'Tên', target: 'ignore' }] };

  it('reads and changes a column', () => {
    expect(targetOf(m, 'SĐT')).toBe('phone');
    expect(targetOf(m, 'không có')).toBe('ignore');
    expect(targetOf(withTarget(m, 'Ghi chú', 'notes'), 'Ghi chú')).toBe('notes');
  });

  it('moves a single-column target and keeps several phones', () => {
    const moved = assign(m, 'Tên', 'name');
    expect(targetOf(moved, 'Tên')).toBe('name');
    expect(targetOf(moved, 'Họ tên')).toBe('ignore');
    const phones = assign(m, 'Tên', 'phone');
    expect([targetOf(phones, 'SĐT'), targetOf(phones, 'Tên')]).toEqual(['phone', 'phone']);
  });
});

describe('labels and problems', () => {
  const fields = [{ id: 'f', key: 'hang', label: 'Hạng', kind: 'text', options: [], required: false, position: 1 }] as CustomField[];

  it('labels built-in and custom targets', () => {
    expect(targetLabel(t, 'phone', fields)).toBe('import.target.phone');
    expect(targetLabel(t, 'custom:hang', fields)).toBe('import.target.custom(Hạng)');
  });

  it('finds the problems of a cell', () => {
    const row = {
      row: 5,
      cells: ['Ana', '12ab'],
      duplicate_of: null,
      customer: null,
      problems: [{ column: 1, message_key: 'validation.phone_invalid', params: { value: '12ab' }, reason: 'x' }]
    } as PreviewRow;
    expect(cellProblems(row, 0)).toEqual([]);
    expect(cellProblems(row, 1)).toEqual([{ key: 'validation.phone_invalid', params: { value: '12ab' } }]);
  });

  it('falls back to the English reason for an unknown key', () => {
    const e = { row: 2, column: 'A', value: 'v', reason: 'not good', message_key: 'new.key', params: {} } as RowError;
    expect(rowErrorText((k) => k, e)).toBe('not good');
    expect(rowErrorText((k) => (k === 'new.key' ? 'tốt' : k), e)).toBe('tốt');
  });

  it('names files on any system', () => {
    expect(baseName('/home/an/khach hàng.xlsx')).toBe('khach hàng.xlsx');
    expect(baseName('C:\\Users\\An\\kh.csv')).toBe('kh.csv');
  });
});

describe('saved mappings', () => {
  it('applies to the columns it names and keeps the rest', () => {
    const saved = { columns: [{ column: 'Khách', target: 'name' }, { column: 'Cũ', target: 'notes' }] };
    const current = { columns: [{ column: 'Khách', target: 'ignore' }, { column: 'Email', target: 'email' }] };
    expect(withSaved(saved, current).columns).toEqual([{ column: 'Khách', target: 'name' }, { column: 'Email', target: 'email' }]);
  });
});

describe('interactions mapping', () => {
  const t = (key: string) => key;
  it('labels the kind of an interaction, not of a customer', () => {
    expect(targetLabel(t, 'kind', [], 'interactions')).toBe('import.target.kind_interaction');
    expect(targetLabel(t, 'kind', [])).toBe('import.target.kind');
  });
  it('gives an interaction target to one column only', () => {
    const m = { columns: [{ column: 'Ngày mua', target: 'occurred_at' }, { column: 'Ngày giao', target: 'ignore' }] };
    expect(assign(m, 'Ngày giao', 'occurred_at').columns).toEqual([
      { column: 'Ngày mua', target: 'ignore' },
      { column: 'Ngày giao', target: 'occurred_at' }
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import type { Customer } from './api/types';
import { emptyInput, inputFromCustomer } from './customerForm';

const saved: Customer = {
  ...emptyInput(),
  id: 'c1',
  name: 'Đặng Thị Ngọc Ánh',
  phones: [{ label: 'Di động', number: '+84912345678' }],
  emails: [],
  tags: ['vip'],
  custom: { size: 'L' },
  contacts: [],
  created_at: 1,
  updated_at: 2,
  deleted_at: null
};

describe('inputFromCustomer', () => {
  it('keeps the editable fields and drops identity and timestamps', () => {
    const input = inputFromCustomer(saved);
    expect(input).not.toHaveProperty('id');
    expect(input).not.toHaveProperty('contacts');
    expect(input).not.toHaveProperty('created_at');
    expect(input.name).toBe('Đặng Thị Ngọc Ánh');
    expect(input.tags).toEqual(['vip']);
    expect(input.custom).toEqual({ size: 'L' });
  });
  it('shows phones as people write them and offers an empty email row', () => {
    const input = inputFromCustomer(saved);
    expect(input.phones).toEqual([{ label: 'Di động', number: '0912 345 678' }]);
    expect(input.emails).toEqual([{ label: '', address: '' }]);
  });
  it('copies, so editing the form never changes the saved customer', () => {
    const input = inputFromCustomer(saved);
    input.tags.push('new');
    input.custom.size = 'XL';
    expect(saved.tags).toEqual(['vip']);
    expect(saved.custom.size).toBe('L');
  });
});

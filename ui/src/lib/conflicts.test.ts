import { describe, expect, it } from 'vitest';
import type { Customer } from './api/types';
import { getField, rebase, setField } from './conflicts';
import { emptyInput, inputFromCustomer, storedInput } from './customerForm';

const opened: Customer = {
  ...emptyInput(),
  id: 'c1',
  name: 'Trần Thị Mai',
  phones: [{ label: 'mobile', number: '+84912345678' }],
  emails: [],
  province: 'Hà Nội',
  notes: null,
  custom: { hang: 'Bạc' },
  contacts: [],
  created_at: 1,
  updated_at: 2,
  deleted_at: null
};

describe('storedInput', () => {
  it('is the customer as stored: phones in E.164, no empty rows', () => {
    const base = storedInput(opened);
    expect(base.phones).toEqual([{ label: 'mobile', number: '+84912345678' }]);
    expect(base.emails).toEqual([]);
    expect(base).not.toHaveProperty('id');
  });
});

describe('rebase', () => {
  it('moves untouched fields onto the current values and keeps the user’s changes and conflicts', () => {
    const now: Customer = { ...opened, province: 'Đà Nẵng', notes: 'Khách quen', custom: { hang: 'Vàng' }, name: 'Trần Mai' };
    const draft = inputFromCustomer(opened);
    draft.phones[0].number = '0987 654 321'; // the user's change
    draft.name = 'Trần Thị Ngọc Mai'; // the user's change, also changed by someone else
    const out = rebase(draft, inputFromCustomer(opened), inputFromCustomer(now), ['name']);
    expect(out.province).toBe('Đà Nẵng');
    expect(out.notes).toBe('Khách quen');
    expect(out.custom).toEqual({ hang: 'Vàng' });
    expect(out.phones[0].number).toBe('0987 654 321');
    expect(out.name).toBe('Trần Thị Ngọc Mai');
  });

  it('drops a custom value the other writer cleared', () => {
    const now: Customer = { ...opened, custom: {} };
    const out = rebase(inputFromCustomer(opened), inputFromCustomer(opened), inputFromCustomer(now), []);
    expect(out.custom).toEqual({});
  });
});

describe('setField', () => {
  it('copies the value it sets', () => {
    const a = inputFromCustomer(opened);
    const b = inputFromCustomer({ ...opened, tags: ['VIP'] });
    setField(a, 'tags', getField(b, 'tags'));
    b.tags.push('Sỉ');
    expect(a.tags).toEqual(['VIP']);
    setField(a, 'custom.hang', undefined);
    expect(a.custom).toEqual({});
  });
});

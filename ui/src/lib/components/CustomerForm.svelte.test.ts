// @vitest-environment jsdom
// The customer form on its own: what it does as a person types, and how it shows the core's
// field errors. (Saving through the real core is in e2e/.)

import { fireEvent, render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { CustomerInput } from '$lib/api';
import { app } from '$lib/app.svelte';
import { emptyInput } from '$lib/customerForm';
import { NO_ERRORS, type FormErrors } from '$lib/errors';
import CustomerForm from './CustomerForm.svelte';
import { prepare } from './test/setup';

function mount(errors: FormErrors = NO_ERRORS) {
  const value = $state<CustomerInput>(emptyInput());
  const edited: string[] = [];
  let identity = 0;
  render(CustomerForm, {
    props: {
      value,
      errors,
      onedit: (f: string) => edited.push(f),
      onidentitychange: () => identity++
    }
  });
  return { value, edited, identity: () => identity };
}

describe('CustomerForm', () => {
  it('composes the full name from its parts until the user types one by hand', async () => {
    await prepare('vi');
    const user = userEvent.setup();
    const { value, edited } = mount();
    await user.type(screen.getByTestId('field-family_name'), 'Nguyễn');
    await user.type(screen.getByTestId('field-middle_name'), 'Văn');
    await user.type(screen.getByTestId('field-given_name'), 'Dũng');
    const name = screen.getByTestId('field-name') as HTMLInputElement;
    expect(name.value).toBe('Nguyễn Văn Dũng');
    expect(value.name).toBe('Nguyễn Văn Dũng');
    expect(edited).toContain('name');
    expect(screen.getByText('Tự ghép từ họ, tên đệm và tên; gõ để sửa.')).toBeTruthy();

    await user.clear(name);
    await user.type(name, 'Anh Dũng');
    await user.type(screen.getByTestId('field-given_name'), ' Minh');
    expect(value.name).toBe('Anh Dũng'); // typed by hand: the parts no longer overwrite it
    expect(value.given_name).toBe('Dũng Minh');
    expect(screen.queryByText('Tự ghép từ họ, tên đệm và tên; gõ để sửa.')).toBeNull();
  });

  it('shows a company its own fields', async () => {
    await prepare('en');
    const { value, edited } = mount();
    expect(screen.queryByTestId('field-tax_code')).toBeNull();
    await fireEvent.click(screen.getByTestId('field-kind-company'));
    expect(value.kind).toBe('company');
    expect(edited).toContain('kind');
    expect(screen.getByTestId('field-tax_code')).toBeTruthy();
    expect(screen.queryByTestId('field-family_name')).toBeNull();
    expect(screen.queryByTestId('field-birthday')).toBeNull();
    expect(screen.getByText('Company name')).toBeTruthy();
  });

  it('puts each of the core’s field errors at its field, translated', async () => {
    await prepare('vi');
    mount({
      fields: {
        'phones[0].number': [{ key: 'validation.phone_invalid', params: { value: '12345' } }],
        name: [{ key: 'validation.required', params: {} }]
      },
      general: []
    });
    const phone = screen.getByTestId('field-phone-0');
    expect(phone.getAttribute('aria-invalid')).toBe('true');
    const described = document.getElementById(phone.getAttribute('aria-describedby') ?? '');
    expect(described?.textContent).toContain('“12345” không phải số điện thoại hợp lệ');
    expect(screen.getByTestId('field-name').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('field-email-0').getAttribute('aria-invalid')).toBeNull();
  });

  it('says what an old 11-digit mobile number becomes, as the core reads it', async () => {
    const calls = await prepare('vi', (cmd, args) =>
      cmd === 'phone_info' ? { number: '+84362345678', label: 'mobile', renumbered_from: String(args.number) } : null
    );
    const user = userEvent.setup();
    const { value, identity } = mount();
    await user.type(screen.getByTestId('field-phone-0'), '01662345678');
    expect(value.phones[0].number).toBe('01662345678'); // stored as typed: the core converts it on save
    expect(identity()).toBeGreaterThan(0);
    const notice = await screen.findByTestId('phone-renumbered-0');
    expect(notice.textContent).toContain('Số cũ 11 số 01662345678: sẽ lưu thành số mới 0362 345 678');
    expect(calls.some((c) => c.cmd === 'phone_info' && c.args.number === '01662345678')).toBe(true);
  });

  it('adds and removes phone rows, always keeping one to type in', async () => {
    await prepare('en');
    const { value } = mount();
    await fireEvent.click(screen.getByTestId('add-phone'));
    expect(value.phones.length).toBe(2);
    expect(screen.getByTestId('field-phone-1')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('remove-phone-1'));
    await fireEvent.click(screen.getByTestId('remove-phone-0'));
    expect(value.phones).toEqual([{ label: '', number: '' }]);
    expect(screen.getByTestId('field-phone-0')).toBeTruthy();
  });

  it('edits custom fields of every kind by their keys', async () => {
    await prepare('vi');
    app.customFields = [
      { id: 'f1', key: 'nganh_nghe', label: 'Ngành nghề', kind: 'select', options: ['Spa', 'Bán lẻ'], required: true, position: 1 },
      { id: 'f2', key: 'nhan_tin', label: 'Nhận bản tin', kind: 'checkbox', options: [], required: false, position: 2 },
      { id: 'f3', key: 'ngay_ky', label: 'Ngày ký', kind: 'date', options: [], required: false, position: 3 }
    ];
    const user = userEvent.setup();
    const { value, edited } = mount();
    await user.selectOptions(screen.getByTestId('field-custom-nganh_nghe'), 'Spa');
    await user.click(screen.getByTestId('field-custom-nhan_tin'));
    await user.type(screen.getByTestId('field-custom-ngay_ky'), '05/03/2024');
    expect(value.custom).toEqual({ nganh_nghe: 'Spa', nhan_tin: 'true', ngay_ky: '2024-03-05' });
    expect(edited).toEqual(expect.arrayContaining(['custom.nganh_nghe', 'custom.nhan_tin', 'custom.ngay_ky']));
    await user.selectOptions(screen.getByTestId('field-custom-nganh_nghe'), '');
    expect('nganh_nghe' in value.custom).toBe(false); // emptied: no value rather than ""
  });
});

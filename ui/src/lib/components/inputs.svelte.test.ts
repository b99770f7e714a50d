// @vitest-environment jsdom
// The form inputs every form shares: money, dates and tags, as a person types into them.

import { fireEvent, render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import AmountInput from './AmountInput.svelte';
import DateInput from './DateInput.svelte';
import TagsInput from './TagsInput.svelte';
import { prepare } from './test/setup';

describe('AmountInput', () => {
  it('groups digits as the language writes them and binds the whole number', async () => {
    await prepare('vi');
    const user = userEvent.setup();
    const props = $state({ value: null as number | null, lang: 'vi' as const, testid: 'amount' });
    render(AmountInput, { props });
    const box = screen.getByTestId('amount') as HTMLInputElement;
    await user.type(box, '1500000');
    expect(box.value).toBe('1.500.000');
    expect(props.value).toBe(1_500_000);
    await user.type(box, 'đ'); // not a digit: ignored
    expect(props.value).toBe(1_500_000);
    await user.clear(box);
    expect(props.value).toBeNull();
  });

  it('shows a value set from outside, in English too', async () => {
    await prepare('en');
    const props = $state({ value: 2_500_000 as number | null, lang: 'en' as const, testid: 'amount' });
    render(AmountInput, { props });
    expect((screen.getByTestId('amount') as HTMLInputElement).value).toBe('2,500,000');
  });
});

describe('DateInput', () => {
  it('reads day first and holds the calendar date', async () => {
    await prepare('vi');
    const user = userEvent.setup();
    const props = $state({ value: null as string | null, testid: 'date' });
    render(DateInput, { props });
    const box = screen.getByTestId('date') as HTMLInputElement;
    await user.type(box, '5/3/1990');
    expect(props.value).toBe('1990-03-05');
    await fireEvent.blur(box);
    expect(box.value).toBe('05/03/1990');
  });

  it('keeps text it cannot read for the core to refuse, and marks it', async () => {
    await prepare('vi');
    const user = userEvent.setup();
    const props = $state({ value: null as string | null, testid: 'date' });
    render(DateInput, { props });
    const box = screen.getByTestId('date') as HTMLInputElement;
    await user.type(box, '31/02/1990');
    expect(props.value).toBe('31/02/1990');
    await fireEvent.blur(box);
    expect(box.getAttribute('aria-invalid')).toBe('true');
  });

  it('moves a day with the arrow keys', async () => {
    await prepare('vi');
    const user = userEvent.setup();
    const props = $state({ value: '2024-02-28' as string | null, testid: 'date' });
    render(DateInput, { props });
    screen.getByTestId('date').focus();
    await user.keyboard('{ArrowUp}{ArrowUp}');
    expect(props.value).toBe('2024-03-01'); // 2024 is a leap year
  });
});

describe('TagsInput', () => {
  it('adds a tag on Enter or comma, once whatever its case, and removes the last on Backspace', async () => {
    await prepare('vi');
    const user = userEvent.setup();
    const props = $state({ tags: [] as string[] });
    render(TagsInput, { props });
    const box = screen.getByTestId('field-tags');
    await user.type(box, 'VIP{Enter}khách  sỉ,');
    expect(props.tags).toEqual(['VIP', 'khách sỉ']);
    await user.type(box, 'vip{Enter}');
    expect(props.tags).toEqual(['VIP', 'khách sỉ']);
    await user.click(screen.getByRole('button', { name: 'Bỏ nhãn VIP' }));
    expect(props.tags).toEqual(['khách sỉ']);
    await user.type(box, '{Backspace}');
    expect(props.tags).toEqual([]);
  });
});

// @vitest-environment jsdom
// Logging an interaction: what the form sends the core, and how it shows what the core refuses.

import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import InteractionForm from './InteractionForm.svelte';
import { prepare } from './test/setup';

describe('InteractionForm', () => {
  it('sends a purchase with its items at the time typed, in the workspace zone', async () => {
    const calls = await prepare('vi', (cmd) => (cmd === 'interaction_add' ? { id: 'i1' } : null));
    const user = userEvent.setup();
    const onsaved = vi.fn();
    render(InteractionForm, { props: { customerId: 'c1', onsaved, oncancel: () => {} } });
    expect(document.activeElement).toBe(screen.getByTestId('ix-kind')); // opens ready to type
    await user.selectOptions(screen.getByTestId('ix-kind'), 'purchase');
    await user.clear(screen.getByTestId('ix-occurred_at'));
    await user.type(screen.getByTestId('ix-occurred_at'), '05/03/2025');
    await user.clear(screen.getByTestId('ix-occurred_time'));
    await user.type(screen.getByTestId('ix-occurred_time'), '14:30');
    await user.type(screen.getByTestId('ix-summary'), 'Mua cà phê');
    await user.click(screen.getByTestId('ix-add-item'));
    await user.type(screen.getByTestId('ix-item-name-0'), 'Cà phê hạt 500g');
    await user.clear(screen.getByTestId('ix-item-qty-0'));
    await user.type(screen.getByTestId('ix-item-qty-0'), '2');
    await user.type(screen.getByTestId('ix-item-price-0'), '185000');
    expect((screen.getByTestId('ix-item-price-0') as HTMLInputElement).value).toBe('185.000');
    await user.click(screen.getByTestId('ix-save'));

    const sent = calls.find((c) => c.cmd === 'interaction_add');
    expect(sent?.args.customerId).toBe('c1');
    expect(sent?.args.input).toMatchObject({
      kind: 'purchase',
      summary: 'Mua cà phê',
      // 14:30 on 5 March 2025 in Hồ Chí Minh (UTC+7) is 07:30 UTC
      occurred_at: Date.UTC(2025, 2, 5, 7, 30),
      items: [{ name: 'Cà phê hạt 500g', quantity: 2, unit_price: 185000 }]
    });
    expect(onsaved).toHaveBeenCalledOnce();
  });

  it('shows the core’s refusal at the field it names and focuses it; nothing is saved', async () => {
    await prepare('en', (cmd) => {
      if (cmd !== 'interaction_add') return null;
      throw {
        kind: 'validation',
        field: null,
        message_key: 'validation.failed',
        params: {},
        fields: [{ field: 'summary', message_key: 'validation.required', params: {} }],
        message: 'summary: required'
      };
    });
    const user = userEvent.setup();
    const onsaved = vi.fn();
    render(InteractionForm, { props: { customerId: 'c1', onsaved, oncancel: () => {} } });
    await user.click(screen.getByTestId('ix-save'));
    const summary = screen.getByTestId('ix-summary');
    expect(summary.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(summary);
    expect(screen.getByText('Required')).toBeTruthy();
    expect(onsaved).not.toHaveBeenCalled();
    await user.type(summary, 'Called back'); // typing in the field clears its error
    expect(summary.getAttribute('aria-invalid')).toBeNull();
  });

  it('refuses a date it cannot read before asking the core', async () => {
    const calls = await prepare('vi');
    const user = userEvent.setup();
    render(InteractionForm, { props: { customerId: 'c1', onsaved: () => {}, oncancel: () => {} } });
    await user.clear(screen.getByTestId('ix-occurred_at'));
    await user.type(screen.getByTestId('ix-occurred_at'), '31/02/2025');
    await user.click(screen.getByTestId('ix-save'));
    expect(calls.some((c) => c.cmd === 'interaction_add')).toBe(false);
    expect(screen.getByTestId('ix-occurred_at').getAttribute('aria-invalid')).toBe('true');
  });

  it('cancels with Escape', async () => {
    await prepare('en');
    const user = userEvent.setup();
    const oncancel = vi.fn();
    render(InteractionForm, { props: { customerId: 'c1', onsaved: () => {}, oncancel } });
    await user.keyboard('{Escape}');
    expect(oncancel).toHaveBeenCalledOnce();
  });

  it('asks before logging a contact within the quiet interval, and logs it once confirmed', async () => {
    const calls = await prepare('en', (cmd, args) => {
      if (cmd !== 'interaction_add') return null;
      if (args.confirmRecent) return { id: 'i2' };
      throw {
        kind: 'confirm',
        field: null,
        message_key: 'interaction.recent_contact',
        // 09:00 on 3 December 2026 in Hồ Chí Minh
        params: { last_at: String(Date.UTC(2026, 11, 3, 2, 0)), days: '3' },
        fields: [],
        message: 'contacted within 3 days'
      };
    });
    const user = userEvent.setup();
    const onsaved = vi.fn();
    render(InteractionForm, { props: { customerId: 'c1', onsaved, oncancel: () => {} } });
    await user.type(screen.getByTestId('ix-summary'), 'Follow-up call');
    await user.click(screen.getByTestId('ix-save'));
    const dialog = await screen.findByTestId('confirm-dialog');
    expect(dialog.textContent).toContain('within the quiet interval of 3 days');
    expect(dialog.textContent).toContain('09:00');
    expect(onsaved).not.toHaveBeenCalled();
    await user.click(screen.getByTestId('confirm-ok'));
    const sent = calls.filter((c) => c.cmd === 'interaction_add');
    expect(sent.map((c) => c.args.confirmRecent)).toEqual([false, true]);
    expect(onsaved).toHaveBeenCalledOnce();
  });

  it('asks before logging a contact dated more than a day ahead, and logs it once confirmed', async () => {
    const calls = await prepare('vi', (cmd, args) => {
      if (cmd !== 'interaction_add') return null;
      if (args.confirmRecent) return { id: 'i3' };
      throw {
        kind: 'confirm',
        field: null,
        message_key: 'interaction.future_date',
        // 09:00 on 1 January 3000 in Hồ Chí Minh
        params: { at: String(Date.UTC(3000, 0, 1, 2, 0)) },
        fields: [],
        message: 'dated ahead'
      };
    });
    const user = userEvent.setup();
    const onsaved = vi.fn();
    render(InteractionForm, { props: { customerId: 'c1', onsaved, oncancel: () => {} } });
    await user.type(screen.getByTestId('ix-summary'), 'Gọi lại');
    await user.click(screen.getByTestId('ix-save'));
    const dialog = await screen.findByTestId('confirm-dialog');
    expect(dialog.textContent).toContain('01/01/3000');
    expect(dialog.textContent).toContain('hơn một ngày');
    expect(onsaved).not.toHaveBeenCalled();
    await user.click(screen.getByTestId('confirm-ok'));
    const sent = calls.filter((c) => c.cmd === 'interaction_add');
    expect(sent.map((c) => c.args.confirmRecent)).toEqual([false, true]);
    expect(onsaved).toHaveBeenCalledOnce();
  });
});

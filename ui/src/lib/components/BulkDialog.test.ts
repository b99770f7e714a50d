// @vitest-environment jsdom
// A bulk action: what the dialog sends the core for the selection, what it says was done, and
// how it shows a refusal.

import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import BulkDialog from './BulkDialog.svelte';
import { prepare } from './test/setup';

describe('BulkDialog', () => {
  it('adds a tag to the picked customers and says how many changed', async () => {
    const calls = await prepare('vi', (cmd) =>
      cmd === 'customer_bulk' ? { matched: 3, changed: 2, tasks: 0, not_enrolled: [] } : null
    );
    const user = userEvent.setup();
    const ondone = vi.fn();
    const target = { kind: 'ids' as const, ids: ['a', 'b', 'c'] };
    render(BulkDialog, { props: { kind: 'add_tag', target, count: 3, tags: ['VIP'], onclose: () => {}, ondone } });
    expect(screen.getByTestId('bulk-apply').textContent).toContain('3');
    expect((screen.getByTestId('bulk-apply') as HTMLButtonElement).disabled).toBe(true); // no tag yet
    await user.type(screen.getByTestId('bulk-value'), 'Khách sỉ');
    await user.click(screen.getByTestId('bulk-apply'));
    const sent = calls.find((c) => c.cmd === 'customer_bulk');
    expect(sent?.args).toEqual({ target, action: { action: 'add_tag', tag: 'Khách sỉ' } });
    const done = screen.getByTestId('bulk-done').textContent ?? '';
    expect(done).toContain('Đã đổi 2 khách hàng');
    expect(done).toContain('1 khách hàng đã như vậy');
    expect(ondone).toHaveBeenCalledOnce();
  });

  it('sets no owner on every customer of a filter', async () => {
    const calls = await prepare('en', (cmd) =>
      cmd === 'customer_bulk' ? { matched: 40, changed: 40, tasks: 0, not_enrolled: [] } : null
    );
    const user = userEvent.setup();
    const filter = { query: null, stage_id: 'lead', owner_id: null, tag: null, province: null, segment_id: null };
    render(BulkDialog, {
      props: { kind: 'set_owner', target: { kind: 'filter', filter }, count: 40, onclose: () => {}, ondone: () => {} }
    });
    await user.click(screen.getByTestId('bulk-apply')); // "No owner" is a choice
    expect(calls.find((c) => c.cmd === 'customer_bulk')?.args.action).toEqual({ action: 'set_owner', owner_id: null });
    expect(screen.getByTestId('bulk-done').textContent).toContain('40 customers changed');
  });

  it('shows the core’s refusal of too big a selection, with its numbers', async () => {
    await prepare('en', (cmd) => {
      if (cmd !== 'customer_bulk') return null;
      throw {
        kind: 'validation',
        field: null,
        message_key: 'validation.failed',
        params: {},
        fields: [{ field: 'customers', message_key: 'bulk.too_many', params: { count: '60000', max: '50000' } }],
        message: 'customers: too many'
      };
    });
    const user = userEvent.setup();
    const ondone = vi.fn();
    render(BulkDialog, {
      props: { kind: 'set_stage', target: { kind: 'ids', ids: ['a'] }, count: 60000, onclose: () => {}, ondone }
    });
    await user.selectOptions(screen.getByTestId('bulk-value'), 'customer');
    await user.click(screen.getByTestId('bulk-apply'));
    expect(await screen.findByText(/At most 50000 customers/)).toBeTruthy();
    expect(screen.queryByTestId('bulk-done')).toBeNull();
    expect(ondone).not.toHaveBeenCalled();
  });
});

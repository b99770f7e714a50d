// @vitest-environment jsdom
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import { CUSTOMER_PAGE, customerFilter, customerPage, listMemory, prefetchCustomers } from './listMemory';

type Call = { cmd: string; args: Record<string, unknown> };

function answer(): Call[] {
  const calls: Call[] = [];
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    return { total: calls.length, rows: [], capped: false, estimated: false };
  });
  return calls;
}

afterEach(() => {
  clearMocks();
  Object.assign(listMemory, { query: '', stageId: '', ownerId: '', tag: '', province: '', segmentId: '' });
});

describe('the customer list asked early', () => {
  it('is the first page the list loads, asked once', async () => {
    const calls = answer();
    prefetchCustomers();
    const first = await customerPage(customerFilter(listMemory), 0, CUSTOMER_PAGE);
    expect(calls.map((c) => c.cmd)).toEqual(['customer_list']);
    expect(first.total).toBe(1);
    // taken once: the next load (a refresh after an edit) asks the core again
    const again = await customerPage(customerFilter(listMemory), 0, CUSTOMER_PAGE);
    expect(again.total).toBe(2);
    expect(calls).toHaveLength(2);
  });

  it('asks for the remembered filter', async () => {
    const calls = answer();
    Object.assign(listMemory, { query: '  ', stageId: 'lead', tag: 'VIP' });
    prefetchCustomers();
    await customerPage(customerFilter(listMemory), 0, CUSTOMER_PAGE);
    expect(calls[0].args).toEqual({
      filter: { query: null, stage_id: 'lead', owner_id: null, tag: 'VIP', province: null, segment_id: null },
      offset: 0,
      limit: CUSTOMER_PAGE
    });
    expect(calls).toHaveLength(1);
  });

  it('is not used for another filter or another page', async () => {
    const calls = answer();
    prefetchCustomers();
    const other = await customerPage(customerFilter({ ...listMemory, query: 'dung' }), 0, CUSTOMER_PAGE);
    expect(other.total).toBe(2);
    expect(calls[1].args.filter).toMatchObject({ query: 'dung' });
    prefetchCustomers();
    await customerPage(customerFilter(listMemory), CUSTOMER_PAGE, CUSTOMER_PAGE);
    expect(calls[3].args.offset).toBe(CUSTOMER_PAGE);
  });

  it('passes on a failure to the list that takes it', async () => {
    mockIPC(() => {
      throw { kind: 'damaged', message_key: 'error.damaged', params: { detail: 'x' } };
    });
    prefetchCustomers();
    await expect(customerPage(customerFilter(listMemory), 0, CUSTOMER_PAGE)).rejects.toBeTruthy();
  });
});

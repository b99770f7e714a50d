import { describe, expect, it } from 'vitest';
import { refreshFor } from './refresh';

describe('refreshFor', () => {
  it('refreshes the customer screens for customer data only', () => {
    const r = refreshFor(['contacts']);
    expect(r).toMatchObject({ customers: true, care: false, staff: false, settings: false });
  });
  it('refreshes Today and Care for care tasks, and both for a customer', () => {
    expect(refreshFor(['care_tasks'])).toMatchObject({ customers: false, care: true });
    expect(refreshFor(['customers'])).toMatchObject({ customers: true, care: true });
  });
  it('reloads a lookup that changed and what shows it', () => {
    expect(refreshFor(['deal_stages'])).toMatchObject({ dealStages: true, customers: true, stages: false });
    expect(refreshFor(['staff'])).toMatchObject({ staff: true, customers: true, care: true });
    expect(refreshFor(['settings'])).toMatchObject({ settings: true, customers: false, care: false });
  });
  it('refreshes nothing for no table', () => {
    expect(Object.values(refreshFor([])).some(Boolean)).toBe(false);
  });
});

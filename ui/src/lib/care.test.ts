import { describe, expect, it } from 'vitest';
import type { CareTask } from './api';
import { byDay, calendarOffset, dayOf, dayStart, fromCalendarDate, snoozeUntil, todaySections } from './care';

const VN = 'Asia/Ho_Chi_Minh';
const NY = 'America/New_York';
const at = (s: string) => Date.parse(s);

function task(id: string, due: string, state: CareTask['state'] = 'scheduled', closed: string | null = null): CareTask {
  return {
    id,
    customer_id: 'c',
    customer_name: 'Nguyễn Văn A',
    customer_phone: null,
    plan_id: 'p',
    plan_name: 'Sau bán hàng',
    enrolment_id: 'e',
    step: 0,
    name: 'Gọi cảm ơn',
    channel: 'call',
    message: '',
    due_at: at(due),
    remind_at: state === 'done' ? null : at(due),
    assignee_id: null,
    state,
    outcome: null,
    interaction_id: null,
    closed_at: closed ? at(closed) : null
  };
}

describe('care days in the workspace zone', () => {
  it('starts a local day at local midnight, across a DST change too', () => {
    expect(dayStart('2026-12-05', VN)).toBe(at('2026-12-04T17:00:00Z'));
    expect(dayStart('2027-03-14', NY)).toBe(at('2027-03-14T05:00:00Z'));
    expect(dayStart('2027-03-15', NY)).toBe(at('2027-03-15T04:00:00Z'));
    expect(dayOf(at('2026-12-04T17:30:00Z'), VN)).toBe('2026-12-05');
  });

  it('snoozes 15 minutes, an hour, or to 08:00 tomorrow local', () => {
    const now = at('2026-12-04T20:00:00Z'); // 03:00 on 5 December in Vietnam
    expect(snoozeUntil('15m', now, VN)).toBe(now + 15 * 60_000);
    expect(snoozeUntil('1h', now, VN)).toBe(now + 3_600_000);
    expect(snoozeUntil('tomorrow', now, VN)).toBe(at('2026-12-06T01:00:00Z'));
  });

  it('sorts Today into overdue, due today and done today', () => {
    const now = at('2026-12-05T03:00:00Z'); // 10:00 local
    const s = todaySections(
      [
        task('late', '2026-12-03T02:00:00Z'),
        task('today', '2026-12-05T09:00:00Z'),
        task('tomorrow', '2026-12-05T18:00:00Z'),
        task('done', '2026-12-05T02:00:00Z', 'done', '2026-12-05T02:30:00Z'),
        task('done-before', '2026-12-01T02:00:00Z', 'done', '2026-12-01T02:30:00Z')
      ],
      now,
      VN
    );
    expect(s.overdue.map((t) => t.id)).toEqual(['late']);
    expect(s.today.map((t) => t.id)).toEqual(['today']);
    expect(s.done.map((t) => t.id)).toEqual(['done']);
  });

  it('groups the agenda by local day', () => {
    const g = byDay([task('a', '2026-12-04T16:00:00Z'), task('b', '2026-12-04T17:30:00Z'), task('c', '2026-12-05T10:00:00Z')], VN);
    expect(g.map((x) => [x.day, x.tasks.length])).toEqual([
      ['2026-12-04', 1],
      ['2026-12-05', 2]
    ]);
  });

  it('gives the calendar the zone offset and reads its dates back as wall-clock times of the zone', () => {
    expect(calendarOffset(VN, at('2026-12-04T20:00:00Z'))).toBe('+07:00');
    expect(calendarOffset(NY, at('2027-01-10T12:00:00Z'))).toBe('-05:00');
    expect(calendarOffset(NY, at('2027-07-10T12:00:00Z'))).toBe('-04:00');
    // a Date whose local fields say 5 December 09:30: 09:30 in Ho Chi Minh City
    expect(fromCalendarDate(new Date(2026, 11, 5, 9, 30), VN)).toBe(at('2026-12-05T02:30:00Z'));
  });
});

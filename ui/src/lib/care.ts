// Care tasks as the screens show them: local days in the workspace zone, the snooze choices,
// grouping for Today and the agenda, and the events of the calendar component.

import type { CareChannel, CareTask } from './api';
import { shiftDate, todayIn } from './dates';
import { fromLocalInput, toLocalInput } from './format';

export const CHANNELS: CareChannel[] = ['call', 'email', 'sms', 'zalo', 'visit', 'other'];

/** The icon of a channel. */
export function channelIcon(c: CareChannel): 'call' | 'email' | 'chat' | 'visit' | 'note' {
  switch (c) {
    case 'call':
      return 'call';
    case 'email':
      return 'email';
    case 'sms':
    case 'zalo':
      return 'chat';
    case 'visit':
      return 'visit';
    default:
      return 'note';
  }
}

/** The instant a local day (`YYYY-MM-DD`) starts in zone `tz`. */
export function dayStart(day: string, tz: string): number {
  return fromLocalInput(`${day}T00:00`, tz) ?? Date.parse(`${day}T00:00:00Z`);
}

/** The local day of an instant in zone `tz`. */
export function dayOf(ms: number, tz: string): string {
  return toLocalInput(ms, tz).slice(0, 10);
}

/** The local time of day (`HH:mm`) of an instant in zone `tz`. */
export function timeOf(ms: number, tz: string): string {
  return toLocalInput(ms, tz).slice(11, 16);
}

export type SnoozeChoice = '15m' | '1h' | 'tomorrow';
export const SNOOZES: SnoozeChoice[] = ['15m', '1h', 'tomorrow'];

/** When a snooze ends: in 15 minutes, in an hour, or tomorrow morning at 08:00 local. */
export function snoozeUntil(choice: SnoozeChoice, now: number, tz: string): number {
  switch (choice) {
    case '15m':
      return now + 15 * 60_000;
    case '1h':
      return now + 60 * 60_000;
    case 'tomorrow': {
      const tomorrow = shiftDate(todayIn(tz, new Date(now)), 1);
      return fromLocalInput(`${tomorrow}T08:00`, tz) ?? now + 24 * 3_600_000;
    }
  }
}

export const isOpen = (t: CareTask) => t.state !== 'done' && t.state !== 'skipped';

/** Today's sections: overdue (open, due before today), due today, and done today. */
export function todaySections(tasks: CareTask[], now: number, tz: string) {
  const today = todayIn(tz, new Date(now));
  const start = dayStart(today, tz);
  const end = dayStart(shiftDate(today, 1), tz);
  return {
    overdue: tasks.filter((t) => isOpen(t) && t.due_at < start),
    today: tasks.filter((t) => isOpen(t) && t.due_at >= start && t.due_at < end),
    done: tasks.filter((t) => !isOpen(t) && t.closed_at !== null && t.closed_at >= start && t.closed_at < end)
  };
}

/** Tasks in runs of the same local day, in order (the agenda). */
export function byDay(tasks: CareTask[], tz: string): { day: string; tasks: CareTask[] }[] {
  const out: { day: string; tasks: CareTask[] }[] = [];
  for (const t of tasks) {
    const day = dayOf(t.due_at, tz);
    const last = out[out.length - 1];
    if (last && last.day === day) last.tasks.push(t);
    else out.push({ day, tasks: [t] });
  }
  return out;
}

/** A task as an event of the calendar component: a floating wall-clock time of the workspace
 *  zone, shown as it is. */
export function calendarEvent(t: CareTask, tz: string, title: string) {
  const start = toLocalInput(t.due_at, tz);
  const end = toLocalInput(t.due_at + 30 * 60_000, tz);
  return {
    id: t.id,
    start,
    end,
    title,
    classNames: [`care-${t.state}`, isOpen(t) && t.due_at < Date.now() ? 'care-overdue' : ''].filter(Boolean),
    editable: isOpen(t),
    extendedProps: { customerId: t.customer_id }
  };
}

/** The instant of a date the calendar component gives (its wall-clock time in the Date's local
 *  fields, whatever the device's zone) read as a wall-clock time in zone `tz`. */
export function fromCalendarDate(d: Date, tz: string): number | null {
  const p = (n: number) => String(n).padStart(2, '0');
  const wall = `${String(d.getFullYear()).padStart(4, '0')}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  return fromLocalInput(wall, tz);
}

/** Zone `tz`'s offset from UTC at `now` as the calendar takes it (`+07:00`): its today and its
 *  now line; events are given as floating wall-clock times, so they show right all year. */
export function calendarOffset(tz: string, now: number): string {
  const wall = Date.parse(`${toLocalInput(now, tz)}:00Z`);
  const minutes = Math.round((wall - Math.floor(now / 60_000) * 60_000) / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

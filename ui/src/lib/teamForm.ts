// A helpdesk team's form: a team as the form edits it (hours as one line per weekday, holidays
// and checklists one per line), and back to what the core takes (`TeamInput`).

import type { SlaInput, Team, TeamInput, TicketStageInput } from './api';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export interface StageForm {
  id: string | null;
  name: string;
  solved: boolean;
  closed: boolean;
  pauses_sla: boolean;
  /** one step per line */
  checklist: string;
}

export interface PolicyForm {
  id: string | null;
  name: string;
  priority: string[];
  channel: string[];
  /** categories, comma-separated */
  category: string;
  /** segment ids (kept as they are: the form does not edit them) */
  segment: string[];
  first_response_minutes: number | null;
  next_response_minutes: number | null;
  resolution_minutes: number | null;
  calendar: boolean;
  warn_percent: number;
}

export interface TeamForm {
  name: string;
  time_zone: string;
  /** weekday -> "08:00-12:00, 13:30-17:30" ('' closed) */
  hours: Record<string, string>;
  vn_public_holidays: boolean;
  /** one day or range per line */
  holidays: string;
  stages: StageForm[];
  sla: PolicyForm[];
  members: string[];
  lead: string | null;
  assignment: TeamInput['assignment'];
  max_open: number | null;
  followup_days: number | null;
  reopen_days: number | null;
  survey: TeamInput['survey'];
  /** the automatic acknowledgement: on, on which channels (none: all), its text */
  ack_on: boolean;
  ack_channels: string[];
  ack_body: string;
}

const OFFICE = ['08:00-12:00, 13:30-17:30', '08:00-12:00, 13:30-17:30', '08:00-12:00, 13:30-17:30', '08:00-12:00, 13:30-17:30', '08:00-12:00, 13:30-17:30', '08:00-12:00', ''];

/** A new team: office hours, Vietnam's holidays, the default stages (named in the core). */
export function blankTeam(zone: string): TeamForm {
  return {
    name: '',
    time_zone: zone,
    hours: Object.fromEntries(WEEKDAYS.map((d, i) => [d, OFFICE[i]])),
    vn_public_holidays: true,
    holidays: '',
    stages: [],
    sla: [],
    members: [],
    lead: null,
    assignment: 'manual',
    max_open: null,
    followup_days: null,
    reopen_days: null,
    survey: null,
    ack_on: false,
    ack_channels: [],
    ack_body: ''
  };
}

export function blankPolicy(): PolicyForm {
  return { id: null, name: '', priority: [], channel: [], category: '', segment: [], first_response_minutes: null, next_response_minutes: null, resolution_minutes: null, calendar: false, warn_percent: 80 };
}

export function blankStage(): StageForm {
  return { id: null, name: '', solved: false, closed: false, pauses_sla: false, checklist: '' };
}

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter((l) => l !== '');

export function teamForm(t: Team): TeamForm {
  return {
    name: t.name,
    time_zone: t.calendar.time_zone,
    hours: hoursForm(t.calendar.hours),
    vn_public_holidays: t.calendar.vn_public_holidays ?? false,
    holidays: (t.calendar.holidays ?? []).join('\n'),
    stages: t.stages.map((s) => ({ id: s.id, name: s.name, solved: s.solved, closed: s.closed, pauses_sla: s.pauses_sla, checklist: s.checklist.join('\n') })),
    sla: t.sla.map((p) => ({
      id: p.id,
      name: p.name,
      priority: [...(p.match.priority ?? [])],
      channel: [...(p.match.channel ?? [])],
      category: (p.match.category ?? []).join(', '),
      segment: [...(p.match.segment ?? [])],
      first_response_minutes: p.first_response_minutes,
      next_response_minutes: p.next_response_minutes,
      resolution_minutes: p.resolution_minutes,
      calendar: p.calendar,
      warn_percent: p.warn_percent
    })),
    members: t.members.map((m) => m.staff_id),
    lead: t.lead_id,
    assignment: t.assignment,
    max_open: t.max_open,
    followup_days: t.followup_days,
    reopen_days: t.reopen_days,
    survey: t.survey,
    ack_on: t.ack !== null,
    ack_channels: [...(t.ack?.channels ?? [])],
    ack_body: t.ack?.body ?? ''
  };
}

/** What the core takes: a weekday's intervals split on commas (a closed day left out), the
 *  lists split on lines; a new team with no stages gets the default ones. */
export function teamInput(f: TeamForm): TeamInput {
  const hours = hoursInput(f.hours);
  const stages: TicketStageInput[] = f.stages.map((s) => ({ id: s.id, name: s.name, solved: s.solved, closed: s.closed, pauses_sla: s.pauses_sla, checklist: lines(s.checklist) }));
  const sla: SlaInput[] = f.sla.map((p) => ({
    id: p.id,
    name: p.name,
    match: { priority: p.priority, channel: p.channel, category: p.category.split(',').map((c) => c.trim()).filter((c) => c !== ''), segment: p.segment },
    first_response_minutes: p.first_response_minutes,
    next_response_minutes: p.next_response_minutes,
    resolution_minutes: p.resolution_minutes,
    calendar: p.calendar,
    warn_percent: p.warn_percent
  }));
  return {
    name: f.name,
    time_zone: f.time_zone.trim() || null,
    hours,
    holidays: lines(f.holidays),
    vn_public_holidays: f.vn_public_holidays,
    stages: stages.length > 0 ? stages : null,
    sla,
    members: f.members,
    lead: f.lead,
    assignment: f.assignment,
    max_open: f.max_open,
    followup_days: f.followup_days,
    reopen_days: f.reopen_days,
    survey: f.survey,
    ack: f.ack_on ? { channels: f.ack_channels as NonNullable<TeamInput['ack']>['channels'], body: f.ack_body } : null
  };
}

/** Working intervals per weekday as the form shows them: one line of "08:00-12:00, 13:30-17:30". */
export function hoursForm(hours: Partial<Record<string, string[]>>): Record<string, string> {
  return Object.fromEntries(WEEKDAYS.map((d) => [d, (hours[d] ?? []).join(', ')]));
}

/** And back: a weekday's intervals split on commas, a closed day left out. */
export function hoursInput(form: Record<string, string>): Record<string, string[]> {
  const hours: Record<string, string[]> = {};
  for (const d of WEEKDAYS) {
    const list = (form[d] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (list.length > 0) hours[d] = list;
  }
  return hours;
}

/** Days off, one day or range per line. */
export const leaveLines = lines;

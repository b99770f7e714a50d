// What the ticket screens say about a ticket's SLA and its values: the nearest deadline as time
// left or overdue, a duration in hours and minutes, the tone a chip takes.

import type { RuleFired, SlaTarget, Ticket } from './api';

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const SEVERITIES = ['minor', 'major', 'critical'] as const;
export const CHANNELS = ['phone', 'email', 'website', 'live_chat', 'facebook', 'zalo', 'in_person', 'other'] as const;
export const VIEWS = ['open', 'mine', 'unassigned', 'breaching_soon', 'waiting', 'overdue', 'solved', 'all'] as const;

export type Tone = 'ok' | 'warn' | 'late' | 'paused' | 'done';

/** A duration as hours and minutes: `{h: 2, m: 5}` (whole minutes, rounded down). */
export function hoursMinutes(ms: number): { h: number; m: number } {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  return { h: Math.floor(minutes / 60), m: minutes % 60 };
}

/** The target a ticket's SLA chip shows: one overdue and still not met (the most overdue), else
 *  the running (or paused) one due first, else a breach kept after it was met, else the last met
 *  one; null when the ticket has no SLA. */
export function shownTarget(t: Pick<Ticket, 'sla'>): SlaTarget | null {
  const late = t.sla.filter((s) => s.state === 'breached' && s.met_at === null && s.left_ms < 0);
  if (late.length > 0) return late.reduce((a, b) => (b.due_ms < a.due_ms ? b : a));
  const open = t.sla.filter((s) => s.state === 'running' || s.state === 'paused');
  if (open.length > 0) return open.reduce((a, b) => (b.due_ms < a.due_ms ? b : a));
  return t.sla.find((s) => s.state === 'breached') ?? t.sla[t.sla.length - 1] ?? null;
}

/** The tone of a target: met, paused, overdue, past its reminder share, or fine. */
export function toneOf(s: SlaTarget): Tone {
  if (s.state === 'met') return 'done';
  if (s.state === 'paused') return 'paused';
  if (s.state === 'breached') return s.met_at === null && s.left_ms < 0 ? 'late' : 'done';
  return s.warning ? 'warn' : 'ok';
}

/** The message key and values that say a target's state: "2 h 05 min left", "overdue by 40 min". */
export function slaText(s: SlaTarget): { key: string; values: Record<string, number> } {
  const { h, m } = hoursMinutes(s.left_ms);
  if (s.state === 'met') return { key: 'ticket.sla_met', values: {} };
  if (s.state === 'breached' && !(s.met_at === null && s.left_ms < 0)) return { key: 'ticket.sla_breached', values: {} };
  if (s.state === 'paused') return { key: 'ticket.sla_paused', values: { h, m } };
  return { key: s.left_ms < 0 ? 'ticket.sla_overdue' : 'ticket.sla_left', values: { h, m } };
}


/** What a rule did to a ticket, as message keys (`rule.did_*`) with their value, in the order
 *  the rule acts; names are those kept with the event (as they were then). */
export function ruleDid(f: RuleFired, label: (key: string) => string): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  if (f.team_id) out.push({ key: 'rule.did_team', value: f.team_name ?? f.team_id });
  if (f.priority) out.push({ key: 'rule.did_priority', value: label(`ticket.priority.${f.priority}`) });
  if (f.assignee_id) out.push({ key: 'rule.did_assignee', value: f.assignee_name ?? f.assignee_id });
  if (f.tags && f.tags.length > 0) out.push({ key: 'rule.did_tags', value: f.tags.join(', ') });
  if (f.suggest_id) out.push({ key: 'rule.did_suggest', value: f.suggest_name ?? '' });
  return out;
}

/** A file picked to send: its path on this device and the name shown. */
export interface Picked {
  path: string;
  name: string;
}

/** The most files a message takes (src/files.rs MAX_FILES). */
export const MAX_FILES = 10;

/** What the attach dialog offers: the kinds of file the core takes (src/files.rs decides, by
 *  content, and names any other it is given). */
export const ATTACHABLE = [
  'jpg', 'jpeg', 'png', 'gif', 'webp', 'bmp', 'heic', 'heif', 'avif', 'tif', 'tiff',
  'pdf', 'rtf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'odt', 'ods', 'odp',
  'mp3', 'm4a', 'aac', 'ogg', 'wav', 'amr', 'flac', 'mp4', 'mov', 'webm', '3gp', 'mkv',
  'txt', 'csv', 'log', 'md'
];

import { describe, expect, it } from 'vitest';
import type { SlaTarget } from './api';
import { hoursMinutes, ruleDid, shownTarget, slaText, toneOf } from './tickets';

const target = (over: Partial<SlaTarget>): SlaTarget => ({
  target: 'first_response',
  due_at: '2026-12-08T02:30:00Z',
  due_ms: 1_000,
  state: 'running',
  breached_at: null,
  met_at: null,
  left_ms: 3_600_000,
  warning: false,
  ...over
});

describe('an SLA as the ticket screens say it', () => {
  it('counts hours and minutes, rounded down, either way', () => {
    expect(hoursMinutes(2 * 3_600_000 + 5 * 60_000 + 59_000)).toEqual({ h: 2, m: 5 });
    expect(hoursMinutes(-40 * 60_000)).toEqual({ h: 0, m: 40 });
  });

  it('shows an overdue deadline first, then the running one due first, then a breach kept after it was met', () => {
    const fr = target({ target: 'first_response', due_ms: 2_000 });
    const res = target({ target: 'resolution', due_ms: 1_500 });
    expect(shownTarget({ sla: [fr, res] })).toBe(res);
    const late = target({ state: 'breached', left_ms: -60_000, breached_at: 'x' });
    const met = target({ target: 'resolution', state: 'met', met_at: 'y', left_ms: 0 });
    expect(shownTarget({ sla: [met, late] })).toBe(late);
    // an overdue first response outranks a resolution still running
    const running = target({ target: 'resolution', due_ms: 9_000, left_ms: 5 * 3_600_000 });
    expect(shownTarget({ sla: [running, late] })).toBe(late);
    const keptBreach = target({ state: 'breached', met_at: 'z', left_ms: 0, breached_at: 'x' });
    expect(shownTarget({ sla: [keptBreach, met] })).toBe(keptBreach);
    expect(shownTarget({ sla: [] })).toBeNull();
  });

  it('gives each state its tone and words', () => {
    expect(toneOf(target({ warning: true }))).toBe('warn');
    expect(toneOf(target({}))).toBe('ok');
    expect(toneOf(target({ state: 'paused' }))).toBe('paused');
    expect(toneOf(target({ state: 'breached', left_ms: -1 }))).toBe('late');
    expect(toneOf(target({ state: 'breached', met_at: 'x', left_ms: 0 }))).toBe('done');
    expect(slaText(target({ left_ms: 90 * 60_000 }))).toEqual({ key: 'ticket.sla_left', values: { h: 1, m: 30 } });
    expect(slaText(target({ state: 'breached', left_ms: -5 * 60_000 }))).toEqual({ key: 'ticket.sla_overdue', values: { h: 0, m: 5 } });
    expect(slaText(target({ state: 'met', met_at: 'x', left_ms: 0 })).key).toBe('ticket.sla_met');
    expect(slaText(target({ state: 'breached', met_at: 'x', left_ms: 0 })).key).toBe('ticket.sla_breached');
  });
});

describe('what a rule did', () => {
  it('names each change with the names kept at the time, in the order the rule acts', () => {
    const did = ruleDid(
      { rule_id: 'r', rule: 'Zalo', team_id: 't1', team_name: 'Bảo hành', priority: 'high', assignee_id: 's1', assignee_name: null, tags: ['zalo', 'vip'], suggest_id: null, suggest_name: null },
      (k) => (k === 'ticket.priority.high' ? 'Cao' : k)
    );
    expect(did).toEqual([
      { key: 'rule.did_team', value: 'Bảo hành' },
      { key: 'rule.did_priority', value: 'Cao' },
      { key: 'rule.did_assignee', value: 's1' },
      { key: 'rule.did_tags', value: 'zalo, vip' }
    ]);
  });
});

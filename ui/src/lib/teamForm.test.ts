import { describe, expect, it } from 'vitest';
import { blankTeam, hoursForm, hoursInput, leaveLines, teamInput } from './teamForm';

describe('a team form', () => {
  it('sends each weekday as its intervals and leaves closed days out', () => {
    const f = blankTeam('Asia/Ho_Chi_Minh');
    f.name = 'Bảo hành';
    f.hours.sun = ' 22:00-06:00 ';
    f.holidays = '2027-02-04\n\n 2027-02-10..2027-02-12 ';
    const input = teamInput(f);
    expect(input.hours).toEqual({
      mon: ['08:00-12:00', '13:30-17:30'],
      tue: ['08:00-12:00', '13:30-17:30'],
      wed: ['08:00-12:00', '13:30-17:30'],
      thu: ['08:00-12:00', '13:30-17:30'],
      fri: ['08:00-12:00', '13:30-17:30'],
      sat: ['08:00-12:00'],
      sun: ['22:00-06:00']
    });
    expect(input.holidays).toEqual(['2027-02-04', '2027-02-10..2027-02-12']);
    // no stages given: the core's defaults
    expect(input.stages).toBeNull();
  });

  it('splits checklists on lines and categories on commas', () => {
    const f = blankTeam('UTC');
    f.stages = [{ id: null, name: 'QC', solved: false, closed: false, pauses_sla: false, checklist: 'Gọi lại\n\nGhi biên bản ' }];
    f.sla = [{ id: null, name: 'Khẩn', priority: ['urgent'], channel: [], category: 'Bảo hành, Đổi trả,', segment: ['seg-1'], first_response_minutes: 60, next_response_minutes: null, resolution_minutes: 480, calendar: false, warn_percent: 80 }];
    const input = teamInput(f);
    expect(input.stages?.[0]?.checklist).toEqual(['Gọi lại', 'Ghi biên bản']);
    expect(input.sla?.[0]?.match?.category ?? []).toEqual(['Bảo hành', 'Đổi trả']);
    // a segment match set elsewhere (the CLI) survives an edit in the form
    expect(input.sla?.[0]?.match?.segment ?? []).toEqual(['seg-1']);
  });

  it('sends the acknowledgement only when it is on', () => {
    const f = blankTeam('UTC');
    f.ack_channels = ['zalo'];
    f.ack_body = 'Chào {{customer.name}}';
    expect(teamInput(f).ack).toBeNull();
    f.ack_on = true;
    expect(teamInput(f).ack).toEqual({ channels: ['zalo'], body: 'Chào {{customer.name}}' });
  });

  it('shows a member\'s hours one line a day and reads them back, a blank day closed', () => {
    const form = hoursForm({ mon: ['08:00-12:00', '13:30-17:30'], sat: ['08:00-12:00'] });
    expect(form.mon).toBe('08:00-12:00, 13:30-17:30');
    expect(form.sun).toBe('');
    form.tue = ' 22:00-06:00 ,, ';
    expect(hoursInput(form)).toEqual({ mon: ['08:00-12:00', '13:30-17:30'], tue: ['22:00-06:00'], sat: ['08:00-12:00'] });
    expect(leaveLines('2027-03-01\n\n 2027-04-10..2027-04-14 \n')).toEqual(['2027-03-01', '2027-04-10..2027-04-14']);
  });
});

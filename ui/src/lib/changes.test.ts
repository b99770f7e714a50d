import { describe, expect, it } from 'vitest';
import type { FieldChange } from './api/types';
import { changeKind, changeLabel, changeValue, type ChangeContext } from './changes';

const ctx: ChangeContext = {
  lang: 'vi',
  tz: 'Asia/Ho_Chi_Minh',
  t: (key, values) => (values ? `${key}(${JSON.stringify(values)})` : key),
  stageName: (id) => (id === 'lead' ? 'Tiềm năng' : id),
  staffName: (id) => (id === 's1' ? 'Anh' : id),
  customFieldLabel: (id) => (id === 'f1' ? 'Size' : undefined),
  currency: 'VND'
};
const ch = (table: string, column: string, value: string | null, previous: string | null = null): FieldChange => ({
  table,
  row_id: table === 'custom_values' ? 'c1/f1' : 'c1',
  column,
  value,
  previous
});
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('changeValue', () => {
  it('reads phone lists readably, with labels', () => {
    const c = ch('customers', 'phones', '[{"label":"Di động","number":"+84987654321"}]', '[{"label":"","number":"+84912345678"}]');
    expect(changeValue(c, c.value, ctx)).toBe('0987 654 321 (Di động)');
    expect(changeValue(c, c.previous, ctx)).toBe('0912 345 678');
  });
  it('reads email lists and tags', () => {
    expect(changeValue(ch('customers', 'emails', ''), '[{"label":"","address":"a@b.vn"},{"label":"Work","address":"c@d.vn"}]', ctx)).toBe(
      'a@b.vn, c@d.vn (Work)'
    );
    expect(changeValue(ch('customers', 'tags', ''), '["vip","hà nội"]', ctx)).toBe('vip, hà nội');
  });
  it('names stages and staff, translates enums', () => {
    expect(changeValue(ch('customers', 'stage_id', 'lead'), 'lead', ctx)).toBe('Tiềm năng');
    expect(changeValue(ch('customers', 'owner_id', 's1'), 's1', ctx)).toBe('Anh');
    expect(changeValue(ch('customers', 'source', 'zalo'), 'zalo', ctx)).toBe('source.zalo');
    expect(changeValue(ch('customers', 'kind', 'company'), 'company', ctx)).toBe('kind.company');
    expect(changeValue(ch('interactions', 'kind', 'call'), 'call', ctx)).toBe('interaction.kind.call');
    // each table's own channels: a care task's call is no interaction channel
    expect(changeValue(ch('care_tasks', 'channel', 'call'), 'call', ctx)).toBe('care.channel.call');
    expect(changeValue(ch('ticket_messages', 'channel', 'live_chat'), 'live_chat', ctx)).toBe('ticket.channel.live_chat');
    expect(changeValue(ch('interactions', 'channel', 'zalo'), 'zalo', ctx)).toBe('channel.zalo');
    // every instant column reads as a date and time, not milliseconds
    expect(plain(changeValue(ch('care_enrolments', 'anchor_at', ''), '1796598420000', ctx))).not.toContain('1796598420000');
    expect(plain(changeValue(ch('ticket_messages', 'at', ''), '1796598420000', ctx))).toMatch(/2026/);
  });
  it('formats money, dates and instants', () => {
    expect(plain(changeValue(ch('customers', 'expected_revenue', ''), '1250000', ctx))).toBe('1.250.000 ₫');
    expect(changeValue(ch('customers', 'birthday', ''), '1990-12-31', ctx)).toBe('31/12/1990');
    expect(changeValue(ch('customers', 'deleted_at', ''), String(Date.UTC(2025, 0, 5, 20, 30)), ctx)).toBe('06/01/2025 03:30');
  });
  it('shows booleans as yes/no and nothing for null', () => {
    expect(changeValue(ch('contacts', 'is_decision_maker', '1'), '1', ctx)).toBe('common.yes');
    expect(changeValue(ch('contacts', 'is_decision_maker', '0'), '0', ctx)).toBe('common.no');
    expect(changeValue(ch('customers', 'name', null), null, ctx)).toBe('');
  });
  it('does not break on values that are not the JSON it expects', () => {
    expect(changeValue(ch('customers', 'phones', ''), 'not json', ctx)).toBe('not json');
  });
});

describe('changeLabel and changeKind', () => {
  it('labels customer columns directly, others with their table, custom values by field', () => {
    expect(changeLabel(ch('customers', 'phones', ''), ctx)).toBe('field.phones');
    expect(changeLabel(ch('contacts', 'role', ''), ctx)).toBe('table.contacts · field.role');
    expect(changeLabel(ch('custom_values', 'value', 'L'), ctx)).toBe('Size');
    expect(changeLabel({ ...ch('custom_values', 'value', 'L'), row_id: 'c1/gone' }, ctx)).toBe('field.custom');
    expect(changeLabel(ch('customers', '__purged', '1'), ctx)).toBe('history.purged');
    // joining and leaving a static list read as such, not as a record deleted for good
    expect(changeLabel(ch('segment_members', 'added_at', '1795424400000'), ctx)).toBe('history.list_joined');
    expect(changeLabel(ch('segment_members', '__purged', '1'), ctx)).toBe('history.list_left');
    expect(changeValue(ch('segment_members', 'added_at', ''), String(Date.UTC(2025, 0, 5, 20, 30)), ctx)).toBe('06/01/2025 03:30');
  });
  it('tells set, changed and cleared apart', () => {
    expect(changeKind(ch('customers', 'name', 'B', 'A'))).toBe('changed');
    expect(changeKind(ch('customers', 'name', 'B', null))).toBe('set');
    expect(changeKind(ch('customers', 'name', null, 'A'))).toBe('cleared');
  });
});

import { describe, expect, it } from 'vitest';
import { dropSlot, lowerFirst, richParts, slotValues } from './rich';

// what svelte-i18n does with a message and values, for plain {name} arguments
const format = (msg: string, values: Record<string, string>) => msg.replace(/\{(\w+)\}/g, (_, k) => values[k]);

describe('richParts', () => {
  it('cuts a formatted sentence into text and slots', () => {
    const msg = format('{actor} đã đổi {field} từ {old} thành {new}', slotValues(['actor', 'field', 'old', 'new']));
    const parts = richParts(msg, { actor: 'Lan', field: 'giai đoạn', old: 'Tiềm năng', new: 'Khách hàng' });
    expect(parts).toEqual([
      { slot: 'actor', value: 'Lan' },
      { text: ' đã đổi ' },
      { slot: 'field', value: 'giai đoạn' },
      { text: ' từ ' },
      { slot: 'old', value: 'Tiềm năng' },
      { text: ' thành ' },
      { slot: 'new', value: 'Khách hàng' }
    ]);
  });

  it('keeps slot order of the language and user text with odd characters', () => {
    const msg = format('{field} was set to {new} by {actor}', slotValues(['actor', 'field', 'new']));
    const parts = richParts(msg, { actor: 'A {b}', field: 'x', new: '1 → 2' });
    expect(parts.map((p) => ('slot' in p ? `[${p.value}]` : p.text)).join('')).toBe('[x] was set to [1 → 2] by [A {b}]');
  });

  it('drops a slot and the space it leaves', () => {
    const msg = format('{actor} changed {field}', slotValues(['actor', 'field']));
    expect(dropSlot(richParts(msg, { actor: 'Lan', field: 'stage' }), 'actor')).toEqual([{ text: 'changed ' }, { slot: 'field', value: 'stage' }]);
  });
});

describe('lowerFirst', () => {
  it('lowers the first letter of a label, not of acronyms', () => {
    expect(lowerFirst('Giai đoạn', 'vi')).toBe('giai đoạn');
    expect(lowerFirst('Địa chỉ', 'vi')).toBe('địa chỉ');
    expect(lowerFirst('Phones', 'en')).toBe('phones');
    expect(lowerFirst('VIP', 'en')).toBe('VIP');
    expect(lowerFirst('', 'en')).toBe('');
  });
});

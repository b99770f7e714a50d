import { describe, expect, it } from 'vitest';
import { childPath, fromText, newCondition, shape, startValue, toText, withMode, type Group } from './rules';

describe('the rule editor document', () => {
  it('reads stored rules back as they were written, and anything else as a group', () => {
    const text = '{"all":[{"field":"stage","op":"in","value":["customer","loyal"]},{"any":[{"field":"tag","op":"has","value":"VIP"}]}]}';
    expect(toText(fromText(text))).toBe(text);
    expect(fromText('{"field":"age","op":"gte","value":30}')).toEqual({ all: [{ field: 'age', op: 'gte', value: 30 }] });
    expect(fromText(null)).toEqual({ all: [] });
    expect(fromText('{broken')).toEqual({ all: [] });
  });

  it('asks for the value each op takes', () => {
    expect(shape('text', 'eq')).toBe('one');
    expect(shape('text', 'in')).toBe('many');
    expect(shape('number', 'between')).toBe('range');
    expect(shape('instant', 'within_days')).toBe('days');
    expect(shape('flag', 'eq')).toBe('flag');
    expect(shape('tags', 'empty')).toBe('none');
  });

  it('keeps what it can of a value when the op changes', () => {
    expect(startValue('text', 'in', 'Hà Nội')).toEqual(['Hà Nội']);
    expect(startValue('text', 'eq', ['Huế', 'Đà Nẵng'])).toBe('Huế');
    expect(startValue('money', 'gte', 'x')).toBe(0);
    expect(startValue('number', 'between', 5)).toEqual([0, 0]);
    expect(startValue('instant', 'within_days', -3)).toBe(30);
    expect(startValue('text', 'empty', 'x')).toBeNull();
    expect(newCondition({ field: 'tag', kind: 'tags', ops: ['has', 'not_has'] })).toEqual({ field: 'tag', op: 'has', value: '' });
  });

  it('names nodes as the core names them in its errors', () => {
    const g: Group = { all: [{ any: [] }] };
    expect(childPath('rules', g, 0)).toBe('rules.all[0]');
    expect(childPath('rules.all[0]', withMode({ all: [] }, 'any'), 2)).toBe('rules.all[0].any[2]');
  });
});

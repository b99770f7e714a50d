import { describe, expect, it } from 'vitest';
import en from './i18n/en.json';
import vi from './i18n/vi.json';
import { syncProgressMessage } from './syncProgress';

const text = (catalogue: object, key: string): unknown => {
  const [group, name] = key.split('.');
  return (catalogue as Record<string, Record<string, unknown>>)[group]?.[name];
};

describe('syncProgressMessage', () => {
  it('counts changes, with or without a total', () => {
    expect(syncProgressMessage({ phase: 'download', done: 1500, total: 48944 }, 'en')).toEqual({
      key: 'sync.downloading',
      values: { done: '1,500', total: '48,944' }
    });
    expect(syncProgressMessage({ phase: 'upload', done: 7, total: null }, 'vi').key).toBe('sync.uploading_unsized');
  });

  it('measures a snapshot in megabytes, in the language of the window', () => {
    const p = { phase: 'snapshot_download', done: 1_234_567_890, total: 2_901_000_000 };
    expect(syncProgressMessage(p, 'vi')).toEqual({
      key: 'sync.snapshot_downloading',
      values: { done: '1.235', total: '2.901' }
    });
    // a small workspace still shows a size
    expect(syncProgressMessage({ phase: 'snapshot_upload', done: 40_000, total: 90_000 }, 'en').values).toEqual({
      done: '1',
      total: '1'
    });
  });

  it('has every line it can say in Vietnamese and English', () => {
    for (const phase of ['upload', 'download', 'snapshot_upload', 'snapshot_download'])
      for (const total of [10, null]) {
        const { key } = syncProgressMessage({ phase, done: 1, total }, 'en');
        expect(String(text(en, key)), key).toContain('{done}');
        expect(String(text(vi, key)), key).toContain('{done}');
      }
  });
});

import { describe, expect, it } from 'vitest';
import { waitingAfter, waitingKey } from './waiting';
import type { WaitNotice } from './api/types';

const start = (elsewhere = false): WaitNotice => ({ waiting: true, behind: 'import', elsewhere });
const stop = (elsewhere = false): WaitNotice => ({ waiting: false, behind: 'import', elsewhere });

describe('waiting writes', () => {
  it('count up as writes start waiting and down as they stop', () => {
    let w = waitingAfter([], start());
    w = waitingAfter(w, start());
    expect(waitingKey(w)).toBe('waiting.import');
    w = waitingAfter(w, stop());
    expect(w).toHaveLength(1);
    w = waitingAfter(w, stop());
    expect(waitingKey(w)).toBeNull();
  });
  it('ignore a stop that matches no wait, and name a long write in another program', () => {
    expect(waitingAfter([start(true)], stop())).toHaveLength(1);
    expect(waitingKey([start(true)])).toBe('waiting.import_elsewhere');
  });
});

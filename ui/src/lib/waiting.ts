// Writes waiting for a long write (an import, demo data, an archive), as the core tells them:
// each write that starts waiting is one more, each that stops is one fewer.

import type { WaitNotice } from './api/types';

export function waitingAfter(waiting: WaitNotice[], notice: WaitNotice): WaitNotice[] {
  if (notice.waiting) return [...waiting, notice];
  const i = waiting.findIndex((w) => w.behind === notice.behind && w.elsewhere === notice.elsewhere);
  return i < 0 ? waiting : [...waiting.slice(0, i), ...waiting.slice(i + 1)];
}

/** The i18n key of the notice shown while writes wait: what they wait for, and where it runs. */
export function waitingKey(waiting: WaitNotice[]): string | null {
  const w = waiting[0];
  if (!w) return null;
  return `waiting.${w.behind}${w.elsewhere ? '_elsewhere' : ''}`;
}

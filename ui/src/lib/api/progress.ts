// A command's progress on a channel of its own (DESIGN rule 8). Tauri orders a channel's messages
// among themselves but not against the command's answer: a last "verifying" may arrive after the
// command has already failed. `settle` is called when the answer is in; later messages are dropped.
import { Channel } from '@tauri-apps/api/core';

export function progressChannel<T>(onProgress: (p: T) => void): { channel: Channel<T>; settle: () => void } {
  let settled = false;
  const channel = new Channel<T>();
  channel.onmessage = (p) => {
    if (!settled) onProgress(p);
  };
  return { channel, settle: () => (settled = true) };
}

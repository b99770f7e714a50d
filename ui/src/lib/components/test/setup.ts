// What a component test needs around a form: the translations in one language, the workspace
// state the forms read (stages, staff, custom fields) and the IPC answered by the test. The
// core itself is behind that boundary; the real app with the real core is tested end to end
// (e2e/), these tests drive a form's own behaviour in jsdom.

import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { get } from 'svelte/store';
import { locale, waitLocale } from 'svelte-i18n';
import { afterEach } from 'vitest';
import { app } from '$lib/app.svelte';
import { setupI18n } from '$lib/i18n';
import type { Lang } from '$lib/format';

// jsdom has <dialog> without its modal methods: open and close it as the browser would.
if (typeof HTMLDialogElement !== 'undefined' && !HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function (this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close = function (this: HTMLDialogElement) {
    this.open = false;
  };
}

export type Call = { cmd: string; args: Record<string, unknown> };

/** Sets the language and the workspace state; answers commands with `answer` and records them. */
export async function prepare(
  lang: Lang,
  answer: (cmd: string, args: Record<string, unknown>) => unknown = () => null
): Promise<Call[]> {
  if (get(locale) === undefined || get(locale) === null) setupI18n(lang);
  else locale.set(lang);
  await waitLocale(lang);
  app.lang = lang;
  app.tz = 'Asia/Ho_Chi_Minh';
  app.stages = [
    { id: 'lead', name: null, position: 1 },
    { id: 'customer', name: null, position: 2 }
  ];
  app.staff = [{ id: 's1', name: 'Nguyễn Hữu Dũng', email: null, role: 'agent' }];
  app.customFields = [];
  const calls: Call[] = [];
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    return answer(cmd, a);
  });
  return calls;
}

afterEach(() => clearMocks());

// What the scenario and the tour both do to the UI: find by test id, wait, read text as the DOM
// has it, type as a person would, save screenshots.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TIMEOUT = 20000;

/**
 * Answers the app's file dialogs with `path` (null: cancelled) until told otherwise: a debug build
 * started with TEND_TEST_DIALOG=FILE reads FILE instead of showing a native dialog, which
 * WebDriver cannot drive (src-tauri/src/files.rs). The app still accepts no path from the window.
 */
export function answerDialogs(path) {
  const file = process.env.TEND_TEST_DIALOG;
  if (!file) throw new Error('TEND_TEST_DIALOG is not set: the app would show a native dialog');
  writeFileSync(file, path ?? '');
}

export function helpers(browser, { artifacts, tag, pause = 0 }) {
  const log = (...args) => console.log(`[${tag}]`, ...args);
  const $t = (id) => browser.$(`[data-testid="${id}"]`);
  const $$t = (id) => browser.$$(`[data-testid="${id}"]`);

  async function shown(id, ms = TIMEOUT) {
    const el = await $t(id);
    await el.waitForDisplayed({ timeout: ms, timeoutMsg: `[data-testid="${id}"] not shown within ${ms} ms` });
    return el;
  }

  async function waitFor(what, fn, ms = TIMEOUT) {
    await browser.waitUntil(fn, { timeout: ms, interval: 150, timeoutMsg: `timed out waiting for ${what}` });
  }

  /** The text of an element as the DOM has it (WebKit's driver hides text in ellipsis cells). */
  async function domText(el) {
    return (await browser.execute((e) => e.textContent ?? '', el)).replace(/\s+/g, ' ').trim();
  }

  async function textOf(id) {
    return domText(await shown(id));
  }

  /** Replaces an input's text by typing it, as a person would; falls back to setting it by script
   *  (with an input event) when the native driver cannot type a character. */
  async function typeInto(id, text, expected = text) {
    const el = await shown(id);
    await el.click();
    await browser.execute((e) => {
      e.value = '';
      e.dispatchEvent(new Event('input', { bubbles: true }));
    }, el);
    try {
      await el.addValue(text);
    } catch {
      /* checked below */
    }
    if ((await el.getValue()) !== expected) {
      await browser.execute(
        (e, v) => {
          e.value = v;
          e.dispatchEvent(new Event('input', { bubbles: true }));
        },
        el,
        text
      );
    }
    const got = await el.getValue();
    if (got.normalize('NFC') !== expected.normalize('NFC')) throw new Error(`${id}: typed "${text}" but the input holds "${got}"`);
  }

  async function screenshot(name) {
    // let transitions and late pages settle
    if (pause) await browser.pause(pause);
    // and two frames painted: the first screen of a session on a busy machine once came out as
    // the page before (the DOM had moved on, the picture had not)
    await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
    const file = join(artifacts, `${name}.png`);
    await browser.saveScreenshot(file);
    log(`screenshot ${file}`);
  }

  /** Picks a <select> option by value, as a change event from the user would. */
  async function choose(id, value) {
    const el = await shown(id);
    await browser.execute(
      (e, v) => {
        e.value = v;
        e.dispatchEvent(new Event('change', { bubbles: true }));
      },
      el,
      value
    );
  }

  /** No i18n key may show as text: `list.count`, `field.phones`, `c360.tab.profile`... (file
   *  paths in <code> aside: `care.tend`). */
  async function noRawKeys(where) {
    const raw = await browser.execute(() => {
      const main = document.querySelector('main')?.cloneNode(true);
      main?.querySelectorAll('code').forEach((c) => c.remove());
      const text = main?.innerText ?? '';
      const keys = text.match(/\b(?:nav|common|kind|gender|source|stage|role|field_kind|interaction|channel|direction|entity|table|field|list|form|tags|duplicates|c360|contacts|timeline|history|trash|settings|palette|validation|error|date|import|export|backup|dup|archive|segment|deal|deal_stage|bulk|care|today|update|opened|ticket|holiday|calendar|canned|team|sync)\.[a-z_]+(?:\.[a-z_]+)*\b/g);
      return keys ?? [];
    });
    if (raw.length) throw new Error(`${where}: raw i18n keys shown: ${[...new Set(raw)].join(', ')}`);
  }

  return { log, $t, $$t, shown, waitFor, domText, textOf, typeInto, screenshot, choose, noRawKeys };
}

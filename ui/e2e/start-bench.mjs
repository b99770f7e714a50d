#!/usr/bin/env node
// Start-up benchmark (not a test; run by scripts/bench-start under Xvfb): the time from launching
// the desktop app on a workspace to its first screen showing the first customer row, beside the
// same launch of an empty Tauri 2 window built the same way (src-tauri/examples/empty-window.rs)
// to its one static page, alternated in the same run through the same tauri-driver, so the
// driver's and WebKit's own start cost is in both. Prints each one's median and p95 and the ratio.
//
//   START_APP, START_EMPTY   the two binaries; START_RUNS (default 10); TAURI_DRIVER_URL

import { remote } from 'webdriverio';

const url = new URL(process.env.TAURI_DRIVER_URL || 'http://127.0.0.1:4444');
const RUNS = Number(process.env.START_RUNS || 10);

async function once(application, selector) {
  const t0 = performance.now();
  const browser = await remote({
    hostname: url.hostname,
    port: Number(url.port),
    logLevel: 'warn',
    connectionRetryCount: 0,
    capabilities: { 'tauri:options': { application }, 'wdio:enforceWebDriverClassic': true }
  });
  try {
    for (;;) {
      // the page's own clock: how much of the start is the page's (from its navigation on)
      const page = await browser.execute((s) => (document.querySelector(s) !== null ? performance.now() : null), selector);
      if (page !== null) {
        pageShare.push(page);
        return performance.now() - t0;
      }
      if (performance.now() - t0 > 60000) throw new Error(`${application}: ${selector} not shown after 60 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    await browser.deleteSession();
  }
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { median: at(0.5), p95: at(0.95) };
}

const app = [];
const empty = [];
let pageShare = [];
await once(process.env.START_EMPTY, '[data-testid="ready"]'); // warm-up of both, not counted
await once(process.env.START_APP, '[data-testid="today-loaded"]');
const emptyPage = [];
const appPage = [];
for (let i = 0; i < RUNS; i++) {
  pageShare = emptyPage;
  empty.push(await once(process.env.START_EMPTY, '[data-testid="ready"]'));
  pageShare = appPage;
  app.push(await once(process.env.START_APP, '[data-testid="today-loaded"]'));
}
const a = stats(app);
const e = stats(empty);
const ap = stats(appPage);
const ep = stats(emptyPage);
console.log(`| | runs | median ms | p95 ms | of which in the page (median) |`);
console.log(`|---|---|---|---|---|`);
console.log(`| Tend to its first customer row | ${RUNS} | ${a.median.toFixed(0)} | ${a.p95.toFixed(0)} | ${ap.median.toFixed(0)} |`);
console.log(`| empty Tauri 2 window to its page | ${RUNS} | ${e.median.toFixed(0)} | ${e.p95.toFixed(0)} | ${ep.median.toFixed(0)} |`);
console.log(`Tend / empty window: median ${(a.median / e.median).toFixed(2)}x, p95 ${(a.p95 / e.p95).toFixed(2)}x`);

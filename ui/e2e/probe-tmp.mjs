import { remote } from 'webdriverio';
const browser = await remote({ hostname: '127.0.0.1', port: 4444, logLevel: 'warn',
  capabilities: { 'tauri:options': { application: process.env.START_APP }, 'wdio:enforceWebDriverClassic': true } });
for (;;) {
  const ok = await browser.execute(() => document.querySelector('[data-testid="customer-row"]') !== null ? performance.now() : null);
  if (ok !== null) { console.log('row at', ok); break; }
  await new Promise(r => setTimeout(r, 5));
}
const out = await browser.execute(() => JSON.stringify({
  nav: performance.getEntriesByType('navigation').map(e => ({ds: e.domainLookupStart, rs: e.responseStart, re: e.responseEnd, dcl: e.domContentLoadedEventEnd, load: e.loadEventEnd})),
  res: performance.getEntriesByType('resource').map(e => [e.name.slice(-60), Math.round(e.startTime), Math.round(e.responseEnd)]),
  marks: performance.getEntriesByType('mark').map(e => [e.name, Math.round(e.startTime)]),
  paint: performance.getEntriesByType('paint').map(e => [e.name, Math.round(e.startTime)]),
}, null, 1));
console.log(out);
await browser.deleteSession();

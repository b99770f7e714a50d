import { remote } from 'webdriverio';
const b = await remote({ hostname: '127.0.0.1', port: 4450, logLevel: 'warn', capabilities: { 'tauri:options': { application: process.env.TEND_APP }, 'wdio:enforceWebDriverClassic': true } });
try {
  const $t = (id) => b.$(`[data-testid="${id}"]`);
  await (await $t('nav-pipeline')).waitForDisplayed({ timeout: 20000 });
  await (await $t('nav-pipeline')).click();
  await (await $t('pipeline-board')).waitForDisplayed({ timeout: 20000 });
  await b.pause(1500);
  await b.execute(() => {
    window.__ev = [];
    for (const t of ['mousedown', 'mousemove', 'mouseup', 'pointerdown', 'pointermove', 'pointerup']) {
      window.addEventListener(t, (e) => { if (window.__ev.length < 60) window.__ev.push(`${t} ${e.clientX},${e.clientY} btn=${e.buttons} tgt=${e.target?.className}`); }, true);
    }
  });
  const card = await (await $t('column-new')).$('[data-testid="deal-card"]');
  const to = await (await $t('column-contacted')).$('.cards');
  const a = await card.getLocation(); const sa = await card.getSize();
  const r = await b.execute((e) => JSON.stringify(e.getBoundingClientRect()), card);
  console.log('loc', a, sa, 'rect', r, 'scroll', await b.execute(() => [window.scrollX, window.scrollY]));
  const bl = await to.getLocation(); const sb = await to.getSize();
  const [x0, y0] = [Math.round(a.x + sa.width / 2), Math.round(a.y + 12)];
  const [x1, y1] = [Math.round(bl.x + sb.width / 2), Math.round(bl.y + 60)];
  const moves = [];
  for (let i = 1; i <= 12; i++) moves.push({ type: 'pointerMove', duration: 40, x: Math.round(x0 + ((x1 - x0) * i) / 12), y: Math.round(y0 + ((y1 - y0) * i) / 12) });
  await b.performActions([{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions: [
    { type: 'pointerMove', duration: 0, x: x0, y: y0 }, { type: 'pointerDown', button: 0 }, { type: 'pause', duration: 120 },
    { type: 'pointerMove', duration: 60, x: x0 + 8, y: y0 + 8 }, ...moves, { type: 'pause', duration: 200 }, { type: 'pointerUp', button: 0 } ] }]);
  await b.releaseActions();
  await b.pause(1000);
  console.log((await b.execute(() => window.__ev)).join('\n'));
  console.log('contacted count', await b.execute(() => document.querySelector('[data-testid="column-count-contacted"]')?.textContent));
  await b.saveScreenshot('/tmp/dbg/after.png');
} finally { await b.deleteSession(); }

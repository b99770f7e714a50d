// The owners' reports on the demo workspace (called by the tour): the dashboard in Vietnamese and
// English, its figures equal to the CLI's JSON of the same period, a number opened as the tickets
// behind it, the report exported as XLSX and read back, and the settings of complaint and return
// categories. Screenshots: tour-<lang>-reports*.png.

import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readSheet } from 'read-excel-file/node';
import { answerDialogs, helpers } from './helpers.mjs';

export async function reports(browser, { artifacts, step, cli, db, setLanguage }) {
  const { log, $t, shown, waitFor, textOf, screenshot, choose, noRawKeys } = helpers(browser, { artifacts, tag: 'reports', pause: 250 });
  /** "1.234", "1,234" or "56,7 %" as the number it shows (digits only: counts). */
  const count = (text) => Number(text.replace(/[^\d]/g, ''));
  const kpis = (from, to) => {
    const r = spawnSync(cli, ['--db', db, 'report', 'kpis', '--from', from, '--to', to, '--json'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tend report kpis: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  let period = { from: '', to: '' };
  let cliTickets = 0;

  async function openReports() {
    await (await shown('nav-reports')).click();
    await shown('report-body');
    await waitFor('the figures', async () => (await textOf('kpi-tickets-value')) !== '');
  }

  /** The period of the figures shown (the report's own dates, as the core normalised them). */
  async function shownPeriod() {
    const el = await $t('reports');
    return { from: (await el.getAttribute('data-from')) ?? '', to: (await el.getAttribute('data-to')) ?? '' };
  }

  await step('reports: the dashboard of this year on the demo, equal to the CLI (vi)', async () => {
    await openReports();
    const painted = await (await $t('reports')).getAttribute('data-painted-ms');
    log(`first paint of the dashboard: ${painted} ms after the screen opened`);
    await choose('report-preset', 'this_year');
    await waitFor('the year\'s report', async () => (await shownPeriod()).from.endsWith('-01-01'));
    period = await shownPeriod();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(period.from)) throw new Error(`the period's dates are not shown: ${JSON.stringify(period)}`);
    const j = kpis(period.from, period.to);
    cliTickets = j.tickets;
    if (cliTickets < 300) throw new Error(`the demo has ${cliTickets} tickets this year: too few for a report`);
    await waitFor('the year\'s tickets', async () => count(await textOf('kpi-tickets-value')) === j.tickets);
    const solved = count(await textOf('kpi-solved-value'));
    if (solved !== j.solved) throw new Error(`solved: the screen says ${solved}, the CLI ${j.solved}`);
    const csat = await textOf('kpi-csat-value');
    if (!csat.includes(String(j.csat.percent).replace('.', ','))) throw new Error(`CSAT: the screen says ${csat}, the CLI ${j.csat.percent}`);
    if ((await browser.$$('[data-testid="report-staff-row"]')).length === 0) throw new Error('no staff rows');
    await noRawKeys('reports (vi)');
    await screenshot('tour-vi-reports');
    for (const id of ['r-days', 'r-volume', 'r-sla', 'r-surveys', 'r-staff', 'r-sales']) {
      await browser.execute((h) => document.getElementById(h)?.scrollIntoView({ block: 'start' }), id);
      await screenshot(`tour-vi-reports-${id.slice(2)}`);
    }
  });

  await step('reports: a number opens the tickets behind it (vi)', async () => {
    await browser.execute(() => document.getElementById('r-summary')?.scrollIntoView({ block: 'start' }));
    const solved = count(await textOf('kpi-solved-value'));
    await (await shown('kpi-solved-value')).click();
    await shown('drill-banner');
    await waitFor('the solved tickets', async () => (await browser.$$('[data-testid="ticket-row"]')).length > 0);
    const total = await textOf('tickets-total');
    const [, , of] = total.match(/(\d[\d.,]*)\D+(\d[\d.,]*)/) ?? [];
    if (count(of ?? '') !== solved) throw new Error(`the list holds "${total}", the report counted ${solved}`);
    await noRawKeys('drill-down');
    await screenshot('tour-vi-reports-drill');
    await (await shown('drill-clear')).click();
    await shown('tickets-view-open');
  });

  await step('reports: exported as XLSX and read back (vi)', async () => {
    await openReports();
    await choose('report-preset', 'this_year');
    await waitFor('the year again', async () => count(await textOf('kpi-tickets-value')) === cliTickets);
    const dest = join(artifacts, 'tour-report.xlsx');
    answerDialogs(dest);
    await (await shown('report-export-xlsx')).click();
    await shown('report-exported', 60000);
    const rows = await readSheet(dest, 'Tổng quan');
    const row = rows.find((r) => r[0] === 'Phiếu mới');
    if (!row) throw new Error(`no "Phiếu mới" row in the summary sheet: ${JSON.stringify(rows.slice(0, 4))}`);
    if (Number(row[1]) !== cliTickets) throw new Error(`the XLSX says ${row[1]} tickets, the CLI ${cliTickets}`);
    log(`XLSX read back: ${rows.length} rows in the summary, ${row[1]} tickets`);
  });

  await step('reports: the complaint and return categories in Settings (vi)', async () => {
    await (await shown('nav-settings')).click();
    await shown('report-settings');
    await browser.execute(() => document.querySelector('[data-testid="report-settings"]')?.scrollIntoView({ block: 'start' }));
    const text = await textOf('report-settings');
    if (!text.includes('Khiếu nại') || !text.includes('Đổi trả')) throw new Error(`the demo's categories are not shown: ${text}`);
    await noRawKeys('report settings');
    await screenshot('tour-vi-settings-reports');
  });

  await step('reports: the dashboard in English', async () => {
    await setLanguage('en');
    await openReports();
    await choose('report-preset', 'this_year');
    await waitFor('the year\'s tickets', async () => count(await textOf('kpi-tickets-value')) === cliTickets);
    const head = await textOf('report-body');
    for (const word of ['First response', 'Tickets by channel', 'By staff', 'Care and sales']) {
      if (!head.includes(word)) throw new Error(`"${word}" is not on the English dashboard`);
    }
    await noRawKeys('reports (en)');
    await screenshot('tour-en-reports');
    await browser.execute(() => document.getElementById('r-volume')?.scrollIntoView({ block: 'start' }));
    await screenshot('tour-en-reports-volume');
    await setLanguage('vi');
  });
}

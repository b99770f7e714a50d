// The owners' reports on the demo workspace (called by the tour): the dashboard in Vietnamese and
// English, its figures equal to the CLI's JSON of the same period, a number opened as the tickets
// behind it (tickets, care tasks, deals), the report exported as XLSX and read back, the settings
// of complaint and return categories, and a ticket history imported from a spreadsheet counted by
// the report (and taken out again by undoing the import). Screenshots: tour-<lang>-reports*.png.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readSheet } from 'read-excel-file/node';
import { answerDialogs, helpers } from './helpers.mjs';

export async function reports(browser, { artifacts, step, cli, db, setLanguage }) {
  const { log, $t, $$t, shown, waitFor, textOf, screenshot, choose, noRawKeys } = helpers(browser, { artifacts, tag: 'reports', pause: 250 });
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
    // the print layout: the page's own print rules applied to the screen (the driver cannot
    // print), seen and checked: no sidebar or toolbar, each section ending its page
    const printed = await browser.execute(() => {
      const rules = [];
      for (const sheet of document.styleSheets) {
        for (const r of sheet.cssRules) {
          if (r instanceof CSSMediaRule && r.media.mediaText.includes('print')) for (const x of r.cssRules) rules.push(x.cssText);
        }
      }
      const style = document.createElement('style');
      style.id = 'e2e-print';
      style.textContent = rules.join('\n');
      document.head.append(style);
      const shown = (el) => el && getComputedStyle(el).display !== 'none';
      const sheets = [...document.querySelectorAll('.sheet')];
      return {
        rules: rules.length,
        sidebar: shown(document.querySelector('nav.sidebar')),
        toolbar: shown(document.querySelector('.toolbar')),
        sections: sheets.length,
        breaks: sheets.slice(0, -1).filter((el) => getComputedStyle(el).breakAfter === 'page').length
      };
    });
    if (printed.rules === 0 || printed.sidebar || printed.toolbar || printed.sections < 6 || printed.breaks !== printed.sections - 1) {
      throw new Error(`the print layout: ${JSON.stringify(printed)}`);
    }
    await browser.execute(() => document.getElementById('r-summary')?.scrollIntoView({ block: 'start' }));
    await screenshot('tour-vi-reports-print');
    await browser.execute(() => document.getElementById('e2e-print')?.remove());
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

  /** The report of this year, scrolled to a section. */
  async function yearAt(section) {
    await openReports();
    await choose('report-preset', 'this_year');
    await waitFor('the year again', async () => count(await textOf('kpi-tickets-value')) === cliTickets);
    await browser.execute((h) => document.getElementById(h)?.scrollIntoView({ block: 'start' }), section);
  }

  await step('reports: care and sales figures open the very tasks and deals behind them (vi)', async () => {
    await yearAt('r-sales');
    const due = Number(await (await $t('kpi-care-due')).getAttribute('data-count'));
    if (!(due > 0)) throw new Error(`the demo has ${due} care tasks due this year`);
    await (await shown('kpi-care-due')).click();
    await shown('drill-banner');
    // the first page of them (500), and the total said when there are more
    await waitFor(`${due} tasks due`, async () => (await $$t('care-task')).length === Math.min(due, 500));
    if (due > 500) {
      const said = Number(await (await shown('care-drill-capped')).getAttribute('data-count'));
      if (said !== due) throw new Error(`the list says ${said} in all, the report ${due}`);
    }
    await noRawKeys('care drill-down');
    await screenshot('tour-vi-reports-drill-care');
    await (await shown('drill-clear')).click();
    await shown('care-view-agenda');

    await yearAt('r-sales');
    const won = Number(await (await $t('kpi-won')).getAttribute('data-count'));
    await (await shown('kpi-won')).click();
    await shown('drill-banner');
    if (won > 0) await waitFor(`${won} deals won`, async () => (await $$t('deal-row')).length === won);
    else await shown('pipeline-empty');
    log(`this year: ${due} care tasks due, ${won} deals won, each opened as its list`);
    await noRawKeys('deals drill-down');
    await screenshot('tour-vi-reports-drill-deals');
    await (await shown('drill-clear')).click();
    await shown('view-board');
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

  await step('reports: a ticket history from a spreadsheet: a bad row refuses it, a good one counts, undo takes it out (vi)', async () => {
    const year = period.from.slice(0, 4);
    const head = 'Mã phiếu,Tiêu đề,SĐT,Khách hàng,Kênh,Ngày tạo,Phản hồi đầu,Ngày giải quyết,CSAT';
    const good = [
      `NK-1,Máy giặt kêu to,0911 222 331,Chị Thu,Điện thoại,${year}-03-02 09:00,${year}-03-02 09:40,${year}-03-02 15:00,5`,
      `NK-2,Hỏi bảo hành,0911 222 332,Anh Phúc,Zalo,${year}-03-03 10:00,${year}-03-03 10:05,${year}-03-04 11:00,4`,
      `NK-3,Đổi hàng,0911 222 333,Chị Mai,Website,${year}-03-05 14:00,,,`
    ];
    const file = join(artifacts, 'tour-lich-su-phieu.csv');
    writeFileSync(file, [head, ...good, `NK-4,Ngày lạ,0911 222 334,Chị Lan,Email,31/02/${year} 09:00,,,`].join('\n') + '\n');
    await (await shown('nav-customers')).click();
    await (await shown('open-import')).click();
    await (await shown('entity-tickets')).click();
    answerDialogs(file);
    await (await shown('import-browse')).click();
    await shown('import-preview');
    await waitFor('the bad date shown at its cell', async () => (await $$t('cell-problem')).length === 1);
    const bad = await textOf('cell-problem');
    if (!bad.includes(`31/02/${year}`)) throw new Error(`the bad cell reads "${bad}"`);
    await noRawKeys('tickets import preview');
    await browser.execute(() => document.querySelector('[data-testid="import-preview"]')?.scrollIntoView({ block: 'start' }));
    await screenshot('tour-vi-import-tickets-preview');
    // the whole file is refused, naming the row and the column
    await (await shown('import-start')).click();
    await waitFor('the refusal', async () => (await textOf('form-errors')).includes('Ngày tạo'), 30000);
    const refused = await textOf('form-errors');
    if (!refused.includes('5')) throw new Error(`the refusal does not name row 5: "${refused}"`);
    if (kpis(period.from, period.to).tickets !== cliTickets) throw new Error('a refused file wrote tickets');
    await screenshot('tour-vi-import-tickets-refused');
    // without the bad row: three tickets of March, counted by the report
    writeFileSync(file, [head, ...good].join('\n') + '\n');
    answerDialogs(file);
    await (await shown('import-browse')).click();
    await waitFor('a clean preview', async () => (await $$t('cell-problem')).length === 0 && (await $$t('import-start')).length === 1);
    await (await shown('import-start')).click();
    await shown('import-report', 60000);
    const added = await textOf('report-imported');
    if (!/^3\b/.test(added.trim())) throw new Error(`report: "${added}"`);
    await shown('to-tickets');
    await noRawKeys('tickets import report');
    await screenshot('tour-vi-import-tickets-report');
    const after = kpis(period.from, period.to).tickets;
    if (after !== cliTickets + 3) throw new Error(`the CLI counts ${after} tickets after the import, ${cliTickets} before`);
    await openReports();
    await choose('report-preset', 'this_year');
    await waitFor('the imported tickets counted', async () => count(await textOf('kpi-tickets-value')) === cliTickets + 3);
    // undone from the import history: the report is as before
    await (await shown('nav-customers')).click();
    await (await shown('open-import')).click();
    await shown('import-history');
    await (await browser.$('[data-testid="import-history"] .link-btn')).click();
    await (await shown('confirm-ok')).click();
    await waitFor('the import marked undone', () =>
      browser.execute(() => document.querySelector('[data-testid="import-history"] tr')?.querySelector('.badge') != null)
    );
    if (kpis(period.from, period.to).tickets !== cliTickets) throw new Error('the undone import still counts');
    await openReports();
    await choose('report-preset', 'this_year');
    await waitFor('the year as before', async () => count(await textOf('kpi-tickets-value')) === cliTickets);
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

// A tour of every screen on a workspace full of realistic data (the demo: Vietnamese persons and
// companies with contacts, tags, stages, owners, interactions and purchases), in Vietnamese and once
// in English. Each stop asserts the screen shows what it should and saves a screenshot
// (tour-<lang>-<screen>.png) so a person can look at them. Writes go to a copy of the workspace.

import { join } from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { answerDialogs, helpers, TIMEOUT } from './helpers.mjs';
import { reports } from './reports.mjs';

export async function tour(browser, { artifacts, step, cli = null, db = null }) {
  const h = helpers(browser, { artifacts, tag: 'tour', pause: 250 });
  const { log, $t, $$t, shown, waitFor, domText, textOf, screenshot, choose, noRawKeys } = h;

  /** Types into an input; the list search then waits for its rows. */
  async function typeInto(id, text, expected = text) {
    await h.typeInto(id, text, expected);
    if (id === 'customer-search') await listSettled();
  }

  async function setLanguage(lang) {
    await (await shown('nav-settings')).click();
    await (await shown(`lang-${lang}`)).click();
    await waitFor(`the UI in ${lang}`, async () => (await browser.execute(() => document.documentElement.lang)) === lang);
  }

  async function toList() {
    await (await shown('nav-customers')).click();
    await shown('customer-search');
  }

  /**
   * Opens a list row's 360. The list re-renders its rows when it comes back from a 360 (the page is
   * fetched again), and a click that lands on a row being replaced is lost: click again until the 360
   * opens, then fail with the reason.
   */
  async function openRow(id) {
    const opened = async () => (await $t('customer-name')).isExisting() && (await browser.getUrl()).includes(id);
    for (let attempt = 1; ; attempt++) {
      await listSettled();
      const row = await browser.$(`[data-testid="customer-row"][data-id="${id}"]`);
      await row.waitForClickable({ timeout: TIMEOUT });
      await row.click();
      try {
        await waitFor(`the 360 of ${id}`, opened, 4000);
        return;
      } catch (e) {
        if (attempt === 3 || (await opened())) throw e;
        log(`the click on row ${id} did not open it; again (${attempt})`);
      }
    }
  }

  /** The list shows the rows of its current filter (no debounce or first page pending). */
  async function listSettled() {
    await waitFor('the list to settle', async () => (await (await $t('customer-list')).getAttribute('aria-busy')) === 'false');
  }

  async function rowCount() {
    return (await $$t('customer-row')).length;
  }

  /** The list's total as a number ("3.000 khách hàng", "500+ results"). */
  async function listTotal() {
    const t = await textOf('customer-total');
    return Number(t.replace(/[^\d]/g, ''));
  }

  let companyUrl = '';
  let companyName = '';
  let companyPhone = '';

  await step('tour: the app opens on the demo workspace', async () => {
    await shown('today', 60000);
    await setLanguage('vi');
    // work as the first staff member, so changes carry a name
    const staff = await browser.execute(() => {
      const s = document.querySelector('[data-testid="current-staff"]');
      return s ? [...s.options].map((o) => o.value).filter((v) => v)[0] ?? '' : '';
    });
    if (!staff) throw new Error('the demo workspace has no staff');
    await choose('current-staff', staff);
    await waitFor('the current user badge', async () => (await browser.$$('.badge.you')).length === 1);
    await toList();
    await waitFor('rows in the list', async () => (await rowCount()) > 0);
  });

  await step('tour: customer list (vi)', async () => {
    await (await shown('clear-filters', 1000).catch(() => null))?.click();
    await waitFor('rows in the list', async () => (await rowCount()) > 10);
    const total = await listTotal();
    if (!(total > 10)) throw new Error(`the list total reads "${await textOf('customer-total')}"`);
    const first = await domText((await $$t('customer-row'))[0]);
    if (first.length < 5) throw new Error(`the first row reads "${first}"`);
    await noRawKeys('customer list');
    await screenshot('tour-vi-list');
  });

  await step('tour: customer list with a filter (vi)', async () => {
    const before = await listTotal();
    const stage = await browser.execute(() => {
      const s = document.querySelector('[data-testid="filter-stage"]');
      return s && s.options.length > 1 ? s.options[1].value : '';
    });
    if (!stage) throw new Error('no stage to filter by');
    await choose('filter-stage', stage);
    await typeInto('customer-search', 'cong ty');
    await waitFor('a filtered list', async () => {
      const n = await rowCount();
      if (n === 0) return false;
      return (await listTotal()) < before;
    });
    await shown('clear-filters');
    await noRawKeys('filtered list');
    await screenshot('tour-vi-list-filtered');
    // a text query alone finds many: the total says when it was capped
    await choose('filter-stage', '');
    await typeInto('customer-search', 'vn');
    await waitFor('a capped result count', async () => (await textOf('customer-total')).includes('+'));
    await screenshot('tour-vi-list-capped');
  });

  await step('tour: a company 360 with contacts (vi)', async () => {
    await choose('filter-stage', '');
    await typeInto('customer-search', 'cong ty');
    await waitFor('companies', async () => {
      const rows = await $$t('customer-row');
      return rows.length > 0 && (await domText(rows[0])).includes('Công ty');
    });
    // the first company with contacts among the first rows
    const ids = await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="customer-row"]')].slice(0, 12).map((e) => e.getAttribute('data-id'))
    );
    let found = false;
    for (const id of ids) {
      await toList(); // the list keeps its search
      await openRow(id);
      await shown('profile-view');
      if ((await $$t('contact-row')).length === 0) continue;
      // and with interactions on its timeline
      await (await shown('tab-timeline')).click();
      await shown('timeline');
      await browser.pause(400);
      const interactions = (await $$t('timeline-interaction')).length;
      await (await shown('tab-profile')).click();
      await shown('profile-view');
      if (interactions > 0) {
        found = true;
        break;
      }
    }
    if (!found) throw new Error('no company with contacts and interactions among the first rows for "cong ty"');
    companyUrl = await browser.getUrl();
    companyName = await textOf('customer-name');
    companyPhone = (await textOf('profile-phones')).match(/0\d{2,3} \d{3,4} \d{3,4}/)?.[0] ?? '';
    if (!companyPhone) throw new Error(`the company has no phone shown: "${await textOf('profile-phones')}"`);
    await noRawKeys('company 360');
    await screenshot('tour-vi-360-profile');
  });

  await step('tour: edit the company, so its timeline has a change group (vi)', async () => {
    await (await shown('edit-profile')).click();
    await shown('profile-form');
    const stages = await browser.execute(() => {
      const s = document.querySelector('[data-testid="field-stage_id"]');
      return s ? { now: s.value, all: [...s.options].map((o) => o.value).filter((v) => v) } : null;
    });
    const other = stages.all.find((v) => v !== stages.now);
    await choose('field-stage_id', other);
    await typeInto('field-notes', 'Khách hẹn gặp lại sau Tết; cần báo giá chi tiết cho 3 chi nhánh.');
    await (await $t('save')).click();
    await shown('profile-view');
  });

  await step('tour: log-interaction form (vi)', async () => {
    await (await shown('tab-timeline')).click();
    // Esc closes the form, as it closes dialogs
    await (await shown('log-interaction')).click();
    await shown('interaction-form');
    await browser.keys(['Escape']);
    await waitFor('Esc to close the form', async () => !(await (await $t('interaction-form')).isExisting()));
    await (await shown('log-interaction')).click();
    await shown('interaction-form');
    const when = await (await $t('ix-occurred_at')).getValue();
    if (!/^\d{2}\/\d{2}\/\d{4}$/.test(when)) throw new Error(`the date reads "${when}", not dd/mm/yyyy`);
    await choose('ix-kind', 'purchase');
    await (await shown('ix-add-item')).click();
    await typeInto('ix-item-name-0', 'Bàn làm việc gỗ sồi');
    await typeInto('ix-item-qty-0', '3');
    await typeInto('ix-item-price-0', '1250000', '1.250.000');
    await (await shown('ix-add-item')).click();
    await typeInto('ix-item-name-1', 'Ghế xoay lưng lưới');
    await typeInto('ix-item-qty-1', '6');
    await typeInto('ix-item-price-1', '890000', '890.000');
    await typeInto('ix-summary', 'Đơn hàng nội thất văn phòng tháng này');
    await noRawKeys('interaction form');
    await screenshot('tour-vi-interaction-form');
    await (await $t('ix-save')).click();
    await waitFor('the form to close', async () => !(await (await $t('interaction-form')).isExisting()));
  });

  await step('tour: timeline with interactions, a purchase and change groups (vi)', async () => {
    await waitFor('timeline entries', async () => (await $$t('timeline-interaction')).length > 0 && (await $$t('timeline-change')).length > 0);
    const text = await textOf('timeline');
    if (!text.includes('9.090.000 ₫')) throw new Error(`the purchase total is not shown as 9.090.000 ₫: "${text}"`);
    if (!/giai đoạn/i.test(text)) throw new Error('the stage change is not in the timeline');
    await noRawKeys('timeline');
    await screenshot('tour-vi-360-timeline');
  });

  await step('tour: history tab (vi)', async () => {
    await (await shown('tab-history')).click();
    await shown('history-table');
    const rows = await $$t('history-row');
    if (rows.length === 0) throw new Error('no history rows');
    await noRawKeys('history');
    await screenshot('tour-vi-360-history');
  });

  await step('tour: new customer form with a duplicate warning (vi)', async () => {
    await toList();
    await (await shown('new-customer')).click();
    await typeInto('field-family_name', 'Nguyễn');
    await typeInto('field-middle_name', 'Thị Thanh');
    await typeInto('field-given_name', 'Hương');
    await typeInto('field-phone-0', companyPhone);
    await shown('duplicate-banner');
    const text = await textOf('duplicate-banner');
    if (!text.includes(companyName)) throw new Error(`the duplicate warning does not name ${companyName}: "${text}"`);
    await noRawKeys('new customer');
    await screenshot('tour-vi-new-duplicate');
    // the birthday reads and shows day first, whatever WebKit's locale
    await typeInto('field-birthday', '15/3/85');
    await (await $t('field-notes')).click();
    const birthday = await (await $t('field-birthday')).getValue();
    if (birthday !== '15/03/1985') throw new Error(`the birthday shows "${birthday}" after typing 15/3/85`);
    await browser.execute(() => document.querySelector('[data-testid="field-birthday"]')?.scrollIntoView({ block: 'center' }));
    await screenshot('tour-vi-new-birthday');
    await (await shown('cancel')).click();
  });

  await step('tour: trash (vi)', async () => {
    // put one customer in the trash: the first person of the list
    await toList();
    await (await shown('clear-filters', 2000).catch(() => null))?.click();
    await typeInto('customer-search', 'tran');
    await waitFor('rows', async () => (await rowCount()) > 0);
    await openRow(await (await $$t('customer-row'))[0].getAttribute('data-id'));
    await (await shown('trash-customer')).click();
    await (await shown('nav-trash')).click();
    await waitFor('trash rows', async () => (await $$t('trash-row')).length > 0);
    await noRawKeys('trash');
    await screenshot('tour-vi-trash');
  });

  await step('tour: settings (vi)', async () => {
    await (await shown('nav-settings')).click();
    await shown('current-staff');
    const staff = await $$t('staff-row');
    if (staff.length === 0) throw new Error('no staff rows');
    if ((await $$t('field-row')).length === 0) throw new Error('no custom field rows');
    if ((await $$t('stage-row')).length === 0) throw new Error('no stage rows');
    await noRawKeys('settings');
    await screenshot('tour-vi-settings');
    await browser.execute(() => {
      const page = document.querySelector('.settings');
      if (page) page.scrollTop = page.scrollHeight;
    });
    await screenshot('tour-vi-settings-2');
  });

  await step('tour: Ctrl+K palette with results (vi)', async () => {
    await toList();
    await browser.keys(['Control', 'k']);
    await typeInto('palette-input', 'nguyen van');
    await waitFor('palette hits', async () => (await $$t('palette-row')).length > 0);
    await screenshot('tour-vi-palette');
    await browser.keys(['Escape']);
    await waitFor('the palette to close', async () => !(await (await $t('palette')).isExisting()));
  });

  await step('tour: export dialog and backups (vi)', async () => {
    await toList();
    await (await shown('open-export')).click();
    await shown('export-dialog');
    await (await shown('export-xlsx')).click();
    const dest = join(artifacts, 'tour-export.xlsx');
    answerDialogs(dest);
    await (await shown('export-choose')).click();
    await waitFor('the chosen file', async () => (await (await $t('export-path')).getValue()) === dest);
    await noRawKeys('export dialog');
    await screenshot('tour-vi-export');
    await (await shown('export-run')).click();
    const done = await textOf('export-done');
    if (!done.includes('tour-export.xlsx')) throw new Error(`export says "${done}"`);
    await browser.keys(['Escape']);
    await (await shown('nav-settings')).click();
    await (await shown('backup-now')).click();
    await shown('backup-made', 60000);
    await waitFor('the backup listed', async () => (await browser.$$('[data-testid="backup-list"] tbody tr')).length > 0);
    await (await shown('workspace-check')).click();
    await shown('check-result', 60000);
    await browser.execute(() => document.querySelector('[data-testid="backup-settings"]')?.scrollIntoView({ block: 'start' }));
    await noRawKeys('backups');
    await screenshot('tour-vi-backups');
    // the whole workspace to one archive; importing it here is refused (this one has data)
    const archive = join(artifacts, 'tour-archive.zip');
    answerDialogs(archive);
    await (await shown('archive-export')).click();
    await shown('archive-done', 60000);
    await (await shown('archive-import')).click();
    const refusal = await browser.$('[data-testid="archive-settings"] [data-testid="form-errors"]');
    await refusal.waitForDisplayed({ timeout: TIMEOUT });
    if (!/trống|empty/.test(await domText(refusal))) throw new Error(`archive import refusal reads "${await domText(refusal)}"`);
    await browser.execute(() => document.querySelector('[data-testid="archive-settings"]')?.scrollIntoView({ block: 'start' }));
    await noRawKeys('archive');
    await screenshot('tour-vi-archive');
  });

  await step('tour: a company\'s interactions exported, then imported back with a bad row (vi)', async () => {
    await toList();
    await typeInto('customer-search', companyName);
    await waitFor('the company row', async () => (await rowCount()) > 0);
    await (await shown('open-export')).click();
    await shown('export-dialog');
    await (await shown('export-what-interactions')).click();
    await (await shown('export-csv')).click();
    const dest = join(artifacts, 'tour-interactions.csv');
    answerDialogs(dest);
    await (await shown('export-choose')).click();
    await waitFor('the chosen file', async () => (await (await $t('export-path')).getValue()) === dest);
    await noRawKeys('export dialog (interactions)');
    await screenshot('tour-vi-export-interactions');
    await (await shown('export-run')).click();
    const done = await textOf('export-done');
    if (!done.includes('tour-interactions.csv')) throw new Error(`export says "${done}"`);
    await browser.keys(['Escape']);
    // a row naming no customer goes first, so the preview shows it
    const [head, ...rest] = readFileSync(dest, 'utf8').split('\n');
    const bad = 'KH-KHONG-CO,,,,20/11/2026 10:00:00,Ghi chú,Khác,Nội bộ,Không ai có mã này,,,,,,,';
    writeFileSync(dest, [head, bad, ...rest].join('\n'));
    await (await shown('open-import')).click();
    await (await shown('entity-interactions')).click();
    answerDialogs(dest);
    await (await shown('import-browse')).click();
    await shown('import-preview');
    await waitFor('rows linked to the company', async () => (await $$t('preview-customer')).length > 0);
    const linked = await textOf('preview-customer');
    if (!linked.trim().startsWith('→ ')) throw new Error(`preview links to "${linked}"`);
    await shown('cell-problem');
    await noRawKeys('interactions import preview');
    await browser.execute(() => document.querySelector('[data-testid="import-preview"]')?.scrollIntoView({ block: 'start' }));
    await screenshot('tour-vi-import-interactions');
    await (await shown('import-start')).click();
    await shown('import-report', 60000);
    // every exported entry is already there: nothing is added twice
    const added = await textOf('report-imported');
    if (!/^0\b/.test(added.trim())) throw new Error(`report: "${added}"`);
    const failed = await textOf('report-failed-rows');
    if (!failed.includes('KH-KHONG-CO')) throw new Error(`rejected rows: "${failed.slice(0, 300)}"`);
    await noRawKeys('interactions import report');
    await screenshot('tour-vi-import-interactions-report');
  });

  await step('tour: a point-of-sale file, one order on two rows, imported as one purchase (vi)', async () => {
    await toList();
    // the company's code, phone and email as the export wrote them (the first four cells of its
    // first entry, below the bad row the step before put on top)
    const first = readFileSync(join(artifacts, 'tour-interactions.csv'), 'utf8').split('\n')[2];
    const cells = [...first.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => m[1]);
    const [code, , phone, email] = cells;
    const pos = join(artifacts, 'tour-pos.csv');
    writeFileSync(pos, [
      'Mã hóa đơn,Thời gian,Mã KH,SĐT khách,Email,Tên hàng,Số lượng,Đơn giá',
      `HD-TOUR-1,21/11/2026 09:15,${code},${phone},${email},Cà phê hạt 500g,2,185.000`,
      `HD-TOUR-1,21/11/2026 09:15,${code},${phone},${email},Phin nhôm,1,45.000`,
    ].join('\n') + '\n');
    await (await shown('open-import')).click();
    await (await shown('entity-interactions')).click();
    answerDialogs(pos);
    await (await shown('import-browse')).click();
    await shown('import-preview');
    await waitFor('rows linked to the company', async () => (await $$t('preview-customer')).length === 2);
    await (await shown('import-start')).click();
    await shown('import-report', 60000);
    const added = await textOf('report-imported');
    if (!/^1\b/.test(added.trim())) throw new Error(`report: "${added}"`);
    const orders = await textOf('report-orders');
    if (!/^1\b/.test(orders.trim())) throw new Error(`orders: "${orders}"`);
    await noRawKeys('point-of-sale import report');
    await screenshot('tour-vi-import-pos-report');
  });

  await step('tour: duplicates, a merge and its undo (vi)', async () => {
    await (await shown('nav-duplicates')).click();
    await waitFor('duplicate pairs', async () => (await $$t('dup-pair')).length > 0, 60000);
    const before = (await $$t('dup-pair')).length;
    await noRawKeys('duplicates');
    await screenshot('tour-vi-duplicates');
    await (await shown('dup-merge')).click();
    await shown('merge-panel');
    await noRawKeys('merge panel');
    await screenshot('tour-vi-merge');
    await (await shown('merge-run')).click();
    await shown('merge-result');
    await waitFor('one pair fewer', async () => (await $$t('dup-pair')).length < before);
    await (await shown('merge-undo')).click();
    await waitFor('the pair back', async () => (await $$t('dup-pair')).length === before);
    await screenshot('tour-vi-merge-undone');
  });

  /** The number in a count text ("1.234 khách hàng", "12 customers"). */
  async function countIn(id) {
    const t = await textOf(id);
    const m = t.match(/(\d[\d.,]*)/);
    if (!m) throw new Error(`${id}: no number in "${t}"`);
    return Number(m[1].replace(/[.,]/g, ''));
  }
  /** Sets the last condition of the editor: its field, op and value. */
  async function lastCondition(field, op, value) {
    const conds = async () => await $$t('rule-condition');
    const at = async () => (await conds())[(await conds()).length - 1];
    const pick = async (el, v) =>
      browser.execute(
        (e, x) => {
          e.value = x;
          e.dispatchEvent(new Event('change', { bubbles: true }));
        },
        el,
        v
      );
    await pick(await (await at()).$('[data-testid="rule-field"]'), field);
    await pick(await (await at()).$('[data-testid="rule-op"]'), op);
    if (value !== undefined) {
      const input = await (await at()).$('[data-testid="rule-value"]');
      await browser.execute(
        (e, v) => {
          e.value = v;
          e.dispatchEvent(new Event('input', { bubbles: true }));
          e.dispatchEvent(new Event('change', { bubbles: true }));
        },
        input,
        value
      );
    }
  }
  async function countSettled() {
    await waitFor('the live count', async () => (await (await $t('segment-count')).getAttribute('aria-busy')) === 'false');
    await browser.pause(400); // the count is asked 250 ms after the last edit
    await waitFor('the live count', async () => (await (await $t('segment-count')).getAttribute('aria-busy')) === 'false');
  }

  let segmentCount = 0;
  await step('tour: a segment built from rules, counted live as it is edited (vi)', async () => {
    await (await shown('nav-segments')).click();
    await shown('new-segment');
    await noRawKeys('segments (empty)');
    await screenshot('tour-vi-segments-empty');
    await (await shown('new-segment')).click();
    await typeInto('segment-name', 'Khách Hà Nội chi nhiều');
    await countSettled();
    const everyone = await countIn('segment-count');
    await (await shown('add-condition')).click();
    await lastCondition('province', 'eq', 'ha noi');
    await countSettled();
    const hanoi = await countIn('segment-count');
    if (!(hanoi > 0 && hanoi < everyone)) throw new Error(`Hà Nội: ${hanoi} of ${everyone}`);
    await (await shown('add-condition')).click();
    await lastCondition('purchase_total', 'gte');
    const money = await (await (await $$t('rule-condition'))[1]).$('[data-testid="rule-value"]');
    await money.click();
    await money.addValue('2000000');
    await countSettled();
    segmentCount = await countIn('segment-count');
    if (!(segmentCount > 0 && segmentCount < hanoi)) throw new Error(`spending: ${segmentCount} of ${hanoi}`);
    const members = await $$t('segment-member');
    if (members.length !== Math.min(50, segmentCount)) throw new Error(`${members.length} members listed of ${segmentCount}`);
    // a nested "any of" group
    await (await shown('add-group')).click();
    await waitFor('the nested group', async () => (await $$t('rule-group')).length === 2);
    await countSettled();
    await noRawKeys('segment editor');
    await screenshot('tour-vi-segment-editor');
    // the nested group holds one condition on the first field; remove it, then save
    await (await (await $$t('remove-group'))[0]).click();
    await countSettled();
    if ((await countIn('segment-count')) !== segmentCount) throw new Error('the count changed after removing the empty group');
    await (await shown('segment-save')).click();
    await shown('segment-saved');
    await waitFor('the segment in the list', async () => (await $$t('segment-item')).length === 1);
  });

  await step('tour: the customer list filtered by the segment (vi)', async () => {
    await (await shown('segment-show')).click();
    await shown('customer-search');
    await listSettled();
    await waitFor('the segment total', async () => (await countIn('customer-total')) === segmentCount);
    const chosen = await browser.execute(() => document.querySelector('[data-testid="filter-segment"]')?.value ?? '');
    if (!chosen) throw new Error('the segment filter is not shown as chosen');
    await screenshot('tour-vi-list-segment');
    await (await shown('clear-filters')).click();
    await listSettled();
  });

  await step('tour: a ready-made segment and a static list (vi)', async () => {
    await (await shown('nav-segments')).click();
    await choose('segment-preset', 'vip');
    await waitFor('the preset saved', async () => (await $$t('segment-item')).length === 2);
    await countSettled();
    if ((await countIn('segment-count')) <= 0) throw new Error('no VIP customers in the demo');
    await (await shown('new-static')).click();
    await typeInto('segment-name', 'Hội chợ tháng 12');
    await (await shown('segment-save')).click();
    await shown('segment-saved');
    await typeInto('member-search', 'nguyen');
    await waitFor('customers found', async () => (await $$t('add-member')).length > 0);
    await (await (await $$t('add-member'))[0]).click();
    await waitFor('a member', async () => (await $$t('segment-member')).length === 1);
    await noRawKeys('static list');
    await screenshot('tour-vi-static-list');
  });

  await step('tour: bulk actions on a selection and on every customer a filter selects (vi)', async () => {
    await toList();
    const province = await browser.execute(() => {
      const s = document.querySelector('[data-testid="filter-province"]');
      return s && s.options.length > 1 ? s.options[1].value : '';
    });
    if (!province) throw new Error('no province to filter by');
    await choose('filter-province', province);
    await listSettled();
    await waitFor('rows of the province', async () => (await rowCount()) > 2);
    const inProvince = await listTotal();
    const rows = await $$t('customer-row');
    const picked = [await rows[0].getAttribute('data-id'), await rows[1].getAttribute('data-id')];
    for (const id of picked) {
      await (await browser.$(`[data-testid="customer-row"][data-id="${id}"] [data-testid="row-pick"]`)).click();
    }
    await waitFor('two picked', async () => /\b2\b/.test(await textOf('bulk-count')));
    if ((await browser.getUrl()).includes('/customer/')) throw new Error('ticking a row opened the customer');
    await noRawKeys('bulk bar');
    await screenshot('tour-vi-bulk-bar');
    await (await shown('bulk-add_tag')).click();
    await typeInto('bulk-value', 'Khách hội chợ');
    await screenshot('tour-vi-bulk-dialog');
    await (await shown('bulk-apply')).click();
    const done = await textOf('bulk-done');
    if (!/2/.test(done)) throw new Error(`the bulk tag reports "${done}"`);
    await (await shown('bulk-close')).click();
    await waitFor('the selection cleared', async () => !(await (await $t('bulk-bar')).isExisting()));
    for (const id of picked) {
      // a row shows two tags and "+N"; its tags cell holds them all as its title
      await waitFor(`the tag on ${id}`, async () =>
        ((await browser.execute((i) => document.querySelector(`[data-testid="customer-row"][data-id="${i}"] .tags`)?.getAttribute('title') ?? '', id)) ?? '').includes('Khách hội chợ')
      );
    }
    // every customer of the province, onto the static list made above
    await (await shown('select-all')).click();
    await waitFor('all matching', async () => Number((await textOf('bulk-count')).replace(/[^\d]/g, '')) === inProvince);
    await (await shown('bulk-add_to_list')).click();
    const offered = () =>
      browser.execute(() => {
        const s = document.querySelector('[data-testid="bulk-value"]');
        return s ? [...s.options].find((o) => o.textContent.includes('Hội chợ tháng 12'))?.value ?? '' : '';
      });
    await waitFor('the static list offered', async () => (await offered()) !== '');
    const list = await offered();
    await choose('bulk-value', list);
    await screenshot('tour-vi-bulk-list');
    await (await shown('bulk-apply')).click();
    const added = Number((await textOf('bulk-done')).replace(/[^\d]/g, ' ').trim().split(/\s+/)[0]);
    if (!(added >= inProvince - 1)) throw new Error(`only ${added} of ${inProvince} added to the list`);
    await (await shown('bulk-close')).click();
    await choose('filter-province', '');
    await choose('filter-segment', list);
    await listSettled();
    await waitFor('the list holds the province', async () => (await listTotal()) >= inProvince);
    await (await shown('clear-filters')).click();
    await listSettled();
  });

  await step('tour: a trade-fair file imported onto the static list (vi)', async () => {
    await toList();
    const fair = join(artifacts, 'tour-hoi-cho.csv');
    writeFileSync(fair, ['Họ tên,Điện thoại,Tỉnh thành', 'Khách Hội Chợ Một,0911 222 301,Hà Nội', 'Khách Hội Chợ Hai,0911 222 302,Huế'].join('\n') + '\n');
    await (await shown('open-import')).click();
    await (await shown('entity-customers')).click();
    answerDialogs(fair);
    await (await shown('import-browse')).click();
    await shown('import-preview');
    const list = await browser.execute(() => {
      const s = document.querySelector('[data-testid="import-list"]');
      return s ? [...s.options].find((o) => o.textContent.includes('Hội chợ tháng 12'))?.value ?? '' : '';
    });
    if (!list) throw new Error('the import does not offer the static list');
    await choose('import-list', list);
    await noRawKeys('import onto a list');
    await screenshot('tour-vi-import-to-list');
    await (await shown('import-start')).click();
    await shown('import-report', 60000);
    const listed = await textOf('report-listed');
    if (!/\b2\b/.test(listed)) throw new Error(`report: "${listed}"`);
    await (await shown('nav-customers')).click();
    await choose('filter-segment', list);
    await typeInto('customer-search', 'khach hoi cho');
    await waitFor('both on the list', async () => (await rowCount()) === 2);
    await (await shown('clear-filters')).click();
    await listSettled();
  });

  /** A column's deal count as its header shows it. */
  async function columnCount(stage) {
    return Number((await textOf(`column-count-${stage}`)).replace(/\D/g, ''));
  }

  /** Drags an element onto another with the mouse, in small steps, as a person would. */
  async function drag(from, to) {
    const a = await from.getLocation();
    const sa = await from.getSize();
    const b = await to.getLocation();
    const sb = await to.getSize();
    const [x0, y0] = [Math.round(a.x + sa.width / 2), Math.round(a.y + 12)];
    const [x1, y1] = [Math.round(b.x + sb.width / 2), Math.round(b.y + Math.min(60, sb.height / 2))];
    const moves = [];
    for (let i = 1; i <= 12; i++) {
      moves.push({ type: 'pointerMove', duration: 40, x: Math.round(x0 + ((x1 - x0) * i) / 12), y: Math.round(y0 + ((y1 - y0) * i) / 12) });
    }
    await browser.performActions([
      {
        type: 'pointer',
        id: 'mouse',
        parameters: { pointerType: 'mouse' },
        actions: [
          { type: 'pointerMove', duration: 0, x: x0, y: y0 },
          { type: 'pointerDown', button: 0 },
          { type: 'pause', duration: 120 },
          { type: 'pointerMove', duration: 60, x: x0 + 8, y: y0 + 8 },
          ...moves,
          { type: 'pause', duration: 200 },
          { type: 'pointerUp', button: 0 }
        ]
      }
    ]);
    await browser.releaseActions();
  }

  await step('tour: the demo\'s tickets, every one, the list scrolled to its end (vi)', async () => {
    await (await shown('nav-tickets')).click();
    await shown('tickets-table');
    await (await shown('tickets-view-all')).click();
    await waitFor('the demo\'s tickets', async () => (await $$t('ticket-row')).length > 15);
    const area = await $t('tickets-list-area');
    const [scrollH, clientH] = await browser.execute((a) => [a.scrollHeight, a.clientHeight], area);
    if (scrollH <= clientH) throw new Error(`the demo's tickets fit on one screen (${scrollH} <= ${clientH}): this step shows nothing`);
    await browser.execute((a) => (a.scrollTop = a.scrollHeight), area);
    const seen = await browser.execute((e) => {
      const r = e.getBoundingClientRect();
      return r.bottom <= window.innerHeight && r.top >= 0;
    }, await $t('tickets-total'));
    if (!seen) throw new Error('the end of the ticket list cannot be scrolled into view');
    await noRawKeys('tickets (demo)');
    await screenshot('tour-vi-tickets-end');
  });

  await step('tour: the pipeline, a deal dragged to the next stage, won and its purchase recorded (vi)', async () => {
    await (await shown('nav-pipeline')).click();
    await shown('pipeline-board');
    await waitFor('deals on the board', async () => (await $$t('deal-card')).length > 10);
    await noRawKeys('pipeline');
    await screenshot('tour-vi-pipeline');
    const [news, contacted] = [await columnCount('new'), await columnCount('contacted')];
    if (news === 0) throw new Error('no new deals in the demo');
    const card = await (await $t('column-new')).$('[data-testid="deal-card"]');
    const dealId = await card.getAttribute('data-deal');
    await drag(card, await (await $t('column-contacted')).$('.cards'));
    await waitFor('the deal in its new column', async () => (await columnCount('contacted')) === contacted + 1);
    if ((await columnCount('new')) !== news - 1) throw new Error('the deal left no gap in its old column');
    const inContacted = await (await $t('column-contacted')).$(`[data-deal="${dealId}"]`);
    if (!(await inContacted.isExisting())) throw new Error('the dragged deal is not in the contacted column');
    // a deal in negotiation dropped on the won column (the board scrolled to its end, as a person
    // would): the deal is won and offers to record its purchase
    await browser.execute((b) => (b.scrollLeft = b.scrollWidth), await $t('pipeline-board'));
    const won = await columnCount('won');
    const closing = await (await $t('column-negotiation')).$('[data-testid="deal-card"]');
    const wonId = await closing.getAttribute('data-deal');
    await drag(closing, await (await $t('column-won')).$('.cards'));
    await shown('won-banner');
    await waitFor('the won column', async () => (await columnCount('won')) === won + 1);
    await screenshot('tour-vi-pipeline-won');
    await (await shown('won-record')).click();
    await waitFor('the banner gone', async () => !(await (await $t('won-banner')).isExisting()));
    // the list view and a deal's form
    await (await shown('view-list')).click();
    await waitFor('deal rows', async () => (await $$t('deal-row')).length > 10);
    await screenshot('tour-vi-pipeline-list');
    await (await shown('view-board')).click();
    await browser.execute((b) => (b.scrollLeft = b.scrollWidth), await $t('pipeline-board'));
    const wonCard = await (await $t('column-won')).$(`[data-deal="${wonId}"]`);
    await (await wonCard.$('.card-title')).click();
    await shown('deal-dialog');
    await noRawKeys('deal dialog');
    await screenshot('tour-vi-deal-dialog');
    // the customer's Deals tab and timeline show the deal, its stage changes and the purchase
    await browser.keys('Escape');
    await waitFor('the dialog closed', async () => !(await (await $t('deal-dialog')).isExisting()));
    await (await wonCard.$('a')).click();
    // the customer put on the static list made above, from its 360
    await (await shown('lists-menu')).click();
    await waitFor('the static lists offered', async () => (await $$t('list-option')).length > 0);
    const fair = await browser.$('[data-testid="list-option"][data-list="Hội chợ tháng 12"]');
    if (await fair.isSelected()) throw new Error('the customer is on the list already');
    await fair.click();
    await waitFor('the list chip', async () => /Hội chợ tháng 12/.test(await domText(await $t('customer-lists'))) && (await $$t('customer-list-chip')).length === 1);
    await noRawKeys('360 lists');
    await screenshot('tour-vi-360-lists');
    await browser.keys('Escape');
    await (await shown('tab-deals')).click();
    await waitFor('the deal on the 360', async () => (await $$t('customer-deal')).length > 0);
    await noRawKeys('360 deals');
    await screenshot('tour-vi-360-deals');
    await (await shown('tab-timeline')).click();
    await waitFor('the stage change on the timeline', async () => /cơ hội “/i.test(await textOf('timeline')));
    await waitFor('the purchase on the timeline', async () => (await $$t('timeline-interaction')).length > 0);
    await waitFor('the purchase said to come from the deal', async () => /ghi nhận mua hàng từ cơ hội “/.test(await textOf('timeline')));
    if (/Đổi giai đoạn|Kết thúc là/i.test(await textOf('timeline'))) throw new Error('the timeline shows a deal\'s bookkeeping columns');
    await screenshot('tour-vi-360-timeline-deal');
    await (await shown('nav-settings')).click();
    await shown('deal-stages');
    await (await $t('deal-stages')).scrollIntoView();
    await noRawKeys('settings (deal stages)');
    await screenshot('tour-vi-settings-deal-stages');
  });

  await step('tour: customer list and 360 in English', async () => {
    await setLanguage('en');
    await toList();
    await (await shown('clear-filters', 2000).catch(() => null))?.click();
    await waitFor('rows', async () => (await rowCount()) > 10);
    const total = await textOf('customer-total');
    if (!/customers?/.test(total)) throw new Error(`the total reads "${total}" in English`);
    await noRawKeys('list (en)');
    await screenshot('tour-en-list');
    await (await (await $$t('row-pick'))[0]).click();
    await waitFor('one picked', async () => /1 customer selected/.test(await textOf('bulk-count')));
    await noRawKeys('bulk bar (en)');
    await screenshot('tour-en-bulk-bar');
    await (await shown('bulk-clear')).click();
    await typeInto('customer-search', companyName);
    await waitFor('the company row', async () => (await rowCount()) > 0);
    await openRow(await (await $$t('customer-row'))[0].getAttribute('data-id'));
    await waitFor('the 360', async () => (await $t('customer-name')).isExisting() && (await textOf('customer-name')) === companyName);
    await noRawKeys('360 (en)');
    await screenshot('tour-en-360-profile');
    await (await shown('tab-timeline')).click();
    await waitFor('timeline entries', async () => (await $$t('timeline-interaction')).length > 0);
    const text = await textOf('timeline');
    if (!/changed|set/.test(text)) throw new Error(`the timeline does not read in English: "${text.slice(0, 200)}"`);
    await screenshot('tour-en-360-timeline');
    await (await shown('nav-segments')).click();
    await waitFor('the segments', async () => (await $$t('segment-item')).length === 3);
    for (const item of await $$t('segment-item')) {
      if ((await domText(item)).includes('Khách Hà Nội chi nhiều')) await item.click();
    }
    await waitFor('its rules', async () => (await $$t('rule-condition')).length > 0);
    await countSettled();
    const count = await textOf('segment-count');
    if (!/customers?/.test(count)) throw new Error(`the count reads "${count}" in English`);
    await noRawKeys('segments (en)');
    await screenshot('tour-en-segment-editor');
    await (await shown('nav-pipeline')).click();
    await waitFor('deals on the board', async () => (await $$t('deal-card')).length > 10);
    if (!/New/.test(await domText(await $t('pipeline-board')))) throw new Error('the pipeline does not read in English');
    await noRawKeys('pipeline (en)');
    await screenshot('tour-en-pipeline');
    // a build made outside the release pipeline has no update address, and says so
    await (await shown('nav-settings')).click();
    await (await shown('update-settings')).scrollIntoView();
    const updates = await textOf('update-settings');
    if (!/This is Tend \d+\.\d+\.\d+\./.test(updates) || !(await (await $t('update-not-configured')).isDisplayed())) throw new Error(`updates read "${updates}"`);
    await noRawKeys('updates (en)');
    await screenshot('tour-en-settings-updates');
    await setLanguage('vi');
  });

  if (!cli || !db) {
    log('the steps that change the workspace beside the app are skipped: no CLI');
    return;
  }
  /** Runs the CLI on the workspace the app has open (another writer, as a second window is). */
  const tend = (...args) => {
    const r = spawnSync(cli, ['--db', db, ...args, '--json'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tend ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  await step('tour: segments that arrived broken by sync are flagged, and can be deleted (vi)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tend-tour-sync-'));
    const file = (name, value) => {
      const p = join(dir, name);
      writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
      return p;
    };
    const a = tend('segment', 'create', '--name', 'Đồng bộ A', '--rules', file('a.json', { all: [{ field: 'age', op: 'gte', value: 30 }] }));
    const b = tend('segment', 'create', '--name', 'Đồng bộ B', '--rules', file('b.json', { all: [{ field: 'segment', op: 'eq', value: a.id }] }));
    // another device makes A use B: each now uses the other
    const now = Date.now();
    const tx = {
      hlc: `${String(now).padStart(13, '0')}:00001:otherdevice`,
      at_ms: now,
      actor: null,
      device: 'otherdevice',
      records: [{ table: 'segments', row_id: a.id, op: 'set', column: 'rules', value: JSON.stringify({ all: [{ field: 'segment', op: 'eq', value: b.id }] }) }]
    };
    tend('changes', 'apply', file('tx.json', tx));
    await (await shown('nav-pipeline')).click();
    await (await shown('nav-segments')).click();
    await waitFor('the two flagged', async () => (await $$t('segment-problem')).length === 2);
    const others = (await $$t('segment-item')).length;
    for (const item of await $$t('segment-item')) {
      if ((await domText(item)).includes('Đồng bộ A')) await item.click();
    }
    const hint = await textOf('segment-problem-hint');
    if (!/Đồng bộ|phân khúc/i.test(hint)) throw new Error(`the editor explains "${hint}"`);
    await noRawKeys('flagged segment');
    await screenshot('tour-vi-segment-flagged');
    await (await shown('segment-delete')).click();
    await (await shown('confirm-ok')).click();
    await waitFor('A deleted, B flagged as using a segment gone', async () => (await $$t('segment-item')).length === others - 1);
  });

  await step('tour: a deal deleted goes to the trash and comes back (vi)', async () => {
    const p = tend('deal', 'list');
    const deal = p.deals[0];
    tend('deal', 'delete', deal.id);
    await (await shown('nav-trash')).click();
    await waitFor('the deal in the trash', async () => (await $$t('trash-deal-row')).length === 1);
    if (!(await domText(await $t('trash-deal-row'))).includes(deal.title)) throw new Error('the trashed deal is not the one deleted');
    await noRawKeys('trash with a deal');
    await screenshot('tour-vi-trash-deal');
    await (await shown('restore-deal')).click();
    await shown('trash-deals-empty');
    if (tend('deal', 'trash').length !== 0) throw new Error('the deal is still in the trash');
  });

  if (cli && db) await reports(browser, { artifacts, step, cli, db, setLanguage });
}

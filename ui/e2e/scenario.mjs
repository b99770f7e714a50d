// The end-to-end scenario, separate from the harness that starts the app (run.mjs), so it can be
// pointed at any WebDriver session showing the UI.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerDialogs, helpers } from './helpers.mjs';

/** `cli` and `db`: the `tend` CLI of the same build and the workspace the app has open, to change
 *  a customer from another program while the app shows it. */
export async function scenario(browser, { artifacts, step, cli, db }) {
  const { $t, shown, waitFor, domText, textOf, typeInto, screenshot } = helpers(browser, { artifacts, tag: 'e2e' });

  /** From the customer list, Ctrl+K, type the customer's name without diacritics, Enter. */
  async function openByPalette() {
    await (await shown('nav-customers')).click();
    await shown('customer-search');
    await browser.keys(['Control', 'k']);
    await typeInto('palette-input', 'ngoc anh');
    await waitFor('a palette hit', async () => (await browser.$$('[data-testid="palette-row"]')).length > 0);
    await browser.keys(['Enter']);
  }

  async function historyRows() {
    await (await shown('tab-history')).click();
    await shown('history-table');
    return browser.$$('[data-testid="history-row"]');
  }

  const NAME = 'Đặng Thị Ngọc Ánh';

  let customerUrl = '';
  let historyCount = 0;

  await step('the app opens on Today, and the customer list is one click away', async () => {
    await shown('today', 60000);
    await (await shown('nav-customers')).click();
    await shown('new-customer');
    await shown('customer-search');
  });

  await step('create a customer with a Vietnamese name', async () => {
    await (await $t('new-customer')).click();
    await typeInto('field-family_name', 'Đặng');
    await typeInto('field-middle_name', 'Thị Ngọc');
    await typeInto('field-given_name', 'Ánh');
    const composed = await (await $t('field-name')).getValue();
    if (composed !== NAME) throw new Error(`full name composed as "${composed}"`);
    await typeInto('field-phone-0', '0912 345 678');
    await (await $t('save')).click();
    await waitFor('the 360 of the new customer', async () => (await $t('customer-name')).isExisting());
    const name = await textOf('customer-name');
    if (name !== NAME) throw new Error(`360 shows "${name}"`);
    const phones = await textOf('profile-phones');
    if (!phones.includes('0912 345 678')) throw new Error(`profile phones: "${phones}"`);
    customerUrl = await browser.getUrl();
  });

  await step('find it by typing without diacritics in the list search', async () => {
    await (await shown('nav-customers')).click();
    await typeInto('customer-search', 'dang thi ngoc');
    await waitFor('one matching row', async () => {
      const rows = await browser.$$('[data-testid="customer-row"]');
      if (rows.length !== 1) return false;
      return (await domText(rows[0])).includes(NAME);
    });
    const row = (await browser.$$('[data-testid="customer-row"]'))[0];
    const text = await domText(row);
    if (!text.includes('0912 345 678')) throw new Error(`row shows "${text}"`);
    await screenshot('customers-list');
    await row.click();
    await waitFor('the 360', async () => (await $t('customer-name')).isExisting() && (await textOf('customer-name')) === NAME);
    if (customerUrl && (await browser.getUrl()) !== customerUrl) throw new Error('the row opened another customer');
  });

  await step('change the phone by inline edit and see it in the history', async () => {
    await (await shown('edit-profile')).click();
    await typeInto('field-phone-0', '0987 654 321');
    await (await $t('save')).click();
    await waitFor('the saved profile', async () => (await $t('profile-view')).isExisting());
    const phones = await textOf('profile-phones');
    if (!phones.includes('0987 654 321')) throw new Error(`profile phones after save: "${phones}"`);
    await waitFor('the phones history entry', async () => {
      const rows = await historyRows();
      for (const r of rows) {
        if ((await r.getAttribute('data-field')) !== 'phones') continue;
        const t = await domText(r);
        if (t.includes('0912 345 678') && t.includes('0987 654 321')) return true;
      }
      return false;
    });
    historyCount = (await historyRows()).length;
    await screenshot('customer-360-history');
    await (await $t('tab-profile')).click();
    await screenshot('customer-360-profile');
  });

  await step('a bad phone shows the field error and saves nothing', async () => {
    await (await shown('edit-profile')).click();
    await typeInto('field-phone-0', '12ab');
    await (await $t('save')).click();
    const err = await shown('error-phones[0].number');
    const msg = (await err.getText()).trim();
    if (!msg.includes('12ab')) throw new Error(`field error reads "${msg}"`);
    if (!(await (await $t('field-phone-0')).isDisplayed())) throw new Error('the form closed after an error');
    await screenshot('customer-360-error');
    await (await $t('cancel-edit')).click();
    // Read everything back from the app again: nothing may have been saved.
    await browser.refresh();
    await waitFor('the 360 after reload', async () => (await $t('customer-name')).isExisting());
    const phones = await textOf('profile-phones');
    if (!phones.includes('0987 654 321') || phones.includes('12ab')) throw new Error(`profile phones after refused save: "${phones}"`);
    const count = (await historyRows()).length;
    if (count !== historyCount) throw new Error(`history has ${count} rows, had ${historyCount} before the refused save`);
  });

  await step('a field changed by another program while the form is open is shown, not overwritten', async () => {
    const id = decodeURIComponent(new URL(customerUrl).pathname.split('/').filter(Boolean).pop() ?? '');
    const tend = (...args) => {
      const r = spawnSync(cli, ['--db', db, ...args, '--json'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`tend ${args.join(' ')}: ${r.stderr || r.error}`);
      return JSON.parse(r.stdout);
    };
    await (await shown('tab-profile')).click();
    await (await shown('edit-profile')).click();
    await typeInto('field-province', 'Huế');
    // meanwhile the CLI changes the province and the notes of the same customer
    tend('customer', 'edit', id, '--province', 'Đà Nẵng', '--notes', 'Gọi lại thứ Hai');
    await (await $t('save')).click();
    const note = await shown('conflict-province');
    const said = await domText(note);
    if (!said.includes('Đà Nẵng')) throw new Error(`the conflict reads "${said}"`);
    await shown('conflict-banner');
    // the notes (untouched in the form) now show what the CLI wrote; nothing was saved
    const notes = await (await $t('field-notes')).getValue();
    if (notes !== 'Gọi lại thứ Hai') throw new Error(`the form's notes after the conflict: "${notes}"`);
    if ((await (await $t('field-province')).getValue()) !== 'Huế') throw new Error('the typed province was lost');
    if (tend('customer', 'show', id).province !== 'Đà Nẵng') throw new Error('the conflicting save overwrote the province');
    await screenshot('customer-360-conflict');
    // keep mine, save: the province is the user's, the notes the CLI's
    await (await $t('conflict-keep-province')).click();
    if (await (await $t('conflict-province')).isExisting()) throw new Error('the conflict is still shown after choosing');
    await (await $t('save')).click();
    await waitFor('the saved profile', async () => (await $t('profile-view')).isExisting());
    const stored = tend('customer', 'show', id);
    if (stored.province !== 'Huế' || stored.notes !== 'Gọi lại thứ Hai') throw new Error(`stored after save: ${stored.province} / ${stored.notes}`);
    const profile = await textOf('profile-view');
    if (!profile.includes('Huế') || !profile.includes('Gọi lại thứ Hai')) throw new Error(`profile after save: "${profile}"`);
  });

  await step('Ctrl+K finds the customer and opens the 360', async () => {
    await openByPalette();
    await waitFor('the 360 from the palette', async () => (await $t('customer-name')).isExisting() && (await textOf('customer-name')) === NAME);
  });

  await step('an interaction synced from a newer version says which value this version does not know', async () => {
    const id = decodeURIComponent(new URL(customerUrl).pathname.split('/').filter(Boolean).pop() ?? '');
    // another device, on a newer version, logged a TikTok livestream question (kind and channel
    // this build does not know); the CLI applies its transaction as sync will
    const now = Date.now();
    const device = 'eeeeeeeeeeeeeeee';
    const tx = {
      hlc: `${String(now).padStart(13, '0')}:00000:${device}`,
      at_ms: now,
      actor: null,
      device,
      records: [
        {
          table: 'interactions',
          row_id: crypto.randomUUID(),
          op: 'insert',
          values: [
            ['customer_id', id],
            ['kind', 'livestream'],
            ['channel', 'tiktok'],
            ['direction', 'inbound'],
            ['occurred_at', now],
            ['summary', 'Hỏi giá trong buổi live'],
            ['created_at', now]
          ]
        }
      ]
    };
    const file = join(artifacts, 'newer-version-tx.json');
    writeFileSync(file, JSON.stringify(tx));
    const r = spawnSync(cli, ['--db', db, 'changes', 'apply', file, '--json'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tend changes apply: ${r.stderr || r.error}`);
    // open the 360 again and look at the timeline
    await openByPalette();
    await waitFor('the 360', async () => (await $t('customer-name')).isExisting() && (await textOf('customer-name')) === NAME);
    await (await shown('tab-timeline')).click();
    await waitFor('the newer values on the timeline', async () => (await browser.$$('[data-testid="newer-value"]')).length >= 2);
    const els = await browser.$$('[data-testid="newer-value"]');
    const texts = [];
    for (const e of els) texts.push(await domText(e));
    const said = texts.join(' | ');
    if (!said.includes('tiktok') || !said.includes('livestream') || !said.includes('phiên bản Tend mới hơn')) {
      throw new Error(`the timeline says "${said}"`);
    }
    await screenshot('customer-360-newer-version');
  });

  await step('import a file with a bad row: preview, error, import, the customers, undo', async () => {
    const file = join(tmpdir(), `tend-e2e-import-${process.pid}.csv`);
    writeFileSync(
      file,
      '\ufeffDANH SÁCH KHÁCH HÀNG\n\nHọ và tên;Số điện thoại;Ngày sinh;Tỉnh/Thành\n' +
        'Lạc Long Quân;0903 100 200;01/01/1980;Phú Thọ\n' +
        'Âu Cơ;12ab;02/02/1982;Phú Thọ\n' +
        'Sơn Tinh;0168 812 3000;;Hà Nội\n'
    );
    await (await shown('nav-customers')).click();
    await (await shown('open-import')).click();
    // a file that is not there: said so, in words
    answerDialogs('/khong/co/tep-nay.csv');
    await (await shown('import-browse')).click();
    const missing = await textOf('form-errors');
    if (!missing.includes('/khong/co/tep-nay.csv') || /import\.|error\./.test(missing)) throw new Error(`missing file reads "${missing}"`);
    answerDialogs(file);
    await (await shown('import-browse')).click();
    await shown('import-preview');
    // the header under the title row was found and the columns mapped from their names
    const targets = await browser.execute(() =>
      [...document.querySelectorAll('[data-testid^="map-"]')].map((s) => s.value)
    );
    if (targets.join(',') !== 'name,phone,birthday,province') throw new Error(`suggested mapping: ${targets}`);
    await waitFor('the bad cell', async () => (await browser.$$('[data-testid="cell-problem"]')).length === 1);
    const bad = await domText(await $t('cell-problem'));
    if (!bad.includes('12ab')) throw new Error(`the bad cell reads "${bad}"`);
    await shown('preview-problems');
    // the mapping saved by name for next time
    await typeInto('save-mapping-name', 'Danh sách hằng tháng');
    await (await shown('save-mapping')).click();
    await shown('mapping-saved');
    await shown('saved-mapping');
    await screenshot('import-preview');
    await (await shown('import-start')).click();
    await shown('import-report', 30000);
    const imported = await textOf('report-imported');
    if (!/\b2\b/.test(imported)) throw new Error(`report: "${imported}"`);
    const failed = await domText(await $t('report-failed-rows'));
    if (!failed.includes('12ab') || !failed.includes('Số điện thoại')) throw new Error(`rejected rows: "${failed}"`);
    // Sơn Tinh's old 11-digit number was converted, and the report says so for that row
    const renumbered = await textOf('report-renumbered');
    if (!renumbered.includes('0168 812 3000') || !renumbered.includes('0388 123 000')) throw new Error(`converted numbers: "${renumbered}"`);
    await screenshot('import-report');
    // the new customers are in the list
    await (await shown('to-customers')).click();
    await typeInto('customer-search', 'lac long quan');
    await waitFor('the imported customer', async () => {
      const rows = await browser.$$('[data-testid="customer-row"]');
      return rows.length === 1 && (await domText(rows[0])).includes('Lạc Long Quân');
    });
    // undo from the import page's history
    await (await shown('open-import')).click();
    await shown('import-history');
    await (await browser.$('[data-testid="import-history"] .link-btn')).click();
    await (await shown('confirm-ok')).click();
    await waitFor('the import marked undone', async () => (await browser.$$('[data-testid="import-history"] .badge')).length === 1);
    await (await shown('nav-customers')).click();
    await typeInto('customer-search', 'lac long quan');
    await waitFor('the list to settle', async () => (await (await $t('customer-list')).getAttribute('aria-busy')) === 'false');
    await waitFor('no imported customer left', async () => (await browser.$$('[data-testid="customer-row"]')).length === 0);
    // they went to the trash, and come back from there
    await (await shown('nav-trash')).click();
    await waitFor('the imported customers in the trash', async () => {
      const texts = [];
      for (const r of await browser.$$('[data-testid="trash-row"]')) texts.push(await domText(r));
      return texts.some((t) => t.includes('Lạc Long Quân')) && texts.some((t) => t.includes('Sơn Tinh'));
    });
    await screenshot('trash-after-undo');
    for (const r of await browser.$$('[data-testid="trash-row"]')) {
      if ((await domText(r)).includes('Lạc Long Quân')) await (await r.$('[data-testid="restore"]')).click();
    }
    await (await shown('nav-customers')).click();
    await typeInto('customer-search', 'lac long quan');
    await waitFor('the restored customer', async () => (await browser.$$('[data-testid="customer-row"]')).length === 1);
  });

  await step('the window cannot name a file itself: only what the user picked in the app\'s dialog', async () => {
    // straight to the IPC, as a script in the webview would
    const tried = await browser.executeAsync((done) => {
      const invoke = window.__TAURI_INTERNALS__.invoke;
      const options = { entity: 'customers', read: { format: null, encoding: null, sheet: null, header_row: null }, mapping: null, on_duplicate: null, rejects_path: null };
      const attempt = (cmd, args) => invoke(cmd, args).then(() => 'allowed', (e) => (typeof e === 'string' ? e : e?.message_key ?? JSON.stringify(e)));
      Promise.all([
        attempt('import_preview', { path: '/etc/hostname', options, rows: 5 }),
        attempt('export_customers', { path: '/tmp/tend-e2e-not-chosen.csv', format: 'csv', filter: { query: null, stage_id: null, owner_id: null, tag: null, province: null } }),
        attempt('workspace_import', { path: '/etc/hostname' }),
        attempt('file_copy', { from: '/etc/hostname', to: '/tmp/tend-e2e-copy' }),
        attempt('plugin:dialog|open', { options: {} })
      ]).then(done);
    });
    const [preview, exported, archive, copy, dialog] = tried;
    for (const [what, got] of [['import_preview', preview], ['export_customers', exported], ['workspace_import', archive]]) {
      if (got !== 'files.not_chosen') throw new Error(`${what} of a path the window named: ${got}`);
    }
    if (copy === 'allowed' || dialog === 'allowed') throw new Error(`file_copy: ${copy}; the dialog plugin: ${dialog}`);
  });

  await step('an old 11-digit mobile number is converted and said so; a landline is labelled by its type', async () => {
    await (await shown('nav-customers')).click();
    await (await shown('new-customer')).click();
    await typeInto('field-name', 'Bà Tư Số Cũ');
    await typeInto('field-phone-0', '0168 812 3456');
    const notice = await textOf('phone-renumbered-0');
    if (!notice.includes('0168 812 3456') || !notice.includes('0388 123 456')) throw new Error(`the notice reads "${notice}"`);
    await (await shown('add-phone')).click();
    await typeInto('field-phone-1', '028 3822 1234');
    await screenshot('customer-form-old-number');
    await (await $t('save')).click();
    await waitFor('the 360 of the new customer', async () => (await $t('customer-name')).isExisting());
    const phones = await textOf('profile-phones');
    if (!/0388 123 456 ?(Di động|Mobile)/.test(phones) || !/028 3822 1234 ?(Cố định|Landline)/.test(phones)) {
      throw new Error(`profile phones: "${phones}"`);
    }
    // the form shows the labels the core gave in the UI's language, and saving it untouched keeps them
    await (await shown('edit-profile')).click();
    const labels = [await (await shown('field-phone-label-0')).getValue(), await (await shown('field-phone-label-1')).getValue()];
    if (labels[0] !== 'Di động' || labels[1] !== 'Cố định') throw new Error(`labels in the form: ${labels}`);
    await (await $t('save')).click();
    await waitFor('the profile again', async () => !(await $t('field-phone-label-0').isExisting()));
    const again = await textOf('profile-phones');
    if (again !== phones) throw new Error(`phones after an untouched save: "${again}" (was "${phones}")`);
  });
}

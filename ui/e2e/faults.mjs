// Faults, as a user meets them in the real app: a restore chosen before a restart that cannot be
// done, a save made while another program imports into the same workspace, and damage found
// while the app is open. The harness (run.mjs) starts the app on `db` with a pending restore of a
// backup that no longer exists.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { helpers } from './helpers.mjs';

/** Overwrites the b-tree root page of `table` in `db` with garbage (after a checkpoint). */
export function spoil(db, table) {
  const py = spawnSync('python3', ['-c', [
    'import sqlite3, sys',
    'c = sqlite3.connect(sys.argv[1])',
    "c.execute('PRAGMA wal_checkpoint(TRUNCATE)').fetchall()",
    'root = c.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (sys.argv[2],)).fetchone()[0]',
    "size = c.execute('PRAGMA page_size').fetchone()[0]",
    'c.close()',
    "f = open(sys.argv[1], 'r+b'); f.seek((root - 1) * size); f.write(b'\\xab' * size); f.close()"
  ].join('\n'), db, table], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`could not spoil ${table}: ${py.stderr}`);
}

export async function faults(browser, { artifacts, step, db, cli, missingBackup }) {
  const { $t, shown, waitFor, textOf, typeInto, screenshot } = helpers(browser, { artifacts, tag: 'faults' });

  await step('a restore that cannot be done at start is shown, and the workspace is left as it was', async () => {
    const text = await textOf('restore-failed');
    if (!text.includes(missingBackup)) throw new Error(`the message does not name the backup: ${text}`);
    if (/error\.|backup\./.test(text)) throw new Error(`untranslated message: ${text}`);
    await shown('today', 60000);
    await screenshot('restore-failed');
    await (await browser.$('[data-testid="restore-failed"] button')).click();
    await waitFor('the notice to close', async () => !(await $t('restore-failed').isExisting()));
  });

  await step('a save made while another program imports waits, says so, and is saved when the import ends', async () => {
    const csv = join(artifacts, '..', 'faults-import.csv');
    const lines = ['Họ tên,SĐT'];
    for (let i = 0; i < 40000; i++) lines.push(`Khách Nhập ${i},09${String(30000000 + i).padStart(8, '0')}`);
    writeFileSync(csv, lines.join('\n'));
    const lock = `${db}.writing`;
    const imp = spawn(cli, ['--db', db, 'import', 'customers', csv], { stdio: 'ignore' });
    const done = new Promise((resolve) => imp.on('exit', (code) => resolve(code)));
    await waitFor('the import to take the workspace', async () => existsSync(lock), 60000);
    await (await shown('nav-customers')).click();
    await (await shown('new-customer')).click();
    await typeInto('field-name', 'Lưu Trong Lúc Nhập');
    await (await $t('save')).click();
    const notice = await textOf('write-waiting');
    if (!/another window or program|cửa sổ hoặc chương trình khác/.test(notice)) throw new Error(`notice: ${notice}`);
    await screenshot('write-waiting');
    const code = await done;
    if (code !== 0) throw new Error(`the import exited ${code}`);
    await waitFor('the saved customer', async () => (await $t('customer-name').isExisting()) && (await textOf('customer-name')) === 'Lưu Trong Lúc Nhập', 120000);
    await waitFor('the notice to go', async () => !(await $t('write-waiting').isExisting()));
  });

  await step('damage found while open stops the app writing and offers the newest good backup', async () => {
    // the daily backup the app took when it started is the good one
    spoil(db, 'customers');
    const before = readFileSync(db);
    await (await shown('nav-settings')).click();
    await (await shown('workspace-check')).click();
    await shown('damaged', 60000);
    const offer = await textOf('restore-newest');
    if (!/\d/.test(offer)) throw new Error(`no backup offered: ${offer}`);
    const text = await textOf('damaged');
    if (/error\.|backup\./.test(text)) throw new Error(`untranslated: ${text}`);
    await screenshot('damaged-while-open');
    if (!readFileSync(db).equals(before)) throw new Error('the damaged workspace was written to');
    if (!existsSync(`${db}.damaged`)) throw new Error('the damaged workspace is not marked');
  });
}

/** The same workspace opened again after damage was found: refused, explained, a backup offered. */
export async function faultsReopened(browser, { artifacts, step, db }) {
  const { $t, shown, textOf, screenshot } = helpers(browser, { artifacts, tag: 'faults' });
  await step('a damaged workspace opened again is refused, explained, and the newest good backup offered', async () => {
    const before = readFileSync(db);
    await shown('damaged-at-open', 60000);
    const offer = await textOf('restore-newest');
    if (!/\d/.test(offer)) throw new Error(`no backup offered: ${offer}`);
    const text = await textOf('damaged-at-open');
    if (/error\.|backup\./.test(text)) throw new Error(`untranslated: ${text}`);
    // SQLite's report is there for whoever helps, folded away
    if (await (await $t('damage-details')).getAttribute('open')) throw new Error('the technical details are not folded');
    await screenshot('damaged-at-open');
    await (await browser.$('[data-testid="damage-details"] summary')).click();
    await screenshot('damaged-at-open-details');
    if (!readFileSync(db).equals(before)) throw new Error('the damaged workspace was written to');
  });
}


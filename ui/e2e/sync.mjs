// Two real app instances (separate data folders and workspaces, one keychain) and one local
// tend-server on PostgreSQL: the owner shares a workspace from Settings > Sync and invites an
// agent; the agent's app joins (downloads the shared workspace and restarts on it); a customer
// made on one shows on the other within seconds; different fields edited on both while one is
// paused both survive; the agent's attempt to change a setting is refused with a message; the
// Sync section in Vietnamese and English.

import { helpers } from './helpers.mjs';

/** The owner's app shares and invites; returns the invite code for the agent. */
export async function syncShare(a, { artifacts, step, server, invite, agentId }) {
  const { shown, waitFor, typeInto, textOf, screenshot, noRawKeys, choose } = helpers(a, { artifacts, tag: 'sync-a', pause: 200 });
  let code = '';
  await step('sync: the owner shares the workspace from Settings (vi)', async () => {
    await (await shown('nav-settings')).click();
    await shown('sync-settings');
    await noRawKeys('settings > sync (vi)');
    await screenshot('sync-vi-not-shared');
    await (await shown('sync-share-open')).click();
    await typeInto('sync-server', server);
    await typeInto('sync-invite', invite);
    await (await shown('sync-submit')).click();
    await waitFor('shared: the status', async () => (await textOf('sync-state')).includes('Đã đồng bộ'), 60000);
    await noRawKeys('settings > sync shared (vi)');
    await screenshot('sync-vi-shared-owner');
  });
  await step('sync: the owner invites the agent (vi)', async () => {
    await shown('sync-members');
    await choose('sync-invite-staff', agentId);
    await (await shown('sync-invite-make')).click();
    code = (await textOf('sync-invite-code')).trim();
    if (!/^[0-9a-f]{16}\.[A-Za-z0-9_-]{20,}$/.test(code)) throw new Error(`the invite code reads "${code}"`);
    await screenshot('sync-vi-invite');
  });
  return code;
}

/** The agent's app joins: the download, then the app restarts on the shared workspace. */
export async function syncJoin(b, { artifacts, step, server, code }) {
  const { shown, typeInto, screenshot } = helpers(b, { artifacts, tag: 'sync-b', pause: 200 });
  await step('sync: the agent joins the shared workspace (vi)', async () => {
    await (await shown('nav-settings')).click();
    await (await shown('sync-join-open')).click();
    await typeInto('sync-server', server);
    await typeInto('sync-invite', code);
    await screenshot('sync-vi-join-form');
    // the app restarts on the downloaded workspace: this session ends with it
    await (await shown('sync-submit')).click();
  });
}

/** After the restart: both apps in step, live changes, offline edits, the agent refused. */
export async function syncLive(a, b, { artifacts, step, cli, names }) {
  const A = helpers(a, { artifacts, tag: 'sync-a', pause: 200 });
  const B = helpers(b, { artifacts, tag: 'sync-b', pause: 200 });

  const listHas = async (h, name) => {
    const rows = await h.$$t('customer-row');
    for (const r of rows) if ((await h.domText(r)).includes(name)) return true;
    return false;
  };

  await step('sync: the agent\'s app opens on the shared workspace, as the agent', async () => {
    await (await B.shown('nav-customers')).click();
    await B.waitFor('the shared customer', () => listHas(B, names.first), 30000);
    await (await B.shown('nav-settings')).click();
    await B.waitFor('in step', async () => (await B.textOf('sync-state')).includes('Đã đồng bộ'), 30000);
    const who = await B.domText(await B.shown('sync-status'));
    if (!who.includes('Nguyễn Văn Bình') || !who.includes('Nhân viên')) throw new Error(`the agent's status reads "${who}"`);
    await B.noRawKeys('settings > sync agent (vi)');
    await B.screenshot('sync-vi-shared-agent');
  });

  await step('sync: a customer made in one app shows in the other within seconds', async () => {
    await (await A.shown('nav-customers')).click();
    await (await A.shown('new-customer')).click();
    await A.typeInto('field-name', names.live);
    await A.typeInto('field-phone-0', '0938 777 666');
    const t0 = Date.now();
    await (await A.$t('save')).click();
    await A.waitFor('the 360 of the new customer', async () => (await A.$t('customer-name')).isExisting());
    await (await B.shown('nav-customers')).click();
    await B.waitFor('the new customer on the other app', () => listHas(B, names.live), 10000);
    console.log(`[sync] a customer made on one app listed on the other after ${Date.now() - t0} ms`);
  });

  await step('sync: different fields edited on both while one is paused both survive', async () => {
    await (await B.shown('nav-settings')).click();
    await (await B.shown('sync-pause')).click();
    await B.waitFor('paused', async () => (await B.textOf('sync-state')).includes('tạm dừng'));
    const id = names.editedId;
    cli('b', 'customer', 'set', id, 'notes=Khách quen, thích hoa lan');
    cli('a', 'customer', 'set', id, 'province=Đà Nẵng');
    await B.waitFor('a change waiting on the paused app', async () => (await B.textOf('sync-waiting')) === '1', 10000);
    await B.screenshot('sync-vi-paused');
    await (await B.shown('sync-pause')).click();
    const both = (side) => {
      const c = cli(side, 'customer', 'show', id);
      return c.notes === 'Khách quen, thích hoa lan' && c.province === 'Đà Nẵng';
    };
    await A.waitFor('both edits on the owner\'s workspace', async () => both('a'), 15000);
    await B.waitFor('both edits on the agent\'s workspace', async () => both('b'), 15000);
  });

  await step('sync: the agent\'s attempt to change a setting is refused with a message', async () => {
    await (await B.shown('nav-settings')).click();
    await B.typeInto('new-stage', 'Giai đoạn thử');
    await (await B.shown('add-stage')).click();
    await B.waitFor('the refusal', async () => {
      const banners = await B.$$t('form-errors');
      for (const x of banners) {
        if ((await B.domText(x)).includes('chỉ chủ và quản lý')) {
          await x.scrollIntoView({ block: 'center' });
          return true;
        }
      }
      return false;
    });
    await B.screenshot('sync-vi-agent-refused');
  });

  await step('sync: the Sync section in English, on both apps', async () => {
    for (const [h, who] of [[A, 'owner'], [B, 'agent']]) {
      await (await h.shown('nav-settings')).click();
      await (await h.shown('lang-en')).click();
      await h.waitFor('English', async () => (await h.textOf('sync-state')).includes('In step'), 15000);
      await h.noRawKeys(`settings > sync ${who} (en)`);
      await (await h.shown('sync-settings')).scrollIntoView();
      await h.screenshot(`sync-en-${who}`);
      await (await h.shown('lang-vi')).click();
    }
  });
}

// Care end to end in the real app, on a workspace the CLI prepared (a user, customers in Hà Nội
// who bought yesterday): a segment built, enrolled in the post-sale plan, its tasks on Care and
// Today, one completed by keyboard with its outcome, the interaction on the 360; a task due in a
// few seconds gives exactly one desktop notification (seen on D-Bus), and none after a restart.

import { readFileSync } from 'node:fs';
import { helpers } from './helpers.mjs';

/** The Notify calls dbus-monitor saw that mention `text`. */
export function notifyCalls(monitorLog, text) {
  const log = readFileSync(monitorLog, 'utf8');
  return log.split(/\n(?=method call )/).filter((m) => m.includes('member=Notify') && m.includes(text)).length;
}

export async function care(browser, { artifacts, step, monitorLog, names }) {
  const { $t, $$t, shown, waitFor, domText, typeInto, screenshot, choose, noRawKeys } = helpers(browser, { artifacts, tag: 'care', pause: 300 });

  await step('care: Today is the first screen, with nothing due yet', async () => {
    await shown('today');
    await shown('today-none');
    await noRawKeys('today (empty)');
    await screenshot('care-vi-today-empty');
  });

  await step('care: a segment of the customers in Hà Nội', async () => {
    await (await shown('nav-segments')).click();
    await (await shown('new-segment')).click();
    await typeInto('segment-name', 'Khách Hà Nội');
    await (await shown('add-condition')).click();
    const cond = (await $$t('rule-condition'))[0];
    for (const [id, v] of [['rule-field', 'province'], ['rule-op', 'eq']]) {
      await browser.execute((e, x) => { e.value = x; e.dispatchEvent(new Event('change', { bubbles: true })); }, await cond.$(`[data-testid="${id}"]`), v);
    }
    const value = await cond.$('[data-testid="rule-value"]');
    await browser.execute((e) => { e.value = 'ha noi'; e.dispatchEvent(new Event('input', { bubbles: true })); e.dispatchEvent(new Event('change', { bubbles: true })); }, value);
    await waitFor('the count', async () => /\b3\b/.test(await domText(await $t('segment-count'))));
    await (await shown('segment-save')).click();
    await shown('segment-saved');
  });

  await step('care: the post-sale preset saved and the segment enrolled in it (vi)', async () => {
    await (await shown('nav-care')).click();
    await shown('care');
    await noRawKeys('care (no plans)');
    await screenshot('care-vi-no-plans');
    const presets = await $$t('care-preset');
    const post = [];
    for (const p of presets) if ((await p.getText()).includes('sau bán hàng')) post.push(p);
    if (post.length !== 1) throw new Error('no post-sale preset');
    await post[0].click();
    await shown('care-plan-dialog');
    await waitFor('the preset in the form', async () => (await $$t('care-plan-step')).length === 4);
    await noRawKeys('plan dialog');
    await screenshot('care-vi-plan-dialog');
    await (await shown('care-plan-save')).click();
    await waitFor('the plan listed', async () => (await $$t('care-plan')).length === 1);
    const planId = await browser.execute(() => document.querySelector('[data-testid="care-enrol-plan"] option:nth-child(2)')?.value ?? '');
    const segId = await browser.execute(() => document.querySelector('[data-testid="care-enrol-segment"] option:nth-child(2)')?.value ?? '');
    await choose('care-enrol-plan', planId);
    await choose('care-enrol-segment', segId);
    await (await shown('care-enrol-go')).click();
    const report = await domText(await shown('care-enrol-report'));
    if (!/\b3\b/.test(report)) throw new Error(`enrol report: ${report}`);
    await waitFor('the tasks in the agenda', async () => (await $$t('care-task')).length >= 3);
    await noRawKeys('care agenda');
    await screenshot('care-vi-agenda');
  });

  await step('care: week and month calendars show the tasks', async () => {
    await (await shown('care-view-week')).click();
    await shown('care-calendar-week');
    await waitFor('events in the week', async () => (await browser.$$('.ec-event')).length >= 3);
    await screenshot('care-vi-week');
    await (await shown('care-view-month')).click();
    await shown('care-calendar-month');
    await waitFor('events in the month', async () => (await browser.$$('.ec-event')).length >= 3);
    await screenshot('care-vi-month');
    await (await shown('care-view-agenda')).click();
  });

  let doneCustomer = '';
  await step('care: Today lists the thank-you calls; one is completed with one key and its outcome', async () => {
    await (await shown('nav-today')).click();
    await waitFor('three calls due today', async () => (await (await $t('today-due')).$$('[data-testid="care-task"]')).length === 3);
    await noRawKeys('today');
    await screenshot('care-vi-today');
    const first = (await (await $t('today-due')).$$('[data-testid="care-task"]'))[0];
    doneCustomer = await domText(await first.$('[data-testid="care-task-customer"]'));
    await first.click({ x: 0, y: -8 });
    await browser.execute((e) => e.focus(), first);
    await browser.keys('Enter');
    const outcome = await shown('care-task-outcome');
    await outcome.addValue('Khách hài lòng, hẹn mua thêm lõi lọc');
    await screenshot('care-vi-today-outcome');
    await browser.keys('Enter');
    await waitFor('the task done', async () => (await $t('today-done')).isExisting());
    await waitFor('two still due', async () => (await (await $t('today-due')).$$('[data-testid="care-task"]')).length === 2);
  });

  await step('care: the outcome is on the customer’s timeline and the Care tab', async () => {
    await (await (await $t('today-done')).$('[data-testid="care-task-customer"]')).click();
    await (await shown('tab-timeline')).click();
    await waitFor('the logged call', async () => (await domText(await shown('timeline'))).includes('Khách hài lòng, hẹn mua thêm lõi lọc'));
    await screenshot('care-vi-360-timeline');
    await (await shown('tab-care')).click();
    await shown('care-tab');
    await waitFor('its four tasks', async () => (await $$t('care-task')).length === 4);
    await noRawKeys('360 care tab');
    await screenshot('care-vi-360-care');
  });

  let remindName = '';
  await step('care: a task due in a few seconds shows exactly one desktop notification', async () => {
    await (await shown('nav-today')).click();
    const row = (await (await shown('today-due')).$$('[data-testid="care-task"]'))[0];
    const id = await row.getAttribute('data-task-id');
    remindName = await domText(await row.$('[data-testid="care-task-customer"]'));
    if (!names.includes(remindName)) throw new Error(`unexpected customer ${remindName}`);
    if (notifyCalls(monitorLog, remindName) !== 0) throw new Error('a notification before the task was due');
    const r = await browser.executeAsync((taskId, done) => {
      window.__TAURI_INTERNALS__.invoke('care_task_reschedule', { ids: [taskId], dueAt: Date.now() + 6000 }).then(() => done('ok'), (e) => done(JSON.stringify(e)));
    }, id);
    if (r !== 'ok') throw new Error(`reschedule: ${r}`);
    await waitFor('the notification on D-Bus', async () => notifyCalls(monitorLog, remindName) >= 1, 40000);
    await browser.pause(3000);
    const n = notifyCalls(monitorLog, remindName);
    if (n !== 1) throw new Error(`${n} notifications for ${remindName}`);
    await (await shown('nav-settings')).click();
    await shown('notifications-available');
    await noRawKeys('settings');
    const el = await shown('reminder-settings');
    await el.scrollIntoView();
    await screenshot('care-vi-settings-reminders');
  });

  await step('care: English screens', async () => {
    await (await shown('lang-en')).click();
    await waitFor('English', async () => (await browser.execute(() => document.documentElement.lang)) === 'en');
    await (await shown('nav-today')).click();
    await shown('today-loaded');
    await noRawKeys('today (en)');
    await screenshot('care-en-today');
    await (await shown('nav-care')).click();
    await waitFor('the agenda', async () => (await $$t('care-task')).length >= 2);
    await noRawKeys('care (en)');
    await screenshot('care-en-agenda');
    await (await shown('care-plan-open')).click();
    await shown('care-plan-dialog');
    await screenshot('care-en-plan-dialog');
    await browser.keys('Escape');
  });

  return { remindName };
}

/** After a restart: the reminder shown before is not shown again. */
export async function careReopened(browser, { artifacts, step, monitorLog, remindName }) {
  const { shown } = helpers(browser, { artifacts, tag: 'care' });
  await step('care: after a restart the same reminder is not shown again', async () => {
    await shown('today-loaded', 60000);
    await browser.pause(8000);
    const n = notifyCalls(monitorLog, remindName);
    if (n !== 1) throw new Error(`${n} notifications for ${remindName} after the restart`);
  });
}

/** With no notification service on the bus: a reminder still shows in the window, and Settings
 *  says notifications cannot be shown. */
export async function careNoService(browser, { artifacts, step }) {
  const { $t, $$t, shown, waitFor, screenshot } = helpers(browser, { artifacts, tag: 'care', pause: 300 });
  await step('care: without a notification service the reminder shows in the app and Settings says why', async () => {
    await shown('today-loaded', 60000);
    const row = (await (await shown('today-due')).$$('[data-testid="care-task"]'))[0];
    const id = await row.getAttribute('data-task-id');
    const r = await browser.executeAsync((taskId, done) => {
      window.__TAURI_INTERNALS__.invoke('care_task_reschedule', { ids: [taskId], dueAt: Date.now() + 4000 }).then(() => done('ok'), (e) => done(JSON.stringify(e)));
    }, id);
    if (r !== 'ok') throw new Error(`reschedule: ${r}`);
    await waitFor('the in-app reminder', async () => (await $$t('in-app-reminder')).length === 1, 40000);
    await screenshot('care-en-in-app-reminder');
    await (await shown('nav-settings')).click();
    await shown('notifications-unavailable');
    if (!(await $t('reminder-settings').isExisting())) throw new Error('no reminder settings');
    await screenshot('care-en-settings-no-service');
  });
}

// The installed package (scripts/test-package): the app dpkg put in /usr/bin on a fresh data
// folder, and its updates from a loopback update server serving the 0.1.1 package.

import { execFileSync } from 'node:child_process';
import { helpers } from './helpers.mjs';

const installed = () => execFileSync('dpkg-query', ['-W', '-f=${Version}', 'tend'], { encoding: 'utf8' }).trim();

/** First start: the first screen, updates turned off and nothing fetched, then turned on. */
export async function packageFirstStart(browser, { artifacts, step, requests, startedAt }) {
  const { shown, textOf, screenshot, waitFor, noRawKeys, $t } = helpers(browser, { artifacts, tag: 'package', pause: 300 });

  await step('the installed app shows its first screen on a fresh data folder', async () => {
    await shown('today', 40000);
    await noRawKeys('Today');
    await screenshot('package-first-screen');
  });

  await step('with updates off nothing is fetched from the update server', async () => {
    await (await shown('nav-settings')).click();
    const version = await textOf('app-version');
    if (!version.includes('0.1.0')) throw new Error(`Settings names no 0.1.0: ${version}`);
    const auto = await shown('update-auto');
    if (await auto.isSelected()) throw new Error('updates.json said off, the box is ticked');
    // past the first look (8 s after start), with a margin
    const wait = startedAt + 14000 - Date.now();
    if (wait > 0) await browser.pause(wait);
    if (requests.length) throw new Error(`fetched while off: ${requests.join(', ')}`);
    await (await $t('update-settings')).scrollIntoView();
    await noRawKeys('Settings, updates off');
    await screenshot('package-updates-off');
    await auto.click();
    await waitFor('the setting saved', async () => (await $t('update-auto')).isSelected());
  });
}

/** Updates on: a tampered package and one signed by another key are refused, the real one installs. */
export async function packageUpdate(browser, { artifacts, step, requests, serve }) {
  const { $t, shown, textOf, screenshot, waitFor, noRawKeys } = helpers(browser, { artifacts, tag: 'package', pause: 300 });

  async function install() {
    await (await shown('update-install')).click();
    await waitFor('the install to end', async () => (await (await $t('form-errors')).isDisplayed()) || (await (await $t('update-installed')).isDisplayed()), 120000);
  }

  await step('the daily look finds 0.1.1 and shows what is new in Vietnamese', async () => {
    serve('tampered');
    await shown('update-banner', 40000);
    if (!requests.includes('/latest.json')) throw new Error(`no manifest asked: ${requests.join(', ')}`);
    await (await shown('update-banner-open')).click();
    const notes = await textOf('update-notes');
    if (!notes.includes('Bộ cài cho Windows, macOS và Linux')) throw new Error(`notes not in Vietnamese: ${notes}`);
    if (notes.includes('Installers for')) throw new Error(`English notes shown too: ${notes}`);
    await noRawKeys('update dialog');
    await screenshot('package-update-dialog');
  });

  /** The install is refused for its signature, nothing changes, and the dialog is closed. */
  async function refused(shot) {
    await install();
    const err = await textOf('form-errors');
    if (!/chữ ký/.test(err)) throw new Error(`no signature refusal: ${err}`);
    if (installed() !== '0.1.0') throw new Error(`installed: ${installed()}`);
    await screenshot(shot);
    // the dialog must not stay busy: a progress message that came after the refusal once
    // disabled "Later", the click did nothing and the open dialog covered the page
    await (await shown('update-later')).click();
    await waitFor('the dialog to close', async () => !(await (await $t('update-dialog')).isExisting()));
  }

  await step('a tampered package is refused and nothing is installed', async () => {
    await refused('package-update-tampered');
    if (!requests.some((r) => r.startsWith('/pkg/tampered'))) throw new Error(`the tampered package was not fetched: ${requests.join(', ')}`);
    if (requests.some((r) => r.includes('AppImage'))) throw new Error('a .deb install fetched the AppImage');
  });

  /** Looks for an update from Settings and waits for the answer before anything is clicked:
   *  "what's new" from the last look is already there, and the answer re-renders the section
   *  (it also raised the update banner over the page, where a click in between was lost). */
  async function checkNow() {
    await (await shown('nav-settings')).click();
    await (await shown('update-check')).click();
    await waitFor('the look to end', async () => (await $t('update-check')).isEnabled(), 60000);
  }

  await step('a package signed by another key is refused', async () => {
    serve('other-key');
    await checkNow();
    await (await shown('update-open')).click();
    await refused('package-update-other-key');
  });

  await step('the signed 0.1.1 is downloaded, verified and installed through its .deb', async () => {
    serve('good');
    await checkNow();
    await (await shown('update-open')).click();
    await install();
    const done = await textOf('update-installed');
    if (!done.includes('0.1.1')) throw new Error(`installed message: ${done}`);
    await waitFor('dpkg to name 0.1.1', async () => installed() === '0.1.1', 30000);
    await screenshot('package-update-installed');
  });
}

/** The app started again is 0.1.1, and finds nothing newer. */
export async function packageUpdated(browser, { artifacts, step }) {
  const { shown, textOf, screenshot } = helpers(browser, { artifacts, tag: 'package', pause: 300 });
  await step('after the restart the app is 0.1.1 and up to date', async () => {
    await (await shown('nav-settings', 40000)).click();
    const version = await textOf('app-version');
    if (!version.includes('0.1.1')) throw new Error(`Settings: ${version}`);
    await (await shown('update-check')).click();
    await shown('update-none');
    await screenshot('package-updated');
  });
}

/** A .tend-archive opened with the app (as the file manager does, through the package's file
 *  association) is offered for import and imported into the empty workspace. */
export async function packageOpensArchive(browser, { artifacts, step, archive }) {
  const { shown, textOf, screenshot, noRawKeys } = helpers(browser, { artifacts, tag: 'package', pause: 300 });
  await step('a .tend-archive opened with Tend is offered and imported', async () => {
    const ask = await textOf('confirm-dialog');
    if (!ask.includes(archive)) throw new Error(`the dialog does not name the archive: ${ask}`);
    await noRawKeys('opened archive');
    await screenshot('package-open-archive');
    await (await shown('confirm-ok')).click();
    const done = await textOf('opened-done');
    if (!/\d/.test(done)) throw new Error(`no rows imported: ${done}`);
    await screenshot('package-open-archive-done');
  });
}

/** A .tend workspace opened with the app is that run's workspace. */
export async function packageOpensWorkspace(browser, { artifacts, step, workspace }) {
  const { shown, textOf, screenshot } = helpers(browser, { artifacts, tag: 'package', pause: 300 });
  await step('a .tend workspace opened with Tend is the workspace of that run', async () => {
    await (await shown('nav-settings', 40000)).click();
    await shown('update-settings');
    const page = await textOf('settings-workspace');
    if (!page.includes(workspace)) throw new Error(`Settings names another workspace: ${page}`);
    await screenshot('package-open-workspace');
  });
}

#!/usr/bin/env node
// End-to-end test of the REAL desktop app: tauri-driver + WebKitWebDriver drive the debug build of
// tend-desktop (under Xvfb when no display is set) on a fresh workspace file.
//
//   npm run e2e                     (from ui/; build the app first: cargo build -p tend-desktop)
//   TEND_APP=/path/to/tend-desktop  app binary (default: <repo>/target/debug/tend-desktop)
//   E2E_ARTIFACTS=/some/dir         screenshots (default: <repo>/target/e2e-artifacts)
//   E2E_KEEP=1                      keep the temp workspace for inspection
//   TAURI_DRIVER_URL=http://h:port  use a tauri-driver already running (scripts/e2e starts one);
//                                   TEND_DB is then whatever that driver's environment had
//   TEND_TOUR_DB=/path/demo.tend    the screen tour (tour.mjs) runs on a copy of this workspace; without
//                                   it the tour makes one with `tend demo` when the CLI is found
//                                   (TEND_CLI, default: the `tend` binary beside the app), else is skipped
//   E2E_ONLY=scenario|newer|faults|tour|care|helpdesk|sync   run only one of them
//   E2E_ONLY=package                 the installed package and its updates (scripts/test-package
//                                   prepares PKG_DIR and installs the app; never run otherwise)
//   TEND_TEST_DIALOG=/path/file     file dialogs of the (debug) app answer with the path in this file
//
// Exits non-zero on any failure; prints 'N passed, N failed' at the end.

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';
import { scenario } from './scenario.mjs';
import { tour } from './tour.mjs';
import { faults, faultsReopened } from './faults.mjs';
import { care, careNoService, careReopened } from './care.mjs';
import { helpdesk } from './helpdesk.mjs';
import { syncJoin, syncLive, syncShare } from './sync.mjs';
import { packageFirstStart, packageOpensArchive, packageOpensWorkspace, packageUpdate, packageUpdated } from './package.mjs';
import { createServer } from 'node:http';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const APP = process.env.TEND_APP || join(repo, 'target', 'debug', 'tend-desktop');
const ARTIFACTS = process.env.E2E_ARTIFACTS || join(repo, 'target', 'e2e-artifacts');
const DRIVER = process.env.TAURI_DRIVER || 'tauri-driver';
const NATIVE_DRIVER = process.env.NATIVE_DRIVER || '/usr/bin/WebKitWebDriver';
const PORT = 4444;
// tauri-driver's own WebKitWebDriver listens on --native-port (4445 by default): keep clear of it
const TOUR_PORT = Number(process.env.TOUR_DRIVER_PORT || 4446);
const CLI = process.env.TEND_CLI || join(dirname(APP), 'tend');
const ONLY = process.env.E2E_ONLY || '';

// The file the app's dialogs are answered from (helpers.mjs: answerDialogs); scripts/e2e sets it for
// the tauri-driver it starts.
if (!process.env.TEND_TEST_DIALOG) process.env.TEND_TEST_DIALOG = join(mkdtempSync(join(tmpdir(), 'tend-dialog-')), 'answer');

const children = [];
const results = [];
let browser = null;
const tmps = [];

function log(...args) {
  console.log('[e2e]', ...args);
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function waitPort(port, ms) {
  const until = Date.now() + ms;
  return new Promise((resolvePort, reject) => {
    const attempt = () => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolvePort();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > until) reject(new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`));
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}

function start(cmd, args, env) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tag = cmd.split('/').pop();
  child.stdout.on('data', (d) => process.env.E2E_VERBOSE && process.stdout.write(`[${tag}] ${d}`));
  child.stderr.on('data', (d) => process.env.E2E_VERBOSE && process.stderr.write(`[${tag}] ${d}`));
  child.on('error', (e) => log(`${tag} failed to start: ${e.message}`));
  children.push(child);
  return child;
}

async function startDisplay(env) {
  if (env.DISPLAY) return;
  for (let n = 99; n < 120; n++) {
    if (existsSync(`/tmp/.X${n}-lock`)) continue;
    const xvfb = start('Xvfb', [`:${n}`, '-screen', '0', '1280x860x24', '-nolisten', 'tcp'], env);
    await sleep(800);
    if (xvfb.exitCode === null) {
      env.DISPLAY = `:${n}`;
      log(`Xvfb on :${n}`);
      return;
    }
  }
  throw new Error('could not start Xvfb');
}

/**
 * Starts tauri-driver on `port` with its WebKitWebDriver on `port + 1` and waits for BOTH: tauri-driver
 * listens before its native driver does, and a session requested in between is dropped mid-request.
 */
async function startDriver(port, env) {
  start(DRIVER, ['--port', String(port), '--native-port', String(port + 1), '--native-driver', NATIVE_DRIVER], env);
  await waitPort(port, 20000);
  await waitPort(port + 1, 20000);
}

// --- the scenario (scenario.mjs) ---------------------------------------------------------------

async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false, error: e });
    log(`FAIL ${name}: ${e?.stack || e}`);
    try {
      await browser.saveScreenshot(join(ARTIFACTS, `failure-${results.length}.png`));
    } catch {
      /* no session */
    }
    throw e;
  }
}

// --- main ---------------------------------------------------------------------------------------

function session(hostname, port, args = []) {
  return remote({
    hostname,
    port,
    logLevel: 'warn',
    connectionRetryTimeout: 120000,
    connectionRetryCount: 0,
    capabilities: {
      'tauri:options': { application: APP, args },
      // WebKitWebDriver speaks classic WebDriver only (no BiDi)
      'wdio:enforceWebDriverClassic': true
    }
  });
}

async function runScenario() {
  let hostname = '127.0.0.1';
  let port = PORT;
  let db = process.env.TEND_DB;
  if (process.env.TAURI_DRIVER_URL) {
    const u = new URL(process.env.TAURI_DRIVER_URL);
    hostname = u.hostname;
    port = Number(u.port || 4444);
    await waitPort(port, 20000);
    log(`using tauri-driver at ${u.href}; app ${APP}; workspace ${process.env.TEND_DB ?? '(driver default)'}`);
  } else {
    const tmp = mkdtempSync(join(tmpdir(), 'tend-e2e-'));
    tmps.push(tmp);
    const env = {
      ...process.env,
      TEND_DB: join(tmp, 'workspace.tend'),
      XDG_DATA_HOME: join(tmp, 'data'),
      XDG_CONFIG_HOME: join(tmp, 'config')
    };
    db = env.TEND_DB;
    await startDisplay(env);
    if (env.DISPLAY) process.env.DISPLAY = env.DISPLAY;
    await startDriver(PORT, env);
    log(`tauri-driver on ${PORT}; app ${APP}; workspace ${env.TEND_DB}`);
  }

  browser = await session(hostname, port);
  if (!existsSync(CLI)) throw new Error(`the tend CLI is needed next to the app: ${CLI}`);
  await scenario(browser, { artifacts: ARTIFACTS, step, cli: CLI, db });
  await browser.deleteSession();
  browser = null;
}

/** The workspace the tour runs on: a copy of TEND_TOUR_DB, or a fresh demo; null to skip. */
function tourWorkspace(dir) {
  const target = join(dir, 'tour.tend');
  const source = process.env.TEND_TOUR_DB;
  if (source) {
    if (!existsSync(source)) throw new Error(`TEND_TOUR_DB=${source} does not exist`);
    for (const ext of ['', '-wal', '-shm']) if (existsSync(source + ext)) copyFileSync(source + ext, target + ext);
    return target;
  }
  if (!existsSync(CLI)) return null;
  log(`making a demo workspace with ${CLI}`);
  const r = spawnSync(CLI, ['--db', target, 'demo', '--customers', '3000', '--seed', '42'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tend demo failed: ${r.stderr || r.error}`);
  return target;
}

async function runTour() {
  const dir = mkdtempSync(join(tmpdir(), 'tend-tour-'));
  tmps.push(dir);
  const db = tourWorkspace(dir);
  if (!db) {
    log(`tour skipped: no TEND_TOUR_DB and no CLI at ${CLI}`);
    return;
  }
  const env = {
    ...process.env,
    TEND_DB: db,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CONFIG_HOME: join(dir, 'config')
  };
  await startDisplay(env);
  await startDriver(TOUR_PORT, env);
  log(`tour: tauri-driver on ${TOUR_PORT}; workspace ${db}`);
  browser = await session('127.0.0.1', TOUR_PORT);
  await tour(browser, { artifacts: ARTIFACTS, step, cli: existsSync(CLI) ? CLI : null, db });
}

/** A workspace written by a newer Tend: the window opens, explains, and the file is untouched. */
async function runNewer() {
  if (!existsSync(CLI)) throw new Error(`the tend CLI is needed next to the app: ${CLI}`);
  const dir = mkdtempSync(join(tmpdir(), 'tend-newer-'));
  tmps.push(dir);
  const db = join(dir, 'newer.tend');
  const made = spawnSync(CLI, ['--db', db, 'customer', 'add', '--name', 'Hà'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`tend customer add failed: ${made.stderr}`);
  const py = spawnSync('python3', ['-c', [
    'import sqlite3, sys',
    'c = sqlite3.connect(sys.argv[1])',
    "c.execute(\"INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (9999, 'future', CURRENT_TIMESTAMP, 1, x'00', 0)\")",
    'c.commit()',
    "c.execute('PRAGMA wal_checkpoint(TRUNCATE)')",
    'c.close()'
  ].join('\n'), db], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`could not age the workspace: ${py.stderr}`);
  const before = readFileSync(db);
  const env = { ...process.env, TEND_DB: db, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') };
  await startDisplay(env);
  const port = TOUR_PORT + 2;
  await startDriver(port, env);
  browser = await session('127.0.0.1', port);
  await step('a workspace from a newer Tend is refused with a clear message and left untouched', async () => {
    const banner = await browser.$('[data-testid="form-errors"]');
    await banner.waitForDisplayed({ timeout: 20000 });
    const text = await banner.getText();
    if (!text.includes('9999')) throw new Error(`the message does not name the newer schema: ${text}`);
    if (/error\.|validation\./.test(text)) throw new Error(`untranslated message: ${text}`);
    await browser.saveScreenshot(join(ARTIFACTS, 'newer-workspace.png'));
    if (!readFileSync(db).equals(before)) throw new Error('the newer workspace file was modified');
  });
  await browser.deleteSession();
  browser = null;
}

/** Faults in the real app: a failed restore at start, a save during another program's import,
 *  damage found while open (faults.mjs). */
async function runFaults() {
  if (!existsSync(CLI)) throw new Error(`the tend CLI is needed next to the app: ${CLI}`);
  const dir = mkdtempSync(join(tmpdir(), 'tend-faults-'));
  tmps.push(dir);
  const db = join(dir, 'faults.tend');
  const made = spawnSync(CLI, ['--db', db, 'customer', 'add', '--name', 'Có Sẵn'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`tend customer add failed: ${made.stderr}`);
  const missingBackup = join(dir, 'backups', 'gone-20261101-020000000-daily.tend');
  writeFileSync(`${db}.restore-pending`, missingBackup);
  const before = readFileSync(db);
  const env = { ...process.env, TEND_DB: db, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') };
  await startDisplay(env);
  const port = TOUR_PORT + 4;
  await startDriver(port, env);
  browser = await session('127.0.0.1', port);
  await step('a failed restore leaves the workspace file as it was', async () => {
    if (!readFileSync(db).subarray(0, 100).equals(before.subarray(0, 100))) throw new Error('the workspace header changed');
  });
  await faults(browser, { artifacts: ARTIFACTS, step, db, cli: CLI, missingBackup });
  await browser.deleteSession();
  browser = await session('127.0.0.1', port);
  await faultsReopened(browser, { artifacts: ARTIFACTS, step, db });
  await browser.deleteSession();
  browser = null;
}

/** A private D-Bus session bus (its address); with `services: false`, one that starts no
 *  service on demand (so no notification daemon can appear). */
async function sessionBus(dir, services) {
  const config = join(dir, services ? 'bus.conf' : 'bus-bare.conf');
  writeFileSync(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:tmpdir=${dir}</listen>${services ? '<standard_session_servicedirs/>' : ''}
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>`
  );
  const bus = start('dbus-daemon', ['--config-file', config, '--nofork', '--print-address'], process.env);
  const address = await new Promise((resolveAddr, reject) => {
    let out = '';
    bus.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolveAddr(out.trim());
    });
    bus.on('exit', (c) => reject(new Error(`dbus-daemon exited ${c}`)));
    setTimeout(() => reject(new Error('dbus-daemon gave no address')), 10000);
  });
  return address;
}

/** Care, reminders and notifications on a workspace the CLI prepares: a user and customers in
 *  Hà Nội who bought yesterday (care.mjs). */
async function runCare() {
  if (!existsSync(CLI)) throw new Error(`the tend CLI is needed next to the app: ${CLI}`);
  const dir = mkdtempSync(join(tmpdir(), 'tend-care-'));
  tmps.push(dir);
  const db = join(dir, 'care.tend');
  const cli = (...args) => {
    const r = spawnSync(CLI, ['--db', db, ...args, '--json'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tend ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const lan = cli('staff', 'add', '--name', 'Trần Thị Lan', '--email', 'lan@example.vn');
  cli('staff', 'add', '--name', 'Phạm Văn Minh');
  cli('settings', 'set', 'current_staff', lan.id);
  // bought yesterday at 15:00 in Hà Nội (UTC+7): the thank-you call (+1 day, 09:00) is due today
  const day = new Date(Date.now() + 7 * 3600e3);
  day.setUTCDate(day.getUTCDate() - 1);
  const yesterday = `${day.toISOString().slice(0, 10)}T08:00:00Z`;
  const names = ['Nguyễn Văn Dũng', 'Lê Thị Hoa', 'Đỗ Minh Quân'];
  for (const [i, name] of names.entries()) {
    const c = cli('customer', 'add', '--name', name, '--phone', `0912 345 67${i}`);
    cli('customer', 'set', c.id, 'province=Hà Nội', `owner_id=${lan.id}`);
    cli('interaction', 'add', '--customer', c.id, '--kind', 'purchase', '--summary', 'Máy lọc nước RO', '--amount', String(1500000 + i * 500000), '--at', yesterday);
  }
  const other = cli('customer', 'add', '--name', 'Vũ Thị Huế', '--phone', '0935 111 222');
  cli('customer', 'set', other.id, 'province=Thừa Thiên Huế');

  const address = await sessionBus(dir, true);
  const env = { ...process.env, TEND_DB: db, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config'), DBUS_SESSION_BUS_ADDRESS: address };
  await startDisplay(env);
  if (env.DISPLAY) process.env.DISPLAY = env.DISPLAY;
  const monitorLog = join(dir, 'notifications.log');
  const monitor = start('sh', ['-c', `exec dbus-monitor "interface='org.freedesktop.Notifications',member='Notify'" > "${monitorLog}"`], env);
  start('dunst', ['-config', '/dev/null'], env);
  await sleep(800);
  if (monitor.exitCode !== null) throw new Error('dbus-monitor did not start');
  const port = TOUR_PORT + 6;
  await startDriver(port, env);
  browser = await session('127.0.0.1', port);
  const { remindName } = await care(browser, { artifacts: ARTIFACTS, step, monitorLog, names });
  await browser.deleteSession();
  browser = await session('127.0.0.1', port);
  await careReopened(browser, { artifacts: ARTIFACTS, step, monitorLog, remindName });
  await browser.deleteSession();
  browser = null;

  // the same workspace on a bus with no notification service
  const bare = await sessionBus(dir, false);
  const envBare = { ...env, DBUS_SESSION_BUS_ADDRESS: bare };
  const port2 = TOUR_PORT + 8;
  await startDriver(port2, envBare);
  browser = await session('127.0.0.1', port2);
  await careNoService(browser, { artifacts: ARTIFACTS, step });
  await browser.deleteSession();
  browser = null;
}

/** The helpdesk on a workspace the CLI prepares (helpdesk.mjs): a team with a quality checklist and
 *  SLA policies, two agents, and tickets overdue, waiting on the customer, fresh and solved. */
async function runHelpdesk() {
  if (!existsSync(CLI)) throw new Error(`the tend CLI is needed next to the app: ${CLI}`);
  const dir = mkdtempSync(join(tmpdir(), 'tend-helpdesk-'));
  tmps.push(dir);
  const db = join(dir, 'helpdesk.tend');
  const cli = (...args) => {
    const r = spawnSync(CLI, ['--db', db, ...args, '--json'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tend ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const lan = cli('staff', 'add', '--name', 'Trần Thị Lan', '--email', 'lan@example.vn');
  cli('staff', 'add', '--name', 'Phạm Văn Minh', '--email', 'minh@example.vn');
  cli('settings', 'set', 'current_staff', lan.id);
  const team = join(dir, 'team.toml');
  writeFileSync(team, [
    'name = "Bảo hành"',
    'vn_public_holidays = true',
    'members = ["lan@example.vn", "minh@example.vn"]',
    'lead = "minh@example.vn"',
    'assignment = "round_robin"',
    'followup_days = 0',
    'survey = "csat"',
    'stages = [ { name = "Mới" }, { name = "Đang xử lý" }, { name = "Chờ khách", pauses_sla = true },',
    '  { name = "Kiểm tra chất lượng", checklist = ["Gọi lại xác nhận với khách", "Ghi biên bản bảo hành"] },',
    '  { name = "Đã xử lý", solved = true }, { name = "Đóng", solved = true, closed = true } ]',
    '[hours]',
    ...['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => `${d} = ["00:00-24:00"]`),
    '[[sla]]',
    'name = "Khẩn"',
    'match = { priority = ["urgent", "high"] }',
    'first_response_minutes = 60',
    'resolution_minutes = 480',
    '[[sla]]',
    'name = "Thường"',
    'first_response_minutes = 240',
    'resolution_minutes = 2880',
    ''
  ].join('\n'));
  cli('team', 'create', '--file', team);
  cli('canned', 'create', '--name', 'Hẹn kỹ thuật viên', '--body', 'Dạ em chào {{customer.name}}, em là {{agent.name}}. Chiều nay kỹ thuật viên sẽ qua kiểm tra (phiếu {{ticket.number}}) ạ.');
  cli('canned', 'create', '--name', 'Cảm ơn', '--body', 'Cảm ơn {{customer.name}} đã liên hệ {{team.name}}.');
  const customer = cli('customer', 'add', '--name', 'Nguyễn Văn Dũng', '--phone', '0912 345 678');
  cli('customer', 'set', customer.id, `owner_id=${lan.id}`);
  const ago = (hours) => new Date(Date.now() - hours * 3600e3).toISOString();
  const t1 = cli('ticket', 'create', '--subject', 'Tủ lạnh không lạnh', '--customer-phone', '0903 111 222', '--customer-name', 'Lê Thị Hoa', '--priority', 'urgent', '--channel', 'zalo', '--message', 'Tủ lạnh nhà chị không lạnh từ hôm qua.', '--at', ago(3));
  const t2 = cli('ticket', 'create', '--subject', 'Hỏi lịch bảo dưỡng điều hoà', '--customer', customer.id, '--channel', 'phone', '--at', ago(1));
  cli('ticket', 'reply', t2.number, '--body', 'Dạ bên em sẽ gọi lại xếp lịch ạ.', '--at', ago(0.5));
  cli('ticket', 'stage', t2.number, 'Chờ khách', '--at', ago(0.4));
  cli('ticket', 'create', '--subject', 'Đổi vòi nước bị rò', '--customer-email', 'quan.do@example.vn', '--customer-name', 'Đỗ Minh Quân', '--channel', 'email', '--at', ago(0.2));
  const t4 = cli('ticket', 'create', '--subject', 'Lắp đặt máy giặt', '--customer', customer.id, '--channel', 'in_person', '--at', ago(30));
  cli('ticket', 'reply', t4.number, '--body', 'Đã lắp xong.', '--at', ago(29));
  cli('ticket', 'solve', t4.number, '--at', ago(28));
  const env = { ...process.env, TEND_DB: db, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') };
  await startDisplay(env);
  const port = TOUR_PORT + 12;
  await startDriver(port, env);
  browser = await session('127.0.0.1', port);
  await helpdesk(browser, { artifacts: ARTIFACTS, step, customer, hoaTicket: t1.number, solvedTicket: t4.number });
  await browser.deleteSession();
  browser = null;
}

/** A free TCP port on loopback. */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolvePort(port));
    });
  });
}

/** A throwaway PostgreSQL cluster in `dir` (as the postgres user when root: initdb refuses
 *  root); its URL. Stopped by `stop` at the end. */
async function startPostgres(dir) {
  const root = process.getuid?.() === 0;
  const bin = ['17', '16', '15'].map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => existsSync(d));
  if (!bin) throw new Error('PostgreSQL is not installed (scripts/test installs the postgresql package)');
  const run = (args) => {
    const line = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const r = root ? spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', line], { encoding: 'utf8' }) : spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args[0]}: ${r.stderr}${r.stdout}`);
  };
  if (root) spawnSync('chown', ['-R', 'postgres', dir]);
  const data = join(dir, 'pgdata');
  run([`${bin}/initdb`, '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  run([`${bin}/pg_ctl`, '-D', data, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', join(dir, 'pg.log'), '-w', 'start']);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop: () => run([`${bin}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop']) };
}

/** Sharing a workspace between two real app instances through a local tend-server (sync.mjs). */
async function runSync() {
  if (!existsSync(CLI)) throw new Error(`the tend CLI is needed next to the app: ${CLI}`);
  const SERVER = join(dirname(APP), 'tend-server');
  if (!existsSync(SERVER)) throw new Error(`tend-server is needed next to the app: ${SERVER} (cargo build -p tend-server)`);
  const dir = mkdtempSync(join(tmpdir(), 'tend-sync-'));
  tmps.push(dir);
  const pg = await startPostgres(dir);
  try {
    const created = spawnSync(SERVER, ['workspace', 'create', '--name', 'Tiệm Hoa Mai', '--owner-email', 'chu@hoamai.vn', '--json'], { encoding: 'utf8', env: { ...process.env, TEND_SERVER_DATABASE_URL: pg.url } });
    if (created.status !== 0) throw new Error(`tend-server workspace create: ${created.stderr}`);
    const { invite } = JSON.parse(created.stdout);
    const serverPort = await freePort();
    const server = `http://127.0.0.1:${serverPort}`;
    start(SERVER, ['serve', '--listen', `127.0.0.1:${serverPort}`], { ...process.env, TEND_SERVER_DATABASE_URL: pg.url });
    await waitPort(serverPort, 30000);

    const dbA = join(dir, 'a', 'cua-hang.tend');
    const dbB = join(dir, 'b', 'workspace.tend');
    mkdirSync(dirname(dbA), { recursive: true });
    mkdirSync(dirname(dbB), { recursive: true });
    const cli = (side, ...args) => {
      const r = spawnSync(CLI, ['--db', side === 'a' ? dbA : dbB, ...args, '--json'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`tend ${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout);
    };
    const owner = cli('a', 'staff', 'add', '--name', 'Chủ Tiệm', '--email', 'chu@hoamai.vn', '--role', 'owner');
    const agent = cli('a', 'staff', 'add', '--name', 'Nguyễn Văn Bình', '--email', 'binh@hoamai.vn', '--role', 'agent');
    cli('a', 'settings', 'set', 'current_staff', owner.id);
    const names = { first: 'Đặng Thị Ngọc Ánh', live: 'Võ Thị Hồng', editedId: '' };
    cli('a', 'customer', 'add', '--name', names.first, '--phone', '0912 345 678');
    names.editedId = cli('a', 'customer', 'add', '--name', 'Lê Văn Hùng', '--phone', '0987 654 321').id;

    // each app on its own session bus (the single-instance plugin meets its twin on a shared one)
    // with its own unlocked keychain: GNOME Keyring's Secret Service, a fresh login keyring
    const keychain = async (name) => {
      const home = join(dir, name, 'bus');
      mkdirSync(join(home, 'run'), { recursive: true, mode: 0o700 });
      const address = await sessionBus(home, false);
      const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address };
      const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
        env: { ...env, XDG_DATA_HOME: join(home, 'data'), XDG_RUNTIME_DIR: join(home, 'run') },
        stdio: ['pipe', 'ignore', 'ignore']
      });
      children.push(keyring);
      keyring.stdin.end(`${name}-password`);
      await sleep(1500);
      if (keyring.exitCode !== null) throw new Error('gnome-keyring-daemon did not start');
      return env;
    };
    const envA = { ...(await keychain('a')), TEND_DB: dbA, XDG_DATA_HOME: join(dir, 'a', 'data'), XDG_CONFIG_HOME: join(dir, 'a', 'config') };
    const envB = { ...(await keychain('b')), TEND_DB: dbB, XDG_DATA_HOME: join(dir, 'b', 'data'), XDG_CONFIG_HOME: join(dir, 'b', 'config') };
    await startDisplay(envA);
    envB.DISPLAY = envA.DISPLAY;
    const portA = TOUR_PORT + 14;
    const portB = TOUR_PORT + 16;
    await startDriver(portA, envA);
    await startDriver(portB, envB);
    const a = await session('127.0.0.1', portA);
    browser = a;
    const code = await syncShare(a, { artifacts: ARTIFACTS, step, server, invite, agentId: agent.id });
    let b = await session('127.0.0.1', portB);
    browser = b;
    await syncJoin(b, { artifacts: ARTIFACTS, step, server, code });
    // the join restarts the app on the downloaded workspace: a new session starts it again
    await step('sync: the agent\'s app restarts on the joined workspace', async () => {
      const until = Date.now() + 60000;
      // the join asks for a restore at the next start; the restarted app may do it at once
      const replaced = () => readdirSync(dirname(dbB)).some((f) => f.startsWith('workspace.tend.replaced-'));
      while (!existsSync(`${dbB}.restore-pending`) && !replaced()) {
        if (Date.now() > until) throw new Error('the join did not finish');
        await sleep(200);
      }
      await sleep(2000);
      try {
        await b.deleteSession();
      } catch {
        /* ended with the restart */
      }
      // the app restarted itself, outside the driver: that instance goes (found by its workspace),
      // and the driver starts the app again, which puts the joined workspace in place first
      const restarted = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
        try {
          return readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(`TEND_DB=${dbB}`) && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('tend-desktop');
        } catch {
          return false;
        }
      });
      for (const pid of restarted) process.kill(Number(pid), 'SIGTERM');
      await sleep(1000);
      b = await session('127.0.0.1', portB);
      browser = b;
    });
    await syncLive(a, b, { artifacts: ARTIFACTS, step, cli, names });
    await b.deleteSession();
    await a.deleteSession();
    browser = null;
  } finally {
    pg.stop();
  }
}

/** The installed app (TEND_APP=/usr/bin/tend-desktop) on a fresh data folder, and its updates
 *  from a loopback server (package.mjs); PKG_DIR holds what scripts/test-package made. */
async function runPackage() {
  const dir = process.env.PKG_DIR;
  const port = Number(process.env.TEND_UPDATE_PORT || 4480);
  if (!dir) throw new Error('PKG_DIR is not set: run scripts/test-package');
  const requests = [];
  const files = { '/pkg/tampered.deb': 'tampered.deb', '/pkg/new.deb': 'new.deb' };
  let manifest = null;
  const url = (path) => `http://127.0.0.1:${port}${path}`;
  const serve = (variant) => {
    const good = readFileSync(join(dir, 'new.deb.sig'), 'utf8').trim();
    const deb = {
      tampered: { url: url('/pkg/tampered.deb'), signature: good },
      'other-key': { url: url('/pkg/new.deb'), signature: readFileSync(join(dir, 'other.sig'), 'utf8').trim() },
      good: { url: url('/pkg/new.deb'), signature: good }
    }[variant];
    manifest = JSON.stringify({
      version: '0.1.1',
      notes: readFileSync(join(dir, 'notes.md'), 'utf8'),
      pub_date: new Date().toISOString(),
      platforms: {
        // what an AppImage install would take: a .deb install must not
        'linux-x86_64': { url: url('/pkg/Tend_0.1.1_amd64.AppImage'), signature: good },
        'linux-x86_64-deb': deb
      }
    });
  };
  const server = createServer((req, res) => {
    requests.push(req.url);
    if (req.url === '/latest.json' && manifest) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(manifest);
    } else if (files[req.url]) {
      const body = readFileSync(join(dir, files[req.url]));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  try {
    const env = { ...process.env, XDG_DATA_HOME: join(dir, 'xdg', 'data'), XDG_CONFIG_HOME: join(dir, 'xdg', 'config') };
    delete env.TEND_DB;
    // updates off on this device before the first start
    const config = join(env.XDG_CONFIG_HOME, 'vn.tend.app');
    mkdirSync(config, { recursive: true });
    writeFileSync(join(config, 'updates.json'), '{"auto": false}');
    serve('good');
    await startDisplay(env);
    const driverPort = TOUR_PORT + 10;
    await startDriver(driverPort, env);
    const startedAt = Date.now();
    browser = await session('127.0.0.1', driverPort);
    await packageFirstStart(browser, { artifacts: ARTIFACTS, step, requests, startedAt });
    await browser.deleteSession();
    requests.length = 0;
    browser = await session('127.0.0.1', driverPort);
    await packageUpdate(browser, { artifacts: ARTIFACTS, step, requests, serve });
    await browser.deleteSession();
    browser = await session('127.0.0.1', driverPort);
    await packageUpdated(browser, { artifacts: ARTIFACTS, step });
    await browser.deleteSession();
    const archive = join(dir, 'shop.tend-archive');
    browser = await session('127.0.0.1', driverPort, [archive]);
    await packageOpensArchive(browser, { artifacts: ARTIFACTS, step, archive });
    await browser.deleteSession();
    const workspace = join(dir, 'shop.tend');
    browser = await session('127.0.0.1', driverPort, [workspace]);
    await packageOpensWorkspace(browser, { artifacts: ARTIFACTS, step, workspace });
    await browser.deleteSession();
    browser = null;
  } finally {
    server.close();
  }
}

async function main() {
  if (!existsSync(APP)) throw new Error(`app binary not found: ${APP} (build it: cargo build -p tend-desktop)`);
  if (ONLY === 'package') return runPackage();
  if (!ONLY || ONLY === 'scenario') await runScenario();
  if (!ONLY || ONLY === 'newer') await runNewer();
  if (!ONLY || ONLY === 'faults') await runFaults();
  if (!ONLY || ONLY === 'care') await runCare();
  if (!ONLY || ONLY === 'helpdesk') await runHelpdesk();
  if (!ONLY || ONLY === 'sync') await runSync();
  if (!ONLY || ONLY === 'tour') await runTour();
}

async function cleanup() {
  try {
    if (browser) await browser.deleteSession();
  } catch {
    /* already gone */
  }
  for (const c of children.reverse()) {
    if (c.exitCode === null) c.kill('SIGTERM');
  }
  await sleep(300);
  for (const c of children) {
    if (c.exitCode === null) c.kill('SIGKILL');
  }
  if (!process.env.E2E_KEEP) for (const d of tmps) rmSync(d, { recursive: true, force: true });
}

let code = 0;
mkdirSync(ARTIFACTS, { recursive: true });
try {
  await main();
} catch (e) {
  if (!results.some((r) => !r.ok)) {
    results.push({ name: 'setup', ok: false, error: e });
    log(`FAIL setup: ${e?.stack || e}`);
  }
  code = 1;
} finally {
  await cleanup();
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
writeFileSync(join(ARTIFACTS, 'results.json'), JSON.stringify(results.map(({ name, ok, error }) => ({ name, ok, error: error ? String(error) : undefined })), null, 2));
console.log(`${passed} passed, ${failed} failed`);
process.exit(code || (failed > 0 ? 1 : 0));

// Workspace-wide state the screens share: workspace info, language, time zone, staff, stages and
// custom fields. Loaded once at start; each settings change reloads its part.

import {
  api,
  events,
  onCommandError,
  type CustomField,
  type DealStage,
  type Notice,
  type OpenedFile,
  type RestoreFailure,
  type Stage,
  type Staff,
  type WaitNotice,
  type WorkspaceInfo
} from './api';
import { DEFAULT_TIME_ZONE, pickLanguage, type Lang } from './format';
import { applyLanguage, setupI18n, tr } from './i18n';
import { waitingAfter } from './waiting';
import { refreshFor } from './refresh';
import { goto } from '$app/navigation';
import { href, openCustomer } from './nav';

export const app = $state({
  ready: false,
  startError: null as unknown,
  info: null as WorkspaceInfo | null,
  lang: 'vi' as Lang,
  tz: DEFAULT_TIME_ZONE,
  staff: [] as Staff[],
  stages: [] as Stage[],
  dealStages: [] as DealStage[],
  /** Titles of the deals seen so far (a timeline names the deal a change is about). */
  dealTitles: {} as Record<string, string>,
  customFields: [] as CustomField[],
  /** Bumped after any customer write, so open lists refresh. */
  customersVersion: 0,
  /** Bumped when another device's changes were applied (the 360 and Segments read again). */
  remoteVersion: 0,
  /** Damage found since the workspace opened: writes are refused; the window offers a backup. */
  damaged: null as string | null,
  /** Writes waiting for an import (or other long write): saved when it finishes. */
  waiting: [] as WaitNotice[],
  /** A restore chosen before the app restarted that could not be done. */
  restoreFailed: null as RestoreFailure | null,
  /** Bumped when care tasks change or a reminder falls due, so Today and Care refresh. */
  careVersion: 0,
  /** Reminders the desktop could not show (no notification service): shown in the window. */
  reminders: [] as Notice[],
  /** A newer version of Tend found by the daily look (its number), until the user answers. */
  update: null as string | null,
  /** The version installed in this run: it starts at the next start. */
  updateInstalled: null as string | null,
  /** A workspace or archive the system opened with the app, waiting for the user's answer. */
  opened: null as OpenedFile | null
});

/** Follows what the core tells beyond data: damage, writes waiting for a long write. */
async function watchStatus(): Promise<void> {
  onCommandError((e) => {
    if (e.kind === 'damaged') app.damaged = e.payload.params.detail ?? e.message;
  });
  await events.workspaceDamagedEvent.listen((e) => {
    app.damaged = e.payload;
  });
  await events.workspaceChangedEvent.listen((e) => void afterRemoteChanges(e.payload.tables));
  await events.writeWaitingEvent.listen((e) => {
    app.waiting = waitingAfter(app.waiting, e.payload);
  });
  await events.reminderEvent.listen((e) => {
    app.careVersion++;
    if (!e.payload.shown) app.reminders = [...app.reminders, e.payload.notice].slice(-5);
  });
  await events.openCustomerEvent.listen((e) => void openCustomer(e.payload));
  await events.openTodayEvent.listen(() => void goto(href.today()));
  await events.updateAvailableEvent.listen((e) => {
    app.update = e.payload;
  });
  await events.openedFileEvent.listen((e) => {
    app.opened = e.payload;
  });
  app.opened = await api.openedFileTake();
  await refreshStatus();
}

/** Reads what the core knows now: damage found, a restore that failed at start. */
export async function refreshStatus(): Promise<void> {
  const status = await api.workspaceStatus();
  app.restoreFailed = status.restore_failed;
  if (status.damaged) app.damaged = status.damaged;
}

export async function dismissRestoreFailure(): Promise<void> {
  await api.restoreFailureDismiss();
  app.restoreFailed = null;
}

export async function start(): Promise<void> {
  const navLangs = typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : [];
  setupI18n(pickLanguage(null, navLangs));
  // asked all at once: the first screen waits for the slowest, not for their sum
  const status = watchStatus().catch((e) => console.error('workspace status', e));
  try {
    const [info] = await Promise.all([api.workspaceInfo(), loadStaff(), loadStages(), loadDealStages(), loadCustomFields()]);
    app.info = info;
    app.tz = info.time_zone || DEFAULT_TIME_ZONE;
    app.lang = pickLanguage(info.language, navLangs);
    applyLanguage(app.lang);
  } catch (e) {
    app.startError = e;
  }
  await status;
  app.ready = true;
}

/** Another device's changes were applied: reload what they changed, then let open screens read
 *  their data again. */
async function afterRemoteChanges(tables: string[]): Promise<void> {
  const r = refreshFor(tables);
  await Promise.all([
    r.staff ? loadStaff() : null,
    r.stages ? loadStages() : null,
    r.dealStages ? loadDealStages() : null,
    r.customFields ? loadCustomFields() : null,
    r.settings ? loadInfo().then(() => void (app.tz = app.info?.time_zone || DEFAULT_TIME_ZONE)) : null
  ]).catch(() => {});
  if (r.customers) app.customersVersion++;
  if (r.care) app.careVersion++;
  app.remoteVersion++;
}

export async function loadInfo(): Promise<void> {
  app.info = await api.workspaceInfo();
}
export async function loadStaff(): Promise<void> {
  app.staff = await api.staffList();
}
export async function loadStages(): Promise<void> {
  app.stages = await api.stageList();
}
export async function loadDealStages(): Promise<void> {
  app.dealStages = await api.dealStageList();
}
export async function loadCustomFields(): Promise<void> {
  app.customFields = await api.customFieldList();
}

export async function setLanguage(lang: Lang): Promise<void> {
  await api.setLanguage(lang);
  applyLanguage(lang);
  app.lang = lang;
  if (app.info) app.info.language = lang;
}

/** How many rows an archive holds (its manifest's count per table). */
export function archiveRows(tables: Partial<Record<string, number>>): number {
  return Object.values(tables).reduce<number>((a, b) => a + (b ?? 0), 0);
}

/** Imports a workspace archive into this (empty) workspace and reloads what it brought; the rows
 *  imported. From Settings > All data and from an archive the file manager opened with Tend. */
export async function importArchive(path: string): Promise<number> {
  const m = await api.workspaceImport(path);
  await Promise.all([loadStaff(), loadStages(), loadCustomFields()]);
  customersChanged();
  return archiveRows(m.tables);
}

export function customersChanged(): void {
  app.customersVersion++;
}

/** A stage's display name: its own name, or the translation of a built-in stage. */
export function stageLabel(s: Stage): string {
  void app.lang; // re-render on a language switch
  return s.name ?? tr(`stage.${s.id}`);
}

export function stageName(id: string | null | undefined): string {
  if (!id) return '';
  const s = app.stages.find((x) => x.id === id);
  return s ? stageLabel(s) : id;
}

/** A deal stage's display name: its own name, or the translation of a built-in one. */
export function dealStageLabel(s: DealStage): string {
  void app.lang;
  return s.name ?? tr(`deal_stage.${s.id}`);
}

export function dealStageName(id: string | null | undefined): string {
  if (!id) return '';
  const s = app.dealStages.find((x) => x.id === id);
  return s ? dealStageLabel(s) : id;
}

export function rememberDeals(deals: { id: string; title: string }[]): void {
  for (const d of deals) app.dealTitles[d.id] = d.title;
}

export function staffName(id: string | null | undefined): string {
  if (!id) return '';
  return app.staff.find((x) => x.id === id)?.name ?? id;
}

// Workspace-wide state the screens share: workspace info, language, time zone, staff, stages and
// custom fields. Loaded once at start; each settings change reloads its part.

import { api, type CustomField, type Stage, type Staff, type WorkspaceInfo } from './api';
import { DEFAULT_TIME_ZONE, pickLanguage, type Lang } from './format';
import { applyLanguage, setupI18n, tr } from './i18n';

export const app = $state({
  ready: false,
  startError: null as unknown,
  info: null as WorkspaceInfo | null,
  lang: 'vi' as Lang,
  tz: DEFAULT_TIME_ZONE,
  staff: [] as Staff[],
  stages: [] as Stage[],
  customFields: [] as CustomField[],
  /** Bumped after any customer write, so open lists refresh. */
  customersVersion: 0
});

export async function start(): Promise<void> {
  const navLangs = typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : [];
  setupI18n(pickLanguage(null, navLangs));
  try {
    const info = await api.workspaceInfo();
    app.info = info;
    app.tz = info.time_zone || DEFAULT_TIME_ZONE;
    app.lang = pickLanguage(info.language, navLangs);
    applyLanguage(app.lang);
    await Promise.all([loadStaff(), loadStages(), loadCustomFields()]);
  } catch (e) {
    app.startError = e;
  }
  app.ready = true;
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
export async function loadCustomFields(): Promise<void> {
  app.customFields = await api.customFieldList();
}

export async function setLanguage(lang: Lang): Promise<void> {
  await api.setLanguage(lang);
  applyLanguage(lang);
  app.lang = lang;
  if (app.info) app.info.language = lang;
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

export function staffName(id: string | null | undefined): string {
  if (!id) return '';
  return app.staff.find((x) => x.id === id)?.name ?? id;
}

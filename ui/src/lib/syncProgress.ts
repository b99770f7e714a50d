import type { SyncProgress } from './api';
import { formatInteger, type Lang } from './format';

/** What the sync progress line says: its message key and values. Changes are counted; a
 *  snapshot (a copy of the workspace file) is measured in megabytes. */
export function syncProgressMessage(p: SyncProgress, lang: Lang): { key: string; values: Record<string, string> } {
  if (p.phase === 'snapshot_upload' || p.phase === 'snapshot_download') {
    const mb = (n: number) => formatInteger(Math.max(1, Math.round(n / 1_000_000)), lang);
    return {
      key: p.phase === 'snapshot_upload' ? 'sync.snapshot_uploading' : 'sync.snapshot_downloading',
      values: { done: mb(p.done), total: mb(p.total ?? p.done) }
    };
  }
  const base = p.phase === 'upload' ? 'sync.uploading' : 'sync.downloading';
  return {
    key: p.total ? base : `${base}_unsized`,
    values: { done: formatInteger(p.done, lang), total: formatInteger(p.total ?? 0, lang) }
  };
}

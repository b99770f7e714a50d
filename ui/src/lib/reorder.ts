import { tick } from 'svelte';

/**
 * Moves item `i` of an ordered list (stages, deal stages) by `delta`, saves the new order of ids
 * with `save`, and keeps the keyboard on the moved row's button (`[data-testid="<prefix>-up-<j>"]`
 * or `-down-`). Returns false, saving nothing, when the item cannot move that way.
 */
export async function moveInOrder(ids: string[], i: number, delta: number, save: (ids: string[]) => Promise<unknown>, prefix: string): Promise<boolean> {
  const j = i + delta;
  if (j < 0 || j >= ids.length) return false;
  const next = [...ids];
  [next[i], next[j]] = [next[j], next[i]];
  await save(next);
  await tick();
  document.querySelector<HTMLElement>(`[data-testid="${prefix}-${delta < 0 ? 'up' : 'down'}-${j}"]`)?.focus();
  return true;
}

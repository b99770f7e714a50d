// A release's notes (its CHANGELOG.md block, already in the reader's language: the core's
// release_notes) as paragraphs and bullet lists; indented lines continue the item above.

export type NotesBlock = { kind: 'para'; text: string } | { kind: 'list'; items: string[] };

export function notesBlocks(notes: string): NotesBlock[] {
  const blocks: NotesBlock[] = [];
  let gap = true;
  for (const raw of notes.split('\n')) {
    const line = raw.trimEnd();
    const last = blocks[blocks.length - 1];
    if (line.trim() === '') {
      gap = true;
      continue;
    }
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (item) {
      if (last?.kind === 'list') last.items.push(item[1]);
      else blocks.push({ kind: 'list', items: [item[1]] });
    } else if (last?.kind === 'list' && /^\s/.test(line) && !gap) {
      last.items[last.items.length - 1] += ' ' + line.trim();
    } else if (last?.kind === 'para' && !gap) {
      last.text += ' ' + line.trim();
    } else {
      blocks.push({ kind: 'para', text: line.trim().replace(/^#+\s*/, '') });
    }
    gap = false;
  }
  return blocks;
}

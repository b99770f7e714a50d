import { describe, expect, it } from 'vitest';
import { notesBlocks } from './releaseNotes';

describe('release notes', () => {
  it('make paragraphs and lists, joining wrapped items', () => {
    const notes = 'Released in December.\n\n- Installers for Windows,\n  macOS and Linux.\n- Signed updates.\n\nThanks.';
    expect(notesBlocks(notes)).toEqual([
      { kind: 'para', text: 'Released in December.' },
      { kind: 'list', items: ['Installers for Windows, macOS and Linux.', 'Signed updates.'] },
      { kind: 'para', text: 'Thanks.' }
    ]);
  });

  it('give nothing for empty notes', () => {
    expect(notesBlocks('\n  \n')).toEqual([]);
  });
});

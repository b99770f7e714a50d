// Translated sentences with styled parts ("**Lan** changed *stage* from A to B") without {@html}:
// each value goes through the message as a marker, and the result is cut into text and slots.

const MARK = '\u0001';

export type RichPart = { text: string } | { slot: string; value: string };

/** The values to format a message with: each becomes a marker naming its slot. */
export function slotValues(names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, `${MARK}${n}${MARK}`]));
}

/** A message formatted with [`slotValues`], cut into text and slots (filled from `values`). */
export function richParts(formatted: string, values: Record<string, string>): RichPart[] {
  const out: RichPart[] = [];
  formatted.split(MARK).forEach((piece, i) => {
    if (i % 2 === 1 && piece in values) out.push({ slot: piece, value: values[piece] });
    else if (piece !== '') out.push({ text: piece });
  });
  return out;
}

/** The same parts without a slot, and without the space it leaves at the start. */
export function dropSlot(parts: RichPart[], slot: string): RichPart[] {
  const out = parts.filter((p) => !('slot' in p && p.slot === slot));
  const first = out[0];
  if (first && 'text' in first) {
    const text = first.text.replace(/^\s+/, '');
    return text === '' ? out.slice(1) : [{ text }, ...out.slice(1)];
  }
  return out;
}

/** A label as it reads inside a sentence: `Giai đoạn` -> `giai đoạn`, `Phones` -> `phones`. */
export function lowerFirst(s: string, locale: string): string {
  // keep acronyms and names that are all capitals (`MST`, `VIP`)
  if (s.length > 1 && s.slice(0, 2) === s.slice(0, 2).toLocaleUpperCase(locale)) return s;
  return s.charAt(0).toLocaleLowerCase(locale) + s.slice(1);
}

// English. Same keys as vi.ts (checked by i18n.test.ts). ICU message syntax. The messages live in
// en.json, which the `tend` CLI reads too (src/messages.rs): one catalogue for the app and the CLI.
import messages from './en.json';

export const en = messages;

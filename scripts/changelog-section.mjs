#!/usr/bin/env node
// Prints the section of CHANGELOG.md for one version (`node scripts/changelog-section.mjs 0.2.0`),
// without its `## version (date)` heading: the release body and the update manifest's notes.
// Exits 1, naming the version, when CHANGELOG.md has no section for it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const version = (process.argv[2] ?? '').replace(/^v/, '');
if (!version) {
  console.error('usage: changelog-section.mjs VERSION');
  process.exit(2);
}
const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'CHANGELOG.md');
const lines = readFileSync(file, 'utf8').split('\n');
const heading = (l) => /^## /.test(l);
const start = lines.findIndex((l) => heading(l) && l.slice(3).trim().split(/\s+/)[0].replace(/^\[?v?|\]$/g, '') === version);
if (start < 0) {
  console.error(`CHANGELOG.md has no section for ${version}: add "## ${version} (date)" with its English and Vietnamese blocks`);
  process.exit(1);
}
const end = lines.findIndex((l, i) => i > start && heading(l));
const body = lines.slice(start + 1, end < 0 ? undefined : end).join('\n').trim();
if (!body) {
  console.error(`the CHANGELOG.md section for ${version} is empty`);
  process.exit(1);
}
process.stdout.write(body + '\n');

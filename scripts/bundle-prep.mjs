#!/usr/bin/env node
// Gets the tree ready for `tauri build` with src-tauri/tauri.bundle.conf.json: builds the UI and
// the `tend` CLI for the target, and puts the CLI where Tauri takes sidecars from
// (src-tauri/binaries/tend-<target triple>), so every package carries it.
//   node scripts/bundle-prep.mjs [--target TRIPLE] [--debug]
// TRIPLE defaults to this machine's; `universal-apple-darwin` builds both Mac CPUs and joins them
// with lipo. Runs the same on Linux, macOS and Windows (the release pipeline calls it).
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const debug = args.includes('--debug');
const at = args.indexOf('--target');
const run = (cmd, cmdArgs, cwd = root) => execFileSync(cmd, cmdArgs, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
const read = (cmd, cmdArgs) => execFileSync(cmd, cmdArgs, { cwd: root, encoding: 'utf8' });

const host = /^host: (\S+)$/m.exec(read('rustc', ['-vV']))?.[1];
const target = at >= 0 ? args[at + 1] : host;
if (!target) {
  console.error('bundle-prep: no target triple (rustc -vV names no host; pass --target)');
  process.exit(2);
}
const exe = target.includes('windows') ? '.exe' : '';
const targetDir = JSON.parse(read('cargo', ['metadata', '--format-version', '1', '--no-deps'])).target_directory;
const profile = debug ? 'debug' : 'release';

console.error(`bundle-prep: the UI, then the tend CLI (${profile}) for ${target}`);
run('npm', ['run', 'build'], join(root, 'ui'));

const built = (triple) => {
  const cargoArgs = ['build', '--locked', '-p', 'tend', '--bin', 'tend'];
  if (!debug) cargoArgs.push('--release');
  if (triple !== host) cargoArgs.push('--target', triple);
  run('cargo', cargoArgs);
  return join(targetDir, ...(triple === host ? [] : [triple]), profile, `tend${exe}`);
};

const outDir = join(root, 'src-tauri', 'binaries');
mkdirSync(outDir, { recursive: true });
const out = join(outDir, `tend-${target}${exe}`);
if (target === 'universal-apple-darwin') {
  const parts = ['aarch64-apple-darwin', 'x86_64-apple-darwin'].map(built);
  run('lipo', ['-create', '-output', out, ...parts]);
} else {
  copyFileSync(built(target), out);
}
if (!exe) chmodSync(out, 0o755);
console.error(`bundle-prep: ${out}`);

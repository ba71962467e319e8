#!/usr/bin/env node
// Builds the WebAssembly core (build/brickproof.wasm) when it is missing or older than
// any source under assembly/ or asconfig.json. `--force` rebuilds unconditionally,
// `--debug` also builds the debug target (assertions on, source map).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'brickproof.wasm');
const force = process.argv.includes('--force');
const debug = process.argv.includes('--debug');

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function stale() {
  if (!existsSync(out)) return true;
  const built = statSync(out).mtimeMs;
  return newestMtime(join(root, 'assembly')) > built || statSync(join(root, 'asconfig.json')).mtimeMs > built;
}

function asc(target) {
  const bin = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  const r = spawnSync(process.execPath, [bin, 'assembly/index.ts', '--target', target], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`brickproof: building the WebAssembly core (${target}) failed`);
    process.exit(r.status ?? 1);
  }
}

if (force || stale()) {
  asc('release');
  if (debug) asc('debug');
}

// Bundles the command line (and the campaign workers it starts) into dist/bundle/, which
// bin/brickproof.js runs. One file per entry instead of ~150 modules: measured, Node spent
// 130–230 ms resolving and loading dist/'s modules before a campaign's first scenario, and
// 30–50 ms loading the bundle. The paths the code finds at run time (build/brickproof.wasm,
// worker.js beside the pool) resolve from dist/bundle/ as they do from dist/<folder>/.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist', 'bundle'), { recursive: true, force: true });
// Every worker a pool starts (src/node/*worker.ts, found beside the pool by name), so that a
// new pool's worker cannot be left out of the bundle (the fleet's once was).
const workers = Object.fromEntries(
  readdirSync(join(root, 'src', 'node')).filter((f) => f.endsWith('worker.ts')).map((f) => [f.replace(/\.ts$/, ''), `src/node/${f}`]),
);
const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli/main.ts', ...workers },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  metafile: process.argv.includes('--metafile'),
});
if (result.metafile) {
  // What each output loads, statically: `node scripts/bundle-cli.js --metafile`.
  for (const [file, out] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.map')) continue;
    const inputs = Object.keys(out.inputs).filter((i) => i.includes('node_modules')).map((i) => i.replace(/.*node_modules\//, '')).slice(0, 6);
    console.log(file, out.bytes, out.imports.filter((i) => i.kind === 'import-statement').map((i) => i.path.replace('dist/bundle/', '')).join(' '), inputs.join(' '));
  }
}

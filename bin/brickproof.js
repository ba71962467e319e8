#!/usr/bin/env node
// The `brickproof` command: the CLI bundled into dist/bundle/ by `npm install` (the prepare
// script runs scripts/bundle-cli.js; the modules it is made of are in dist/ too).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/cli.js', import.meta.url);
if (!existsSync(bundle)) {
  // Installed with --ignore-scripts, or a checkout never built: say so, not a stack trace.
  process.stderr.write('brickproof: the command is not built (dist/bundle/cli.js is missing): run `npm run build` in the brickproof package\n');
  process.exit(3);
}
const { main, quietOnClosedPipe } = await import(bundle.href);

quietOnClosedPipe();

process.exitCode = await main(process.argv.slice(2));

#!/usr/bin/env node
// The `brickproof` command: the CLI bundled into dist/bundle/ by `npm install` (the prepare
// script runs scripts/bundle-cli.js; the modules it is made of are in dist/ too).
import { main, quietOnClosedPipe } from '../dist/bundle/cli.js';

quietOnClosedPipe();

process.exitCode = await main(process.argv.slice(2));

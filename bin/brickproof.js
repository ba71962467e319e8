#!/usr/bin/env node
// The `brickproof` command: the CLI bundled into dist/bundle/ by `npm install`
// (scripts/bundle-cli.js; the modules it is made of are in dist/ too).
import { main } from '../dist/bundle/cli.js';

process.exitCode = await main(process.argv.slice(2));

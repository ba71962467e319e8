#!/usr/bin/env node
// The `brickproof` command (the CLI compiled to dist/ by `npm install`).
import { main, quietOnClosedPipe } from '../dist/cli/main.js';

quietOnClosedPipe();

process.exitCode = await main(process.argv.slice(2));

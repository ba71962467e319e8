#!/usr/bin/env node
// The `brickproof` command (the CLI compiled to dist/ by `npm install`).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));

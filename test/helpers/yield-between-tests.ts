/**
 * Lets each test worker's event loop run between tests. Most of this suite is synchronous
 * WebAssembly work behind promises that are already resolved, so without this a worker can
 * go a whole file without reaching its I/O phase: vitest's answer to an "onTaskUpdate" call
 * then waits there, and once 60 s have passed on a loaded machine the call times out
 * ("Timeout calling onTaskUpdate", an unhandled error that fails the run). Measured: a 95 s
 * file of resume tests failed that way at load average 9.5 on 2 cores; with this it passes.
 */
import { afterEach, beforeEach } from 'vitest';
import { turn } from './turn.js';

beforeEach(turn);
afterEach(turn);

/**
 * What every pool's threads share: starting them, and carrying a worker's error back as what
 * it was. Built code (dist/, the bundled command line) runs the worker module as it is; from
 * TypeScript sources (tests, `npm start`) the worker registers tsx's loader first. tsx is a
 * development dependency, so it is looked up only then: an installed package has none, and
 * a lookup there failed every command that started workers.
 */
import { Worker } from 'node:worker_threads';
import { BrickproofError, CheckFailed, UsageError } from '../errors.js';

export function startWorker(url: URL): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url);
  // Resolved from here, not from the process's folder, so that a run from source started
  // elsewhere finds it (vitest's module runner has no import.meta.resolve).
  const tsx = typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : 'tsx/esm/api';
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`, { eval: true });
}

/** `count` workers of `url`, none of which keeps the process alive by itself. */
export function startWorkers(url: URL, count: number): Worker[] {
  return Array.from({ length: count }, () => {
    const w = startWorker(url);
    w.unref();
    return w;
  });
}

/** A worker's error as it crosses to the pool: its message and stack, and the exit code of a BrickproofError. */
export interface WorkerFailure {
  message: string;
  stack?: string;
  exitCode?: 1 | 2;
}

/** In a worker: what to post for an error it caught. */
export function failureOf(e: unknown): WorkerFailure {
  const err = e instanceof Error ? e : new Error(String(e));
  return { message: err.message, stack: err.stack, exitCode: err instanceof BrickproofError ? err.exitCode : undefined };
}

/** In the pool: a worker's error, rethrown as what it was — the user's (exit 1 or 2) or ours (exit 3). */
export function rethrown(failure: WorkerFailure, what: string): Error {
  if (failure.exitCode === 2) return new UsageError(failure.message);
  if (failure.exitCode === 1) return new CheckFailed(failure.message);
  const e = new Error(`in a ${what} worker: ${failure.message}`);
  if (failure.stack) e.stack = failure.stack;
  return e;
}

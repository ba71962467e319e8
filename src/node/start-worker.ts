/**
 * Starts a pool's worker thread. Built code (dist/, the bundled command line) runs the worker
 * module as it is; from TypeScript sources (tests, `npm start`) the worker registers tsx's
 * loader first. tsx is a development dependency, so it is looked up only then: an installed
 * package has none, and a lookup there failed every command that started workers.
 */
import { Worker } from 'node:worker_threads';

export function startWorker(url: URL): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url);
  // Resolved from here, not from the process's folder, so that a run from source started
  // elsewhere finds it (vitest's module runner has no import.meta.resolve).
  const tsx = typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : 'tsx/esm/api';
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`, { eval: true });
}

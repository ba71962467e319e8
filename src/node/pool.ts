/**
 * Runs campaign units on all cores with worker_threads, streaming results as they come.
 * The workers start once per command and serve every campaign of it (starting one costs
 * far more than a typical campaign's scenarios). Units are dealt round-robin, so early and
 * late cut points (which cost differently) spread evenly; each worker runs its share in
 * increasing order, advancing its flash snapshot in place.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CampaignRunner, type ScenarioResult } from '../campaign/runner.js';
import { campaignKey } from '../campaign/report.js';
import type { CampaignSpec } from '../campaign/spec.js';
import { UsageError, CheckFailed } from '../errors.js';

/** A result, or the mark that all `scenarios` results of a unit have been given (for --resume and merge). */
export type PoolEvent = ScenarioResult | { unitDone: number; scenarios: number };

export const defaultWorkers = () => Math.max(1, availableParallelism());

const workerUrl = new URL(`./worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);

interface Message {
  id: number;
  results?: PoolEvent[];
  done?: boolean;
  /** What a worker threw: its message and stack, and the exit code of a BrickproofError. */
  error?: { message: string; stack?: string; exitCode?: 1 | 2 };
}

/** A worker's error, rethrown here as what it was: the user's (exit 1 or 2) or ours (exit 3). */
function rethrown(error: NonNullable<Message['error']>): Error {
  if (error.exitCode === 2) return new UsageError(error.message);
  if (error.exitCode === 1) return new CheckFailed(error.message);
  const e = new Error(`in a campaign worker: ${error.message}`);
  if (error.stack) e.stack = error.stack;
  return e;
}

export class CampaignPool {
  private threads: Worker[] = [];
  private local?: CampaignRunner;
  private localKey?: string;
  private nextId = 1;

  constructor(readonly workers: number) {}

  /** A runner already built for a campaign (the CLI builds each once to count its units): run on this thread, it is not built again. */
  adopt(runner: CampaignRunner): void {
    this.local = runner;
    this.localKey = campaignKey(runner.spec);
  }

  private spawn(): Worker[] {
    if (this.threads.length === 0) {
      // From TypeScript sources (tests, `npm start`) each worker registers tsx's loader first.
      const fromSource = workerUrl.pathname.endsWith('.ts');
      // tsx is resolved from here, not from the process's folder, so that a run from source
      // started elsewhere finds it (vitest's module runner has no import.meta.resolve).
      const tsx = typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : 'tsx/esm/api';
      const bootstrap = fromSource ? `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); })` : '';
      for (let i = 0; i < this.workers; i++) {
        const t = fromSource ? new Worker(bootstrap, { eval: true }) : new Worker(workerUrl);
        t.unref();
        this.threads.push(t);
      }
    }
    return this.threads;
  }

  /** Runs `units` of the campaign; yields results and unit completions as they arrive. */
  async *run(spec: CampaignSpec, units: number[]): AsyncGenerator<PoolEvent> {
    if (units.length === 0) return;
    const key = campaignKey(spec);
    if (this.workers <= 1 || units.length < 2) {
      if (this.localKey !== key) {
        this.local = await CampaignRunner.create(spec);
        this.localKey = key;
      }
      for (const u of [...units].sort((a, b) => a - b)) {
        const results = this.local!.runUnit(u);
        yield* results;
        yield { unitDone: u, scenarios: results.length };
      }
      return;
    }
    const threads = this.spawn();
    const sorted = [...units].sort((a, b) => a - b);
    const id = this.nextId++;
    const queue: PoolEvent[] = [];
    let wake: (() => void) | undefined;
    let running = threads.length;
    let failure: Error | undefined;
    const onMessage = (m: Message) => {
      if (m.id !== id) return;
      if (m.error) failure = rethrown(m.error);
      if (m.results) queue.push(...m.results);
      if (m.done || m.error) running--;
      wake?.();
    };
    const onError = (e: Error) => {
      failure = e;
      wake?.();
    };
    threads.forEach((t, w) => {
      t.on('message', onMessage);
      t.on('error', onError);
      t.postMessage({ id, key, spec, units: sorted.filter((_, i) => i % threads.length === w) });
    });
    try {
      while (true) {
        while (queue.length) yield queue.shift()!;
        if (failure) throw failure;
        if (running === 0) break;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      for (const t of threads) {
        t.off('message', onMessage);
        t.off('error', onError);
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.terminate()));
    this.threads = [];
  }
}

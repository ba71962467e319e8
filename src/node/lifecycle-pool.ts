/**
 * Runs lifecycle lives on all cores with worker_threads, streaming results as they come.
 * Lives are dealt round-robin (life i to worker i mod N), so each worker meets every
 * (device, strategy) pair and builds its images once; results come back in batches.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { rethrown, startWorkers, type WorkerFailure } from './threads.js';
import { LifecycleRunner, type LifecycleSpec, type LifeResult } from '../campaign/plans/lifecycle.js';

export const defaultLifeWorkers = () => Math.max(1, availableParallelism());

const workerUrl = new URL(`./lifecycle-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);

interface Message {
  id: number;
  results?: LifeResult[];
  done?: boolean;
  error?: WorkerFailure;
}

export class LifecyclePool {
  private threads: Worker[] = [];
  private local?: LifecycleRunner;
  private nextId = 1;

  constructor(
    readonly workers: number,
    /** The runners' options (`memoBoots: false`: every boot is run; see LifecycleRunner). */
    readonly options: { memoBoots?: boolean } = {},
  ) {}

  private spawn(): Worker[] {
    if (this.threads.length === 0) this.threads = startWorkers(workerUrl, this.workers);
    return this.threads;
  }

  async *run(spec: LifecycleSpec, units: number[]): AsyncGenerator<LifeResult> {
    if (units.length === 0) return;
    if (this.workers <= 1 || units.length < 2) {
      this.local ??= new LifecycleRunner(spec, this.options);
      for (const u of units) yield await this.local.run(u);
      return;
    }
    const threads = this.spawn();
    const id = this.nextId++;
    const queue: LifeResult[] = [];
    let wake: (() => void) | undefined;
    let running = threads.length;
    let failure: Error | undefined;
    const onMessage = (m: Message) => {
      if (m.id !== id) return;
      if (m.error) failure = rethrown(m.error, 'lifecycle');
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
      t.postMessage({ id, spec, options: this.options, units: units.filter((_, i) => i % threads.length === w) });
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

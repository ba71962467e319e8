/**
 * Lives a fleet's lives on all cores (worker_threads): the LifeExecutor `brickproof fleet`
 * uses. Each round's lives are independent, so they are dealt out in small chunks, a new
 * chunk to whichever worker finishes first (lives differ in cost: a device that updates,
 * reboots and resumes costs several times one that only polls), and come back in the order
 * they were asked for.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { rethrown, startWorkers, type WorkerFailure } from './threads.js';
import type { LifeExecutor } from '../fleet/fleet.js';
import type { FleetPlan } from '../fleet/description.js';
import type { DeviceRun, LifeJob } from '../fleet/lives.js';

export const defaultFleetWorkers = () => Math.max(1, availableParallelism());

const workerUrl = new URL(`./fleet-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);

interface Reply {
  id: number;
  runs?: DeviceRun[];
  error?: WorkerFailure;
}


export class FleetPool implements LifeExecutor {
  private threads: Worker[] = [];
  private nextId = 1;

  constructor(readonly workers = defaultFleetWorkers()) {}

  private spawn(): Worker[] {
    if (this.threads.length === 0) this.threads = startWorkers(workerUrl, this.workers);
    return this.threads;
  }

  async run(plan: FleetPlan, jobs: LifeJob[], progress?: (done: number) => void): Promise<DeviceRun[]> {
    if (jobs.length === 0) return [];
    const threads = this.spawn();
    const overrides = { devices: plan.devices, days: plan.days, seed: plan.seed };
    const key = JSON.stringify([plan.source, overrides]);
    // Small enough chunks that the workers finish together, large enough that messages stay cheap.
    const chunk = Math.max(1, Math.min(64, Math.ceil(jobs.length / (threads.length * 8))));
    const out: DeviceRun[] = new Array(jobs.length);
    let next = 0;
    let done = 0;
    return new Promise<DeviceRun[]>((resolve, reject) => {
      let failed = false;
      const pending = new Map<number, number>();
      const send = (t: Worker) => {
        if (next >= jobs.length) return false;
        const id = this.nextId++;
        pending.set(id, next);
        t.postMessage({ id, key, source: plan.source, overrides, jobs: jobs.slice(next, next + chunk) });
        next += chunk;
        return true;
      };
      const cleanup = () => {
        for (const t of threads) {
          t.off('message', handlers.get(t)!);
          t.off('error', onError);
        }
      };
      const onError = (e: Error) => {
        if (failed) return;
        failed = true;
        cleanup();
        reject(e);
      };
      const handlers = new Map<Worker, (m: Reply) => void>();
      for (const t of threads) {
        const h = (m: Reply) => {
          const at = pending.get(m.id);
          if (at === undefined || failed) return;
          pending.delete(m.id);
          if (m.error) return onError(rethrown(m.error, 'fleet'));
          m.runs!.forEach((r, i) => (out[at + i] = r));
          done += m.runs!.length;
          progress?.(done);
          if (done === jobs.length) {
            cleanup();
            resolve(out);
            return;
          }
          send(t);
        };
        handlers.set(t, h);
        t.on('message', h);
        t.on('error', onError);
      }
      for (const t of threads) send(t);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.terminate()));
    this.threads = [];
  }
}

/**
 * A fleet in a Web Worker: the fleet manager (src/fleet's Fleet) runs here, in steps of
 * virtual time so the page draws the fleet as it goes; each round's lives — independent of
 * each other — are dealt out to one Web Worker per core (workers/fleet-lives.ts), the way
 * `brickproof fleet` deals them to worker threads.
 */
import { Fleet, type DeviceRun, type FleetDescription, type FleetPlan, type FleetProgress, type FleetReport, type LifeExecutor, type LifeJob, type RolloutEvent } from 'brickproof';
import { engineReady } from '../engine.js';
import type { LivesReply, LivesTask } from './fleet-lives.js';

export type FleetRequest =
  | { type: 'run'; description: FleetDescription; devices?: number; days?: number; seed?: number; steps: number; workers: number }
  | { type: 'replay'; description: FleetDescription; id: string };

export type FleetMessage =
  | { type: 'started'; devices: number; days: number; seed: number; workers: number }
  | { type: 'progress'; progress: FleetProgress }
  | { type: 'step'; report: FleetReport; chart: string; events: RolloutEvent[]; done: boolean; stats: Fleet['stats'] }
  | { type: 'replay'; id: string; log: string[]; final: { version: string; confirmed: boolean; bricked: boolean } }
  | { type: 'error'; message: string };

const post = (m: FleetMessage) => (self as unknown as Worker).postMessage(m);

/** Deals each round's lives to Web Workers, a small chunk at a time to whichever is free. */
class WebWorkerExecutor implements LifeExecutor {
  private readonly workers: Worker[] = [];
  private nextId = 1;

  constructor(count: number) {
    for (let i = 0; i < count; i++) this.workers.push(new Worker(new URL('./fleet-lives.ts', import.meta.url), { type: 'module' }));
  }

  run(plan: FleetPlan, jobs: LifeJob[], progress?: (done: number) => void): Promise<DeviceRun[]> {
    if (!jobs.length) return Promise.resolve([]);
    const overrides = { devices: plan.devices, days: plan.days, seed: plan.seed };
    const key = JSON.stringify([plan.source, overrides]);
    const chunk = Math.max(1, Math.min(64, Math.ceil(jobs.length / (this.workers.length * 8))));
    const out: DeviceRun[] = new Array(jobs.length);
    let next = 0;
    let done = 0;
    return new Promise((resolve, reject) => {
      const pending = new Map<number, number>();
      const send = (w: Worker) => {
        if (next >= jobs.length) return;
        const id = this.nextId++;
        pending.set(id, next);
        w.postMessage({ id, key, source: plan.source as FleetDescription, overrides, jobs: jobs.slice(next, next + chunk) } satisfies LivesTask);
        next += chunk;
      };
      for (const w of this.workers) {
        w.onmessage = (e: MessageEvent<LivesReply>) => {
          const m = e.data;
          const at = pending.get(m.id);
          if (at === undefined) return;
          pending.delete(m.id);
          if (m.error) return reject(new Error(m.error));
          m.runs!.forEach((r, i) => (out[at + i] = r));
          done += m.runs!.length;
          progress?.(done);
          if (done === jobs.length) resolve(out);
          else send(w);
        };
        w.onerror = (e) => reject(new Error(`fleet lives worker: ${e.message}`));
        send(w);
      }
    });
  }

  async close(): Promise<void> {
    for (const w of this.workers) w.terminate();
  }
}

self.onmessage = async (e: MessageEvent<FleetRequest>) => {
  const q = e.data;
  try {
    await engineReady();
    if (q.type === 'replay') {
      const r = await Fleet.replay(q.description, q.id);
      post({ type: 'replay', id: q.id, log: r.log, final: r.report.final });
      return;
    }
    const executor = q.workers > 1 ? new WebWorkerExecutor(q.workers) : undefined;
    const fleet = new Fleet(q.description, {
      ...(q.devices ? { devices: q.devices } : {}),
      ...(q.days ? { days: q.days } : {}),
      ...(q.seed ? { seed: q.seed } : {}),
      ...(executor ? { executor } : {}),
      onProgress: (progress) => post({ type: 'progress', progress }),
    });
    post({ type: 'started', devices: fleet.plan.devices, days: fleet.plan.days, seed: fleet.plan.seed, workers: q.workers });
    const events: RolloutEvent[] = [];
    fleet.on((ev) => events.push(ev));
    const end = fleet.horizonMs;
    for (let k = 1; k <= q.steps; k++) {
      const report = await fleet.runUntil((end * k) / q.steps);
      post({ type: 'step', report, chart: fleet.chart(), events: events.splice(0), done: k === q.steps, stats: { ...fleet.stats } });
    }
    await executor?.close();
  } catch (err) {
    post({ type: 'error', message: (err as Error).message });
  }
};

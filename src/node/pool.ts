/**
 * Runs campaign units on all cores, streaming results as they come. This thread runs units
 * itself from the first moment; worker threads are started only once the work left is long
 * enough to repay starting them (a worker must load the code and rebuild the campaign's
 * update before its first scenario: measured at 0.1–0.2 s on the 2-core build machine, more
 * than the whole of a typical single-cut campaign), and then stay up for the rest of the
 * command. Units are handed out in increasing order, in contiguous chunks, so every thread
 * advances its flash snapshot forward; each thread keeps its own memo of power-ons.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { CampaignRunner, type Passed, type RunnerOptions, type ScenarioResult } from '../campaign/runner.js';
import { campaignKey } from '../campaign/report.js';
import type { CampaignSpec } from '../campaign/spec.js';
import { rethrown, startWorker, type WorkerFailure } from './threads.js';

/**
 * A result; with `counted`, passing scenarios of a unit counted but not named; or the mark
 * that all `scenarios` results of a unit have been given (for --resume and merge).
 */
export type PoolEvent = ScenarioResult | Passed | { unitDone: number; scenarios: number };

export interface PoolRunOptions extends RunnerOptions {
  /** Passing scenarios may come as counts (`Passed`) rather than one by one. */
  counted?: boolean;
  /** Campaigns still to run after this one (of about the same size): counts toward starting workers. */
  campaignsAfter?: number;
}

/**
 * Runs unit `u` and adds its events to `out`: its results (with `counted`, the passing ones as
 * one count), then the mark that the unit is done — on this thread and in a worker alike.
 */
export function runUnit(runner: CampaignRunner, u: number, counted: boolean, out: PoolEvent[]): void {
  let passed = 0;
  let scenarios = 0;
  for (const r of runner.run([u], { counted })) {
    if ('id' in r) {
      out.push(r);
      scenarios++;
    } else passed += r.passed;
  }
  if (passed) out.push({ unit: u, passed });
  out.push({ unitDone: u, scenarios: scenarios + passed });
}

/** What the memo did for one campaign, over every thread that ran it. */
export interface MemoStats {
  /** Distinct power-on states memoized (a state two threads both met counts once). */
  powerOnStates: number;
  /** Power-ons answered from a memo. */
  memoHits: number;
}

/** Threads running scenarios, this one included. */
export const defaultWorkers = () => Math.max(1, availableParallelism());

/**
 * Work left (CPU ms on this thread) above which the other threads start. A worker takes
 * 0.1–0.2 s to load and rebuild the campaign, and slows this thread while it does: measured
 * on the loaded 2-core machine, the default swap-scratch single-cut campaign (about 0.3 s of
 * work) took 1.2–1.7 s of wall time when a worker joined and 0.87–0.95 s without one.
 */
const WORKERS_WORTH_MS = 1000;
/** How long this thread runs units between looks at the workers' messages. */
const SLICE_MS = 25;
/** How long a chunk handed to a worker should last. */
const CHUNK_MS = 100;

/** Which runner serves a campaign: its key and whether it memoizes. */
const localKey = (spec: CampaignSpec, options: RunnerOptions) => `${campaignKey(spec)}|memo=${options.memo !== false}`;

const workerUrl = new URL(`./worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);

interface Message {
  id: number;
  /** The worker has loaded (sent once, with id 0). */
  ready?: boolean;
  results?: PoolEvent[];
  /** The chunk is done; with the memo's new states since the last chunk and its hits so far. */
  done?: { newStates: number[]; hits: number };
  /** What a worker threw: its message and stack, and the exit code of a BrickproofError. */
  error?: WorkerFailure;
}


interface Thread {
  worker: Worker;
  /** Loaded, and taking chunks. */
  ready: boolean;
  /** Chunks sent and not done. */
  busy: number;
}

export class CampaignPool {
  private threads: Thread[] = [];
  private local?: { key: string; runner: CampaignRunner };
  private nextId = 1;
  private readonly stats = new Map<string, { states: Set<number>; hits: Map<Thread | 'local', number> }>();
  /** Called when a worker has loaded (the running campaign hands it chunks). */
  private onReady?: (t: Thread) => void;

  /**
   * `workers`: threads running scenarios, this one included (1 = this thread only).
   * `workersWorthMs`: the work left (ms) above which the other threads start (0: at once).
   */
  constructor(
    readonly workers: number,
    private readonly options: { workersWorthMs?: number } = {},
  ) {}

  /** This thread's runner for a campaign (built once). */
  async runner(spec: CampaignSpec, options: RunnerOptions = {}): Promise<CampaignRunner> {
    const key = localKey(spec, options);
    if (this.local?.key !== key) this.local = { key, runner: await CampaignRunner.create(spec, options) };
    return this.local.runner;
  }

  /** A runner already built with `options` (the CLI builds each campaign once to count its units): run on this thread, it is not built again. */
  adopt(runner: CampaignRunner, options: RunnerOptions = {}): void {
    this.local = { key: localKey(runner.spec, options), runner };
  }

  /** What the memo did for a campaign run through this pool (zeros for a plan without one). */
  memoStats(spec: CampaignSpec): MemoStats {
    const s = this.stats.get(campaignKey(spec));
    return { powerOnStates: s?.states.size ?? 0, memoHits: s ? [...s.hits.values()].reduce((a, b) => a + b, 0) : 0 };
  }

  private spawn(): void {
    if (this.threads.length || this.workers <= 1) return;
    for (let i = 1; i < this.workers; i++) {
      const worker = startWorker(workerUrl);
      worker.unref();
      const t: Thread = { worker, ready: false, busy: 0 };
      worker.on('message', (m: Message) => {
        if (!m.ready) return;
        t.ready = true;
        this.onReady?.(t);
      });
      this.threads.push(t);
    }
  }

  /** Runs `units` of the campaign; yields results and unit completions as they arrive. */
  async *run(spec: CampaignSpec, units: number[], options: PoolRunOptions = {}): AsyncGenerator<PoolEvent> {
    const key = campaignKey(spec);
    const runnerOptions: RunnerOptions = options.memo === false ? { memo: false } : {};
    const runner = await this.runner(spec, runnerOptions);
    const stats = this.stats.get(key) ?? { states: new Set<number>(), hits: new Map() };
    this.stats.set(key, stats);
    const todo = [...units].sort((a, b) => a - b);
    const events: PoolEvent[] = [];
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    const id = this.nextId++;
    let spentMs = 0;
    let unitsRun = 0;
    // CPU time of this process while it runs alone: what the units cost, however loaded the
    // machine (wall time would start workers on a busy machine for work an idle one finishes
    // before they are ready).
    let cpuMs = 0;
    let slices = 0;
    // What a unit costs, relative to the others: a cut at operation g is followed by the
    // rest of the update (the recovery redoes what the uninterrupted update did after g), so
    // early cuts cost most — measured on a single-cut sweep, the first 30 units took as long
    // as the last 400 — and a triple cut pays that twice over; random runs cost alike.
    const last = runner.units;
    const weight = (u: number) => (spec.plan === 'random' ? 1 : (last - u + 1 + last / 10) ** (spec.plan === 'triple' ? 2 : 1));
    const totalWeight = todo.reduce((sum, u) => sum + weight(u), 0);
    let doneWeight = 0;
    const chunkOf = () => {
      const msPerUnit = unitsRun ? spentMs / unitsRun : 1;
      return todo.splice(0, Math.max(1, Math.min(todo.length, Math.round(CHUNK_MS / msPerUnit))));
    };
    const feed = (t: Thread) => {
      while (t.ready && t.busy < 2 && todo.length) {
        t.busy++;
        t.worker.postMessage({ id, key, spec, options: { ...runnerOptions, counted: options.counted === true }, units: chunkOf() });
      }
    };
    const onMessage = (t: Thread) => (m: Message) => {
      if (m.id !== id) return;
      if (m.error) failure = rethrown(m.error, 'campaign');
      if (m.results) events.push(...m.results);
      if (m.done) {
        t.busy--;
        for (const s of m.done.newStates) stats.states.add(s);
        stats.hits.set(t, m.done.hits);
      }
      if (!failure) feed(t);
      wake?.();
    };
    const onError = (e: Error) => {
      failure = e;
      wake?.();
    };
    const listening = new Map<Thread, (m: Message) => void>();
    const listen = () => {
      for (const t of this.threads) {
        if (listening.has(t)) continue;
        const f = onMessage(t);
        listening.set(t, f);
        t.worker.on('message', f);
        t.worker.on('error', onError);
        feed(t);
      }
    };
    listen();
    this.onReady = (t) => {
      feed(t);
      wake?.();
    };
    try {
      while (true) {
        while (events.length) yield events.shift()!;
        if (failure) throw failure;
        if (todo.length) {
          // A slice of units here, then a look at the workers (their messages wait for it).
          const t0 = performance.now();
          const c0 = process.cpuUsage();
          const slice: number[] = [];
          while (todo.length && performance.now() - t0 < SLICE_MS) {
            const u = todo.shift()!;
            slice.push(u);
            runUnit(runner, u, options.counted === true, events);
          }
          spentMs += performance.now() - t0;
          const c = process.cpuUsage(c0);
          cpuMs += (c.user + c.system) / 1000;
          unitsRun += slice.length;
          slices++;
          // Judged on two slices at least: the first pays for compiling the code it runs.
          doneWeight += slice.reduce((sum, u) => sum + weight(u), 0);
          const leftWeight = todo.reduce((sum, u) => sum + weight(u), 0) + (options.campaignsAfter ?? 0) * totalWeight;
          const leftMs = (cpuMs / doneWeight) * leftWeight;
          const worth = this.options.workersWorthMs ?? WORKERS_WORTH_MS;
          if (this.threads.length === 0 && this.workers > 1 && (slices >= 2 || worth === 0) && leftMs >= worth) {
            this.spawn();
            listen();
          }
          await new Promise<void>((r) => setImmediate(r));
          continue;
        }
        if (this.threads.every((t) => t.busy === 0) && !events.length) break;
        if (events.length) continue;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      this.onReady = undefined;
      for (const [t, f] of listening) {
        t.worker.off('message', f);
        t.worker.off('error', onError);
      }
      if (runner.memo) {
        const ids = runner.memo.stateIds();
        for (let i = 0; i < ids.length; i++) stats.states.add(ids[i]);
        stats.hits.set('local', runner.memoStats.hits);
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
    this.threads = [];
  }
}

/**
 * A fleet: thousands of simulated devices (each a whole DeviceLife) through staged rollouts
 * decided by a fleet manager that sees only what devices report. Browser-safe: the lives run
 * in this thread unless an executor spreads them elsewhere (src/node/fleet-pool.ts: all
 * cores; a viewer may use Web Workers).
 *
 *   const fleet = new Fleet(description);
 *   fleet.on((e) => console.log(e.tMs, e.event, e.group, e.detail));
 *   fleet.watch(17, (m) => console.log(m.tMs, m.event, m.detail));
 *   const report = await fleet.runUntil(3 * 86_400_000);
 *
 * It runs in rounds: the manager (rollout.ts) goes forward in virtual time until it offers a
 * release to devices whose lives under that offer are not known; those lives — independent
 * of each other — are lived as one batch; then the manager goes again from the start with
 * them (its decisions before that moment cannot change). A fleet beyond one machine splits
 * the same way: each round's batch is an embarrassingly parallel job (README, "A fleet").
 */
import { UsageError } from '../errors.js';
import { sha256 } from '../core/index.js';
import type { Milestone } from '../app/milestones.js';
import type { LifeReport } from '../app/life.js';
import { planFleet, type FleetDescription, type FleetPlan, type PlanOverrides } from './description.js';
import { cohorts, type Cohorts } from './cohorts.js';
import { DAY_MS, FleetLives, offersKey, type DeviceRun, type LifeJob, type Offer } from './lives.js';
import { simulateRollouts, type RolloutEvent, type Simulation } from './rollout.js';
import { fleetDeviceId, parseFleetDeviceId, resolveFleetDeviceId } from './replay-id.js';
import { fleetReport, type FleetReport } from './report.js';
import { fleetChart } from './chart.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Lives a batch of lives somewhere (this thread, worker threads, Web Workers, other machines). */
export interface LifeExecutor {
  run(plan: FleetPlan, jobs: LifeJob[], progress?: (done: number) => void): Promise<DeviceRun[]>;
  close?(): Promise<void>;
}

/** Lives every life in this thread. */
export class LocalExecutor implements LifeExecutor {
  private lives?: FleetLives;
  private planOf?: FleetPlan;

  async run(plan: FleetPlan, jobs: LifeJob[], progress?: (done: number) => void): Promise<DeviceRun[]> {
    if (this.planOf !== plan) {
      this.lives = new FleetLives(plan);
      this.planOf = plan;
    }
    const out: DeviceRun[] = [];
    for (const job of jobs) {
      out.push(await this.lives!.run(job));
      progress?.(out.length);
    }
    return out;
  }
}

export interface FleetOptions extends PlanOverrides {
  executor?: LifeExecutor;
  /** After every life of a round: how far the fleet has got. */
  onProgress?: (p: FleetProgress) => void;
}

export interface FleetProgress {
  round: number;
  /** Lives of this round done, and in it. */
  done: number;
  batch: number;
  /** Lives lived so far in all rounds. */
  lives: number;
  /** Virtual time the manager has reached. */
  tMs: number;
}

/** A milestone of a watched device, with the device it is about. */
export interface DeviceMilestone extends Milestone {
  device: number;
}

export class Fleet {
  readonly plan: FleetPlan;
  readonly cohorts: Cohorts;
  private readonly executor: LifeExecutor;
  private readonly onProgress?: (p: FleetProgress) => void;
  private readonly cache = new Map<number, Map<string, DeviceRun>>();
  private readonly listeners = new Set<(e: RolloutEvent) => void>();
  private readonly watchers = new Map<number, Set<(m: DeviceMilestone) => void>>();
  private readonly watchedLives = new Map<string, Milestone[]>();
  private local?: FleetLives;
  private sim: Simulation | undefined;
  private nowMs = 0;
  private emitted = 0;
  private budget = 256;
  /** What running the fleet has cost so far. */
  readonly stats = { rounds: 0, lives: 0, livesUsed: 0, lifeEvents: 0, wallMs: 0, managerMs: 0 };

  /** Checks the description (a UsageError naming the field otherwise). */
  constructor(description: FleetDescription, options: FleetOptions = {}) {
    this.plan = planFleet(description, options);
    this.cohorts = cohorts(this.plan);
    this.executor = options.executor ?? new LocalExecutor();
    this.onProgress = options.onProgress;
  }

  /** The virtual time the fleet has been run to. */
  get timeMs(): number {
    return this.nowMs;
  }

  /** The end of the fleet's days. */
  get horizonMs(): number {
    return this.plan.days * DAY_MS;
  }

  /** Calls `listener` with every rollout event, in virtual time order; returns an unsubscribe. */
  on(listener: (e: RolloutEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` with every milestone of device `index` as the fleet runs; returns an unsubscribe. */
  watch(index: number, listener: (m: DeviceMilestone) => void): () => void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.plan.devices) throw new UsageError(`device ${index} is not in this fleet of ${this.plan.devices}`);
    let set = this.watchers.get(index);
    if (!set) this.watchers.set(index, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  /** Lookup for the rollout simulation. */
  private readonly lives = {
    get: (device: number, key: string) => this.cache.get(device)?.get(key),
  };

  /**
   * Runs the fleet on to virtual time `tMs` (at most its days): rollout events and watched
   * devices' milestones up to then are delivered, and the report describes the fleet then.
   */
  async runUntil(tMs: number): Promise<FleetReport> {
    if (!(tMs >= 0)) throw new UsageError(`run until ${tMs} ms: not a virtual time`);
    const until = Math.min(tMs, this.horizonMs);
    const t0 = performance.now();
    for (;;) {
      const m0 = performance.now();
      const sim = simulateRollouts(this.plan, this.cohorts, this.lives, until, this.budget);
      this.stats.managerMs += performance.now() - m0;
      this.sim = sim;
      if (!sim.need.length) break;
      this.stats.rounds++;
      const batch = sim.need;
      const round = this.stats.rounds;
      const runs = await this.executor.run(this.plan, batch, (done) => this.onProgress?.({ round, done, batch: batch.length, lives: this.stats.lives + done, tMs: sim.stalledAt }));
      for (const r of runs) {
        let m = this.cache.get(r.device);
        if (!m) this.cache.set(r.device, (m = new Map()));
        m.set(r.key, r);
        this.stats.lives++;
        this.stats.lifeEvents += r.events;
      }
      this.budget = Math.min(8192, Math.max(256, 2 * batch.length));
    }
    const sim = this.sim!;
    this.stats.livesUsed = sim.runs.size;
    const from = this.nowMs;
    this.nowMs = Math.max(this.nowMs, until);
    // Rollout events and watched milestones told as one story, in virtual time order (a sort
    // that keeps equal times in the order they were gathered: events first).
    const due: Array<{ tMs: number; tell: () => void }> = [];
    for (; this.emitted < sim.events.length && sim.events[this.emitted]!.tMs <= until; this.emitted++) {
      const e = sim.events[this.emitted]!;
      due.push({ tMs: e.tMs, tell: () => this.listeners.forEach((l) => l(e)) });
    }
    for (const [device, set] of this.watchers) {
      if (!set.size) continue;
      for (const m of await this.milestonesOf(device)) {
        if (m.tMs > from && m.tMs <= until) due.push({ tMs: m.tMs, tell: () => set.forEach((l) => l({ ...m, device })) });
      }
    }
    due.sort((a, b) => a.tMs - b.tMs);
    for (const d of due) d.tell();
    this.stats.wallMs += performance.now() - t0;
    return this.report();
  }

  /** Runs the fleet to the end of its days. */
  run(): Promise<FleetReport> {
    return this.runUntil(this.horizonMs);
  }

  /** The fleet at the time it has been run to. */
  report(): FleetReport {
    if (!this.sim) throw new UsageError('the fleet has not run yet: call runUntil(tMs) or run() first');
    return fleetReport(this.plan, this.cohorts, this.sim, this.nowMs, this.stats.wallMs, (d) => this.deviceId(d));
  }

  // ---- beyond one machine: rounds of independent lives ---------------------------------------

  /**
   * What identifies this fleet's lives: the description and the devices, days and seed it
   * runs with (a lives file of another fleet is refused).
   */
  get key(): string {
    const p = this.plan;
    return hex(sha256(new TextEncoder().encode(JSON.stringify([p.source, p.devices, p.days, p.seed]))));
  }

  /** Lives lived elsewhere (another process or machine: `brickproof fleet --lives FILE`). */
  addLives(runs: Iterable<DeviceRun>): void {
    for (const r of runs) {
      if (!Number.isSafeInteger(r.device) || r.device < 0 || r.device >= this.plan.devices) throw new UsageError(`a life of device ${r.device}, not in this fleet of ${this.plan.devices}`);
      let m = this.cache.get(r.device);
      if (!m) this.cache.set(r.device, (m = new Map()));
      m.set(r.key, r);
    }
  }

  /**
   * The lives the manager needs next to go on to the end of the fleet's days (none: the run
   * can be reported), from the lives known so far. Deterministic: every process that knows
   * the same lives gets the same list, so a round can be split among machines by index.
   */
  nextRound(): LifeJob[] {
    return simulateRollouts(this.plan, this.cohorts, this.lives, this.horizonMs, this.budget).need;
  }

  /** The run so far as an SVG chart: device states over virtual time, the rollout events marked. */
  chart(): string {
    const r = this.report();
    return fleetChart(this.plan, this.sim!, r.tMs, r.events);
  }

  /** The offers device `index` has received by now. */
  offersOf(index: number): Offer[] {
    return (this.sim?.offers.get(index) ?? []).map((o) => ({ ...o }));
  }

  /** Device `index`'s life as the fleet has lived it (undefined before a rollout reached it). */
  runOf(index: number): DeviceRun | undefined {
    return this.sim?.runs.get(index);
  }

  /** Device `index`'s replay id: its class, seed and offers. */
  deviceId(index: number): string {
    const cls = this.plan.classes[this.cohorts.classOf[index]!]!;
    return fleetDeviceId(this.plan, cls, index, this.sim?.offers.get(index) ?? []);
  }

  /** The rollout state behind the report (executions, groups): for charts and tests. */
  get simulation(): Simulation | undefined {
    return this.sim;
  }

  private async milestonesOf(device: number): Promise<Milestone[]> {
    const offers = this.sim?.offers.get(device) ?? [];
    const key = `${device}|${offersKey(offers)}`;
    let ms = this.watchedLives.get(key);
    if (!ms) {
      this.local ??= new FleetLives(this.plan);
      const run = await this.local.run({ device, cls: this.cohorts.classOf[device]!, offers, milestones: true });
      ms = run.milestones!;
      this.watchedLives.set(key, ms);
    }
    return ms;
  }

  /** Lives one device alone from its replay id (its class, seed, days and offers), with its milestone log. */
  static async replay(description: FleetDescription, id: string): Promise<{ run: DeviceRun; report: LifeReport; log: string[] }> {
    const ref = parseFleetDeviceId(id);
    const plan = planFleet(description, { days: ref.days, seed: ref.seed, devices: Math.max(1, ref.index + 1) });
    const { cls, offers } = resolveFleetDeviceId(plan, ref, id);
    const { life, report, run } = await new FleetLives(plan).live({ device: ref.index, cls: cls.index, offers, milestones: true });
    return { run, report, log: life.log() };
  }
}

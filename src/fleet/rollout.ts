/**
 * The fleet manager: rollout policies deciding, in virtual time, which devices are offered
 * which release when — from nothing but what devices tell the server (picked the release up,
 * downloading, downloaded, installed, failed, refused; silence past a timeout).
 *
 * - hawkBit style (reference/ota.md §3): the rollout's devices split into groups (cumulative
 *   percentages of the fleet, or `amountGroups` equal ones); a group starts with every device
 *   in it offered the release; once `successThreshold` % of it has succeeded the next group
 *   starts; when more than `errorThreshold` % of it has failed (rolled back, refused, timed
 *   out) the rollout pauses — no further group starts, the devices already offered it carry
 *   on (hawkBit's THRESHOLD conditions: success ≥, error >).
 * - AWS IoT Jobs style: devices are notified one after another at `baseRatePerMinute`,
 *   multiplied by `incrementFactor` after every N notified (or N succeeded) devices, never
 *   above `maximumPerMinute`; a device that picked the job up and has not finished after
 *   `inProgressTimeoutInMinutes` is TIMED_OUT; once `minNumberOfExecutedThings` executions
 *   have ended and `thresholdPercentage` % of them failed with the criterion's failure type,
 *   the job is aborted and every device not yet in progress is cancelled.
 * - a canary cohort of a few devices first, promoted when `successThreshold` % (default all)
 *   of it succeeded, paused as soon as that has become impossible.
 *
 * The simulation is a pure function of the plan, the cohorts and the lives it is given, so it
 * is simply run again from the start whenever lives are added (it is cheap next to them). A
 * life depends on the offers its device received, and the offers on earlier lives: when the
 * manager offers a release to a device whose life with that offer is not known yet, it stops
 * at that moment and says which lives it needs (`need`) — a round of independent lives, run
 * in parallel — and, for a rate-based rollout, the notifications it expects next if nothing
 * changes its mind (speculation; lives that turn out not to be needed are simply unused).
 */
import type { FleetPlan, AwsPlan, HawkbitPlan } from './description.js';
import { rolloutGroups, type Cohorts } from './cohorts.js';
import { offersKey, type DeviceRun, type LifeJob, type Offer } from './lives.js';
import { MinHeap } from '../util/heap.js';

export const ROLLOUT_EVENTS = ['group-started', 'group-succeeded', 'rollout-paused', 'rollout-aborted', 'rollout-finished'] as const;
export type RolloutEventName = (typeof ROLLOUT_EVENTS)[number];

export interface RolloutEvent {
  tMs: number;
  event: RolloutEventName;
  group: string;
  detail: string;
  release: string;
}

export type ExecutionStatus = 'queued' | 'in-progress' | 'succeeded' | 'failed' | 'rejected' | 'timed-out' | 'canceled';
const TERMINAL: ReadonlySet<ExecutionStatus> = new Set(['succeeded', 'failed', 'rejected', 'timed-out', 'canceled']);

/** One device × one release, as the fleet manager sees it. */
export interface Execution {
  device: number;
  release: number;
  group: number;
  notifiedAt: number;
  seenAt: number;
  downloadingAt: number;
  downloadedAt: number;
  endAt: number;
  status: ExecutionStatus;
}

export interface GroupCounts {
  targeted: number;
  queued: number;
  inProgress: number;
  succeeded: number;
  failed: number;
  rejected: number;
  timedOut: number;
  canceled: number;
}

export interface GroupState {
  index: number;
  release: number;
  /** `2.1.0 canary`, `2.1.0 25%`, `2.1.0 job`. */
  name: string;
  label: string;
  /** Positions in the rollout order: [from, to). */
  from: number;
  to: number;
  successThreshold: number;
  startedAt: number;
  succeededAt: number;
  counts: GroupCounts;
}

type RolloutStatus = 'waiting' | 'running' | 'paused' | 'aborted' | 'finished';

interface RolloutState {
  status: RolloutStatus;
  groups: number[];
  /** Local index of the latest started group. */
  current: number;
  aws?: { rate: number; next: number; notified: number; succeeded: number; token: number; lastTick: number };
}

/** The lives computed so far, by device and offers. */
export interface LifeSource {
  get(device: number, key: string): DeviceRun | undefined;
}

export interface Simulation {
  events: RolloutEvent[];
  groups: GroupState[];
  executions: Execution[];
  /** Each targeted device's offers and its life under them (when known). */
  offers: Map<number, Offer[]>;
  runs: Map<number, DeviceRun>;
  /** Lives needed to go on: empty when the simulation reached `until`. */
  need: LifeJob[];
  /** Where the simulation stopped for want of lives (Infinity: it did not). */
  stalledAt: number;
}

// Heap entries: device feedback first at equal times, then timeouts, then the manager's own steps.
const FEEDBACK = 0;
const TIMEOUT = 1;
const MANAGER = 2;

type Kind = 'seen' | 'downloading' | 'downloaded' | 'installed' | 'failed' | 'refused' | 'timeout' | 'start' | 'tick';

/** One pending step; a class so that every entry has one shape (measured: entries made by object spread, of two shapes, made the heap's comparisons 20× slower). */
class Entry {
  constructor(
    readonly t: number,
    readonly prio: number,
    readonly seq: number,
    readonly kind: Kind,
    /** Device (feedback, timeout) or rollout (start, tick). */
    readonly a: number,
    /** Release (feedback, timeout) or token (tick). */
    readonly b: number,
    /** The life a feedback step comes from (its offers). */
    readonly key: string,
  ) {}
}

const less = (x: Entry, y: Entry) => x.t < y.t || (x.t === y.t && (x.prio < y.prio || (x.prio === y.prio && x.seq < y.seq)));

/** The manager's events in time order, then priority, then the order they were scheduled. */
class Heap {
  private readonly h = new MinHeap<Entry>(less);
  private seq = 0;

  get size(): number {
    return this.h.size;
  }

  peek(): Entry | undefined {
    return this.h.peek();
  }

  push(t: number, prio: number, kind: Kind, a: number, b: number, key = ''): void {
    this.h.push(new Entry(t, prio, this.seq++, kind, a, b, key));
  }

  pop(): Entry {
    return this.h.pop();
  }
}

const pct = (n: number, of: number) => (of === 0 ? 0 : (n * 100) / of);
const fmtPct = (v: number) => `${Number(v.toFixed(1))}%`;

export function emptyCounts(): GroupCounts {
  return { targeted: 0, queued: 0, inProgress: 0, succeeded: 0, failed: 0, rejected: 0, timedOut: 0, canceled: 0 };
}

/**
 * Runs the rollouts of `plan` from time 0 up to `until` over the lives known to `lives`;
 * stops early (with `need`) at the first offer whose life is not known, after collecting up
 * to `speculate` further offers a rate-based rollout would make if nothing changed.
 */
export function simulateRollouts(plan: FleetPlan, co: Cohorts, lives: LifeSource, until: number, speculate = 0): Simulation {
  const events: RolloutEvent[] = [];
  const groups: GroupState[] = [];
  const rollouts: RolloutState[] = [];
  for (const r of plan.releases) {
    const ids: number[] = [];
    for (const g of rolloutGroups(r.rollout, plan.devices)) {
      ids.push(groups.length);
      groups.push({ index: groups.length, release: r.index, name: `${r.name} ${g.label}`, label: g.label, from: g.from, to: g.to, successThreshold: g.successThreshold, startedAt: -1, succeededAt: -1, counts: emptyCounts() });
    }
    rollouts.push({ status: 'waiting', groups: ids, current: -1 });
  }
  const executions: Execution[] = [];
  const byRelease = plan.releases.map(() => new Map<number, Execution>());
  const offers = new Map<number, Offer[]>();
  const keys = new Map<number, string>();
  const runs = new Map<number, DeviceRun>();
  const need: LifeJob[] = [];
  const needed = new Set<string>();
  let stalledAt = Infinity;
  const heap = new Heap();

  const event = (t: number, name: RolloutEventName, g: GroupState, detail: string) => events.push({ tMs: t, event: name, group: g.name, detail, release: plan.releases[g.release]!.name });

  /** Binds device `d` to its life under its current offers, from `t` on. */
  const attach = (d: number, t: number) => {
    const list = offers.get(d)!;
    const key = offersKey(list);
    keys.set(d, key);
    const run = lives.get(d, key);
    if (!run) {
      runs.delete(d);
      const id = `${d}|${key}`;
      if (!needed.has(id)) {
        needed.add(id);
        need.push({ device: d, cls: co.classOf[d]!, offers: list.map((o) => ({ ...o })) });
      }
      if (stalledAt === Infinity) stalledAt = t;
      return;
    }
    runs.set(d, run);
    // The life under the new offers is the old one until `t`: only its events from `t` on are new.
    for (const rr of run.releases) {
      if (rr.seen >= t) heap.push(rr.seen, FEEDBACK, 'seen', d, rr.release, key);
      if (rr.downloading >= t) heap.push(rr.downloading, FEEDBACK, 'downloading', d, rr.release, key);
      if (rr.downloaded >= t) heap.push(rr.downloaded, FEEDBACK, 'downloaded', d, rr.release, key);
      if (rr.outcome && rr.end >= t) heap.push(rr.end, FEEDBACK, rr.outcome, d, rr.release, key);
    }
  };

  const notify = (d: number, g: GroupState, t: number) => {
    const e: Execution = { device: d, release: g.release, group: g.index, notifiedAt: t, seenAt: -1, downloadingAt: -1, downloadedAt: -1, endAt: -1, status: 'queued' };
    executions.push(e);
    byRelease[g.release]!.set(d, e);
    g.counts.targeted++;
    g.counts.queued++;
    let list = offers.get(d);
    if (!list) offers.set(d, (list = []));
    list.push({ release: g.release, fromMs: t });
    attach(d, t);
  };

  const startRollout = (r: number, t: number) => {
    const ro = rollouts[r]!;
    if (ro.status !== 'waiting') return;
    ro.status = 'running';
    if (ro.groups.length === 0) return finish(r, t);
    startGroup(r, 0, t);
  };

  const startGroup = (r: number, local: number, t: number) => {
    const ro = rollouts[r]!;
    ro.current = local;
    const g = groups[ro.groups[local]!]!;
    g.startedAt = t;
    const size = g.to - g.from;
    if (g.label === 'job') {
      const p = plan.releases[r]!.rollout.policy as AwsPlan;
      ro.aws = { rate: p.baseRatePerMinute, next: g.from, notified: 0, succeeded: 0, token: 0, lastTick: t };
      event(t, 'group-started', g, `${size} devices, notified at ${p.baseRatePerMinute}/min${p.incrementFactor > 1 ? ` rising ×${p.incrementFactor} up to ${p.maximumPerMinute}/min` : ''}`);
      heap.push(t, MANAGER, 'tick', r, 0);
      return;
    }
    event(t, 'group-started', g, `${size} device${size === 1 ? '' : 's'} offered ${plan.releases[r]!.name}`);
    for (let p = g.from; p < g.to; p++) notify(co.order[p]!, g, t);
  };

  const finish = (r: number, t: number) => {
    const ro = rollouts[r]!;
    ro.status = 'finished';
    const gs = ro.groups.map((i) => groups[i]!);
    const total = emptyCounts();
    for (const g of gs) for (const k of Object.keys(total) as Array<keyof GroupCounts>) total[k] += g.counts[k];
    const last = gs[gs.length - 1];
    if (last) event(t, 'rollout-finished', last, `${total.succeeded} of ${total.targeted} succeeded, ${total.failed} rolled back, ${total.rejected} refused, ${total.timedOut} timed out`);
    const next = r + 1;
    if (next < plan.releases.length && plan.releases[next]!.rollout.startMs === undefined) startRollout(next, t);
  };

  const checkFinished = (r: number, t: number) => {
    const ro = rollouts[r]!;
    if (ro.status !== 'running' || ro.current !== ro.groups.length - 1) return;
    for (const i of ro.groups) {
      const c = groups[i]!.counts;
      if (c.queued || c.inProgress) return;
    }
    if (ro.aws && ro.aws.next < groups[ro.groups[ro.current]!]!.to) return;
    finish(r, t);
  };

  /** AWS IoT Jobs' rate increase: × incrementFactor, never above maximumPerMinute. */
  const raiseRate = (r: number) => {
    const aws = rollouts[r]!.aws!;
    const p = plan.releases[r]!.rollout.policy as AwsPlan;
    aws.rate = Math.min(p.maximumPerMinute, aws.rate * p.incrementFactor);
  };

  const abortCheck = (r: number, t: number, g: GroupState): boolean => {
    const p = plan.releases[r]!.rollout.policy;
    if (p.style !== 'aws-iot-jobs' || !p.abort.length) return false;
    const total = emptyCounts();
    for (const i of rollouts[r]!.groups) for (const k of Object.keys(total) as Array<keyof GroupCounts>) total[k] += groups[i]!.counts[k];
    const executed = total.succeeded + total.failed + total.rejected + total.timedOut;
    for (const c of p.abort) {
      const failures = c.failureType === 'FAILED' ? total.failed : c.failureType === 'REJECTED' ? total.rejected : c.failureType === 'TIMED_OUT' ? total.timedOut : total.failed + total.rejected + total.timedOut;
      if (executed >= c.minNumberOfExecutedThings && pct(failures, executed) >= c.thresholdPercentage) {
        abort(r, t, g, `${c.failureType}: ${failures} of ${executed} executed (${fmtPct(pct(failures, executed))}) ≥ ${c.thresholdPercentage}%, at least ${c.minNumberOfExecutedThings} executed`);
        return true;
      }
    }
    return false;
  };

  const abort = (r: number, t: number, g: GroupState, detail: string) => {
    const ro = rollouts[r]!;
    ro.status = 'aborted';
    let cancelled = 0;
    for (const e of byRelease[r]!.values()) {
      if (e.status !== 'queued') continue;
      e.status = 'canceled';
      e.endAt = t;
      const c = groups[e.group]!.counts;
      c.queued--;
      c.canceled++;
      cancelled++;
      const o = offers.get(e.device)!.find((x) => x.release === r)!;
      o.untilMs = t;
      attach(e.device, t);
    }
    const left = ro.aws ? groups[ro.groups[ro.current]!]!.to - ro.aws.next : 0;
    event(t, 'rollout-aborted', g, `${detail}; ${cancelled} queued execution${cancelled === 1 ? '' : 's'} cancelled${left > 0 ? `, ${left} devices never notified` : ''}`);
  };

  const pause = (r: number, t: number, g: GroupState, detail: string) => {
    rollouts[r]!.status = 'paused';
    event(t, 'rollout-paused', g, detail);
  };

  /** After an execution of group `g` ended: the policy's decisions. */
  const evaluate = (r: number, g: GroupState, t: number) => {
    const ro = rollouts[r]!;
    if (ro.status === 'aborted' || ro.status === 'finished') return;
    if (abortCheck(r, t, g)) return;
    if (ro.status !== 'running') return;
    const p = plan.releases[r]!.rollout.policy;
    const c = g.counts;
    const size = g.to - g.from;
    const errors = c.failed + c.rejected + c.timedOut;
    if (p.style === 'hawkbit' && pct(errors, size) > (p as HawkbitPlan).errorThreshold) {
      return pause(r, t, g, `error rate ${fmtPct(pct(errors, size))} (${errors} of ${size}: ${c.failed} rolled back, ${c.rejected} refused, ${c.timedOut} timed out) > ${(p as HawkbitPlan).errorThreshold}%`);
    }
    if (g.label === 'canary' && pct(size - errors, size) < g.successThreshold) {
      return pause(r, t, g, `the canary can no longer reach ${g.successThreshold}%: ${errors} of ${size} failed (${c.failed} rolled back, ${c.rejected} refused, ${c.timedOut} timed out)`);
    }
    if (g.label !== 'job' && g.succeededAt < 0 && ro.groups[ro.current] === g.index && pct(c.succeeded, size) >= g.successThreshold) {
      g.succeededAt = t;
      event(t, 'group-succeeded', g, `${fmtPct(pct(c.succeeded, size))} (${c.succeeded} of ${size}) succeeded ≥ ${g.successThreshold}%`);
      if (ro.current + 1 < ro.groups.length) startGroup(r, ro.current + 1, t);
    }
    checkFinished(r, t);
  };

  const execOf = (e: Entry) => byRelease[e.b]!.get(e.a);

  const end = (x: Execution, status: ExecutionStatus, t: number) => {
    const g = groups[x.group]!;
    const c = g.counts;
    if (x.status === 'queued') c.queued--;
    else c.inProgress--;
    x.status = status;
    x.endAt = t;
    if (status === 'succeeded') c.succeeded++;
    else if (status === 'failed') c.failed++;
    else if (status === 'rejected') c.rejected++;
    else if (status === 'timed-out') c.timedOut++;
    const ro = rollouts[x.release]!;
    if (status === 'succeeded' && ro.aws) {
      ro.aws.succeeded++;
      const p = plan.releases[x.release]!.rollout.policy as AwsPlan;
      if (p.increaseAfter.succeeded && ro.aws.succeeded % p.increaseAfter.succeeded === 0 && ro.status === 'running') {
        raiseRate(x.release);
        const aws = ro.aws;
        if (aws.next < groups[ro.groups[ro.current]!]!.to) {
          aws.token++;
          heap.push(Math.max(t, aws.lastTick + 60_000 / aws.rate), MANAGER, 'tick', x.release, aws.token);
        }
      }
    }
    evaluate(x.release, g, t);
  };

  const handle = (e: Entry) => {
    switch (e.kind) {
      case 'start':
        return startRollout(e.a, e.t);
      case 'tick': {
        const r = e.a;
        const ro = rollouts[r]!;
        const aws = ro.aws!;
        if (ro.status !== 'running' || e.b !== aws.token) return;
        const g = groups[ro.groups[ro.current]!]!;
        if (aws.next >= g.to) return;
        aws.lastTick = e.t;
        notify(co.order[aws.next++]!, g, e.t);
        aws.notified++;
        const p = plan.releases[r]!.rollout.policy as AwsPlan;
        if (p.increaseAfter.notified && aws.notified % p.increaseAfter.notified === 0) raiseRate(r);
        if (aws.next < g.to) heap.push(e.t + 60_000 / aws.rate, MANAGER, 'tick', r, aws.token);
        return;
      }
      case 'timeout': {
        const x = execOf(e);
        if (x && x.status === 'in-progress' && x.seenAt >= 0) end(x, 'timed-out', e.t);
        return;
      }
      default: {
        if (keys.get(e.a) !== e.key) return; // from a life the device no longer lives
        const x = execOf(e);
        if (!x) return;
        if (e.kind === 'seen') {
          if (x.status !== 'queued') return;
          x.status = 'in-progress';
          x.seenAt = e.t;
          const c = groups[x.group]!.counts;
          c.queued--;
          c.inProgress++;
          const timeout = plan.releases[x.release]!.rollout.policy.timeoutMs;
          if (timeout !== Infinity) heap.push(e.t + timeout, TIMEOUT, 'timeout', x.device, x.release);
          return;
        }
        if (e.kind === 'downloading') {
          if (x.downloadingAt < 0) x.downloadingAt = e.t;
          return;
        }
        if (e.kind === 'downloaded') {
          if (x.downloadedAt < 0) x.downloadedAt = e.t;
          return;
        }
        if (TERMINAL.has(x.status)) return; // timed out or cancelled already: the manager no longer listens
        return end(x, e.kind === 'installed' ? 'succeeded' : e.kind === 'failed' ? 'failed' : 'rejected', e.t);
      }
    }
  };

  plan.releases.forEach((r, i) => {
    if (r.rollout.startMs !== undefined) heap.push(r.rollout.startMs, MANAGER, 'start', i, 0);
  });

  while (heap.size) {
    const e = heap.peek()!;
    if (e.t > until) break;
    if (e.t > stalledAt) {
      // Past the first unknown life nothing is certain: only foresee the notifications a
      // rate-based rollout would make if nothing changed its mind.
      if (need.length >= speculate) break;
      heap.pop();
      if (e.kind === 'tick') handle(e);
      continue;
    }
    handle(heap.pop());
  }
  return { events, groups, executions, offers, runs, need, stalledAt };
}

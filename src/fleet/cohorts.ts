/**
 * Who is who in a fleet, from the seed alone: each device's class (in exact proportion to
 * the weights, by largest remainder, spread over the indices by a seeded shuffle), its
 * life's seed, and the order in which rollouts reach devices — one seeded permutation of the
 * fleet, so a canary cohort is the same few devices for every release, as in Memfault, and
 * every group of a staged rollout holds the classes in about their fleet proportions.
 */
import { prng } from '../util/prng.js';
import type { FleetPlan, RolloutPlan } from './description.js';

/** Devices per class: `total` split by the weights, largest remainders first. */
export function classCounts(weights: readonly number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / sum) * total);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) counts[order[k]![1]]!++;
  return counts;
}

function shuffle(xs: Uint32Array | Uint8Array, rnd: () => number): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = xs[i]!;
    xs[i] = xs[j]!;
    xs[j] = t;
  }
}

/** Stream tags, so the class shuffle and the rollout order never share numbers. */
const CLASS_STREAM = 0x0c1a55;
const ORDER_STREAM = 0x0fde75;

export interface Cohorts {
  /** Class index of each device. */
  classOf: Uint8Array;
  /** Devices in the order rollouts reach them. */
  order: Uint32Array;
}

export function cohorts(plan: Pick<FleetPlan, 'devices' | 'seed' | 'classes'>): Cohorts {
  const counts = classCounts(plan.classes.map((c) => c.weight), plan.devices);
  const classOf = new Uint8Array(plan.devices);
  let p = 0;
  counts.forEach((n, c) => {
    classOf.fill(c, p, p + n);
    p += n;
  });
  shuffle(classOf, prng((plan.seed ^ CLASS_STREAM) >>> 0));
  const order = new Uint32Array(plan.devices);
  for (let i = 0; i < order.length; i++) order[i] = i;
  shuffle(order, prng((plan.seed ^ ORDER_STREAM) >>> 0));
  return { classOf, order };
}

/** The seed of device `index`'s life. */
export function deviceSeed(fleetSeed: number, index: number): number {
  return (Math.imul(fleetSeed, 1_000_003) + index) >>> 0;
}

/**
 * Where in its first check period device `index` is switched on, in [0, 1): devices of a
 * real fleet do not poll in the same millisecond (and a fleet that did would answer a
 * rollout in lockstep).
 */
export function devicePhase(fleetSeed: number, index: number): number {
  return prng((deviceSeed(fleetSeed, index) ^ PHASE_STREAM) >>> 0)();
}

const PHASE_STREAM = 0x0ff5e7;

export interface GroupPlan {
  /** `canary`, `5%`, … (hawkBit) or `job` (AWS IoT Jobs). */
  label: string;
  /** Positions in the rollout order: [from, to). */
  from: number;
  to: number;
  /** % of the group succeeded that promotes the rollout past it (hawkBit and the canary). */
  successThreshold: number;
}

/** The groups of a rollout over `devices` devices: the canary first, then the policy's groups (empty ones dropped). */
export function rolloutGroups(rollout: RolloutPlan, devices: number): GroupPlan[] {
  const out: GroupPlan[] = [];
  let at = 0;
  if (rollout.canary) {
    const n = Math.min(rollout.canary.devices, devices);
    out.push({ label: 'canary', from: 0, to: n, successThreshold: rollout.canary.successThreshold });
    at = n;
  }
  const p = rollout.policy;
  if (p.style === 'aws-iot-jobs') {
    if (at < devices) out.push({ label: 'job', from: at, to: devices, successThreshold: 100 });
    return out;
  }
  for (const pct of p.groups) {
    const to = Math.max(at, Math.round((pct / 100) * devices));
    if (to > at) out.push({ label: `${Number(pct.toFixed(2))}%`, from: at, to, successThreshold: p.successThreshold });
    at = to;
  }
  return out;
}

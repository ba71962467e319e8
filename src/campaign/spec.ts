/**
 * What a campaign is made of, and the short ids that replay one scenario of it
 * (`swap-scratch/nrf52840/perm/cut@417`, `…/double@417+38`, `…/random#7`).
 */
import { FAULT_MODELS, type FaultModel } from '../core.js';
import { UsageError } from '../errors.js';
import { parseStrategy, type Strategy } from '../device/strategy.js';

export const UPGRADES = ['test', 'perm', 'revert'] as const;
/**
 * test: the application requests a test upgrade and confirms the new image once it runs;
 * perm: a permanent upgrade; revert: a test upgrade the new image never confirms, so the
 * bootloader must bring the old image back.
 */
export type Upgrade = (typeof UPGRADES)[number];
export const PLANS = ['exhaustive', 'double', 'random'] as const;
export type Plan = (typeof PLANS)[number];

export interface CampaignSpec {
  device: string;
  strategy: Strategy;
  upgrade: Upgrade;
  plan: Plan;
  fault: FaultModel;
  /** Total size of the update (header + body + TLVs); 'max' = the largest the strategy allows. */
  imageSize: number | 'max';
  /** Total size of the running image, when it differs from the update's. */
  v1Size?: number;
  seed: number;
  /** double: second cuts per first cut (0 = all); random: number of runs. */
  sample: number;
}

/** One scenario: the cut point(s) within the campaign's update timeline. */
export interface ScenarioRef {
  /** exhaustive/double: the first cut (1-based op of the timeline). */
  cut?: number;
  /** double: the second cut (1-based op of the first recovery boot). */
  cut2?: number;
  /** random: the run's seed. */
  run?: number;
}

export function parseUpgrade(v: string): Upgrade {
  if ((UPGRADES as readonly string[]).includes(v)) return v as Upgrade;
  throw new UsageError(`unknown upgrade '${v}' (expected one of: ${UPGRADES.join(', ')})`);
}

export function parsePlan(v: string): Plan {
  if ((PLANS as readonly string[]).includes(v)) return v as Plan;
  throw new UsageError(`unknown plan '${v}' (expected one of: ${PLANS.join(', ')})`);
}

export function parseFault(v: string): FaultModel {
  if ((FAULT_MODELS as readonly string[]).includes(v)) return v as FaultModel;
  throw new UsageError(`unknown fault model '${v}' (expected one of: ${FAULT_MODELS.join(', ')})`);
}

/** `<strategy>/<device>/<upgrade>[:size]/<fault>@<cut>[+<cut2>]` or `…/<fault>#<run>`; seed as `~seed` when not 1. */
export function scenarioId(spec: CampaignSpec, ref: ScenarioRef): string {
  const size = spec.v1Size !== undefined ? `:${spec.imageSize},${spec.v1Size}` : spec.imageSize === 'max' ? '' : `:${spec.imageSize}`;
  const seed = spec.seed === 1 ? '' : `~${spec.seed}`;
  const where = ref.run !== undefined ? `#${ref.run}` : ref.cut2 !== undefined ? `@${ref.cut}+${ref.cut2}` : `@${ref.cut}`;
  return `${spec.strategy}/${spec.device}/${spec.upgrade}${size}/${spec.fault}${where}${seed}`;
}

const ID = /^([a-z0-9-]+(?:@[a-z0-9]+)?)\/([A-Za-z0-9._-]+)\/(test|perm|revert)(?::(\d+|max)(?:,(\d+))?)?\/([a-z-]+)(?:@(\d+)(?:\+(\d+))?|#(\d+))(?:~(\d+))?$/;

/** Parses a replay id back into the campaign and scenario it names. */
export function parseScenarioId(id: string): { spec: CampaignSpec; ref: ScenarioRef } {
  const m = ID.exec(id.trim());
  if (!m) throw new UsageError(`replay id '${id}' does not parse (expected e.g. swap-scratch/nrf52840/perm/cut@417, …/cut@417+38 or …/cut#7)`);
  const [, strategy, device, upgrade, size, v1Size, fault, cut, cut2, run, seed] = m;
  const ref: ScenarioRef = run !== undefined ? { run: Number(run) } : { cut: Number(cut), ...(cut2 !== undefined ? { cut2: Number(cut2) } : {}) };
  if (ref.cut === 0 || ref.cut2 === 0) throw new UsageError(`replay id '${id}': cut points count from 1`);
  const spec: CampaignSpec = {
    strategy: parseStrategyVariant(strategy),
    device,
    upgrade: parseUpgrade(upgrade),
    imageSize: size === undefined || size === 'max' ? 'max' : Number(size),
    ...(v1Size !== undefined ? { v1Size: Number(v1Size) } : {}),
    fault: parseFault(fault),
    plan: run !== undefined ? 'random' : cut2 !== undefined ? 'double' : 'exhaustive',
    seed: seed === undefined ? 1 : Number(seed),
    sample: 0,
  };
  return { spec, ref };
}

/**
 * A strategy name, or a test-only historical variant `<strategy>@<bug>` (see
 * src/campaign/variants.ts); variants are accepted here so that their replay ids work.
 */
export function parseStrategyVariant(v: string): Strategy {
  const [base] = v.split('@');
  parseStrategy(base);
  return v as Strategy;
}

/** `i/N` with 1 ≤ i ≤ N. */
export function parseShard(v: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard '${v}' must be i/N with 1 ≤ i ≤ N (e.g. 2/8)`);
  return { index, count };
}

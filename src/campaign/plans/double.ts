/**
 * The double plan: after the first cut g, the first recovery boot is itself cut, at each of
 * its operations (or a seeded sample of `sample` of them). Unit g gives those scenarios.
 */
import { prng } from '../../util/prng.js';
import type { Life, RecordedOp } from '../lifecycle.js';
import { judge, verdict, type ScenarioResult } from '../oracle.js';
import type { CampaignRunner, RunEvent } from '../runner.js';
import type { CampaignSpec, ScenarioRef } from '../spec.js';

/**
 * Unit g's first cut, shared by the double and triple plans: the flash after it, kept inside
 * the module (the runner's plan snapshot); the first recovery boot, recorded (only it: its
 * operations are the second cut points); and the second cuts the spec asks for.
 */
export function firstCut(runner: CampaignRunner, g: number): { second: number; recovery: RecordedOp[]; picks: number[] } {
  const core = runner.device.core;
  runner.flashBefore(g);
  runner.interrupt(runner.ops[g - 1], { cut: g });
  const second = (runner.planSnapshot ??= core.snapshot());
  core.saveSnapshot(second);
  const recovery = runner.recordRecovery();
  return { second, recovery, picks: sampleCuts(recovery.length, runner.spec, g) };
}

/** The scenarios of unit g (one of them with `only`, for a replay); passing ones counted with `counted`. */
export function* double(runner: CampaignRunner, g: number, only?: number, counted = false): Generator<RunEvent> {
  const { second, recovery, picks: all } = firstCut(runner, g);
  const picks = only !== undefined ? all.filter((k) => k === only) : all;
  yield* cutEach(runner, g, second, recovery, picks, (k) => ({ cut: g, cut2: k }), counted);
}

/** One double-cut scenario with what a replay explains: the recovery boot that was cut, and the life after it. */
export interface DoubleOutcome {
  result: ScenarioResult;
  /** Every operation of the first recovery boot, uninterrupted (cut point k is recovery[k − 1]). */
  recovery: RecordedOp[];
  /** The power-ons after the second cut, with their operations. */
  life: Life;
}

/** Scenario (g, k) run to be explained, every power-on recorded (no memo); undefined when k is past the recovery boot. */
export function secondCut(runner: CampaignRunner, g: number, k: number): DoubleOutcome | undefined {
  const out = recoveriesCut(runner, g, [k]);
  return out && { result: out.result, life: out.life, recovery: out.recoveries[0] };
}

/**
 * The scenario that cuts the update at g, then each recovery boot in turn at its operation
 * `cuts[i]`, run to be explained: every recovery boot's operations (uninterrupted) and the
 * life after the last cut, recorded (no memo). Undefined when a cut is past its boot.
 */
export function recoveriesCut(runner: CampaignRunner, g: number, cuts: number[]): { result: ScenarioResult; life: Life; recoveries: RecordedOp[][] } | undefined {
  const core = runner.device.core;
  runner.flashBefore(g);
  runner.interrupt(runner.ops[g - 1], { cut: g });
  const snap = (runner.planSnapshot ??= core.snapshot());
  const recoveries: RecordedOp[][] = [];
  const ref: ScenarioRef = { cut: g };
  for (const [i, k] of cuts.entries()) {
    core.saveSnapshot(snap);
    const recovery = runner.recordRecovery();
    if (k < 1 || k > recovery.length) return undefined;
    recoveries.push(recovery);
    for (let j = 0; j < k - 1; j++) core.applyToSnapshot(snap, recovery[j]);
    core.restore(snap);
    if (i === 0) ref.cut2 = k;
    else ref.cut3 = k;
    runner.interrupt(recovery[k - 1], { ...ref });
  }
  const { result, life } = runner.recover(ref, g, true);
  return { result, life, recoveries };
}

/**
 * The scenarios that cut a recorded boot at each operation of `picks`: the flash before that
 * operation (the snapshot taken before the boot, advanced in place by the operations before
 * it), the operation interrupted, and the device's life from there, judged. Under `cut` an
 * interrupted operation leaves the flash as it was, so the snapshot already holds the
 * power-on state: the memo is asked about it before anything is put back into flash, and a
 * state it knows costs no restore at all. `onLife` sees each scenario's life.
 */
export function* cutEach(
  runner: CampaignRunner,
  unit: number,
  snapshot: number,
  ops: RecordedOp[],
  picks: number[],
  refOf: (k: number) => ScenarioRef,
  counted: boolean,
  onLife?: (k: number, life: Life) => void,
): Generator<RunEvent> {
  const core = runner.device.core;
  let applied = 0;
  let passed = 0;
  for (const k of picks) {
    const ref = refOf(k);
    for (; applied < k - 1; applied++) core.applyToSnapshot(snapshot, ops[applied]);
    let life = runner.knownLife(snapshot);
    if (!life) {
      core.restore(snapshot);
      runner.interrupt(ops[k - 1], ref);
      life = runner.live();
    }
    onLife?.(k, life);
    if (counted && verdict(runner, ref, life).ok) passed++;
    else yield judge(runner, ref, unit, life);
  }
  if (passed) yield { unit, passed };
}

/**
 * Which of a recovery boot's `count` operations are cut: all of them, or a seeded sample of
 * `spec.sample` (in increasing order). `salt` tells apart the recovery boots of one unit.
 */
export function sampleCuts(count: number, spec: CampaignSpec, g: number, salt = 0): number[] {
  let picks = Array.from({ length: count }, (_, i) => i + 1);
  if (spec.sample > 0 && picks.length > spec.sample) {
    const rnd = prng(spec.seed * 31 + g + salt);
    for (let i = picks.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [picks[i], picks[j]] = [picks[j], picks[i]];
    }
    picks = picks.slice(0, spec.sample).sort((a, b) => a - b);
  }
  return picks;
}

/**
 * The double plan: after the first cut g, the first recovery boot is itself cut, at each of
 * its operations (or a seeded sample of `sample` of them). Unit g gives those scenarios.
 */
import { isDeviceFault, isPowerCut } from '../../core/index.js';
import { prng } from '../../util/prng.js';
import { recorded, type Life, type RecordedOp } from '../lifecycle.js';
import type { ScenarioResult } from '../oracle.js';
import type { CampaignRunner } from '../runner.js';
import { faultSeed } from '../spec.js';

/** One double-cut scenario with what a replay explains: the recovery boot that was cut, and the life after it. */
export interface DoubleOutcome {
  cut2: number;
  result: ScenarioResult;
  /** Every operation of the first recovery boot, uninterrupted (cut point k is recovery[k − 1]). */
  recovery: RecordedOp[];
  /** The power-ons after the second cut (kept only when recording). */
  life: Life;
}

export function double(runner: CampaignRunner, g: number, only?: number): ScenarioResult[] {
  return secondCuts(runner, g, only, false).map((o) => o.result);
}

/** The scenarios of unit g (or only its second cut `only`), with their lives when `record`. */
export function secondCuts(runner: CampaignRunner, g: number, only: number | undefined, record: boolean): DoubleOutcome[] {
  const { spec, device } = runner;
  const core = device.core;
  runner.flashBefore(g);
  runner.interrupt(runner.ops[g - 1], spec.fault, faultSeed(spec, { cut: g }));
  // The flash after the first cut, kept inside the module; then the first recovery boot,
  // recorded (only it: its operations are the second cut points).
  const second = (runner.planSnapshot ??= core.snapshot());
  core.saveSnapshot(second);
  let recovery: RecordedOp[] = [];
  try {
    const r = device.boot();
    if (isPowerCut(r)) throw new Error(`unexpected power cut in the recovery boot after cut ${g}: no cut was armed`);
    recovery = recorded(device).filter((o) => o.kind !== 'F');
  } catch (e) {
    // The recovery boot itself broke a flash rule or trapped: there is nothing to cut a
    // second time, and the exhaustive plan reports that first cut as a crash.
    if (!isDeviceFault(e)) throw e;
  }
  let picks = recovery.map((_, i) => i + 1);
  if (spec.sample > 0 && picks.length > spec.sample) {
    const rnd = prng(spec.seed * 31 + g);
    for (let i = picks.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [picks[i], picks[j]] = [picks[j], picks[i]];
    }
    picks = picks.slice(0, spec.sample).sort((a, b) => a - b);
  }
  if (only !== undefined) picks = picks.filter((k) => k === only);
  const out: DoubleOutcome[] = [];
  // The same progression as for first cuts, over the recovery boot's operations.
  let applied = 0;
  for (const k of picks) {
    const ref = { cut: g, cut2: k };
    for (; applied < k - 1; applied++) core.applyToSnapshot(second, recovery[applied]);
    core.restore(second);
    runner.interrupt(recovery[k - 1], spec.fault, faultSeed(spec, ref));
    const { result, life } = runner.recover(ref, g, record);
    out.push({ cut2: k, result, life, recovery });
  }
  return out;
}

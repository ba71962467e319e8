/**
 * The double plan: after the first cut g, the first recovery boot is itself cut, at each of
 * its operations (or a seeded sample of `sample` of them). Unit g gives those scenarios.
 */
import { prng } from '../../util/prng.js';
import type { RecordedOp } from '../lifecycle.js';
import type { ScenarioResult } from '../oracle.js';
import type { CampaignRunner } from '../runner.js';
import type { CampaignSpec } from '../spec.js';

export function double(runner: CampaignRunner, g: number, only?: number): ScenarioResult[] {
  const { spec, device } = runner;
  const core = device.core;
  runner.flashBefore(g);
  runner.interrupt(runner.ops[g - 1], { cut: g });
  // The flash after the first cut, kept inside the module; then the first recovery boot,
  // recorded (only it: its operations are the second cut points).
  const second = (runner.planSnapshot ??= core.snapshot());
  core.saveSnapshot(second);
  const recovery = runner.recordRecovery();
  let picks = sampleCuts(recovery.length, spec, g);
  if (only !== undefined) picks = picks.filter((k) => k === only);
  const out: ScenarioResult[] = [];
  // The same progression as for first cuts, over the recovery boot's operations.
  const flashBefore = progression(runner, second, recovery);
  for (const k of picks) {
    const ref = { cut: g, cut2: k };
    flashBefore(k);
    runner.interrupt(recovery[k - 1], ref);
    out.push(runner.recover(ref, g).result);
  }
  return out;
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

/**
 * Rebuilds, for increasing k, the flash just before a recorded boot's operation k: the
 * snapshot taken before that boot, advanced in place by its operations.
 */
export function progression(runner: CampaignRunner, snapshot: number, ops: RecordedOp[]): (k: number) => void {
  const core = runner.device.core;
  let applied = 0;
  return (k) => {
    for (; applied < k - 1; applied++) core.applyToSnapshot(snapshot, ops[applied]);
    core.restore(snapshot);
  };
}

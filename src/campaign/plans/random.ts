/**
 * The random plan: the update from the start with up to five cuts, each at a seeded random
 * operation of the power-on it interrupts (MCUboot's perm_with_random_fails), then
 * uninterrupted power-ons. Unit r is run r.
 */
import { isDeviceFault, isPowerCut } from '../../core/index.js';
import { prng } from '../../util/prng.js';
import { judge, crash, worded, type ScenarioResult } from '../oracle.js';
import type { CampaignRunner } from '../runner.js';
import { faultSeed } from '../spec.js';

export function random(runner: CampaignRunner, run: number): ScenarioResult {
  const ref = { run };
  const { spec, device } = runner;
  const rnd = prng(spec.seed * 7919 + run);
  runner.flashStaged();
  let window = runner.ops.length;
  let cuts = 0;
  for (let i = 0; i < 5 && window > 0; i++) {
    const at = 1 + Math.floor(rnd() * window);
    let r: ReturnType<typeof device.boot>;
    try {
      r = device.boot({ at, fault: spec.fault, seed: faultSeed(spec, { run, cut: i + 1 }) });
    } catch (e) {
      if (!isDeviceFault(e)) throw e;
      return judge(runner, ref, run, { calls: [], failure: worded(crash(e), i + 1, `of run ${run}, cut at its op ${at}`) });
    }
    if (!isPowerCut(r)) break; // the boot finished before the cut point
    cuts++;
    window = Math.max(1, Math.floor(window / 2));
  }
  const res = runner.recover(ref, run).result;
  return { ...res, detail: res.detail ?? `${cuts} cuts` };
}

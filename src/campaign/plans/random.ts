/**
 * The random plan: the update from the start with up to five cuts, each at a seeded random
 * operation of the power-on it interrupts (MCUboot's perm_with_random_fails), then
 * uninterrupted power-ons. Unit r is run r.
 */
import { isDeviceFault, isPowerCut, type PowerCut } from '../../core/index.js';
import type { BootResult } from '../../device/device.js';
import { prng } from '../../util/prng.js';
import { afterBoot, recorded, type Life, type RecordedOp } from '../lifecycle.js';
import { judge, crash, secondaryEmpty, worded, type ScenarioResult } from '../oracle.js';
import type { CampaignRunner } from '../runner.js';
import { faultSeed } from '../spec.js';

/** A power-on of a random run that was aimed at: cut before its operation `at`, or finished before reaching it. */
export interface AimedPowerOn {
  at: number;
  /** The operations it made before the cut (all of them when it finished first); kept only when recording. */
  ops: RecordedOp[];
  /** The operation the power failed during, when the cut fired. */
  cut?: PowerCut;
  /** What the power-on decided, when it finished before its cut point. */
  boot?: BootResult;
}

export function random(runner: CampaignRunner, run: number): ScenarioResult {
  return randomRun(runner, run, false).result;
}

/** Run `run`, with its aimed power-ons and the life after them when `record`. */
export function randomRun(runner: CampaignRunner, run: number, record: boolean): { result: ScenarioResult; aimed: AimedPowerOn[]; life: Life } {
  const ref = { run };
  const { spec, device } = runner;
  const rnd = prng(spec.seed * 7919 + run);
  runner.flashStaged();
  let window = runner.ops.length;
  let cuts = 0;
  const aimed: AimedPowerOn[] = [];
  for (let i = 0; i < 5 && window > 0; i++) {
    const at = 1 + Math.floor(rnd() * window);
    const emptyBefore = secondaryEmpty(device, runner.images);
    let r: ReturnType<typeof device.boot>;
    try {
      r = device.boot({ at, fault: spec.fault, seed: faultSeed(spec, { run, cut: i + 1 }) });
    } catch (e) {
      if (!isDeviceFault(e)) throw e;
      const life = { calls: [], failure: worded(crash(e), i + 1, `of run ${run}, cut at its op ${at}`) };
      return { result: judge(runner, ref, run, life), aimed, life };
    }
    if (!isPowerCut(r)) {
      // The power-on finished before its cut point: no more cuts. It is a power-on like any
      // other — judged by the power-on rules, then the application's call (a test upgrade's
      // new image confirms itself before the next reset) — and the device lives on.
      aimed.push({ at, ops: record ? recorded(device) : [], boot: r });
      const after = `of run ${run}, aimed at its op ${at} but finished first`;
      const p = afterBoot(device, runner.images, spec.upgrade, r, emptyBefore, record, `power-on ${i + 1} ${after}`);
      const app = p.calls.slice(1); // the boot itself is in `aimed`
      if (p.failure || p.end) {
        const life: Life = p.failure ? { calls: app, failure: worded(p.failure, i + 1, after) } : { calls: app, end: p.end };
        return { result: { ...judge(runner, ref, run, life), ...(p.failure ? {} : { detail: `${cuts} cuts` }) }, aimed, life };
      }
      const { life } = runner.recover(ref, run, record);
      const lived: Life = { ...life, calls: [...app, ...life.calls] };
      const judged = judge(runner, ref, run, lived);
      return { result: { ...judged, detail: judged.detail ?? `${cuts} cuts` }, aimed, life: lived };
    }
    aimed.push({ at, ops: record ? recorded(device) : [], cut: r });
    cuts++;
    window = Math.max(1, Math.floor(window / 2));
  }
  const { result, life } = runner.recover(ref, run, record);
  return { result: { ...result, detail: result.detail ?? `${cuts} cuts` }, aimed, life };
}

/**
 * The exhaustive plan: one cut at every flash operation of the update (unit g = the cut
 * before operation g), each from a snapshot advanced in place — and the same scenario the
 * slow, obviously right way, kept as the baseline the fast one is checked against.
 */
import { isPowerCut, type FaultModel } from '../../core/index.js';
import { SECONDARY } from '../../device/geometry.js';
import type { Life } from '../lifecycle.js';
import type { ScenarioResult } from '../oracle.js';
import { judge } from '../oracle.js';
import { live, type CallKind } from '../lifecycle.js';
import type { CampaignRunner } from '../runner.js';
import { faultSeed } from '../spec.js';

/** The power fails during operation g of the update; the device then lives on. */
export function single(runner: CampaignRunner, g: number, record = false): { result: ScenarioResult; life: Life } {
  const ref = { cut: g };
  runner.flashBefore(g);
  runner.interrupt(runner.ops[g - 1], ref);
  return runner.recover(ref, g, record);
}

/**
 * The same scenario as `single`, the way MCUboot's simulator does it: from the staged
 * device, power on and run the update again up to the cut. Kept as the baseline the
 * snapshot method is measured against (bench/campaign.ts) and checked equal to.
 */
export function singleFromPowerOn(runner: CampaignRunner, g: number): ScenarioResult {
  return singleFromPowerOnLife(runner, g).result;
}

/**
 * `singleFromPowerOn` with the life kept (`record`: with its flash operations). Also how
 * campaigns with NV security counters run every scenario: the counters, outside the flash,
 * start as staged and change exactly where the replayed update changes them.
 */
export function singleFromPowerOnLife(runner: CampaignRunner, g: number, record = false): { result: ScenarioResult; life: Life } {
  const ref = { cut: g };
  const dev = runner.device;
  dev.core.loadDump(runner.start);
  if (runner.images.nvStart) dev.nvCounters = runner.images.nvStart;
  let left = g;
  const perform = (call: { kind: CallKind; area?: number }, cut?: { at: number; fault: FaultModel; seed: bigint }) =>
    call.kind === 'boot' ? dev.boot(cut) : call.kind === 'confirm' ? (call.area !== undefined ? dev.setNext(call.area, true, true, cut) : dev.setConfirmed(cut)) : dev.eraseArea(SECONDARY, cut);
  for (const call of runner.calls) {
    if (left > call.ops) {
      if (isPowerCut(perform(call))) throw new Error(`unexpected power cut replaying the update's ${call.kind}: no cut was armed`);
      left -= call.ops;
      continue;
    }
    const cut = { at: left, fault: runner.spec.fault, seed: faultSeed(runner.spec, ref) };
    if (!isPowerCut(perform(call, cut))) throw new Error(`replaying the update did not reach cut point ${g}`);
    break;
  }
  const life = live(dev, runner.images, runner.spec.upgrade, { record });
  return { result: judge(runner, ref, g, life), life };
}

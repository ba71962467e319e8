/**
 * The oracle (DESIGN.md, "What every scenario must show"): the rules every power-on after a
 * cut must keep, written once for all strategies and plans, and the verdict on a whole life.
 *
 * Only device findings are findings: a rule here is broken by what the simulated device
 * does. A bug of the harness around it (an exception that is not a device fault) is never
 * a result — it propagates and aborts the campaign.
 */
import { versionString, type BootResult, type Device } from '../device/device.js';
import { erasedValueOf } from '../core/index.js';
import { headerErased } from '../image/header.js';
import { PRIMARY, SECONDARY } from '../device/geometry.js';
import type { UpdateImages, Which } from './images.js';
import type { CallKind, EndState, Life } from './lifecycle.js';
import { scenarioId, type CampaignSpec, type ScenarioRef } from './spec.js';

/**
 * bricked — a power-on found no image to boot (or MCUboot panicked);
 * wrong-image — the booted image is byte-identical to neither installed image;
 * rejected-image-booted — an image the update must never run did run;
 * no-convergence — the device kept changing flash boot after boot;
 * wrong-end-state — it settled, but not where the uninterrupted update ends;
 * crash — the simulated bootloader (or the application's MCUboot call) broke a flash rule
 *   or trapped;
 * no-upgrade — the uninterrupted update never booted the new image (an image that does not
 *   fit its slot, slots the strategy cannot swap, an image the bootloader refuses): there is
 *   nothing to cut into, so the campaign is this one failing scenario, `…/cut@0`;
 * stuck-revert — a power-on found the secondary slot without an image (its header magic
 *   erased, MCUboot's boot_check_header_erased) and left a REVERT request (primary magic
 *   GOOD, copy_done SET, image_ok UNSET) behind it, with nothing to revert to: application
 *   tools then refuse new uploads (MCUboot #2199).
 */
export type Rule = 'bricked' | 'wrong-image' | 'rejected-image-booted' | 'no-convergence' | 'wrong-end-state' | 'crash' | 'stuck-revert' | 'no-upgrade';

export interface Failure {
  rule: Rule;
  detail: string;
}

export interface ScenarioResult {
  id: string;
  /** The campaign's unit this scenario belongs to (first cut, or random run). */
  unit: number;
  ok: boolean;
  rule?: Rule;
  detail?: string;
  /** Power-ons until the device settled (or failed). */
  boots: number;
  /** Flash operations of the first power-on after the (last) cut. */
  resumeOps: number;
}

/**
 * No image in the secondary slot, as MCUboot decides it (boot_check_header_erased), wherever
 * the strategy may look for it: offset 0, and where the update was staged.
 */
export function secondaryEmpty(dev: Device, images: UpdateImages): boolean {
  const bytes = dev.core.peekArea(SECONDARY);
  const erased = erasedValueOf(dev.geometry, dev.core.area(SECONDARY));
  return (images.secondaryOffset ? [0, images.secondaryOffset] : [0]).every((off) => headerErased(bytes, off, erased));
}

/** The primary trailer asks for a revert (§4.1 row 3: magic GOOD, image_ok UNSET, copy_done SET). */
export function revertRequested(dev: Device): boolean {
  const t = dev.readSwapState(PRIMARY);
  return t.magic === 'good' && t.imageOk === 'unset' && t.copyDone === 'set';
}

/**
 * A rule one power-on broke, worded once its place in a life is known: `n` counts power-ons
 * and `after` names them ("after the cut"). A memoized power-on (memo.ts) keeps the finding
 * and is worded again wherever it recurs.
 */
export interface PowerOnFailure {
  rule: Rule;
  detail(n: number, after: string): string;
}

export function worded(f: PowerOnFailure, n: number, after: string): Failure {
  return { rule: f.rule, detail: f.detail(n, after) };
}

/**
 * The rules one power-on must keep: it boots, it boots an installed image, and it does not
 * leave a revert request behind with nothing to revert to.
 */
export function checkPowerOn(dev: Device, images: UpdateImages, r: BootResult, image: Which | null, emptyBefore: boolean): PowerOnFailure | undefined {
  if (r.outcome !== 'ok') {
    const what = `${r.outcome === 'panic' ? 'MCUboot panicked' : 'no bootable image'} (requested ${r.requested})`;
    return { rule: 'bricked', detail: (n, after) => `power-on ${n} ${after}: ${what}` };
  }
  if (!image) return { rule: 'wrong-image', detail: (n, after) => `power-on ${n} ${after} booted v${versionString(r.version)} whose bytes match neither installed image` };
  if (emptyBefore && secondaryEmpty(dev, images) && revertRequested(dev)) {
    return { rule: 'stuck-revert', detail: (n, after) => `power-on ${n} ${after} found no image in the secondary slot and left the primary trailer requesting a revert (magic good, copy_done set, image_ok unset)` };
  }
  return undefined;
}

/** The simulated code broke a flash rule or trapped during a power-on (or the application's call after it). */
export function crash(e: Error, during = 'power-on'): PowerOnFailure {
  return { rule: 'crash', detail: (n, after) => `${during === 'power-on' ? `power-on ${n}` : `${during} after power-on ${n}`} ${after}: ${e.message}` };
}

export function noConvergence(maxBoots: number, last: BootResult | undefined): Failure {
  return { rule: 'no-convergence', detail: `still changing flash after ${maxBoots} power-ons (the last booted v${versionString(last?.version)})` };
}

/** What the verdict on a life needs to know about the campaign. */
export interface Reference {
  spec: CampaignSpec;
  /** Where the uninterrupted update ends; absent when it fails itself. */
  expected?: EndState;
  /** Which call of the update each operation (1-based cut point − 1) belongs to. */
  opCall: readonly CallKind[];
}

/** The verdict on one scenario: the life's own failure, or where it settled against where the uninterrupted update ends. */
export function judge(reference: Reference, ref: ScenarioRef, unit: number, life: Life): ScenarioResult {
  return { id: scenarioId(reference.spec, ref), unit, ...verdict(reference, ref, life) };
}

/** `judge` without the scenario's name: it depends on `ref` only through whether the first cut hit an application call. */
export function verdict(reference: Reference, ref: ScenarioRef, life: Life): Omit<ScenarioResult, 'id' | 'unit'> {
  let boots = 0;
  for (const c of life.calls) if (c.kind === 'boot') boots++;
  const first = life.calls[0];
  const resumeOps = first?.boot ? first.boot.ops.erase + first.boot.ops.write : 0;
  if (life.failure) return { ok: false, rule: life.failure.rule, detail: life.failure.detail, boots, resumeOps };
  const end = life.end!;
  const want = reference.expected;
  if (!want) return { ok: true, boots, resumeOps }; // @0 of a failing update that this time passed: not reached
  // A cut during an application call (the confirm write, the erase of the secondary) means
  // it may not have landed: then the new image is unconfirmed with the old image still in
  // the secondary, and MCUboot rightly brings the old one back.
  const reverted = cutInAppCall(reference, ref) && end.image === 'v1' && end.imageOk === 'set';
  // A bootstrap cut after its copy but before its closing image_ok / copy_done writes leaves
  // the image installed without them: the next boot finds a valid primary and nothing to do,
  // as real MCUboot does (mcuboot-modes scratch-bootstrap sweep). The image still runs.
  const imageOkMatters = reference.spec.upgrade !== 'bootstrap';
  if (!reverted && (end.image !== want.image || (imageOkMatters && end.imageOk !== want.imageOk))) {
    return {
      ok: false, rule: 'wrong-end-state', boots, resumeOps,
      detail: `settled on v${end.version} with image_ok ${end.imageOk}; the uninterrupted update ends on v${want.version} with image_ok ${want.imageOk}`,
    };
  }
  // Hardware rollback protection: the NV counters end where the uninterrupted update leaves them.
  if (!reverted && want.nv && end.nv?.join(',') !== want.nv.join(',')) {
    return {
      ok: false, rule: 'wrong-end-state', boots, resumeOps,
      detail: `settled with NV security counters ${end.nv?.join(', ')}; the uninterrupted update leaves ${want.nv.join(', ')}`,
    };
  }
  return { ok: true, boots, resumeOps };
}

/** The scenario's first cut hit an application call (the confirm write, the erase of the secondary), not a boot. */
export function cutInAppCall(reference: Reference, ref: ScenarioRef): boolean {
  return ref.cut !== undefined && ref.cut > 0 && reference.opCall[ref.cut - 1] !== 'boot';
}

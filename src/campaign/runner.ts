/**
 * Runs a campaign's scenarios on one device, fast.
 *
 * The uninterrupted update is run once, with every flash operation recorded (with its
 * data). The flash as it was before operation g is then rebuilt by applying the recorded
 * operations to a snapshot kept inside the module — advanced in place, never re-run from
 * power-on — and the scenario only pays for what is new: the interrupted operation with its
 * fault, and the recovery. Validating an image the device already validated costs a memory
 * compare (the core's known-image cache), not a SHA-256.
 */
import { PowerCut, type FaultModel } from '../core.js';
import { Device } from '../device/device.js';
import { UsageError } from '../errors.js';
import { prng } from '../util/prng.js';
import { getDevice } from '../device/device-file.js';
import { SECONDARY } from '../device/geometry.js';
import { assertStrategyAllowed } from '../device/profiles.js';
import { bugBits, baseStrategy } from './variants.js';
import { scenarioId, type CampaignSpec, type ScenarioRef } from './spec.js';
import { buildImages, live, recorded, stage, type CallKind, type EndState, type Life, type RecordedOp, type Rule, type UpdateImages } from './update.js';

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

export interface Trace {
  /** Operations of the update up to the cut, the cut itself, and what each boot after it did. */
  lines: string[];
}

/** Seed of the fault PRNG for a scenario: from the campaign seed and the cut points only. */
export function faultSeed(spec: CampaignSpec, ref: ScenarioRef): bigint {
  const r = prng((spec.seed * 2654435761) ^ ((ref.cut ?? 0) * 40503) ^ ((ref.cut2 ?? 0) * 9973) ^ ((ref.run ?? 0) * 7919));
  return (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32));
}

export class CampaignRunner {
  readonly ops: RecordedOp[];
  /** Which call of the update each operation belongs to. */
  private readonly opCall: CallKind[];
  /** The calls of the uninterrupted update and how many operations each made. */
  private readonly calls: Array<{ kind: CallKind; ops: number }>;
  /** Where the uninterrupted update ends; absent when it fails itself. */
  readonly expected?: EndState;
  /**
   * The uninterrupted update itself fails (a bug that needs no power cut): the campaign is
   * then that one scenario, `…@0`, since no cut can be judged against a reference that
   * does not exist.
   */
  readonly controlFailure?: ScenarioResult;
  private progress: number;
  private readonly snapshot: number;
  /** The flash after a first cut, advanced through the recovery boot (double plan). */
  private second?: number;

  private constructor(
    readonly spec: CampaignSpec,
    readonly device: Device,
    readonly images: UpdateImages,
    readonly start: Uint8Array,
    clean: Life,
  ) {
    this.expected = clean.end;
    if (!clean.end) this.controlFailure = this.judge({ cut: 0 }, 1, clean);
    const calls = clean.calls.map((c) => ({ kind: c.kind, ops: c.ops.filter((o) => o.kind !== 'F') }));
    this.ops = calls.flatMap((c) => c.ops);
    this.opCall = calls.flatMap((c) => c.ops.map(() => c.kind));
    this.calls = calls.map((c) => ({ kind: c.kind, ops: c.ops.length }));
    device.core.loadDump(start);
    this.snapshot = device.core.snapshot();
    this.progress = 0;
  }

  static async create(spec: CampaignSpec): Promise<CampaignRunner> {
    const profile = spec.deviceFile ? getDevice(undefined, spec.deviceFile) : getDevice(spec.device);
    const base = baseStrategy(spec.strategy);
    assertStrategyAllowed(profile, base);
    const g = profile.geometry;
    // Torn faults can leave bytes MCUboot later programs over: NOR ANDs them, so the model
    // does too (strict mode is for conformance, where MCUboot never does that).
    const build = { strategy: base, bugs: bugBits(spec.strategy), ...(spec.maxAlign ? { maxAlign: spec.maxAlign } : {}), ...(spec.maxSectors ? { maxSectors: spec.maxSectors } : {}) };
    const device = new Device(g, build, { strict: false, logDataBytes: Math.min(48 << 20, 6 * g.size) });
    const images = await buildImages(device, spec.imageSize, base, spec.v1Size);
    device.core.addKnownRegion(images.v1.subarray(0, hashedLength(images.v1)));
    device.core.addKnownRegion(images.v2.subarray(0, hashedLength(images.v2)));
    stage(device, images, spec.upgrade, g, spec.v1Trailer);
    const start = device.core.dump();
    const clean = live(device, images, spec.upgrade, true, 'of the uninterrupted update');
    return new CampaignRunner(spec, device, images, start, clean);
  }

  /** Cut points of the exhaustive plan: every operation of the uninterrupted update. */
  get cutPoints(): number {
    return this.ops.length;
  }

  /** Rebuilds the flash as it was just before operation `g` (1-based) of the update. */
  private flashBefore(g: number): void {
    const core = this.device.core;
    if (g - 1 < this.progress) {
      core.loadDump(this.start);
      core.saveSnapshot(this.snapshot);
      this.progress = 0;
    }
    for (; this.progress < g - 1; this.progress++) core.applyToSnapshot(this.snapshot, this.ops[this.progress]);
    core.restore(this.snapshot);
  }

  /** Applies operation `op` with the power failing during it. */
  private interrupt(op: RecordedOp, fault: FaultModel, seed: bigint): void {
    if (fault === 'cut') return; // the operation does not happen at all
    const core = this.device.core;
    core.reboot();
    core.armPowerCut(1, fault, seed);
    const r = op.kind === 'E' ? core.erase(op.area, op.offset, op.length) : core.program(op.area, op.offset, op.bytes!);
    if (!(r instanceof PowerCut)) throw new Error('the armed cut did not fire');
  }

  /** One exhaustive scenario: the power fails during operation g of the update. */
  single(g: number): ScenarioResult {
    return this.singleLife(g, false).result;
  }

  private singleLife(g: number, record: boolean): { result: ScenarioResult; life: Life } {
    const ref = { cut: g };
    this.flashBefore(g);
    this.interrupt(this.ops[g - 1], this.spec.fault, faultSeed(this.spec, ref));
    const life = live(this.device, this.images, this.spec.upgrade, record);
    return { result: this.judge(ref, g, life), life };
  }

  /**
   * The same scenario as `single(g)`, the slow way MCUboot's simulator does it: from the
   * staged device, power on and run the update again up to the cut. Kept as the baseline
   * the snapshot method is measured against (bench/campaign.ts) and checked equal to.
   */
  singleFromPowerOn(g: number): ScenarioResult {
    const ref = { cut: g };
    const core = this.device.core;
    core.loadDump(this.start);
    let left = g;
    const perform = (kind: CallKind, cut?: { at: number; fault: FaultModel; seed: bigint }) =>
      kind === 'boot' ? this.device.boot(cut) : kind === 'confirm' ? this.device.setConfirmed(cut) : this.device.eraseArea(SECONDARY, cut);
    for (const call of this.calls) {
      if (left > call.ops) {
        const r = perform(call.kind);
        if (r instanceof PowerCut) throw new Error('unexpected power cut');
        left -= call.ops;
        continue;
      }
      const cut = { at: left, fault: this.spec.fault, seed: faultSeed(this.spec, ref) };
      const r = perform(call.kind, cut);
      if (!(r instanceof PowerCut)) throw new Error(`replaying the update did not reach cut point ${g}`);
      break;
    }
    return this.judge(ref, g, live(this.device, this.images, this.spec.upgrade, false));
  }

  /**
   * Re-runs one scenario and keeps everything needed to explain it: the operations of the
   * update before the cut, the interrupted operation(s), and every call after the cut.
   */
  explain(ref: ScenarioRef): { result: ScenarioResult; life: Life; before: RecordedOp[]; cut?: RecordedOp; cutCall?: CallKind } {
    if (ref.run !== undefined) {
      const result = this.random(ref.run);
      return { result, life: { calls: [] }, before: [] };
    }
    const g = ref.cut!;
    if (g === 0) {
      // No cut: the uninterrupted update, from the staged device.
      this.device.core.loadDump(this.start);
      const life = live(this.device, this.images, this.spec.upgrade, true, 'of the uninterrupted update');
      return { result: this.judge(ref, this.controlFailure?.unit ?? 1, life), life, before: [] };
    }
    if (g > this.ops.length) throw new UsageError(`cut point ${g} is past the end of the update (${this.ops.length} operations)`);
    if (ref.cut2 === undefined) {
      const { result, life } = this.singleLife(g, true);
      return { result, life, before: this.ops.slice(0, g - 1), cut: this.ops[g - 1], cutCall: this.opCall[g - 1] };
    }
    const results = this.double(g, ref.cut2);
    if (!results.length) throw new UsageError(`second cut point ${ref.cut2} is past the end of the recovery boot`);
    return { result: results[0], life: { calls: [] }, before: this.ops.slice(0, g - 1), cut: this.ops[g - 1], cutCall: this.opCall[g - 1] };
  }

  /**
   * Double faults after first cut g: the first recovery boot is recorded, then cut at each
   * of its operations (or a seeded sample of `sample` of them).
   */
  double(g: number, only?: number): ScenarioResult[] {
    const core = this.device.core;
    this.flashBefore(g);
    this.interrupt(this.ops[g - 1], this.spec.fault, faultSeed(this.spec, { cut: g }));
    // The flash after the first cut, kept inside the module; then the first recovery boot,
    // recorded (only it: its operations are the second cut points).
    this.second ??= core.snapshot();
    core.saveSnapshot(this.second);
    let recovery: RecordedOp[] = [];
    try {
      const r = this.device.boot();
      if (!(r instanceof PowerCut)) recovery = recorded(this.device).filter((o) => o.kind !== 'F');
    } catch {
      // The recovery boot itself broke a flash rule: the exhaustive plan reports that cut.
    }
    let picks = recovery.map((_, i) => i + 1);
    if (this.spec.sample > 0 && picks.length > this.spec.sample) {
      const rnd = prng(this.spec.seed * 31 + g);
      for (let i = picks.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [picks[i], picks[j]] = [picks[j], picks[i]];
      }
      picks = picks.slice(0, this.spec.sample).sort((a, b) => a - b);
    }
    if (only !== undefined) picks = picks.filter((k) => k === only);
    const out: ScenarioResult[] = [];
    // The same progression as for first cuts, over the recovery boot's operations.
    let applied = 0;
    for (const k of picks) {
      const ref = { cut: g, cut2: k };
      for (; applied < k - 1; applied++) core.applyToSnapshot(this.second, recovery[applied]);
      core.restore(this.second);
      this.interrupt(recovery[k - 1], this.spec.fault, faultSeed(this.spec, ref));
      out.push(this.judge(ref, g, live(this.device, this.images, this.spec.upgrade, false)));
    }
    return out;
  }

  /**
   * A random run: the update from the start with up to five cuts, each at a seeded random
   * operation of the power-on it interrupts (MCUboot's perm_with_random_fails), then
   * uninterrupted power-ons.
   */
  random(run: number): ScenarioResult {
    const ref = { run };
    const core = this.device.core;
    const rnd = prng(this.spec.seed * 7919 + run);
    core.loadDump(this.start);
    let window = this.ops.length;
    let cuts = 0;
    for (let i = 0; i < 5 && window > 0; i++) {
      const at = 1 + Math.floor(rnd() * window);
      const r = this.device.boot({ at, fault: this.spec.fault, seed: faultSeed(this.spec, { run, cut: i + 1 }) });
      if (!(r instanceof PowerCut)) break; // the boot finished before the cut point
      cuts++;
      window = Math.max(1, Math.floor(window / 2));
    }
    const res = this.judge(ref, run, live(this.device, this.images, this.spec.upgrade, false));
    return { ...res, detail: res.detail ?? `${cuts} cuts` };
  }

  private judge(ref: ScenarioRef, unit: number, life: Life): ScenarioResult {
    const id = scenarioId(this.spec, ref);
    const boots = life.calls.filter((c) => c.kind === 'boot').length;
    const first = life.calls[0];
    const resumeOps = first?.boot ? first.boot.ops.erase + first.boot.ops.write : 0;
    if (life.failure) return { id, unit, ok: false, rule: life.failure.rule, detail: life.failure.detail, boots, resumeOps };
    const end = life.end!;
    const want = this.expected;
    if (!want) return { id, unit, ok: true, boots, resumeOps }; // @0 of a failing update that this time passed: not reached
    // A cut during an application call (the confirm write, the erase of the secondary) means
    // it may not have landed: then the new image is unconfirmed with the old image still in
    // the secondary, and MCUboot rightly brings the old one back.
    const appCut = ref.cut !== undefined && ref.cut > 0 && this.opCall[ref.cut - 1] !== 'boot';
    const reverted = appCut && end.image === 'v1' && end.imageOk === 'set';
    if (!reverted && (end.image !== want.image || end.imageOk !== want.imageOk)) {
      return {
        id, unit, ok: false, rule: 'wrong-end-state', boots, resumeOps,
        detail: `settled on v${end.version} with image_ok ${end.imageOk}; the uninterrupted update ends on v${want.version} with image_ok ${want.imageOk}`,
      };
    }
    return { id, unit, ok: true, boots, resumeOps };
  }

  /** Runs the scenarios of `units` (first cuts or random runs), in increasing order. */
  *run(units: number[]): Generator<ScenarioResult> {
    for (const u of [...units].sort((a, b) => a - b)) {
      if (this.controlFailure) {
        yield { ...this.controlFailure, unit: u };
        continue;
      }
      if (this.spec.plan === 'exhaustive') yield this.single(u);
      else if (this.spec.plan === 'double') yield* this.double(u);
      else yield this.random(u);
    }
  }

  /** Units of the plan: first cuts 1..N, or random runs 1..sample; one (the update itself) when it fails uncut. */
  get units(): number {
    if (this.controlFailure) return 1;
    return this.spec.plan === 'random' ? Math.max(1, this.spec.sample) : this.ops.length;
  }
}

function hashedLength(image: Uint8Array): number {
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  return dv.getUint16(8, true) + dv.getUint32(12, true) + dv.getUint16(10, true);
}


/**
 * Runs a campaign's scenarios on one device, fast.
 *
 * The uninterrupted update is run once, with every flash operation recorded (with its
 * data). The flash as it was before operation g is then rebuilt by applying the recorded
 * operations to a snapshot kept inside the module — advanced in place, never re-run from
 * power-on — and the scenario only pays for what is new: the interrupted operation with its
 * fault, and the recovery. Validating an image the device already validated costs a memory
 * compare (the core's known-image cache), not a SHA-256. Plans that power on from the same
 * flash many times (double, triple, random cuts) take what followed from a memo of power-ons
 * (memo.ts) instead of running it again.
 *
 * The plans (plans/) say which cuts a scenario makes; this file owns the recorded update
 * they cut into, and the oracle (oracle.ts) judges every life.
 */
import { isDeviceFault, isPowerCut, PowerCut, type FaultModel } from '../core/index.js';
import { Device } from '../device/device.js';
import { getDevice } from '../device/device-file.js';
import { assertStrategyAllowed, resolveProfile } from '../device/profiles.js';
import { stage, stageBootstrap, stageImage } from '../device/staging.js';
import type { EncryptionKey } from '../image/encryption.js';
import { UsageError } from '../errors.js';
import { decodeHeader, hashedLength } from '../image/header.js';
import { STRATEGY_INFO } from '../image/strategy.js';
import { buildImages, type UpdateImages } from './images.js';
import { misfit, whyNoUpgrade } from './no-upgrade.js';
import { lifeFrom, live, recorded, type CallKind, type EndState, type Life, type RecordedOp } from './lifecycle.js';
import { PowerOnMemo } from './memo.js';
import { judge, type Reference, type ScenarioResult } from './oracle.js';
import { double, recoveriesCut } from './plans/double.js';
import { single, singleFromPowerOn, singleFromPowerOnLife } from './plans/exhaustive.js';
import { random, randomRun, type AimedPowerOn } from './plans/random.js';
import { triple, TripleCache } from './plans/triple.js';
import { checkModes, faultSeed, MEMO_PLANS, type CampaignSpec, type ScenarioRef } from './spec.js';
export { faultSeed } from './spec.js';
import { variantBits } from './variants.js';

export type { ScenarioResult } from './oracle.js';

/** Passing scenarios of a unit, counted but not named (`run(units, { counted: true })`). */
export interface Passed {
  unit: number;
  passed: number;
}

export type RunEvent = ScenarioResult | Passed;

export interface RunnerOptions {
  /**
   * Memoize power-ons. Default: for the plans that have a memo (MEMO_PLANS); false: every
   * power-on runs; true: on any plan (the bench measures what it would cost the exhaustive one).
   */
  memo?: boolean;
}

/** Everything a replay prints about one scenario (CampaignRunner.explain). */
export interface Explanation {
  result: ScenarioResult;
  /** The power-ons after the last cut, until the device settled or failed. */
  life: Life;
  /** The update's operations before the first cut. */
  before: RecordedOp[];
  /** The operation of the update the first cut interrupted, and which call made it. */
  cut?: RecordedOp;
  cutCall?: CallKind;
  /** Double and triple plans: the first recovery boot, cut again before its operation `ops.length + 1` (of `of`). */
  recovery?: { ops: RecordedOp[]; cut: RecordedOp; of: number };
  /** Triple plan: the second recovery boot, cut a third time, alike. */
  recovery2?: { ops: RecordedOp[]; cut: RecordedOp; of: number };
  /** Random plan: each power-on aimed at, from the staged device. */
  aimed?: AimedPowerOn[];
}

/**
 * The uninterrupted update must end as its upgrade kind says, or there is nothing to cut
 * into: the new image booted at least once, and the device settled on it (test, perm) or,
 * for a revert, back on the old one where the strategy can revert. Otherwise the life is
 * failed here, and the campaign is that one failing scenario `…/cut@0`.
 */
function upgradeHappened(spec: CampaignSpec, dev: Device, images: UpdateImages, clean: Life): Life {
  if (!clean.end) return clean;
  const boots = clean.calls.filter((c) => c.kind === 'boot');
  if (!boots.some((c) => c.image === 'v2')) {
    return { calls: clean.calls, failure: { rule: 'no-upgrade', detail: `no upgrade happened: ${whyNoUpgrade(dev, images, boots[0]?.boot)}` } };
  }
  const reverts = STRATEGY_INFO[spec.strategy].revert === 'always';
  const want = spec.upgrade === 'test' || spec.upgrade === 'perm' ? { image: 'v2', version: '2.0.0', imageOk: 'set' } : spec.upgrade === 'revert' ? (reverts ? { image: 'v1', version: '1.0.0', imageOk: 'set' } : undefined) : undefined;
  const end = clean.end;
  if (want && (end.image !== want.image || end.imageOk !== want.imageOk)) {
    return {
      calls: clean.calls,
      failure: { rule: 'wrong-end-state', detail: `the uninterrupted ${spec.upgrade} upgrade settled on v${end.version} with image_ok ${end.imageOk}; it must end on v${want.version}+0 with image_ok ${want.imageOk}` },
    };
  }
  return clean;
}

export class CampaignRunner implements Reference {
  /** The uninterrupted update's flash operations, in order: cut point g is ops[g − 1]. */
  readonly ops: RecordedOp[];
  /** Which call of the update each operation belongs to. */
  readonly opCall: CallKind[];
  /** The calls of the uninterrupted update and how many operations each made. */
  readonly calls: Array<{ kind: CallKind; ops: number; area?: number }>;
  /** Where the uninterrupted update ends; absent when it fails itself. */
  readonly expected?: EndState;
  /**
   * The uninterrupted update itself fails (a bug that needs no power cut): the campaign is
   * then that one scenario, `…@0`, since no cut can be judged against a reference that
   * does not exist.
   */
  readonly controlFailure?: ScenarioResult;
  /** How many operations of the update the snapshot has been advanced through. */
  private progress: number;
  private readonly snapshot: number;
  /** Snapshots a plan may keep inside the module (the flash after the first cut, after the second). */
  planSnapshot?: number;
  thirdSnapshot?: number;
  /** The flash as staged, kept inside the module (the random plan starts every run from it). */
  private stagedSnapshot?: number;
  /** Power-ons already seen (plans with a memo, unless it is turned off). */
  readonly memo?: PowerOnMemo;
  /** The triple plan's second recoveries, by the flash they start from. */
  readonly tripleCache = new TripleCache();

  private constructor(
    readonly spec: CampaignSpec,
    readonly device: Device,
    readonly images: UpdateImages,
    /** The flash as staged, before the update's first operation. */
    readonly start: Uint8Array,
    clean: Life,
    options: RunnerOptions,
    /** The update could not even be staged (an image does not fit its slot): nothing ran. */
    private readonly unstaged = false,
  ) {
    this.expected = clean.end;
    const calls = clean.calls.map((c) => ({ kind: c.kind, area: c.area, ops: c.ops.filter((o) => o.kind !== 'F') }));
    this.ops = calls.flatMap((c) => c.ops);
    this.opCall = calls.flatMap((c) => c.ops.map(() => c.kind));
    this.calls = calls.map((c) => ({ kind: c.kind, ops: c.ops.length, ...(c.area !== undefined ? { area: c.area } : {}) }));
    if (!clean.end) this.controlFailure = judge(this, { cut: 0 }, 1, clean);
    // The memo keys a power-on by the flash alone (memo.ts). That holds for every build mode
    // but hardware rollback protection: multi-image slots are all in the flash, direct-xip and
    // ram-load choose their slot from it, ram-load's RAM is zero at every power-on
    // (Device.begin), and an encrypted campaign's key is fixed for its whole run. The NV
    // security counters of --hw-rollback live outside the flash and decide boots, so such a
    // campaign gets no memo (spec.ts checkModes keeps it on the exhaustive plan, which has
    // none anyway; this keeps a forced `memo: true` from reusing a life across counters).
    if (!spec.hwRollback && (options.memo ?? MEMO_PLANS.includes(spec.plan))) this.memo = new PowerOnMemo(device.core);
    device.core.loadDump(start);
    this.snapshot = device.core.snapshot();
    this.progress = 0;
  }

  static async create(spec: CampaignSpec, options: RunnerOptions = {}): Promise<CampaignRunner> {
    const profile = spec.deviceProfile ? resolveProfile(spec.deviceProfile) : spec.deviceFile ? getDevice(undefined, spec.deviceFile) : getDevice(spec.device);
    assertStrategyAllowed(profile, spec.strategy);
    const g = profile.geometry;
    // Torn faults can leave bytes MCUboot later programs over: NOR ANDs them, so the model
    // does too (strict mode is for conformance, where MCUboot never does that).
    checkModes(spec);
    const info = STRATEGY_INFO[spec.strategy];
    const build = {
      strategy: spec.strategy,
      bugs: variantBits(spec.strategy, spec.variant),
      ...(spec.maxAlign ? { maxAlign: spec.maxAlign } : {}),
      ...(spec.maxSectors ? { maxSectors: spec.maxSectors } : {}),
      ...(spec.images ? { images: spec.images } : {}),
      ...(spec.hwRollback ? { hwRollback: true } : {}),
      ...(spec.bootstrap ? { bootstrap: true } : {}),
      ...(spec.downgradePrevention ? { downgradePrevention: true } : {}),
      ...(spec.encKeyLen ? { encKey: await readEncryptionKey(spec.encKeyFile!), encKeySize: spec.encKeyLen } : {}),
    };
    const device = new Device(g, build, { strict: false, logDataBytes: Math.min(48 << 20, 6 * g.size) });
    const images = await buildImages(device, spec.imageSize, spec.v1Size, spec.seed);
    const unfit = misfit(device, images);
    if (unfit) return new CampaignRunner(spec, device, images, device.core.dump(), { calls: [], failure: { rule: 'no-upgrade', detail: `no upgrade can happen: ${unfit}` } }, options, true);
    // (An encrypted update is hashed as plaintext: its known bytes are the decrypted ones.)
    for (const image of [images.v1, images.v2Plain ?? images.v2, ...(images.others ?? []).flatMap((p) => [p.v1, p.v2])]) {
      if (device.core.ctrl('CTRL_KNOWN_COUNT') < 8) device.core.addKnownRegion(image.subarray(0, hashedLength(decodeHeader(image))));
    }
    if (spec.upgrade === 'bootstrap') {
      stageBootstrap(device, images.v2);
    } else {
      // Direct-xip and ram-load with revert erase a slot without a GOOD magic: the running
      // image was flashed confirmed (imgtool --pad --confirm), as MCUboot's revert builds need.
      const runningTrailer = spec.v1Trailer ?? (info.flow === 'select' && info.revert !== 'never' ? 'pad-confirm' : undefined);
      const rc = stage(device, { running: images.v1, update: images.v2, runningTrailer, permanent: spec.upgrade === 'perm' });
      if (rc instanceof PowerCut) throw new Error('unexpected power cut while staging: no cut was armed');
      if (rc !== 0) {
        return new CampaignRunner(spec, device, images, device.core.dump(), { calls: [], failure: { rule: 'no-upgrade', detail: `no upgrade can happen: the application's boot_set_pending() failed (rc ${rc}) on the staged secondary slot` } }, options, true);
      }
      for (const [i, pair] of (images.others ?? []).entries()) {
        const rc1 = stageImage(device, i + 1, pair.v1, pair.v2, spec.upgrade === 'perm');
        if (rc1 instanceof PowerCut) throw new Error('unexpected power cut while staging: no cut was armed');
        if (rc1 !== 0) {
          return new CampaignRunner(spec, device, images, device.core.dump(), { calls: [], failure: { rule: 'no-upgrade', detail: `no upgrade can happen: the application's boot_set_next() for image ${i + 1} failed (rc ${rc1})` } }, options, true);
        }
      }
    }
    if (images.nvStart) device.nvCounters = images.nvStart;
    const start = device.core.dump();
    const clean = live(device, images, spec.upgrade, { record: true, after: 'of the uninterrupted update' });
    return new CampaignRunner(spec, device, images, start, upgradeHappened(spec, device, images, clean), options);
  }

  /** Cut points of the exhaustive plan: every operation of the uninterrupted update. */
  get cutPoints(): number {
    return this.ops.length;
  }

  /** Rebuilds the flash as it was just before operation `g` (1-based) of the update. */
  flashBefore(g: number): void {
    const core = this.device.core;
    if (g - 1 < this.progress) {
      core.loadDump(this.start);
      core.saveSnapshot(this.snapshot);
      this.progress = 0;
    }
    for (; this.progress < g - 1; this.progress++) core.applyToSnapshot(this.snapshot, this.ops[this.progress]);
    core.restore(this.snapshot);
  }

  /** Puts the flash back as staged, before the update's first operation. */
  flashStaged(): void {
    const core = this.device.core;
    if (this.stagedSnapshot === undefined) {
      core.loadDump(this.start);
      this.stagedSnapshot = core.snapshot();
    }
    core.restore(this.stagedSnapshot);
  }

  /**
   * Powers the device on from the flash as it is and returns that boot's flash operations
   * (the cut points of the next level of a plan): none when it broke a flash rule or
   * trapped, as there is nothing to cut then. With the memo, the rest of that life is
   * memoized too (its next scenario, the cut before this boot's first operation, powers on
   * from this very flash).
   */
  recordRecovery(): RecordedOp[] {
    const { device, memo } = this;
    if (memo) {
      const first = live(device, this.images, this.spec.upgrade, { recordFirst: true, memo }).calls[0];
      return first.boot ? first.ops.filter((o) => o.kind !== 'F') : [];
    }
    try {
      const r = device.boot();
      if (isPowerCut(r)) throw new Error('unexpected power cut in a recovery boot: no cut was armed');
      return recorded(device).filter((o) => o.kind !== 'F');
    } catch (e) {
      if (!isDeviceFault(e)) throw e;
      return [];
    }
  }

  /** Applies operation `op` with the power failing during it, in scenario `ref` (its fault seed). */
  interrupt(op: RecordedOp, ref: ScenarioRef, fault: FaultModel = this.spec.fault): void {
    // (The viewer cuts a recorded update with a fault model of the reader's choosing.)
    if (fault === 'cut') return; // the operation does not happen at all
    const core = this.device.core;
    core.reboot();
    core.armPowerCut(1, fault, faultSeed({ ...this.spec, fault }, ref));
    const r = op.kind === 'E' ? core.erase(op.area, op.offset, op.length) : core.program(op.area, op.offset, op.bytes!);
    if (!(r instanceof PowerCut)) throw new Error('the armed cut did not fire');
  }

  /** The device's life from the flash as it is now, judged. */
  recover(ref: ScenarioRef, unit: number, record = false): { result: ScenarioResult; life: Life } {
    const life = live(this.device, this.images, this.spec.upgrade, { record, memo: this.memo });
    return { result: judge(this, ref, unit, life), life };
  }

  /** The device's life from the flash as it is now (with the memo, when the plan has one). */
  live(): Life {
    return live(this.device, this.images, this.spec.upgrade, { memo: this.memo });
  }

  /**
   * The life after a power-on from the flash a snapshot holds, when the memo knows it and an
   * interrupted operation changes nothing (`cut`): the snapshot is then the power-on state.
   */
  knownLife(snapshot: number): Life | undefined {
    if (!this.memo || this.spec.fault !== 'cut') return undefined;
    const known = this.memo.get(this.device.core.snapshotDigest(snapshot));
    const life = known && lifeFrom(known);
    if (!life) return undefined;
    this.memo.hits++;
    return life;
  }

  /** Power-on states the memo holds, power-ons it answered and collisions it caught (zeros without a memo). */
  get memoStats(): { states: number; hits: number; collisions: number } {
    const m = this.memo;
    return { states: m?.size ?? 0, hits: (m?.hits ?? 0) + this.tripleCache.hits, collisions: m?.collisions ?? 0 };
  }

  /**
   * One exhaustive scenario: the power fails during operation g of the update. (With NV
   * security counters, which a flash snapshot does not hold, the update is replayed from
   * power-on to the cut.)
   */
  single(g: number): ScenarioResult {
    if (this.images.nvStart) return singleFromPowerOn(this, g);
    return single(this, g).result;
  }

  /** The same scenario as `single(g)`, the slow way (plans/exhaustive.ts). */
  singleFromPowerOn(g: number): ScenarioResult {
    return singleFromPowerOn(this, g);
  }

  /** Double faults after first cut g (plans/double.ts). */
  double(g: number, only?: number): ScenarioResult[] {
    return [...double(this, g, only)] as ScenarioResult[];
  }

  /** A random multi-cut run (plans/random.ts). */
  random(run: number): ScenarioResult {
    return random(this, run);
  }

  /**
   * Re-runs one scenario and keeps everything needed to explain it: the operations of the
   * update before the first cut, the interrupted operation, every power-on that was cut
   * again (the double plan's recovery boot, a random run's aimed power-ons), and every call
   * after the last cut.
   */
  explain(ref: ScenarioRef): Explanation {
    if (ref.run !== undefined) {
      const { result, aimed, life } = randomRun(this, ref.run, true);
      return { result, life, before: [], aimed };
    }
    const g = ref.cut!;
    if (g === 0 && this.unstaged) return { result: this.controlFailure!, life: { calls: [] }, before: [] };
    if (g === 0) {
      // No cut: the uninterrupted update, from the staged device.
      this.device.core.loadDump(this.start);
      if (this.images.nvStart) this.device.nvCounters = this.images.nvStart;
      const life = upgradeHappened(this.spec, this.device, this.images, live(this.device, this.images, this.spec.upgrade, { record: true, after: 'of the uninterrupted update' }));
      return { result: judge(this, ref, this.controlFailure?.unit ?? 1, life), life, before: [] };
    }
    if (g > this.ops.length) throw new UsageError(`cut point ${g} is past the end of the update (${this.ops.length} operations)`);
    const first = { before: this.ops.slice(0, g - 1), cut: this.ops[g - 1], cutCall: this.opCall[g - 1] };
    if (ref.cut2 === undefined) {
      const { result, life } = this.images.nvStart ? singleFromPowerOnLife(this, g, true) : single(this, g, true);
      return { result, life, ...first };
    }
    const cuts = ref.cut3 === undefined ? [ref.cut2] : [ref.cut2, ref.cut3];
    const outcome = recoveriesCut(this, g, cuts);
    if (!outcome) throw new UsageError(`cut point${cuts.length > 1 ? 's' : ''} ${cuts.join('+')} ${cuts.length > 1 ? 'are' : 'is'} past the end of the recovery boot${cuts.length > 1 ? 's' : ''} after cut ${g}`);
    const cutOf = (ops: RecordedOp[], k: number) => ({ ops: ops.slice(0, k - 1), cut: ops[k - 1]!, of: ops.length });
    const [r1, r2] = outcome.recoveries;
    return { result: outcome.result, life: outcome.life, ...first, recovery: cutOf(r1!, cuts[0]!), ...(r2 ? { recovery2: cutOf(r2, cuts[1]!) } : {}) };
  }

  /**
   * Runs the scenarios of `units` (first cuts or random runs), in increasing order. With
   * `counted`, passing scenarios may be given as counts per unit instead of one by one (what
   * a report needs; a results file needs every one).
   */
  run(units: number[]): Generator<ScenarioResult>;
  run(units: number[], options: { counted?: boolean }): Generator<RunEvent>;
  *run(units: number[], options: { counted?: boolean } = {}): Generator<RunEvent> {
    const counted = options.counted === true;
    for (const u of [...units].sort((a, b) => a - b)) {
      if (this.controlFailure) {
        yield { ...this.controlFailure, unit: u };
        continue;
      }
      if (this.spec.plan === 'triple') {
        yield* triple(this, u, undefined, counted);
        continue;
      }
      if (this.spec.plan === 'double') {
        yield* double(this, u, undefined, counted);
        continue;
      }
      const results = this.spec.plan === 'exhaustive' ? [this.single(u)] : [this.random(u)];
      if (!counted) {
        yield* results;
        continue;
      }
      let passed = 0;
      for (const r of results) {
        if (r.ok) passed++;
        else yield r;
      }
      if (passed) yield { unit: u, passed };
    }
  }

  /** Units of the plan: first cuts 1..N, or random runs 1..sample; one (the update itself) when it fails uncut. */
  get units(): number {
    if (this.controlFailure) return 1;
    return this.spec.plan === 'random' ? Math.max(1, this.spec.sample) : this.ops.length;
  }
}

/**
 * The campaign's private encryption key file, or a one-line error naming it. Read through
 * `process.getBuiltinModule` (as device files are): the package entry stays browser-safe, and
 * a browser campaign cannot name a file anyway.
 */
async function readEncryptionKey(path: string): Promise<EncryptionKey> {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  if (!fs) throw new UsageError('an encrypted campaign reads its --enc-key file: run it in Node');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(path));
  } catch (e) {
    throw new UsageError(`cannot read encryption key '${path}' (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // Loaded only for an encrypted campaign: it brings @noble/ciphers and the curve libraries.
  const { parseEncryptionKey } = await import('../image/encryption.js');
  return parseEncryptionKey(bytes, `encryption key '${path}'`);
}

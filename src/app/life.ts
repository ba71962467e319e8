/**
 * One device's life: the bootloader (the engine's Device), the application and its OTA task,
 * the update server, the network and the power, on one virtual clock. `run({ days })` lives
 * it; the report is the milestone log, the end state and the charge spent.
 *
 * What the device knows, and what only the simulation knows, is kept apart: the firmware
 * learns its behaviour from its own image, the reset cause from the hardware (a power-on, or
 * the crash / watchdog / software reset that ended the previous run), and what the
 * bootloader did at this power-on from the bootloader (its boot record: whether it moved
 * images). Whether a rollback happened, it works out from the slots: images were moved and
 * the secondary now holds a newer image than the one running. The simulation alone keeps the
 * oracle's books (re-downloaded bytes per cut, which image each upgrade request was for).
 */
import { UsageError } from '../errors.js';
import { ImageFormatError } from '../image/layout.js';
import { PowerCut, type FaultModel } from '../core/index.js';
import { Device, type BootResult } from '../device/device.js';
import type { Geometry } from '../device/geometry.js';
import { assertStrategyAllowed, findProfile, resolveProfile, type DeviceProfile, type ResolvedProfile } from '../device/profiles.js';
import { parseLifeStrategy, type BootStrategy as Strategy } from '../image/strategy.js';
import { compareVersions, decodeHeader, formatVersion, type ImageVersion } from '../image/header.js';
import { publicKeyOf } from '../image/keys.js';
import { IMAGE_MAGIC, TlvType } from '../image/layout.js';
import { allTlvs, parseImage, type ParsedImage } from '../image/parse.js';
import { sha256 } from '../core/index.js';
import { Application, type AppState } from './application.js';
import { BootMemo } from './boot-memo.js';
import type { OtaContext } from './ota.js';
import { Scheduler } from './clock.js';
import { DevicePort } from './device-port.js';
import { EnergyMeter } from './energy.js';
import { readFirmwareInfo, type FirmwareInfo } from './firmware.js';
import { CriticalGuard } from './guard.js';
import { buildFirmware, type FirmwareSpec } from './images.js';
import { formatMilestone, type Milestone, type MilestoneEvent, type RebootReason } from './milestones.js';
import { Network } from './network.js';
import { resolveOptions, type LifeOptions, type ResolvedOptions } from './options.js';
import { PowerModel, type AimPhase, type AimedCut } from './power.js';
import { faultSeed, stream } from './random.js';
import { chunkDigests, makeRelease, UpdateServer, type Manifest, type Release, type ReleaseWindow } from './server.js';
import { SlotWriter, type FlashOp, type SlotLayout } from './slot-writer.js';
import { checkSignature, digestOf, equalBytes, KnownDigests } from './verify.js';

export type ResetCause = RebootReason | 'power-on';

/**
 * What the device is doing from a moment on, for a timeline: an application state, BOOT (the
 * bootloader runs), OFF (no power), LOOP (identical crash or watchdog cycles, counted rather
 * than lived: see skipLoop) or BRICKED (the bootloader found nothing to boot).
 */
export type DeviceState = AppState | 'BOOT' | 'OFF' | 'LOOP' | 'BRICKED';

/** Watches a life as it is lived (the viewer draws its timeline from this). */
export interface LifeObserver {
  /** The device is in `state` from `tMs` on. */
  state?(tMs: number, state: DeviceState): void;
  /** The OTA task's context after one of its flash operations (or as a download starts or resumes). */
  ota?(tMs: number, context: OtaContext, imageSize: number): void;
}

/** What a power loss cut: a bootloader run, an application call into MCUboot, or a download operation. */
export type CutCall = 'boot' | 'boot_set_pending' | 'boot_set_confirmed' | 'download' | 'none';

/** What one power loss during a download cost, and the most it could have cost. */
export interface CutRecord {
  tMs: number;
  /** The flash operation the power loss interrupted, or `none`. */
  during: string;
  /** Downloaded bytes that were fetched again after it. */
  redownloadedBytes: number;
  /** What it could have damaged: the chunks in RAM or being written, and the write-unit slack. */
  boundBytes: number;
}

export interface LifeStats {
  boots: number;
  reboots: Record<RebootReason, number>;
  powerLosses: number;
  sends: { ok: number; failed: number };
  ota: {
    checks: number;
    requests: number;
    failedRequests: number;
    giveUps: number;
    truncated: number;
    corrupted: number;
    /** Chunks downloaded (verified), and their bytes. */
    chunks: number;
    bytesDownloaded: number;
    /** Header and TLV chunks fetched to check an offer before writing it. */
    metadataBytes: number;
    /** Bytes downloaded again after a reset, that had been downloaded before it. */
    redownloadedBytes: number;
    erases: number;
    programs: number;
    refused: Record<string, number>;
  };
  /** OTA flash operations that overlapped SENSOR_INIT or SEND (must be 0). */
  otaOpsInCriticalState: number;
  /** One record per reset that interrupted a download. */
  cuts: CutRecord[];
  /** The flash call each power loss cut, in order (`none`: it fell where no flash operation ran). */
  interrupted: CutCall[];
  /** For each boot_set_pending: the release whose bytes the secondary held (`unknown` if none). */
  upgradesRequested: string[];
  /** Releases whose download started (their bytes went to flash), in order. */
  downloadsStarted: string[];
  /** Power-ons that moved images and then booted bytes that are no installed image. */
  unknownImageBoots: number;
  /** When the power-on that found no bootable image happened (bricked lives only). */
  brickedAtMs?: number;
}

export interface LifeReport {
  milestones: Milestone[];
  final: { version: string; confirmed: boolean; bricked: boolean };
  energy: { totalMah: number; otaMah: number };
  stats: LifeStats;
}

/** A life built around an existing Device (a campaign reuses one per worker and layout). */
export interface LifeSetup extends LifeOptions {
  reuseDevice?: Device;
  /**
   * Refuse a program over bytes that are not erased (MCUboot's simulator rule) instead of
   * ANDing them as a real NOR part does. Default: strict for `cut` faults, as campaigns run.
   * A fleet runs test-only bootloader variants non-strict: what their bugs do to a real part.
   */
  strictFlash?: boolean;
  /**
   * Answer a boot that moves nothing from the boots this device made before from the same
   * flash (src/app/boot-memo.ts; default on). Off, every power-on runs the bootloader: the
   * same life, slower (a test holds them equal).
   */
  memoBoots?: boolean;
}

/** The hashed region of each image buffer, one view per buffer (so its digest is cached with it). */
const hashedRegions = new WeakMap<Uint8Array, Uint8Array | null>();

function hashedRegion(img: Uint8Array): Uint8Array | null {
  let r = hashedRegions.get(img);
  if (r === undefined) {
    try {
      r = img.subarray(0, parseImage(img).hashedRegion.end);
    } catch {
      r = null;
    }
    hashedRegions.set(img, r);
  }
  return r;
}

/** A profile object resolved once (a campaign builds thousands of lives from one). */
const resolved = new WeakMap<DeviceProfile, ResolvedProfile>();
function resolvedOnce(profile: DeviceProfile): ResolvedProfile {
  let r = resolved.get(profile);
  if (!r) resolved.set(profile, (r = resolveProfile(profile)));
  return r;
}

const BLAME: ReadonlySet<ResetCause> = new Set(['crash', 'watchdog', 'health-check']);
const knownRegions = new WeakMap<Device, Set<string>>();
/** Per device: a snapshot of the flash its last life started with (see startFlash); null when the arena had no room. */
const lifeStarts = new WeakMap<Device, { image: Uint8Array; digest: boolean; handle: number } | null>();
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export class DeviceLife {
  readonly sched: Scheduler;
  readonly options: ResolvedOptions;
  readonly server: UpdateServer;
  readonly device: Device;
  readonly port: DevicePort;
  readonly net: Network;
  readonly power: PowerModel;
  readonly energy: EnergyMeter;
  readonly guard = new CriticalGuard();
  readonly rnd: { app: () => number; ota: () => number; faults: () => number };
  readonly strategy: Strategy;
  readonly geometry: Geometry;
  readonly board: string;
  readonly deviceId: string;
  readonly maxImageSize: number;
  readonly imageBase: number;
  readonly slotLayout: SlotLayout;
  readonly milestones: Milestone[] = [];
  readonly stats: LifeStats = {
    boots: 0,
    reboots: { upgrade: 0, 'power-loss': 0, watchdog: 0, crash: 0, 'health-check': 0 },
    powerLosses: 0,
    sends: { ok: 0, failed: 0 },
    ota: { checks: 0, requests: 0, failedRequests: 0, giveUps: 0, truncated: 0, corrupted: 0, chunks: 0, bytesDownloaded: 0, metadataBytes: 0, redownloadedBytes: 0, erases: 0, programs: 0, refused: {} },
    otaOpsInCriticalState: 0,
    cuts: [],
    interrupted: [],
    upgradesRequested: [],
    downloadsStarted: [],
    unknownImageBoots: 0,
  };
  /** Every uneventful sample period as its own events (the fast path's baseline, for tests). */
  slowPath = false;
  /** Boots that move nothing, answered from memory (undefined: every boot is run). */
  readonly bootMemo: BootMemo | undefined;
  /**
   * Application draws taken ahead by a quiet period that was handed back, returned first:
   * `tape[tapePos..tapeEnd)`. While a quiet period is being tried, draws are recorded at
   * `tape[tapeEnd..)` (one buffer, reused: measured, a new array per period was a tenth of a
   * life's garbage-collector time).
   */
  private readonly tape: number[] = [];
  private tapePos = 0;
  private tapeEnd = 0;
  private recording = false;

  /** Who watches this life (see observe). */
  observer: LifeObserver | undefined;
  /** A rollback the device worked out at this boot, for the OTA task to report. */
  rollback: { version: ImageVersion; cause: ResetCause; blame: boolean } | undefined;
  app: Application | undefined;
  /** The image running (or that ran last), and whether it is confirmed. */
  running: FirmwareInfo | undefined;
  runningConfirmed = true;
  private readonly runningImage: Uint8Array;
  private readonly known = new KnownDigests();
  private knownCount = 0;
  private off = true;
  private bricked = false;
  private started = false;
  private resetCause: ResetCause = 'power-on';
  private lastCut: string | undefined;
  private currentCut: CutRecord | undefined;
  private received: { release: Release; marks: Uint8Array } | undefined;
  private loop = { version: '', reason: '', at: -1, period: -1, total: 0, ota: 0 };
  private lastBootMoved = false;
  private resetSig = '';
  private sameResets = 0;
  private runningSha: Uint8Array | undefined;
  /** The running firmware's facts and trailer state, while nothing has written the primary since. */
  private primaryRead: { firmware: FirmwareInfo; unconfirmed: boolean } | undefined;

  private constructor(setup: LifeSetup, profile: ResolvedProfile, device: Device, running: Uint8Array) {
    this.sched = new Scheduler();
    this.options = resolveOptions(setup);
    const o = this.options;
    this.strategy = device.options.strategy;
    this.geometry = profile.geometry;
    this.device = device;
    this.port = new DevicePort(device, setup.timing ?? profile.timing);
    this.board = setup.board ?? profile.name;
    this.deviceId = setup.deviceId ?? 'device';
    this.server = new UpdateServer(o.ota.chunkSize);
    this.energy = new EnergyMeter(o.currents);
    this.rnd = { app: stream(o.seed, 'app'), ota: stream(o.seed, 'ota'), faults: stream(o.seed, 'faults') };
    this.net = new Network(o.network, stream(o.seed, 'network'), stream(o.seed, 'outages'));
    this.power = new PowerModel(o.power, stream(o.seed, 'power'));
    this.maxImageSize = Math.min(device.maxImageSize(0), device.maxImageSize(1));
    const secondary = this.geometry.areas.find((a) => a.id === 2)!;
    this.imageBase = this.strategy === 'swap-offset' ? secondary.sectorSizes[0]! : 0;
    const dev = this.geometry.devices.find((d) => d.id === secondary.device)!;
    this.slotLayout = { sectorSizes: secondary.sectorSizes, base: this.imageBase, writeAlign: dev.writeAlign, erasedValue: dev.erasedValue };
    if (o.ota.chunkSize < 64) throw new UsageError(`chunk size ${o.ota.chunkSize} is too small: the first chunk must hold the image header (at least 64 bytes)`);
    this.runningImage = running;
    this.bootMemo = setup.memoBoots === false ? undefined : BootMemo.of(device);
  }

  /**
   * A device of `options.device` (default nrf52840) running `options.running` (default a
   * generated v1.0.0 of the largest size its strategy takes), with an empty update server.
   */
  static async create(setup: LifeSetup = {}): Promise<DeviceLife> {
    const profile = typeof setup.device === 'object' ? resolvedOnce(setup.device) : resolveProfile(findProfile(setup.device ?? 'nrf52840'));
    const strategy = parseLifeStrategy(setup.strategy ?? 'swap-scratch');
    assertStrategyAllowed(profile, strategy);
    const keys = (setup.keys ?? []).map(publicKeyOf);
    const fault: FaultModel = setup.power?.fault ?? 'cut';
    if (setup.reuseDevice && setup.reuseDevice.options.strategy !== strategy) {
      throw new UsageError(`reuseDevice runs ${setup.reuseDevice.options.strategy}, not the life's strategy ${strategy}`);
    }
    const strict = setup.strictFlash ?? fault === 'cut';
    const device = setup.reuseDevice ?? new Device(profile.geometry, { strategy, keys }, { strict });
    device.core.setStrict(strict);
    const max = Math.min(device.maxImageSize(0), device.maxImageSize(1));
    if (keys.length && !setup.running && !setup.signingKey) throw new UsageError('a device with bootloader keys needs a signed running image (give `running`, or a `signingKey` for the generated one)');
    const running = setup.running ?? (await buildFirmware({ version: '1.0.0', key: setup.signingKey }, max));
    const name = setup.runningName ?? 'the running image';
    let info: FirmwareInfo;
    try {
      info = readFirmwareInfo(running, 'running image');
    } catch (e) {
      if (e instanceof UsageError && !(e instanceof ImageFormatError)) throw e;
      throw new UsageError(`${name} is not an MCUboot image: ${(e as Error).message}`);
    }
    if (info.imageEnd > max) throw new UsageError(`${name} of ${info.imageEnd} bytes does not fit: ${strategy} on ${profile.name} takes at most ${max}`);
    return new DeviceLife(setup, profile, device, running);
  }

  /** Builds a firmware image for this device (its size limit; signed with `spec.key`). */
  buildFirmware(spec: FirmwareSpec): Promise<Uint8Array> {
    return buildFirmware(spec, this.maxImageSize);
  }

  /**
   * Publishes an image file's bytes (or a release made before) as the server's next release,
   * offered within `window` (default at once, for ever; a fleet's rollout gives each device
   * the moment the rollout reaches it).
   */
  publish(image: Uint8Array | Release, name?: string, window?: ReleaseWindow): Release {
    const release = image instanceof Uint8Array ? makeRelease(image, name ?? `v${formatVersion(readFirmwareInfo(image).version)}`) : image;
    this.server.publish(release, window);
    return release;
  }

  /**
   * Reports every state the device enters and the OTA task's progress to `observer`. Every
   * sample period is then lived as its own events (the slow path, which a test holds equal
   * to the fast one), so that each IDLE, SEND and WAIT is seen.
   */
  observe(observer: LifeObserver): void {
    this.observer = observer;
    this.slowPath = true;
  }

  // ---- the application's random numbers ------------------------------------------------------

  /**
   * The application's random numbers (SEND outcomes, SEND backoff). They outlive any one
   * run of the firmware, like the world's randomness they stand for: numbers a quiet period
   * drew ahead and handed back are the next ones anyone gets, even after a reset.
   */
  readonly appRandom = (): number => {
    if (this.tapePos < this.tapeEnd) return this.tape[this.tapePos++]!;
    const r = this.rnd.app();
    if (this.recording) {
      this.tape[this.tapeEnd++] = r;
      this.tapePos = this.tapeEnd; // recorded as used; a replay rewinds
    }
    return r;
  };

  get appDrawsPending(): boolean {
    return this.tapePos < this.tapeEnd;
  }

  /** Starts recording draws (only when none are pending). */
  recordAppDraws(): void {
    this.tapePos = this.tapeEnd = 0;
    this.recording = true;
  }

  /** The recorded draws were used: forget them. */
  stopRecording(): void {
    this.recording = false;
    this.tapePos = this.tapeEnd = 0;
  }

  /** The recorded draws go back: the next draws return them, in order. */
  replayAppDraws(): void {
    this.recording = false;
    this.tapePos = 0;
  }

  // ---- the clock ----------------------------------------------------------------------------

  /** An event of the running device: dropped if the device has reset since. */
  at(t: number, fn: () => void): void {
    this.sched.atEpoch(t, fn);
  }

  get keyCount(): number {
    return this.device.options.keys.length;
  }

  get keyType(): string {
    return this.device.options.keys[0]?.type ?? 'none';
  }

  milestone(event: MilestoneEvent, detail: string, t = this.sched.now, version = this.running ? formatVersion(this.running.version) : '-', repeat?: number): void {
    this.milestones.push({ tMs: Math.round(t * 1000) / 1000, event, version, detail, ...(repeat ? { repeat } : {}) });
  }

  /** The secondary slot as the device reads it (a live view: do not keep it across calls). */
  secondary(): Uint8Array {
    return this.device.core.peekArea(2);
  }

  // ---- living -------------------------------------------------------------------------------

  /** Lives `days` (or `ms`) more of virtual time; returns the report so far. */
  run(span: { days?: number; hours?: number; ms?: number }): LifeReport {
    const ms = (span.days ?? 0) * 86_400_000 + (span.hours ?? 0) * 3_600_000 + (span.ms ?? 0);
    if (!(ms > 0)) throw new UsageError(`a life must run for a positive time (got ${ms} ms)`);
    if (!this.started) this.begin();
    if (!this.bricked) this.sched.run(this.sched.now + ms);
    return this.report();
  }

  /**
   * Lets the device settle: no more power losses or outages from now, then up to `maxMs` of
   * life until it runs a confirmed image with nothing left to download. Returns whether it
   * settled; a device stuck on an image that resets itself again and again, changing nothing
   * (three identical resets in a row), does not, and is left as it is.
   */
  settle(maxMs = 2 * 86_400_000): boolean {
    if (!this.started) this.begin();
    const t0 = this.sched.now;
    this.power.calm(t0);
    this.net.calm(t0);
    while (!this.bricked && this.sched.now < t0 + maxMs) {
      if (this.isSettled()) return true;
      if (this.sameResets >= 3) return false;
      this.sched.run(Math.min(t0 + maxMs, this.sched.now + 3_600_000));
    }
    return this.isSettled();
  }

  private isSettled(): boolean {
    const app = this.app;
    return !this.off && !!app && !app.awaitingConfirm && (app.state === 'IDLE' || app.state === 'WAIT' || app.state === 'SEND') && this.server.offer(this.deviceId, this.sched.now) === undefined && !app.ota.downloadInProgress;
  }

  private begin(): void {
    this.started = true;
    this.startFlash();
    this.knownToBootloader(this.runningImage);
    this.scheduleRandomLoss();
    const at = this.options.powerOnAtMs;
    if (at > 0) this.sched.at(at, () => this.powerOn(at, 'power-on'));
    else this.powerOn(0, 'power-on');
  }

  /**
   * The flash a life starts with: all erased, the running image in the primary. A device
   * whose last life started from the same image, with the flash digest on or off as it is
   * now, gets it back from a snapshot of that start, whose block hashes travel with it:
   * filling the flash instead made the boot memo's first lookup re-hash all of it (measured,
   * about 70 µs of a 2.5 ms life).
   */
  private startFlash(): void {
    const core = this.device.core;
    const digest = core.ctrl('CTRL_DIGEST_PTR') !== 0;
    const kept = lifeStarts.get(this.device);
    // The same image buffer: like the digest caches (hashedRegions, KnownDigests), this takes
    // an image given to a life to stay as it is (comparing its bytes cost 1.5 % of a life).
    if (kept && kept.digest === digest && kept.image === this.runningImage) return core.restore(kept.handle);
    for (const d of this.geometry.devices) core.flash.fill(d.erasedValue, d.base, d.base + d.size);
    core.place(1, 0, this.runningImage);
    if (kept === null) return; // no room in the core's arena for a snapshot
    try {
      const handle = kept ? kept.handle : core.snapshot();
      if (kept) core.saveSnapshot(handle);
      lifeStarts.set(this.device, { image: this.runningImage, digest, handle });
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      lifeStarts.set(this.device, null);
    }
  }

  report(): LifeReport {
    this.stats.otaOpsInCriticalState = this.guard.violations;
    return {
      milestones: this.milestones,
      final: { version: this.running ? formatVersion(this.running.version) : '-', confirmed: this.runningConfirmed, bricked: this.bricked },
      energy: { totalMah: this.energy.totalMah, otaMah: this.energy.otaMah },
      stats: this.stats,
    };
  }

  /** The milestone log as text, one line per milestone. */
  log(): string[] {
    return this.milestones.map(formatMilestone);
  }

  // ---- power ----------------------------------------------------------------------------------

  private scheduleRandomLoss(): void {
    const p = this.power.nextLoss;
    if (p === Infinity) return;
    this.sched.at(p, () => {
      if (this.power.nextLoss !== p) return; // calmed since
      this.power.advance();
      this.scheduleRandomLoss();
      this.powerLoss(p);
    });
  }

  /** An aimed power loss `phase` lasting `ms` from `t` (SEND, SENSOR_INIT): no flash operation runs then. */
  aimTimed(phase: AimPhase, t: number, ms: number): void {
    const a = this.power.take(phase);
    if (!a) return;
    const p = t + a.fraction * ms;
    this.sched.at(p, () => this.powerLoss(p));
  }

  /** The power is failing at `p` during a flash operation that has just been cut: nothing else happens before. */
  private dying(p: number, aimed: boolean, call: CutCall, during: string): void {
    this.sched.epoch++;
    this.lastCut = during;
    this.stats.interrupted.push(call);
    this.primaryRead = undefined;
    if (aimed) this.sched.at(p, () => this.powerLoss(p));
  }

  private powerLoss(p: number): void {
    if (this.off || this.bricked) return;
    this.stats.powerLosses++;
    const during = this.lastCut;
    this.endRun(p, 'power-loss');
    this.off = true;
    this.observer?.state?.(p, 'OFF');
    this.milestone('reboot', `power loss${during ? ` during ${during}` : ''}`, p);
    this.sched.at(p + this.options.power.offMs, () => this.powerOn(this.sched.now, 'power-loss'));
  }

  /** The running firmware resets itself (or is reset by the watchdog, or crashes) now. */
  reset(reason: RebootReason): void {
    const t = this.sched.now;
    this.noteReset(reason);
    this.milestone('reboot', REASONS[reason], t);
    this.endRun(t, reason);
    let at = t;
    if ((reason === 'crash' || reason === 'watchdog') && !this.lastBootMoved) at = this.skipLoop(t, reason);
    else this.loop.version = '';
    if (at === t) this.powerOn(t, reason);
    else {
      this.observer?.state?.(t, 'LOOP');
      this.sched.at(at, () => this.powerOn(this.sched.now, reason));
    }
  }

  /**
   * Counts resets that change nothing: the same firmware resetting itself for the same
   * reason, with no flash written by the application or the bootloader in between and the
   * server offering the same thing. After a few, settling is pointless: the device is stuck.
   */
  private noteReset(reason: RebootReason): void {
    const offer = this.server.offer(this.deviceId, this.sched.now)?.release.name ?? '';
    const sig = `${reason}|${this.running ? formatVersion(this.running.version) : '-'}|${this.stats.ota.erases + this.stats.ota.programs}|${offer}|${this.stats.interrupted.length}`;
    const same = sig === this.resetSig && !this.lastBootMoved;
    this.resetSig = sig;
    this.sameResets = same ? this.sameResets + 1 : 0;
  }

  /** The OTA task reboots into the bootloader at `t`, once the upgrade is requested. */
  resetAt(t: number, reason: RebootReason): void {
    this.at(t, () => this.reset(reason));
  }

  /**
   * A firmware that crashes or hangs at every boot, with the bootloader moving nothing,
   * repeats the same cycle until something from outside happens (a power loss, the end of
   * the run): after two identical cycles the rest are counted rather than simulated — one
   * `reboot` milestone says how many times it happened. Returns when to power on next.
   */
  private skipLoop(t: number, reason: RebootReason): number {
    const l = this.loop;
    const version = this.running ? formatVersion(this.running.version) : '-';
    const total = this.energy.totalMah;
    const ota = this.energy.otaMah;
    let at = t;
    if (l.version === version && l.reason === reason) {
      const period = t - l.at;
      if (period > 0 && period === l.period) {
        const limit = Math.min(this.sched.next, this.sched.horizon);
        const n = Math.floor((limit - t) / period) - 1;
        if (n >= 1) {
          const m = this.milestones[this.milestones.length - 1]!;
          m.repeat = n;
          m.detail += ` (repeats every ${period} ms; ${n} more skipped)`;
          // Each skipped cycle costs what the last one did (mAh → mA·ms).
          this.energy.add(1, (total - l.total - (ota - l.ota)) * 3_600_000 * n);
          this.energy.add(1, (ota - l.ota) * 3_600_000 * n, true);
          this.stats.boots += n;
          this.stats.reboots[reason] += n;
          at = t + n * period;
        }
      }
      l.period = period;
    } else {
      Object.assign(l, { version, reason, period: -1 });
    }
    Object.assign(l, { at, total: this.energy.totalMah, ota: this.energy.otaMah });
    return at;
  }

  /** The running firmware stops at `t` (power loss or reset): close its books. */
  private endRun(t: number, cause: ResetCause): void {
    const app = this.app;
    if (app) {
      app.stop(t);
      const d = app.ota.damage();
      if (d && this.received) {
        const chunk = this.options.ota.chunkSize;
        const slack = SlotWriter.alignmentSlack(chunk, this.slotLayout.writeAlign);
        const chunks = Math.max(0, Math.ceil(d.fetchedTo / chunk) - Math.floor(d.lo / chunk)) + slack;
        this.currentCut = { tMs: t, during: this.lastCut ?? 'no flash operation', redownloadedBytes: 0, boundBytes: chunks * chunk };
        this.stats.cuts.push(this.currentCut);
      }
    }
    if (this.received) for (let i = 0; i < this.received.marks.length; i++) if (this.received.marks[i] === 2) this.received.marks[i] = 1;
    if (cause !== 'power-on') this.stats.reboots[cause]++;
    this.app = undefined;
    this.sched.epoch++;
    this.lastCut = undefined;
  }

  // ---- the bootloader ---------------------------------------------------------------------------

  private powerOn(t: number, cause: ResetCause): void {
    if (this.bricked) return;
    this.off = false;
    this.resetCause = cause;
    this.stats.boots++;
    this.observer?.state?.(t, 'BOOT');
    this.syncKnown();
    const memo = this.bootMemo;
    const known = memo?.lookup();
    const res = known
      ? this.knownBoot(t, known)
      : this.timedCall('boot', t, this.options.bootMs, (cut) => this.device.boot(cut ?? {}), (r) => {
          const b = r as BootResult;
          return b.requested === 'revert' ? 'revert' : b.requested === 'test' || b.requested === 'perm' || b.resumed ? 'swap' : undefined;
        });
    if (res.cut) return;
    if (memo && !known) memo.remember(res.result as BootResult);
    const r = res.result as BootResult;
    const moved = r.outcome === 'ok' && (r.requested !== 'none' || r.resumed) && r.ops.erase + r.ops.write > 0;
    this.lastBootMoved = r.ops.erase + r.ops.write > 0;
    const ms = this.options.bootMs + res.ms;
    const c = this.energy.currents;
    this.energy.add(c.active, ms, moved);
    this.energy.add(c.flash, res.ms, moved);
    if (r.outcome !== 'ok') {
      this.observer?.state?.(t + ms, 'BRICKED');
      this.bricked = true;
      this.stats.brickedAtMs = t;
      this.running = undefined;
      this.sched.stop();
      return;
    }
    this.at(t + ms, () => this.booted(r, moved));
  }

  private booted(r: BootResult, moved: boolean): void {
    const t = this.sched.now;
    const core = this.device.core;
    const primary = core.peekArea(1);
    const before = this.running;
    if (this.lastBootMoved) this.primaryRead = undefined;
    // What the firmware reads from its own slot, read again only when something wrote there
    // (a crash or health-check loop boots the same bytes hundreds of times).
    if (!this.primaryRead) {
      const trailer = this.device.readSwapState(1);
      this.primaryRead = { firmware: readFirmwareInfo(primary, 'primary slot'), unconfirmed: trailer.magic === 'good' && trailer.imageOk === 'unset' };
      this.runningSha = undefined;
    }
    const { firmware, unconfirmed } = this.primaryRead;
    this.running = firmware;
    if (moved && !this.knownImages().some((img) => equalBytes(primary.subarray(0, img.length), img))) this.stats.unknownImageBoots++;
    this.runningConfirmed = !unconfirmed;
    const v = formatVersion(firmware.version);
    if (moved) this.milestone('image-swapped', `${r.resumed ? 'resumed the interrupted swap' : `swap type ${r.requested}`}: ${before ? formatVersion(before.version) : '-'} → ${v}`, t);
    // A boot that moved images and left a newer image in the secondary put the older one back.
    const rolledBack = moved ? this.secondaryVersion() : undefined;
    if (rolledBack && compareVersions(rolledBack, firmware.version, true) > 0) {
      const blame = BLAME.has(this.resetCause);
      this.rollback = { version: rolledBack, cause: this.resetCause, blame };
      this.milestone('rollback-detected', `${formatVersion(rolledBack)} rolled back after ${this.resetCause}${blame ? '' : ' (not its fault: it will be tried again)'}`, t);
    } else if (moved && !unconfirmed && r.requested === 'perm') {
      this.milestone('image-confirmed', 'permanent upgrade', t);
    }
    const app = new Application(this, firmware, unconfirmed);
    this.app = app;
    app.start(t);
  }

  /** SHA-256 of the running image (the primary's bytes up to the end of its TLVs), once per boot. */
  runningDigest(): Uint8Array {
    if (!this.runningSha) {
      this.syncKnown();
      this.runningSha = this.known.digest(this.device.core.peekArea(1).subarray(0, this.running!.imageEnd));
    }
    return this.runningSha;
  }

  /** The version of the image at the secondary's image offset, if a header is there. */
  private secondaryVersion(): ImageVersion | undefined {
    const slot = this.secondary().subarray(this.imageBase);
    const dv = new DataView(slot.buffer, slot.byteOffset, 32);
    if (dv.getUint32(0, true) !== IMAGE_MAGIC) return undefined;
    return decodeHeader(slot).version;
  }

  private knownImages(): Uint8Array[] {
    return [this.runningImage, ...this.server.published.map((r) => r.bytes)];
  }

  /** Registers every image the device may meet with the device-side digest memo. */
  private syncKnown(): void {
    const images = this.knownImages();
    if (this.knownCount === images.length) return;
    for (const img of images.slice(this.knownCount)) {
      const region = hashedRegion(img);
      if (!region) continue;
      this.known.add(img); // the whole file: what a manifest's SHA-256 is of
      this.known.add(region);
    }
    this.knownCount = images.length;
  }

  /**
   * Lets the bootloader compare rather than hash an image it is about to validate (the
   * core's known regions: at most 8 per device, so only images that reach the bootloader —
   * the running one, and each one an upgrade is requested for — take a place).
   */
  private knownToBootloader(img: Uint8Array): void {
    const region = hashedRegion(img);
    if (!region) return;
    let regions = knownRegions.get(this.device);
    if (!regions) knownRegions.set(this.device, (regions = new Set()));
    const id = hex(digestOf(region));
    if (!regions.has(id) && regions.size < 8) {
      this.device.core.addKnownRegion(region);
      regions.add(id);
    }
  }

  // ---- flash, with power losses --------------------------------------------------------------

  /**
   * A boot the memo answers (it moves nothing): what timedCall gives for such a boot — cut
   * only by a power loss before the bootloader's first flash operation, which it has none
   * of — without running it.
   */
  private knownBoot(t: number, result: BootResult): { cut: true } | { cut: false; result: unknown; ms: number } {
    const p = this.power.nextLoss;
    if (p < t + this.options.bootMs) {
      this.dying(p, false, 'none', 'the bootloader, before its first flash operation');
      return { cut: true };
    }
    return { cut: false, result, ms: 0 };
  }

  /**
   * Runs a call into MCUboot (a boot, boot_set_pending, boot_set_confirmed) at `t`, after
   * `cpuMs` of its own work. If an aimed or a random power loss lands in it, it is re-run
   * from the same flash, cut before the operation the loss hits.
   */
  private timedCall(
    phase: 'boot' | 'pending' | 'confirm',
    t: number,
    cpuMs: number,
    call: (cut?: { at: number; fault: FaultModel; seed: bigint }) => unknown,
    classify?: (r: unknown) => AimPhase | undefined,
  ): { cut: true } | { cut: false; result: unknown; ms: number } {
    const power = this.power;
    const aiming = phase === 'boot' ? power.aims('swap', 'revert') : power.aims(phase);
    const p = power.nextLoss;
    if (!aiming && !(p < t + cpuMs + this.port.boundMs)) {
      const result = call();
      return { cut: false, result, ms: this.port.callMs() };
    }
    this.port.save();
    const result = call();
    const ms = this.port.callMs();
    const ops = this.port.callOps();
    let at = 0;
    let lossAt = -1;
    let aimed: AimedCut | undefined;
    if (aiming && ops > 0) {
      const ph = classify ? classify(result) : (phase as AimPhase);
      if (ph) aimed = power.take(ph);
    }
    const timeline = aimed || p < t + cpuMs + ms ? this.port.timeline() : [];
    if (aimed) {
      const x = aimed.fraction * timeline.length;
      const k = Math.floor(x);
      const op = timeline[k]!;
      at = k + 1;
      lossAt = t + cpuMs + op.start + (x - k) * (op.end - op.start);
    } else if (p < t + cpuMs + ms) {
      lossAt = p;
      const into = p - t - cpuMs;
      at = into < 0 ? 0 : timeline.findIndex((op) => into < op.end) + 1;
      if (into < 0) {
        // The power fails before the call touches flash.
        this.port.restore();
        this.dying(p, false, 'none', `the ${phase === 'boot' ? 'bootloader' : phase}, before its first flash operation`);
        return { cut: true };
      }
    }
    if (lossAt < 0) return { cut: false, result, ms };
    this.port.restore();
    const fault = this.options.power.fault;
    const r = call({ at, fault, seed: faultSeed(this.rnd.faults) });
    if (!(r instanceof PowerCut)) throw new Error(`a ${phase} re-run with a cut at op ${at} did not stop there`);
    const what = phase === 'boot' ? (aimed?.phase ?? 'boot') : phase === 'pending' ? 'boot_set_pending' : 'boot_set_confirmed';
    this.dying(lossAt, !!aimed, phase === 'boot' ? 'boot' : phase === 'pending' ? 'boot_set_pending' : 'boot_set_confirmed', `${what} (${r.kind} ${at} of ${ops})`);
    return { cut: true };
  }

  /**
   * One of the OTA task's flash operations on the secondary, taking `ms` from `t`; cut when
   * a random power loss lands in it or `aimed` (a fraction of it) says so. False when cut.
   */
  otaFlash(op: FlashOp, t: number, ms: number, aimed: number): boolean {
    this.guard.flashOp(t, t + ms);
    this.energy.add(this.energy.currents.flash, ms, true);
    if (op.kind === 'E') this.stats.ota.erases++;
    else this.stats.ota.programs++;
    let lossAt = -1;
    if (aimed >= 0) lossAt = t + aimed * ms;
    else if (this.power.nextLoss < t + ms) lossAt = Math.max(t, this.power.nextLoss);
    const cut = lossAt < 0 ? undefined : { fault: this.options.power.fault, seed: faultSeed(this.rnd.faults) };
    const r = this.port.op(2, op.kind, op.offset, op.kind === 'E' ? op.length : op.data!, cut);
    if (!r) return true;
    this.dying(lossAt, aimed >= 0, 'download', `the download (${op.kind === 'E' ? 'erase' : 'program'} of ${op.length} bytes at 0x${op.offset.toString(16)} of the secondary)`);
    return false;
  }

  /** The application's boot_set_confirmed at `t`; false when the power failed during it. */
  confirmRunning(t: number): boolean {
    const res = this.timedCall('confirm', t, 0, (cut) => this.device.setConfirmed(cut ?? {}));
    if (res.cut) return false;
    this.primaryRead = undefined;
    this.guard.flashOp(t, t + res.ms);
    this.energy.add(this.energy.currents.flash, res.ms, true);
    if (res.result !== 0) return true;
    this.runningConfirmed = true;
    this.milestone('image-confirmed', `boot_set_confirmed after ${this.options.app.confirmAfterSends} successful SEND${this.options.app.confirmAfterSends === 1 ? '' : 's'}`, t);
    return true;
  }

  /** boot_set_pending at `t`; returns when it is done, or undefined when the power failed during it. */
  requestUpgrade(t: number, permanent: boolean): number | undefined {
    const release = this.secondaryRelease();
    this.stats.upgradesRequested.push(release?.name ?? 'unknown');
    if (release) this.knownToBootloader(release.bytes);
    const res = this.timedCall('pending', t, 0, (cut) => this.device.setPending(permanent, cut ?? {}));
    if (res.cut) return undefined;
    this.guard.flashOp(t, t + res.ms);
    this.energy.add(this.energy.currents.flash, res.ms, true);
    return t + res.ms;
  }

  /** Which published release the secondary holds at the image offset, byte for byte. */
  private secondaryRelease(): Release | undefined {
    const slot = this.secondary().subarray(this.imageBase);
    return this.server.published.find((x) => equalBytes(slot.subarray(0, x.bytes.length), x.bytes));
  }

  // ---- what the OTA task checks with ------------------------------------------------------------

  /** Whether `bytes` are chunk `k` of the manifest (its digest; see OtaOptions.hashChunks). */
  chunkMatches(m: Manifest, k: number, bytes: Uint8Array): boolean {
    if (this.options.ota.hashChunks) return equalBytes(sha256(bytes), chunkDigests(m.release, m.chunkSize)[k]!);
    const from = k * m.chunkSize;
    return equalBytes(bytes, m.release.bytes.subarray(from, from + m.chunkSize));
  }

  /** A downloaded chunk, for the books: bytes fetched again after a reset count as re-downloaded. */
  noteChunk(m: Manifest, k: number, length: number): void {
    if (this.received?.release !== m.release) this.received = { release: m.release, marks: new Uint8Array(m.chunkCount) };
    const marks = this.received.marks;
    if (marks[k] === 1) {
      this.stats.ota.redownloadedBytes += length;
      if (this.currentCut) this.currentCut.redownloadedBytes += length;
    }
    marks[k] = 2;
    this.stats.ota.chunks++;
    this.stats.ota.bytesDownloaded += length;
  }

  /**
   * The downloaded image in the secondary, checked as the bootloader will: parsed, its
   * SHA-256 over the hashed region against its hash TLV, its signature by a trusted key.
   */
  verifySecondary(size: number): { ok: true; hashed: number } | { ok: false; code: string; message: string; hashed: number } {
    this.syncKnown();
    const bytes = this.secondary().subarray(this.imageBase, this.imageBase + size);
    let img: ParsedImage;
    try {
      img = parseImage(bytes);
    } catch (e) {
      return { ok: false, code: 'not-an-image', message: (e as Error).message, hashed: 0 };
    }
    const end = img.hashedRegion.end;
    const digest = this.known.digest(bytes.subarray(0, end));
    const tlvs = allTlvs(img);
    const hash = tlvs.find((x) => x.type === TlvType.SHA256);
    if (!hash || !equalBytes(hash.value, digest)) return { ok: false, code: 'hash-mismatch', message: 'the image in flash does not match its SHA256 TLV', hashed: end };
    const verdict = checkSignature(this.device.host, this.keyCount, tlvs, digest);
    if (verdict !== 'ok') return { ok: false, code: verdict, message: `signature check: ${verdict}`, hashed: end };
    return { ok: true, hashed: end };
  }
}

const REASONS: Record<RebootReason, string> = {
  upgrade: 'upgrade requested',
  'power-loss': 'power loss',
  watchdog: 'watchdog',
  crash: 'crash',
  'health-check': 'health check failed',
};


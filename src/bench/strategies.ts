/**
 * `brickproof bench --strategies`: the upgrade strategies measured against each other on one
 * device (issue 12) — how long the device is down while it updates, how fast an update wears
 * the flash out, how much of the slot an image may use, and whether the strategy can revert.
 *
 * Every figure is read off the simulated update itself: the flash model's operation
 * counters, its per-sector erase counts (wear) and its op log; the only thing added is the
 * datasheet price of each operation (timing.ts). Nothing here restates a strategy's
 * algorithm as a formula. Browser-safe: no node:* imports (the CLI writes the files).
 */
import { isPowerCut, type LogEntry } from '../core/index.js';
import { UsageError } from '../errors.js';
import { Device, type BootResult } from '../device/device.js';
import { updateOffset } from '../device/staging.js';
import { PRIMARY, SECONDARY } from '../device/geometry.js';
import type { Geometry, ResolvedArea } from '../device/geometry.js';
import type { ResolvedProfile } from '../device/profiles.js';
import { SWAP_STRATEGIES, type BootStrategy } from '../image/strategy.js';
import { signImage } from '../image/index.js';
import { FlashTimes, ZERO, addDuration, scaleDuration, type Duration } from '../device/timing.js';

/** A permanent upgrade (boot_set_pending(1)), or a test upgrade never confirmed, so the next power-on reverts it. */
export const BENCH_UPGRADES = ['permanent', 'test-revert'] as const;
export type BenchUpgrade = (typeof BENCH_UPGRADES)[number];

export const KiB = 1024;
/** Image sizes are stepped by this much from 64 KiB up to the largest that fits (issue 12). */
export const DEFAULT_SIZE_STEP = 64 * KiB;

const HEADER_SIZE = 0x20;
/** TLV info (4) + SHA256 TLV (4 + 32): what a hash-only imgtool image carries. */
const TLV_SIZE = 40;

export interface OpsSummary {
  ops: { erase: number; write: number };
  bytesErased: number;
  bytesProgrammed: number;
  /** On-device time from the datasheet maxima; null when the profile lacks a figure it needs. */
  estimatedSeconds: number | null;
  /** The same from typical figures; null where the datasheet gives only maxima. */
  estimatedSecondsTypical: number | null;
  /**
   * The same two figures for each flash device that did work (a part with typical figures
   * beside one that gives only maxima, as an external NOR beside an nRF's internal flash).
   */
  byFlash: Array<{ flash: number; estimatedSeconds: number | null; estimatedSecondsTypical: number | null }>;
}

export interface StrategyResult extends OpsSummary {
  strategy: BootStrategy;
  device: string;
  /** Header + payload + TLVs of both the running image and the update. */
  imageSize: number;
  upgrade: BenchUpgrade;
  /** The flash work of the update by flash area (from the op log). */
  areas: Record<string, AreaWork>;
  /** Erases of every sector the update erased, as `area[index]` → count (from the wear table). */
  sectorErases: Record<string, number>;
  /** The most erases any one sector (scratch included) takes in the update's power-ons. */
  maxSectorErases: number;
  /** That sector, as `area[index]`. */
  worstSector: string | null;
  /** Updates until the first sector reaches the part's endurance; null without an endurance figure. */
  updatesUntilWornOut: number | null;
  /** The largest image this strategy accepts in both slots (bootutil_max_image_size). */
  maxImageSize: number;
  /** Measured: a test upgrade that was never confirmed left the old image in the primary slot. */
  canRevert: boolean;
  /** Power-ons the update took: the boot that swaps, and for test-revert the one that reverts. */
  boots: number;
  /** Wall time brickproof took to simulate those power-ons (median of the repeats), in ms. */
  simMs: number;
  /** estimatedSeconds over simMs: how much faster than the part the simulator updates. */
  onDeviceToSimulated: number | null;
  /**
   * What the application does before the update's power-on, not counted above: erase the
   * secondary's sectors the image needs, program the image, boot_set_pending.
   */
  staging: OpsSummary;
  /** maxSectorErases and updatesUntilWornOut with the staging's erases added: one whole update cycle. */
  maxSectorErasesWithStaging: number;
  updatesUntilWornOutWithStaging: number | null;
}

export interface AreaWork {
  erase: number;
  write: number;
  bytesErased: number;
  bytesProgrammed: number;
}

export interface BenchOptions {
  /** Strategies to try; those the device excludes are skipped. Default: all. */
  strategies?: readonly BootStrategy[];
  /** Explicit image sizes (total bytes); each runs for every strategy it fits. */
  sizes?: readonly number[];
  /** Step of the default sizes (64 KiB). */
  step?: number;
  upgrades?: readonly BenchUpgrade[];
  /** Times each case is simulated for its wall time (the median is kept). Default 3. */
  repeat?: number;
  /** MCUBOOT_OVERWRITE_ONLY_FAST for overwrite-only. */
  overwriteFast?: boolean;
  /** Called before each case, for progress output. */
  onCase?: (strategy: BootStrategy, imageSize: number, upgrade: BenchUpgrade) => void;
}

/** The strategies a device can run, in SWAP_STRATEGIES order. */
export function supportedStrategies(device: ResolvedProfile): BootStrategy[] {
  const hasScratch = device.geometry.areas.some((a) => a.name === 'scratch');
  return SWAP_STRATEGIES.filter((s) => !device.excluded.includes(s) && (s !== 'swap-scratch' || hasScratch));
}

/** The largest image (header + payload + TLVs) `strategy` accepts in both slots of the device. */
export function maxImageSizeOf(device: ResolvedProfile, strategy: BootStrategy, overwriteFast = false): number {
  const dev = new Device(device.geometry, { strategy, overwriteFast }, { logEntries: 0 });
  return Math.min(dev.maxImageSize(0), dev.maxImageSize(1));
}

/** 64 KiB, 128 KiB, … up to `max`, and `max` itself. */
export function defaultSizes(max: number, step = DEFAULT_SIZE_STEP): number[] {
  const sizes: number[] = [];
  for (let s = Math.min(step, max); s < max; s += step) sizes.push(s);
  sizes.push(max);
  return sizes;
}

/** Every case of the matrix: strategy × image size × upgrade, in that order. */
export async function benchStrategies(device: ResolvedProfile, options: BenchOptions = {}): Promise<StrategyResult[]> {
  const supported = supportedStrategies(device);
  const strategies = (options.strategies ?? supported).filter((s) => supported.includes(s));
  if (strategies.length === 0) {
    throw new UsageError(`${device.name} runs none of the strategies asked for (it supports: ${supported.join(', ') || 'none'})`);
  }
  const upgrades = options.upgrades ?? BENCH_UPGRADES;
  const maxima = new Map(strategies.map((s) => [s, maxImageSizeOf(device, s, options.overwriteFast)]));
  const unfit = (options.sizes ?? []).filter((size) => strategies.every((s) => size > maxima.get(s)!));
  if (unfit.length > 0) {
    throw new UsageError(`image size ${unfit.join(', ')} fits none of ${strategies.join(', ')} on ${device.name} (the largest any of them takes is ${Math.max(...maxima.values())} bytes)`);
  }
  const images = new ImageCache();
  const results: StrategyResult[] = [];
  for (const strategy of strategies) {
    const max = maxima.get(strategy)!;
    const sizes = options.sizes ? options.sizes.filter((s) => s <= max) : defaultSizes(max, options.step);
    for (const size of sizes) {
      for (const upgrade of upgrades) {
        options.onCase?.(strategy, size, upgrade);
        results.push(await benchCase(device, strategy, size, upgrade, { ...options, images }));
      }
    }
  }
  return results;
}

/** Two images per size, built once and shared by every strategy. */
class ImageCache {
  private readonly built = new Map<number, Promise<{ v1: Uint8Array; v2: Uint8Array }>>();

  get(size: number): Promise<{ v1: Uint8Array; v2: Uint8Array }> {
    let p = this.built.get(size);
    if (!p) {
      if (size < HEADER_SIZE + TLV_SIZE + 1) throw new UsageError(`image size ${size} is too small for an image (at least ${HEADER_SIZE + TLV_SIZE + 1} bytes)`);
      const make = (seed: number, version: string) => signImage(payload(size - HEADER_SIZE - TLV_SIZE, seed), { headerSize: HEADER_SIZE, padHeader: true, version });
      p = Promise.all([make(1, '1.0.0'), make(2, '2.0.0')]).then(([v1, v2]) => ({ v1, v2 }));
      this.built.set(size, p);
    }
    return p;
  }
}

/** A seeded byte stream (xorshift32), so the two images differ in every sector. */
function payload(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 0x9e3779b1) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** The flash work of some calls, as the flash model counted it. */
interface Accounting {
  erase: number;
  write: number;
  bytesErased: number;
  bytesProgrammed: number;
  /** Erases per sector (geometry sector order). */
  wear: Uint32Array;
  /** On-device time in µs. */
  time: Duration;
  /** The same by flash device id. */
  timeByFlash: Map<number, Duration>;
  /** The same operations by area name. */
  areas: Record<string, AreaWork>;
}

/**
 * Reads what the last call did (the device restarts its counters and op log at each call)
 * and prices it: erases from the wear table's growth, writes from the op log. The two views
 * of the same operations are checked against each other and against the counters.
 */
function account(dev: Device, times: FlashTimes, wearBefore: Uint32Array): Accounting {
  const core = dev.core;
  const c = core.counters();
  if (core.logOverflowed) throw new Error(`op log overflowed on ${dev.geometry.name}; the bench needs every operation`);
  const log: LogEntry[] = core.log();
  const after = core.wear();
  const wear = after.map((n, i) => n - wearBefore[i]!);
  const g = dev.geometry;
  let time = ZERO;
  const timeByFlash = new Map<number, Duration>();
  const spend = (flash: number, d: Duration) => {
    time = addDuration(time, d);
    timeByFlash.set(flash, addDuration(timeByFlash.get(flash) ?? ZERO, d));
  };
  let erasedBytes = 0;
  wear.forEach((n, i) => {
    if (n === 0) return;
    const s = g.sectors[i]!;
    erasedBytes += n * s.size;
    spend(s.device, scaleDuration(times.erase(s), n));
  });
  let writes = 0;
  let written = 0;
  let erases = 0;
  const areas = new Map<number, ResolvedArea>(g.areas.map((a) => [a.id, a]));
  const byArea: Record<string, AreaWork> = {};
  for (const e of log) {
    if (e.kind !== 'E' && e.kind !== 'W') continue;
    const area = areas.get(e.area)!;
    const w = (byArea[area.name] ??= { erase: 0, write: 0, bytesErased: 0, bytesProgrammed: 0 });
    if (e.kind === 'E') {
      erases++;
      w.erase++;
      w.bytesErased += e.length;
      continue;
    }
    writes++;
    written += e.length;
    w.write++;
    w.bytesProgrammed += e.length;
    spend(area.device, times.write(area, e.offset, e.length));
  }
  if (erases !== c.eraseOps || writes !== c.writeOps || written !== c.bytesProgrammed || erasedBytes !== c.bytesErased) {
    throw new Error(`flash accounting disagrees on ${g.name}: log ${erases} E / ${writes} W / ${written} B, wear ${erasedBytes} B erased, counters ${c.eraseOps} E / ${c.writeOps} W / ${c.bytesProgrammed} B / ${c.bytesErased} B erased`);
  }
  return { erase: c.eraseOps, write: c.writeOps, bytesErased: c.bytesErased, bytesProgrammed: c.bytesProgrammed, wear, time, timeByFlash, areas: byArea };
}

function sum(a: Accounting, b: Accounting): Accounting {
  return {
    erase: a.erase + b.erase,
    write: a.write + b.write,
    bytesErased: a.bytesErased + b.bytesErased,
    bytesProgrammed: a.bytesProgrammed + b.bytesProgrammed,
    wear: a.wear.map((n, i) => n + b.wear[i]!),
    time: addDuration(a.time, b.time),
    timeByFlash: new Map([...new Set([...a.timeByFlash.keys(), ...b.timeByFlash.keys()])].sort().map((f) => [f, addDuration(a.timeByFlash.get(f) ?? ZERO, b.timeByFlash.get(f) ?? ZERO)])),
    areas: sumAreas(a.areas, b.areas),
  };
}

function sumAreas(a: Record<string, AreaWork>, b: Record<string, AreaWork>): Record<string, AreaWork> {
  const out: Record<string, AreaWork> = {};
  for (const [name, w] of [...Object.entries(a), ...Object.entries(b)]) {
    const o = (out[name] ??= { erase: 0, write: 0, bytesErased: 0, bytesProgrammed: 0 });
    o.erase += w.erase;
    o.write += w.write;
    o.bytesErased += w.bytesErased;
    o.bytesProgrammed += w.bytesProgrammed;
  }
  return out;
}

const seconds = (us: number | null) => (us === null ? null : us / 1e6);

function summary(a: Accounting): OpsSummary {
  return {
    ops: { erase: a.erase, write: a.write },
    bytesErased: a.bytesErased,
    bytesProgrammed: a.bytesProgrammed,
    estimatedSeconds: seconds(a.time.max),
    estimatedSecondsTypical: seconds(a.time.typical),
    byFlash: [...a.timeByFlash].sort(([x], [y]) => x - y).map(([flash, d]) => ({ flash, estimatedSeconds: seconds(d.max), estimatedSecondsTypical: seconds(d.typical) })),
  };
}

/** The most-erased sector, and how many updates of this kind the part's endurance allows. */
function wearOf(g: Geometry, times: FlashTimes, wear: Uint32Array): { max: number; worst: string | null; updates: number | null } {
  let max = 0;
  let worst = -1;
  let updates: number | null = Number.POSITIVE_INFINITY;
  wear.forEach((n, i) => {
    if (n === 0) return;
    if (n > max) {
      max = n;
      worst = i;
    }
    const endurance = times.endurance(g.sectors[i]!);
    updates = endurance === null || updates === null ? null : Math.min(updates, Math.floor(endurance / n));
  });
  if (max === 0) return { max, worst: null, updates: null };
  return { max, worst: sectorName(g, worst), updates };
}

function sectorName(g: Geometry, index: number): string {
  const a = g.areas.find((x) => index >= x.firstSector && index < x.firstSector + x.sectorCount);
  if (a) return `${a.name}[${index - a.firstSector}]`;
  const s = g.sectors[index]!;
  return `flash${s.device}@0x${s.start.toString(16)}`;
}

const now = () => globalThis.performance.now();

/** One run of a case on a fresh device; `images` and `times` are shared between runs. */
interface Run {
  update: Accounting;
  staging: Accounting;
  boots: number;
  simMs: number;
  /** Which image the primary slot holds at the end. */
  end: 'v1' | 'v2' | null;
}

function runOnce(device: ResolvedProfile, strategy: BootStrategy, v1: Uint8Array, v2: Uint8Array, upgrade: BenchUpgrade, times: FlashTimes, overwriteFast: boolean): Run {
  const dev = new Device(device.geometry, { strategy, overwriteFast });
  const core = dev.core;
  const secondary = device.geometry.areas.find((a) => a.id === SECONDARY)!;
  const secondaryOffset = updateOffset(secondary, strategy);

  // The running image, put there by a programmer: not part of any update.
  core.place(PRIMARY, 0, v1);

  // The application's download: erase the sectors the image lands in, program it, request.
  let wear = core.wear();
  core.armPowerCut(0);
  core.resetCounters();
  core.clearLog();
  let off = 0;
  for (const size of secondary.sectorSizes) {
    if (off + size > secondaryOffset && off < secondaryOffset + v2.length) expectNoCut(core.erase(SECONDARY, off, size));
    off += size;
  }
  expectNoCut(core.program(SECONDARY, secondaryOffset, v2));
  let staging = account(dev, times, wear);
  wear = core.wear();
  const rc = dev.setPending(upgrade === 'permanent');
  if (isPowerCut(rc) || rc !== 0) throw new Error(`boot_set_pending failed on ${device.name} (${String(rc)})`);
  staging = sum(staging, account(dev, times, wear));

  // The update: the power-on that swaps, and for test-revert the next one, which reverts.
  const want: BootResult['requested'][] = upgrade === 'permanent' ? ['perm'] : ['test', 'revert'];
  let update: Accounting | undefined;
  let simMs = 0;
  let boots = 0;
  for (const requested of want) {
    wear = core.wear();
    const t0 = now();
    const r = dev.boot();
    simMs += now() - t0;
    if (isPowerCut(r)) throw new Error('unexpected power cut');
    if (r.outcome !== 'ok') throw new Error(`${strategy} on ${device.name}: power-on ${boots + 1} of a ${upgrade} upgrade did not boot (${r.outcome})`);
    // Overwrite-only never reverts (§5.1): its second power-on finds nothing to do.
    if (r.requested !== requested && !(requested === 'revert' && r.requested === 'none')) {
      throw new Error(`${strategy} on ${device.name}: power-on ${boots + 1} of a ${upgrade} upgrade found '${r.requested}', expected '${requested}'`);
    }
    const a = account(dev, times, wear);
    update = update ? sum(update, a) : a;
    boots++;
  }
  const primary = core.peekArea(PRIMARY);
  const holds = (img: Uint8Array) => primary.subarray(0, img.length).every((b, i) => b === img[i]);
  return { update: update!, staging, boots, simMs, end: holds(v2) ? 'v2' : holds(v1) ? 'v1' : null };
}

function expectNoCut(r: unknown): void {
  if (isPowerCut(r)) throw new Error('unexpected power cut while staging');
}

/** One case: a strategy, an image size and an upgrade kind on a device. */
export async function benchCase(
  device: ResolvedProfile,
  strategy: BootStrategy,
  imageSize: number,
  upgrade: BenchUpgrade,
  options: { repeat?: number; overwriteFast?: boolean; images?: ImageCache } = {},
): Promise<StrategyResult> {
  const overwriteFast = options.overwriteFast ?? false;
  const maxImageSize = maxImageSizeOf(device, strategy, overwriteFast);
  if (imageSize > maxImageSize) throw new UsageError(`image size ${imageSize} is larger than ${strategy} allows on ${device.name} (${maxImageSize} bytes)`);
  const { v1, v2 } = await (options.images ?? new ImageCache()).get(imageSize);
  const times = new FlashTimes(device.geometry, device.timing);
  const repeat = Math.max(1, options.repeat ?? 3);
  const runs: Run[] = [];
  for (let i = 0; i < repeat; i++) runs.push(runOnce(device, strategy, v1, v2, upgrade, times, overwriteFast));
  const run = runs[0]!;
  for (const other of runs.slice(1)) {
    if (other.update.erase !== run.update.erase || other.update.write !== run.update.write || other.update.bytesProgrammed !== run.update.bytesProgrammed) {
      throw new Error(`${strategy} on ${device.name}: two runs of the same update did different flash work`);
    }
  }
  const expectedEnd = upgrade === 'permanent' ? 'v2' : undefined;
  if (run.end === null || (expectedEnd && run.end !== expectedEnd)) {
    throw new Error(`${strategy} on ${device.name}: a ${upgrade} upgrade left ${run.end ?? 'neither image'} in the primary slot`);
  }
  const simMs = runs.map((r) => r.simMs).sort((a, b) => a - b)[runs.length >> 1]!;
  const update = summary(run.update);
  const wear = wearOf(device.geometry, times, run.update.wear);
  const cycle = wearOf(device.geometry, times, sum(run.update, run.staging).wear);
  // Whether the strategy reverts is measured, never assumed: a test upgrade left unconfirmed.
  const reverted = upgrade === 'test-revert' ? run : runOnce(device, strategy, v1, v2, 'test-revert', times, overwriteFast);
  return {
    strategy,
    device: device.name,
    imageSize,
    upgrade,
    ...update,
    areas: run.update.areas,
    sectorErases: Object.fromEntries([...run.update.wear].flatMap((n, i) => (n ? [[sectorName(device.geometry, i), n]] : []))),
    maxSectorErases: wear.max,
    worstSector: wear.worst,
    updatesUntilWornOut: wear.updates,
    maxImageSize,
    canRevert: reverted.end === 'v1',
    boots: run.boots,
    simMs,
    onDeviceToSimulated: update.estimatedSeconds === null || simMs <= 0 ? null : (update.estimatedSeconds * 1000) / simMs,
    staging: summary(run.staging),
    maxSectorErasesWithStaging: cycle.max,
    updatesUntilWornOutWithStaging: cycle.updates,
  };
}

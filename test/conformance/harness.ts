/**
 * Replays recorded MCUboot runs (test/fixtures/vectors/mcuboot-boot, mcuboot-matrix and
 * mcuboot-modes, loaded by test/helpers/vectors.ts and modes-vectors.ts) on brickproof's bootloader: builds the device and the bootloader
 * build a case names, runs a step or a power-fail sweep point, and compares the outcome with
 * what the real C code did.
 *
 * The comparisons do not assert: they return what differs, one sentence each, so that the
 * suites in test/conformance expect an empty list and scripts/dev/replay.ts prints the list.
 * Every suite and dev script that replays the vectors goes through this module.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isPowerCut, traceLine, type FaultModel, type PowerCut } from '../../src/core/index.js';
import { Device, versionString, type BootloaderOptions, type BootResult } from '../../src/device/device.js';
import { headerAt } from '../../src/image/header.js';
import { parseEncryptionKey } from '../../src/image/encryption.js';
import { loadModesCases, type ModesAction, type ModesCase, type ModesStep, type ModesSweep } from '../helpers/modes-vectors.js';
import { resolveGeometry, type GeometrySpec } from '../../src/device/geometry.js';
import type { BootStrategy } from '../../src/image/strategy.js';
import { parseKey, publicKeyOf, type PublicKey } from '../../src/image/keys.js';
import {
  loadBootCases, loadMatrixCases, vectorsRoot,
  type BootCase, type BootSweepRow, type MatrixCase, type MatrixStep, type MatrixSweep, type StepAction, type VectorStep,
} from '../helpers/vectors.js';

/** BRICKPROOF_FULL=1 (npm run test:full): every cut point of every sweep. */
export const FULL = process.env.BRICKPROOF_FULL === '1';

// ---- building a device -----------------------------------------------------------------------

const keyCache = new Map<string, PublicKey>();
/** A trusted key by its name in test/fixtures/vectors/imgtool/keys. */
export function vectorKey(name: string): PublicKey {
  let k = keyCache.get(name);
  if (!k) {
    k = publicKeyOf(parseKey(readFileSync(`${vectorsRoot}imgtool/keys/${name}.pub.pem`)));
    keyCache.set(name, k);
  }
  return k;
}

export function makeDevice(layout: GeometrySpec, strategy: BootStrategy, opts: { maxAlign?: number; maxSectors?: number; keys?: string[] } = {}): Device {
  return new Device(resolveGeometry(layout), {
    strategy,
    maxAlign: (opts.maxAlign ?? 8) as 8 | 16 | 32,
    maxSectors: opts.maxSectors ?? 128,
    keys: (opts.keys ?? []).map(vectorKey),
  });
}

/** The device and bootloader build a case was recorded on, holding `flash` (default: the case's 00-before). */
export function deviceFor(c: BootCase | MatrixCase, flash: Uint8Array = c.before): Device {
  const dev = makeDevice(c.layout, c.build.strategy, { maxAlign: c.build.maxAlign, maxSectors: c.build.maxSectors, keys: c.build.keyNames });
  dev.core.loadDump(flash);
  return dev;
}

let bootCases: BootCase[] | undefined;
let matrixCases: MatrixCase[] | undefined;

/** Every mcuboot-boot case, loaded once per process. */
export function allBootCases(): BootCase[] {
  return (bootCases ??= loadBootCases());
}

/** Every mcuboot-matrix case, loaded once per process. */
export function allMatrixCases(): MatrixCase[] {
  return (matrixCases ??= loadMatrixCases());
}

/** An mcuboot-boot case by id (`move/test-revert`). */
export function bootCase(id: string): BootCase {
  const c = allBootCases().find((x) => x.id === id);
  if (!c) throw new Error(`mcuboot-boot has no case ${id}`);
  return c;
}

/** An mcuboot-matrix case by id (`k64f-move-w8-eff-hash/test-revert`). */
export function matrixCase(id: string): MatrixCase {
  const c = allMatrixCases().find((x) => x.id === id);
  if (!c) throw new Error(`mcuboot-matrix has no case ${id}`);
  return c;
}

/** The whole device before step `step` (1-based) of a case, as recorded. */
export function flashBefore(c: BootCase | MatrixCase, step: number): Uint8Array {
  return step === 1 ? c.before : c.steps[step - 2].after;
}

// ---- running ---------------------------------------------------------------------------------

/** Runs one step with the power on; returns the boot result for boots, the rc for application calls. */
export function runStep(dev: Device, action: StepAction): BootResult | number {
  const r = action === 'boot' ? dev.boot() : action === 'confirm' ? dev.setConfirmed() : dev.setPending(action === 'pending1');
  if (isPowerCut(r)) throw new Error(`no power cut was armed, yet ${action} was cut`);
  return r;
}

/** One uninterrupted boot. */
export function boot(dev: Device): BootResult {
  return runStep(dev, 'boot') as BootResult;
}

/** One cut point of a sweep: what the cut boot did and the two boots after it. */
export interface SweepPoint {
  k: number;
  /** The power cut, or undefined when the boot finished before op k. */
  cut?: PowerCut;
  reboot1: BootResult;
  reboot2: BootResult;
  /** Flash operations of reboot 1, the boot that resumes. */
  reboot1Ops: number;
  /** SHA-256 of the whole device after each reboot. */
  hash1: string;
  hash2: string;
}

/**
 * A sweep point as both vector sets define it: from `start`, boot with the power failing
 * before op k (ops 1..k−1 happen, op k under `fault` when given), then boot twice normally.
 */
export function runSweepPoint(dev: Device, start: Uint8Array, k: number, fault?: { fault: FaultModel; seed: bigint }): SweepPoint {
  dev.core.loadDump(start);
  const cut = dev.boot({ at: k, ...fault });
  const reboot1 = boot(dev);
  const hash1 = deviceHash(dev);
  const reboot2 = boot(dev);
  const hash2 = deviceHash(dev);
  return { k, cut: isPowerCut(cut) ? cut : undefined, reboot1, reboot2, reboot1Ops: opCount(reboot1), hash1, hash2 };
}

// ---- words the vectors use -------------------------------------------------------------------

const sha256hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** SHA-256 of the device's whole flash, hashed in place. */
export const deviceHash = (dev: Device): string => sha256hex(dev.core.flash);

export const opCount = (r: BootResult): number => r.ops.erase + r.ops.write;

/** The version a boot ran, as the vectors write it (`2.0.0+0`), or 'failed'. */
export function bootedVersion(r: BootResult): string {
  if (r.outcome === 'ok') return versionString(r.version);
  return r.version ? `failed, yet reporting ${versionString(r.version)}` : 'failed';
}

/** An operation as a trace line: `E|W <area id> <offset hex> <length hex>`. */
export function opLine(op: PowerCut): string {
  return traceLine({ ...op, kind: op.kind === 'erase' ? 'E' : 'W' });
}

/** First index where two byte arrays differ, or -1. */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const hex = (n: number | undefined) => (n === undefined ? 'nothing' : `0x${n.toString(16)}`);

// ---- comparing -------------------------------------------------------------------------------

function traceDifference(got: string[], want: string[]): string | undefined {
  const n = Math.max(got.length, want.length);
  for (let i = 0; i < n; i++) {
    if (got[i] !== want[i]) return `trace line ${i + 1}: ${got[i] ?? 'nothing'}, real MCUboot ${want[i] ?? 'nothing'} (${got.length} ops, real ${want.length})`;
  }
  return undefined;
}

function flashDifference(got: Uint8Array, want: Uint8Array): string | undefined {
  const i = firstDiff(got, want);
  return i < 0 ? undefined : `the device differs first at ${hex(i)}: ${hex(got[i])}, real MCUboot ${hex(want[i])}`;
}

/**
 * What differs between a step just run on `dev` (result `r`) and the recording: the trace
 * line for line (where recorded), the boot's outcome, version and swap type or the call's rc
 * and op count, and the whole device (its SHA-256 in the matrix, byte for byte otherwise).
 */
export function stepDifferences(dev: Device, step: VectorStep | MatrixStep, r: BootResult | number): string[] {
  const out: string[] = [];
  if (step.traceLines) {
    const d = traceDifference(dev.trace(), step.traceLines);
    if (d) out.push(d);
  }
  if (step.action === 'boot') {
    const want = step.expected;
    if (typeof r === 'number') throw new Error('a boot step returned an rc');
    if ((r.outcome === 'ok') !== want.ok) out.push(`boot outcome ${r.outcome}, real MCUboot ${want.ok ? 'boots' : 'does not boot'}`);
    else if (want.ok && bootedVersion(r) !== want.version) out.push(`booted ${bootedVersion(r)}, real MCUboot ${want.version}`);
    else if (!want.ok && r.version) out.push(`a failed boot reports version ${versionString(r.version)}`);
    if (r.swapType.toUpperCase() !== want.swapType) out.push(`swap type ${r.swapType.toUpperCase()}, real MCUboot ${want.swapType}`);
  } else {
    const ops = dev.core.counters().writeOps + dev.core.counters().eraseOps;
    if (r !== step.expected.rc) out.push(`rc ${String(r)}, real MCUboot ${step.expected.rc}`);
    if (ops !== step.expected.ops.total) out.push(`${ops} flash ops, real MCUboot ${step.expected.ops.total}`);
  }
  if ('sha256After' in step) {
    if (deviceHash(dev) !== step.sha256After) out.push(flashDifference(dev.core.flash, step.after) ?? 'the device hash differs, yet the dump matches');
  } else {
    const d = flashDifference(dev.core.flash, step.after);
    if (d) out.push(d);
  }
  return out;
}

/** Replays every step of a case from its 00-before; the differences of the first step that has any. */
export function caseDifferences(c: BootCase | MatrixCase): string[] {
  const dev = deviceFor(c);
  for (const step of c.steps) {
    const d = stepDifferences(dev, step, runStep(dev, step.action));
    if (d.length) return d.map((x) => `step ${step.step} (${step.action}): ${x}`);
  }
  return [];
}

/**
 * What differs between a point of an mcuboot-boot sweep and its row: whether the boot was
 * cut, the op it was cut before, and each reboot's version and swap type.
 */
export function bootSweepDifferences(p: SweepPoint, row: BootSweepRow): string[] {
  const out: string[] = [];
  if (!!p.cut !== row.interrupted) out.push(p.cut ? 'the boot was cut' : 'the boot finished before op k');
  if (p.cut && opLine(p.cut) !== row.op) out.push(`cut before ${opLine(p.cut)}, real MCUboot before ${row.op}`);
  [p.reboot1, p.reboot2].forEach((r, i) => {
    const want = row.reboots[i];
    const got = `${bootedVersion(r)} ${r.swapType.toUpperCase()}`;
    const expected = `${want.ok ? want.version : 'failed'} ${want.swapType}`;
    if (got !== expected) out.push(`reboot ${i + 1}: ${got}, real MCUboot ${expected}`);
  });
  return out;
}

/**
 * What differs between a point of an mcuboot-matrix sweep and the recording: both reboots'
 * versions, the op count of the resuming boot, the device after each reboot, and whether
 * recovery gave the sweep's expected versions exactly where MCUboot's did.
 */
export function matrixSweepDifferences(p: SweepPoint, s: MatrixSweep): string[] {
  const out: string[] = [];
  const i = p.k - 1;
  const v1 = bootedVersion(p.reboot1);
  const v2 = bootedVersion(p.reboot2);
  if (!p.cut) out.push('the boot finished before op k');
  if (v1 !== s.reboot1Versions[i]) out.push(`reboot 1 booted ${v1}, real MCUboot ${s.reboot1Versions[i]}`);
  if (v2 !== s.reboot2Versions[i]) out.push(`reboot 2 booted ${v2}, real MCUboot ${s.reboot2Versions[i]}`);
  const asExpected = v1 === s.expected[0] && v2 === s.expected[1];
  if (asExpected === s.kNotMatchingExpected.includes(p.k)) out.push(`reboots ${v1}, ${v2} ${asExpected ? 'match' : 'miss'} the expected ${s.expected.join(', ')}; real MCUboot's ${asExpected ? 'miss' : 'match'}`);
  if (p.reboot1Ops !== s.reboot1Ops[i]) out.push(`resume took ${p.reboot1Ops} ops, real MCUboot ${s.reboot1Ops[i]}`);
  if (p.hash1 !== s.reboot1FlashSha256[i]) out.push('the device after reboot 1 differs');
  if (p.hash2 !== s.reboot2FlashSha256[i]) out.push('the device after reboot 2 differs');
  return out;
}

// ---- which cut points ------------------------------------------------------------------------

/**
 * Denser default samples, kept from the swap-move and swap-offset suites these replays
 * absorbed so that the default run checks every point it checked before: the trailer
 * set-up and fix-ups at the start, the last ops, every 13th (move) or 10th (offset) point.
 */
const DENSER_DEFAULT: Partial<Record<BootStrategy, (k: number, n: number) => boolean>> = {
  'swap-move': (k, n) => k <= 24 || k > n - 12 || k % 13 === 0,
  'swap-offset': (k, n) => k <= 24 || k > n - 3 || k % 10 === 0,
};

/** Configurations whose sweeps run every cut point by default (the reference swap-offset build and the nrf52840 layout, where MCUboot's k=309 resume is). */
const WHOLE_BY_DEFAULT = new Set(['k64f-offset-w8-eff-hash', 'nrf52840-offset-w4-eff-hash']);

/**
 * The cut points of a matrix sweep to check: all with FULL; by default every point the
 * manifest lists as special, the first and last, every 17th, and the denser samples above.
 */
export function matrixCutPoints(c: MatrixCase, s: MatrixSweep): number[] {
  const all = Array.from({ length: s.points }, (_, i) => i + 1);
  if (FULL || WHOLE_BY_DEFAULT.has(c.config)) return all;
  const special = new Set([1, s.points, ...s.kReboot1FlashDiffersFromCleanStep, ...s.kReboot2FlashDiffersFromCleanNextStep, ...s.kNotMatchingExpected]);
  const denser = DENSER_DEFAULT[c.build.strategy];
  return all.filter((k) => special.has(k) || k % 17 === 1 || denser?.(k, s.points));
}

/**
 * Cut points in runs of at most `size`, one test each: a full sweep in one test body blocks
 * its vitest worker for seconds (12.7 s for the unequal-slots sweep under load), long enough
 * to starve the worker's messages to the runner ("Timeout calling onTaskUpdate").
 */
export function inGroups(points: number[], size = 100): number[][] {
  const groups: number[][] = [];
  for (let i = 0; i < points.length; i += size) groups.push(points.slice(i, i + size));
  return groups;
}

/** `k=1..24` or `k=7` — the cut points of a group, for a test name. */
export function cutRange(ks: number[]): string {
  return ks.length === 1 ? `k=${ks[0]}` : `k=${ks[0]}..${ks[ks.length - 1]}`;
}

/** The cut points to check of an unrecorded sweep of `n` ops: all with FULL, else the start, the end and every 13th. */
export function sampledCutPoints(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1).filter((k) => FULL || k <= 24 || k > n - 12 || k % 13 === 0);
}

// ---- mcuboot-modes -----------------------------------------------------------------------------

let modesCases: ModesCase[] | undefined;

/** Every mcuboot-modes case, loaded once per process. */
export function allModesCases(): ModesCase[] {
  return (modesCases ??= loadModesCases());
}

export function modesCase(id: string): ModesCase {
  const c = allModesCases().find((x) => x.id === id);
  if (!c) throw new Error(`mcuboot-modes has no case ${id}`);
  return c;
}

/** The bootloader build of a modes case as brickproof's options. */
export function modesOptions(c: ModesCase): BootloaderOptions {
  const b = c.build;
  return {
    strategy: b.strategy,
    maxAlign: 8,
    maxSectors: 128,
    images: b.images,
    downgradePrevention: b.downgradePrevention,
    hwRollback: b.hwRollback,
    bootstrap: b.bootstrap,
    ...(c.ram ? { ram: c.ram } : {}),
    ...(b.encKeyPath ? { encKey: parseEncryptionKey(readFileSync(b.encKeyPath), b.encKeyPath) } : {}),
  };
}

/** The device and build of a modes case, holding `flash` (default: 00-before) and NV counters `nv` (default: the case's). */
export function modesDeviceFor(c: ModesCase, flash: Uint8Array = c.before, nv: number[] = c.nvBefore ?? []): Device {
  const dev = new Device(resolveGeometry(c.layout), modesOptions(c));
  dev.core.loadDump(flash);
  dev.nvCounters = nv;
  return dev;
}

/** Flash and NV counters before step `step` (1-based) of a modes case. */
export function modesStateBefore(c: ModesCase, step: number): { flash: Uint8Array; nv: number[] } {
  if (step === 1) return { flash: c.before, nv: c.nvBefore ?? [] };
  const prev = c.steps[step - 2];
  return { flash: prev.after, nv: prev.nvAfter ?? c.nvBefore ?? [] };
}

export function runModesStep(dev: Device, action: ModesAction): BootResult | number {
  const r = action === 'boot' ? dev.boot() : action === 'confirm' ? dev.setConfirmed() : dev.setNext(action.area, action.active, action.confirm);
  if (isPowerCut(r)) throw new Error('no power cut was armed, yet the step was cut');
  return r;
}

/** The first digit of each primary's version (image 0, then image 1), `-` for no header: the sweeps' `*_primaries`. */
export function primaryDigits(dev: Device): string {
  let out = '';
  for (let i = 0; i < dev.options.images; i++) {
    const area = i === 0 ? 1 : 2 + 2 * i;
    const bytes = dev.core.peekArea(area);
    const h = headerAt(bytes, 0);
    out += h ? String(h.version.major) : '-';
  }
  return out;
}

const BODY_RULE = /^byte i = \(i\*(\d+)\+(\d+)\) & 0xff$/;

/**
 * The encrypted cases' `primary_plaintext`: area 1 holds a header whose version's plaintext
 * body (the case's image of that version, by its body rule) follows it byte for byte.
 */
export function primaryHoldsPlaintext(dev: Device, c: ModesCase): boolean {
  const bytes = dev.core.peekArea(1);
  const h = headerAt(bytes, 0);
  if (!h) return false;
  const v = `${h.version.major}.${h.version.minor}.${h.version.revision}`;
  const img = c.images.find((i) => i.version === v);
  const m = img && BODY_RULE.exec(img.body);
  if (!img || !m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  for (let i = 0; i < img.bodyLen; i++) if (bytes[h.hdrSize + i] !== ((i * a + b) & 0xff)) return false;
  return true;
}

const sameNv = (got: number[], want: [number, number]) => got[0] === want[0] && got[1] === want[1];

/**
 * What differs between a step just run on `dev` and the recording: the trace line for line,
 * boot_go's outcome, version, booted flash offset and per-image results (swap types, or the
 * active slot and RAM copy), the rc of an application call, the whole device byte for byte,
 * the NV counters, the RAM window byte for byte, and whether the primary holds plaintext.
 */
export function modesStepDifferences(dev: Device, c: ModesCase, step: ModesStep, r: BootResult | number): string[] {
  const out: string[] = [];
  const d = traceDifference(dev.trace(), step.traceLines);
  if (d) out.push(d);
  if (step.action === 'boot') {
    if (typeof r === 'number') throw new Error('a boot step returned an rc');
    if ((r.outcome === 'ok') !== step.ok) out.push(`boot outcome ${r.outcome}, real MCUboot ${step.ok ? 'boots' : 'does not boot'}`);
    else if (step.ok) {
      if (bootedVersion(r) !== step.version) out.push(`booted ${bootedVersion(r)}, real MCUboot ${step.version}`);
      const off = dev.core.area(r.slot).offset;
      if (off !== step.imageOff) out.push(`booted the slot at ${hex(off)}, real MCUboot ${hex(step.imageOff ?? undefined)}`);
    }
    step.perImage!.forEach((want, i) => {
      const got = r.images[i];
      if (want.requested !== undefined && got?.requested.toUpperCase() !== want.requested) out.push(`image ${i} requested ${got?.requested.toUpperCase()}, real MCUboot ${want.requested}`);
      if (want.swapType !== undefined && got?.swapType.toUpperCase() !== want.swapType) out.push(`image ${i} swap type ${got?.swapType.toUpperCase()}, real MCUboot ${want.swapType}`);
      if (want.activeSlot !== undefined && r.activeSlot !== want.activeSlot) out.push(`active slot ${r.activeSlot}, real MCUboot ${want.activeSlot}`);
      // A failed boot reports 0 bytes at 0, as MCUboot's cleared state does.
      const ram = r.ramLoad ?? { address: 0, size: 0 };
      if (want.imgDst !== undefined && (ram.address !== want.imgDst || ram.size !== want.imgSz)) {
        out.push(`loaded ${ram.size} bytes at ${hex(ram.address)} into RAM, real MCUboot ${want.imgSz} bytes at ${hex(want.imgDst)}`);
      }
    });
  } else {
    if (r !== step.rc) out.push(`rc ${String(r)}, real MCUboot ${step.rc}`);
  }
  const f = flashDifference(dev.core.flash, step.after);
  if (f) out.push(f);
  if (step.nvAfter && !sameNv(dev.nvCounters, step.nvAfter)) out.push(`NV counters ${dev.nvCounters.slice(0, 2).join(', ')}, real MCUboot ${step.nvAfter.join(', ')}`);
  if (step.ramAfter) {
    const ram = dev.ram();
    const i = firstDiff(ram, step.ramAfter);
    if (i >= 0) out.push(`RAM differs first at ${hex(c.ram!.start + i)}: ${hex(ram[i])}, real MCUboot ${hex(step.ramAfter[i])}`);
  }
  if (step.primaryPlaintext !== undefined && primaryHoldsPlaintext(dev, c) !== step.primaryPlaintext) out.push(`the primary ${step.primaryPlaintext ? 'does not hold' : 'holds'} plaintext`);
  return out;
}

/** Replays every step of a modes case from its 00-before; the differences of the first step that has any. */
export function modesCaseDifferences(c: ModesCase): string[] {
  const dev = modesDeviceFor(c);
  for (const step of c.steps) {
    const d = modesStepDifferences(dev, c, step, runModesStep(dev, step.action));
    if (d.length) return d.map((x) => `step ${step.step} (${step.actionName}): ${x}`);
  }
  return [];
}

const bootedDigit = (r: BootResult) => (r.outcome === 'ok' && r.version ? String(r.version.major) : '-');

/**
 * One cut point of a modes sweep, compared with the recording: from the device and NV
 * counters before the swept boot, the power fails before op k; then two normal boots. Each
 * reboot's booted version and primaries, the resume's op count, the whole device's SHA-256
 * after each reboot, the NV counters and (encrypted cases) the primary's plaintext.
 */
export function modesSweepPointDifferences(dev: Device, c: ModesCase, s: ModesSweep, start: { flash: Uint8Array; nv: number[] }, k: number): string[] {
  const out: string[] = [];
  const i = k - 1;
  dev.core.loadDump(start.flash);
  dev.nvCounters = start.nv;
  const cut = dev.boot({ at: k });
  if (!isPowerCut(cut)) out.push('the boot finished before op k');
  const reboots: Array<[string, string, string, [number, number] | undefined, boolean | undefined]> = [
    [s.reboot1Booted[i], s.reboot1Primaries[i], s.reboot1FlashSha256[i], s.reboot1Nv?.[i], s.reboot1PrimaryPlaintext?.[i]],
    [s.reboot2Booted[i], s.reboot2Primaries[i], s.reboot2FlashSha256[i], s.reboot2Nv?.[i], s.reboot2PrimaryPlaintext?.[i]],
  ];
  reboots.forEach(([booted, primaries, sha, nv, plaintext], n) => {
    const r = boot(dev);
    if (n === 0 && opCount(r) !== s.reboot1Ops[i]) out.push(`resume took ${opCount(r)} ops, real MCUboot ${s.reboot1Ops[i]}`);
    if (bootedDigit(r) !== booted) out.push(`reboot ${n + 1} booted ${bootedDigit(r)}, real MCUboot ${booted}`);
    if (primaryDigits(dev) !== primaries) out.push(`reboot ${n + 1} left primaries ${primaryDigits(dev)}, real MCUboot ${primaries}`);
    if (deviceHash(dev) !== sha) out.push(`the device after reboot ${n + 1} differs`);
    if (nv && !sameNv(dev.nvCounters, nv)) out.push(`NV counters after reboot ${n + 1}: ${dev.nvCounters.slice(0, 2).join(', ')}, real MCUboot ${nv.join(', ')}`);
    if (plaintext !== undefined && primaryHoldsPlaintext(dev, c) !== plaintext) out.push(`after reboot ${n + 1} the primary ${plaintext ? 'does not hold' : 'holds'} plaintext`);
  });
  return out;
}

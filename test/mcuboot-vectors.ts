/**
 * The golden data recorded from MCUboot's real boot code (../shared/vectors/mcuboot-boot and
 * ../shared/vectors/mcuboot-matrix): manifests, dumps, traces, and the way both folders say
 * to replay a step and a power-fail sweep. Shared by the strategy tests and scripts/dev.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { isPowerCut, type PowerCut } from '../src/core.js';
import { Device, versionString, type BootResult } from '../src/device/device.js';
import { resolveGeometry } from '../src/device/geometry.js';
import { findProfile, geometryFromMatrixLayout, type MatrixLayout } from '../src/device/profiles.js';
import type { Strategy } from '../src/device/strategy.js';
import { parseKey, publicKeyOf, type PublicKey } from '../src/image/keys.js';

export const bootDir = fileURLToPath(new URL('../../shared/vectors/mcuboot-boot/', import.meta.url));
export const matrixDir = fileURLToPath(new URL('../../shared/vectors/mcuboot-matrix/', import.meta.url));
const keysDir = fileURLToPath(new URL('../../shared/vectors/imgtool/keys/', import.meta.url));

/** Strategy names of the vector folders. */
export const STRATEGY_OF: Record<string, Strategy> = {
  scratch: 'swap-scratch', move: 'swap-move', offset: 'swap-offset', overwrite: 'overwrite-only',
};

let ecdsaKey: PublicKey | undefined;
/** The key the recorded ECDSA builds trust. */
export function trustedKey(): PublicKey {
  return (ecdsaKey ??= publicKeyOf(parseKey(readFileSync(keysDir + 'ecdsa-p256.pub.pem'))));
}

export const gunzip = (path: string): Uint8Array => new Uint8Array(gunzipSync(readFileSync(path)));

export function readTrace(path: string): string[] {
  return gunzipSync(readFileSync(path)).toString().split('\n').filter(Boolean);
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The device's whole flash, hashed in place. */
export const deviceHash = (dev: Device): string => sha256Hex(dev.core.flash);

/** A flash operation as a trace line (`E|W <area> <offset hex> <length hex>`). */
export function opLine(cut: PowerCut): string {
  return `${cut.kind === 'erase' ? 'E' : 'W'} ${cut.area} ${cut.offset.toString(16)} ${cut.length.toString(16)}`;
}

/** `boot`, `confirm`, `pending0`, `pending1`: one bootloader run or one application call. */
export function runAction(dev: Device, action: string): BootResult | number {
  let r: BootResult | number | PowerCut;
  if (action === 'boot') r = dev.boot();
  else if (action === 'confirm') r = dev.setConfirmed();
  else if (action === 'pending0') r = dev.setPending(false);
  else if (action === 'pending1') r = dev.setPending(true);
  else throw new Error(`unknown vector action ${action}`);
  if (isPowerCut(r)) throw new Error(`unexpected power cut during ${action}`);
  return r;
}

export const SWAP_TYPE_NAMES = ['', 'none', 'test', 'perm', 'revert', 'fail'];

/** What a recorded boot result says, in the Device's words. */
export interface RecordedResult {
  ok: boolean;
  version?: string;
  swap_type: number;
}

export function sameResult(got: BootResult, want: RecordedResult): boolean {
  if ((got.outcome === 'ok') !== want.ok) return false;
  if (want.ok && versionString(got.version) !== want.version) return false;
  return got.swapType === SWAP_TYPE_NAMES[want.swap_type];
}

// ---- mcuboot-boot ----------------------------------------------------------------------------

export interface BootStep {
  step: number;
  action: string;
  result?: RecordedResult;
  dump: string;
  op_trace?: string;
}

export interface BootSweepRow {
  k: number;
  op: string;
  reboots: Array<{ ok: boolean; version?: string; swap_type: string }>;
}

export interface BootSweep {
  name: string;
  from: string;
  uninterrupted_ops: number;
  table: string;
}

let bootManifest: any;
export function bootManifestOf(): any {
  return (bootManifest ??= JSON.parse(readFileSync(bootDir + 'manifest.json', 'utf8')));
}

export function bootScenarios(strategy: string): Array<{ name: string; steps: BootStep[] }> {
  const s = bootManifestOf().strategies[strategy];
  return Object.entries<any>(s.scenarios).map(([name, sc]) => ({ name, steps: sc.steps }));
}

export function bootSweeps(strategy: string): BootSweep[] {
  const s = bootManifestOf().strategies[strategy].power_fail_sweeps ?? {};
  return Object.entries<any>(s).map(([name, sw]) => ({ name, ...sw }));
}

/** The mcuboot-boot device (ECDSA P-256 build, BOOT_MAX_ALIGN 8) over `before`. */
export function bootDevice(strategy: string, before: string): Device {
  const dev = new Device(resolveGeometry(findProfile('mcuboot-boot') as any), { strategy: STRATEGY_OF[strategy], keys: [trustedKey()] });
  dev.core.loadDump(gunzip(bootDir + before));
  return dev;
}

// ---- mcuboot-matrix --------------------------------------------------------------------------

export interface MatrixStep {
  step: number;
  action: string;
  result?: RecordedResult;
  sha256_after: string;
  dump_after: string;
  trace: string;
  trace_ops: number;
}

export interface MatrixSweep {
  boot_step: number;
  points: number;
  expected_versions: string;
  reboot1_versions: string;
  reboot2_versions: string;
  reboot1_ops: number[];
  flash_sha256_classes: string[];
  reboot1_flash_class: string;
  reboot2_flash_class: string;
  reboot1_swap_type_histogram: Record<string, number>;
}

export interface MatrixCase {
  id: string;
  config: string;
  scenario: string;
  path: string;
  layout: MatrixLayout;
  build: { strategy: string; MCUBOOT_BOOT_MAX_ALIGN: number; MCUBOOT_MAX_IMG_SECTORS: number; signature: 'hash' | 'ecdsa' };
  max_image_size: number;
  steps: MatrixStep[];
  power_fail_sweeps: Record<string, MatrixSweep>;
}

let matrixManifest: any;
export function matrixCases(strategy: string): MatrixCase[] {
  matrixManifest ??= JSON.parse(readFileSync(matrixDir + 'manifest.json', 'utf8'));
  return (matrixManifest.cases as MatrixCase[]).filter((c) => c.build.strategy === strategy);
}

/** A device with the case's layout and bootloader build, holding `00-before`. */
export function matrixDevice(c: MatrixCase): Device {
  const dev = new Device(resolveGeometry(geometryFromMatrixLayout(c.layout)), {
    strategy: STRATEGY_OF[c.build.strategy],
    maxAlign: c.build.MCUBOOT_BOOT_MAX_ALIGN as 8 | 16 | 32,
    maxSectors: c.build.MCUBOOT_MAX_IMG_SECTORS,
    keys: c.build.signature === 'ecdsa' ? [trustedKey()] : [],
  });
  dev.core.loadDump(gunzip(`${matrixDir}${c.path}/00-before.bin.gz`));
  return dev;
}

/** The booted version as the matrix writes it: major number, `-` for no boot. */
export function versionChar(r: BootResult): string {
  return r.outcome === 'ok' && r.version ? String(r.version.major) : '-';
}

// ---- power-fail sweeps -------------------------------------------------------------------------

/** One cut point: the op that did not happen, then two normal boots. */
export interface SweepPoint {
  k: number;
  /** The interrupted op, or undefined when the boot finished before op k. */
  op?: string;
  reboot1: BootResult;
  reboot2: BootResult;
  hash1: string;
  hash2: string;
}

/**
 * For each k: restore the flash as it was before the boot, boot with the power failing
 * before op k, then boot twice normally. `withHashes` hashes the device after each reboot.
 */
export function* sweep(dev: Device, before: Uint8Array, ks: Iterable<number>, withHashes = true): Generator<SweepPoint> {
  for (const k of ks) {
    dev.core.loadDump(before);
    const cut = dev.boot({ at: k });
    const op = isPowerCut(cut) ? opLine(cut) : undefined;
    const reboot1 = runAction(dev, 'boot') as BootResult;
    const hash1 = withHashes ? deviceHash(dev) : '';
    const reboot2 = runAction(dev, 'boot') as BootResult;
    const hash2 = withHashes ? deviceHash(dev) : '';
    yield { k, op, reboot1, reboot2, hash1, hash2 };
  }
}

export const opCount = (r: BootResult): number => r.ops.erase + r.ops.write;

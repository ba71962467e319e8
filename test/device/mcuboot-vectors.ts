/**
 * Reading ../shared/vectors/mcuboot-boot and ../shared/vectors/mcuboot-matrix (recorded from
 * MCUboot's real boot code), and replaying them on a Device: the steps of a scenario, and the
 * power-fail sweep points (cut before op k, then two clean boots). Shared by the tests and
 * the dev replay scripts; it asserts nothing itself.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { isPowerCut } from '../../src/core.js';
import { Device, type BootResult } from '../../src/device/device.js';
import { resolveGeometry } from '../../src/device/geometry.js';
import { findProfile, geometryFromMatrixLayout, type MatrixLayout } from '../../src/device/profiles.js';
import type { Strategy } from '../../src/device/strategy.js';
import { parseKey, publicKeyOf, type PublicKey } from '../../src/image/keys.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = join(ROOT, '..', 'shared', 'vectors');
export const BOOT_DIR = join(SHARED, 'mcuboot-boot');
export const MATRIX_DIR = join(SHARED, 'mcuboot-matrix');

/** The vectors' strategy names (build.strategy) → brickproof's. */
export const STRATEGY_NAMES: Record<string, Strategy> = {
  scratch: 'swap-scratch',
  move: 'swap-move',
  offset: 'swap-offset',
  overwrite: 'overwrite-only',
};

export const gunzip = (path: string): Uint8Array => new Uint8Array(gunzipSync(readFileSync(path)));
export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function traceLines(path: string): string[] {
  return Buffer.from(gunzip(path)).toString('utf8').split('\n').filter(Boolean);
}

let ecdsaKey: PublicKey | undefined;
/** The key every signed vector image trusts (../imgtool/keys/ecdsa-p256.pub.pem). */
export function trustedEcdsaKey(): PublicKey {
  ecdsaKey ??= publicKeyOf(parseKey(readFileSync(join(SHARED, 'imgtool', 'keys', 'ecdsa-p256.pub.pem'))));
  return ecdsaKey;
}

/** '1', '2' for the major version booted, '-' when nothing booted (the matrix' version strings). */
export function versionChar(r: BootResult): string {
  return r.outcome === 'ok' && r.version ? String(r.version.major) : '-';
}

/** 'x.y.z+b' as the vectors write versions, or undefined when nothing booted. */
export function versionText(r: BootResult): string | undefined {
  return r.outcome === 'ok' && r.version ? `${r.version.major}.${r.version.minor}.${r.version.revision}+${r.version.build}` : undefined;
}

export type Action = 'boot' | 'confirm' | 'pending0' | 'pending1';

/** Runs one step's action on the device; a boot returns its result, app calls their rc. */
export function runAction(dev: Device, action: Action): BootResult | number {
  const r =
    action === 'boot' ? dev.boot()
    : action === 'confirm' ? dev.setConfirmed()
    : action === 'pending0' ? dev.setPending(false)
    : dev.setPending(true);
  if (isPowerCut(r)) throw new Error(`no power cut was armed, yet ${action} was cut`);
  return r;
}

// ---- mcuboot-boot ---------------------------------------------------------------------------

export interface BootStep {
  step: number;
  action: Action;
  result: { ok?: boolean; version?: string; swap_type?: number; rc?: number };
  dump: string;
  op_trace?: string;
}

export interface BootScenario {
  strategy: string;
  name: string;
  steps: BootStep[];
}

let bootManifest: any;
export function bootManifestJson(): any {
  bootManifest ??= JSON.parse(readFileSync(join(BOOT_DIR, 'manifest.json'), 'utf8'));
  return bootManifest;
}

export function bootScenarios(strategy: string): BootScenario[] {
  const s = bootManifestJson().strategies[strategy];
  return Object.entries<any>(s.scenarios).map(([name, sc]) => ({ strategy, name, steps: sc.steps }));
}

/** A device as the mcuboot-boot harness built it (one 0x41000-byte flash, ECDSA-P256 build). */
export function bootDevice(strategy: string): Device {
  return new Device(resolveGeometry(findProfile('mcuboot-boot') as any), { strategy: STRATEGY_NAMES[strategy], keys: [trustedEcdsaKey()] });
}

export interface BootSweepRow {
  k: number;
  op: string;
  reboots: Array<{ ok: boolean; version?: string; swap_type: string }>;
}

/** `sweeps/<strategy>-<boot>.json` with the dump its boot starts from. */
export function bootSweep(strategy: string, boot: string): { start: string; ops: number; rows: BootSweepRow[] } {
  const summary = bootManifestJson().strategies[strategy].power_fail_sweeps[boot];
  const rows: BootSweepRow[] = JSON.parse(readFileSync(join(BOOT_DIR, summary.table), 'utf8'));
  return { start: join(BOOT_DIR, summary.from), ops: summary.uninterrupted_ops, rows };
}

// ---- mcuboot-matrix -------------------------------------------------------------------------

export interface MatrixStep {
  step: number;
  action: Action;
  result: { ok?: boolean; version?: string; swap_type?: number };
  sha256_after: string;
  dump_after: string;
  trace?: string;
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
  k_reboot1_flash_differs_from_clean_step: number[];
}

export interface MatrixCase {
  id: string;
  config: string;
  scenario: string;
  path: string;
  layout: MatrixLayout;
  build: { strategy: string; MCUBOOT_BOOT_MAX_ALIGN: number; MCUBOOT_MAX_IMG_SECTORS: number; signature: string };
  steps: MatrixStep[];
  power_fail_sweeps: Record<string, MatrixSweep>;
}

let matrixManifest: any;
export function matrixCases(strategy?: string): MatrixCase[] {
  matrixManifest ??= JSON.parse(readFileSync(join(MATRIX_DIR, 'manifest.json'), 'utf8'));
  const all: MatrixCase[] = matrixManifest.cases;
  return strategy ? all.filter((c) => c.build.strategy === strategy) : all;
}

/** The device and bootloader build a matrix case ran on. */
export function matrixDevice(c: MatrixCase): Device {
  return new Device(resolveGeometry(geometryFromMatrixLayout(c.layout)), {
    strategy: STRATEGY_NAMES[c.build.strategy],
    maxAlign: c.build.MCUBOOT_BOOT_MAX_ALIGN as 8 | 16 | 32,
    maxSectors: c.build.MCUBOOT_MAX_IMG_SECTORS,
    keys: c.build.signature === 'ecdsa' ? [trustedEcdsaKey()] : [],
  });
}

/** The whole device before step `step` (1-based) of a matrix case. */
export function matrixDumpBefore(c: MatrixCase, step: number): Uint8Array {
  return gunzip(join(MATRIX_DIR, step === 1 ? `${c.path}/00-before.bin.gz` : c.steps[step - 2].dump_after));
}

// ---- sweeps ---------------------------------------------------------------------------------

export interface SweepPoint {
  /** The cut boot really lost power (k within the boot's op count). */
  cut: boolean;
  reboot1: BootResult;
  reboot2: BootResult;
  /** Flash ops of the first (resuming) reboot. */
  reboot1Ops: number;
  /** SHA-256 of the whole device after each reboot. */
  hash1: string;
  hash2: string;
}

/**
 * One sweep point: from `before`, boot with the power cut before op k (ops 1..k−1 happen),
 * then boot twice normally. Every boot is a fresh bootloader instance over the flash.
 */
export function sweepPoint(dev: Device, before: Uint8Array, k: number): SweepPoint {
  dev.core.loadDump(before);
  const cut = isPowerCut(dev.boot({ at: k }));
  const reboot1 = dev.boot() as BootResult;
  const hash1 = sha256Hex(dev.core.dump());
  const reboot2 = dev.boot() as BootResult;
  const hash2 = sha256Hex(dev.core.dump());
  return { cut, reboot1, reboot2, reboot1Ops: reboot1.ops.erase + reboot1.ops.write, hash1, hash2 };
}

/**
 * What the module exports: one function, `call(fn, a, b, c, d)` (assembly/index.ts says why
 * one), turned back into named, typed methods here.
 */
import { CTRL } from '../ctrl-layout.js';

export interface CoreExports {
  flashWrite(area: number, off: number, src: number, len: number): number;
  flashErase(area: number, off: number, len: number): void;
  flashRead(area: number, off: number, dst: number, len: number): void;
  sha256(ptr: number, len: number, out: number): void;
  sha256Init(): void;
  sha256Update(ptr: number, len: number): void;
  sha256Final(out: number): void;
  /** One power-on of the bootloader; results in the control block (CTRL_BOOT_*). */
  boot(): number;
  bootMaxImageSize(slot: number): number;
  appSetPending(permanent: number): number;
  appSetConfirmed(): number;
  appSetNext(area: number, active: number, confirm: number): number;
  /** The benchmarks' entry point (assembly/bench.ts). */
  bench(kind: number, a: number, b: number, c: number): number;
  arenaLimit(): number;
  /** Re-hashes the digest blocks marked since; the sums in CTRL_DIGEST_A/B. */
  flashDigest(): void;
  /** Applies a recorded operation (a write's bytes in the I/O buffer) to the snapshot at `snapshot`. */
  snapshotApply(snapshot: number, kindArea: number, off: number, len: number): void;
  /** Copies the dirty sectors (and their digest entries) back from the snapshot at `snapshot`. */
  snapshotRestore(snapshot: number): void;
  /** The digest of the flash the snapshot at `snapshot` holds, into CTRL_DIGEST_A/B. */
  snapshotDigest(snapshot: number): void;
}

export type Call = (fn: number, a: number, b: number, c: number, d: number) => number;

/** Named methods over the module's one export. */
export function methods(call: Call): CoreExports {
  const F = CTRL;
  return {
    flashWrite: (area, off, src, len) => call(F.FN_FLASH_WRITE, area, off, src, len),
    flashErase: (area, off, len) => void call(F.FN_FLASH_ERASE, area, off, len, 0),
    flashRead: (area, off, dst, len) => void call(F.FN_FLASH_READ, area, off, dst, len),
    sha256: (ptr, len, out) => void call(F.FN_SHA256, ptr, len, out, 0),
    sha256Init: () => void call(F.FN_SHA256_INIT, 0, 0, 0, 0),
    sha256Update: (ptr, len) => void call(F.FN_SHA256_UPDATE, ptr, len, 0, 0),
    sha256Final: (out) => void call(F.FN_SHA256_FINAL, out, 0, 0, 0),
    boot: () => call(F.FN_BOOT, 0, 0, 0, 0),
    bootMaxImageSize: (slot) => call(F.FN_MAX_IMAGE_SIZE, slot, 0, 0, 0) >>> 0,
    appSetPending: (permanent) => call(F.FN_APP_SET_PENDING, permanent, 0, 0, 0),
    appSetConfirmed: () => call(F.FN_APP_SET_CONFIRMED, 0, 0, 0, 0),
    appSetNext: (area, active, confirm) => call(F.FN_APP_SET_NEXT, area, active, confirm, 0),
    bench: (kind, a, b, c) => call(F.FN_BENCH, kind, a, b, c) >>> 0,
    arenaLimit: () => call(F.FN_ARENA_LIMIT, 0, 0, 0, 0) >>> 0,
    flashDigest: () => void call(F.FN_FLASH_DIGEST, 0, 0, 0, 0),
    snapshotApply: (snapshot, kindArea, off, len) => void call(F.FN_SNAPSHOT_APPLY, snapshot, kindArea, off, len),
    snapshotRestore: (snapshot) => void call(F.FN_SNAPSHOT_RESTORE, snapshot, 0, 0, 0),
    snapshotDigest: (snapshot) => void call(F.FN_SNAPSHOT_DIGEST, snapshot, 0, 0, 0),
  };
}

/**
 * The update a campaign cuts the power in: two images built for the device and strategy,
 * staged as the application stages them, and the device's life after that — power-ons,
 * and the application confirming the new image when the upgrade kind says it would.
 *
 * `live()` is written once for all strategies (littlefs' rule: the runner injects the
 * power loss, the scenario only says what it does): it is both how the uninterrupted run is
 * recorded and how a device recovers after a cut.
 */
import { isPowerCut, type LogEntry } from '../core.js';
import { UsageError } from '../errors.js';
import { Device, versionString, type BootResult } from '../device/device.js';
import { decodeTrailerState } from '../device/trailer-state.js';
import { signImage } from '../image/index.js';
import { PRIMARY, SECONDARY, type Geometry } from '../device/geometry.js';
import type { Strategy } from '../device/strategy.js';
import type { Upgrade, V1Trailer } from './spec.js';

const HEADER_SIZE = 0x20;
/** TLV info (4) + SHA256 TLV (4 + 32): what a hash-only imgtool image carries. */
const TLV_SIZE = 40;

export interface UpdateImages {
  /** The running image, placed at the start of the primary slot. */
  v1: Uint8Array;
  /** The update, placed in the secondary slot (one sector in for swap-offset). */
  v2: Uint8Array;
  secondaryOffset: number;
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

/**
 * Builds v1 (1.0.0) and v2 (2.0.0), hash-only, each `size` bytes in total, or the largest
 * the strategy allows in both slots (as MCUboot's simulator does) when size is 'max'.
 */
export async function buildImages(dev: Device, size: number | 'max', strategy: Strategy, v1Size?: number): Promise<UpdateImages> {
  const max = Math.min(dev.maxImageSize(0), dev.maxImageSize(1));
  const total = size === 'max' ? max : size;
  const totals = [v1Size ?? total, total];
  for (const [flag, t] of [['--image-size', totals[1]], ['--v1-size', totals[0]]] as const) {
    if (t > max) throw new UsageError(`${flag} ${t} is larger than ${strategy} allows on ${dev.geometry.name} (${max} bytes)`);
    if (t < HEADER_SIZE + TLV_SIZE + 1) throw new UsageError(`${flag} ${t} is too small for an image (at least ${HEADER_SIZE + TLV_SIZE + 1} bytes)`);
  }
  const make = (t: number, seed: number, version: string) => signImage(payload(t - HEADER_SIZE - TLV_SIZE, seed), { headerSize: HEADER_SIZE, padHeader: true, version });
  const [v1, v2] = await Promise.all([make(totals[0], 1, '1.0.0'), make(totals[1], 2, '2.0.0')]);
  const secondary = dev.geometry.areas.find((a) => a.id === SECONDARY)!;
  return { v1, v2, secondaryOffset: strategy.startsWith('swap-offset') ? secondary.sectorSizes[0] : 0 };
}

/**
 * Puts v1 in the primary (with the trailer imgtool's --pad or --pad --confirm gives it, when
 * asked) and v2 in the secondary, and requests the upgrade (boot_set_pending).
 */
export function stage(dev: Device, images: UpdateImages, upgrade: Upgrade, geometry: Geometry, v1Trailer?: V1Trailer): void {
  for (const d of geometry.devices) dev.core.flash.fill(d.erasedValue, d.base, d.base + d.size);
  dev.core.place(PRIMARY, 0, images.v1);
  if (v1Trailer) padTrailer(dev, PRIMARY, v1Trailer === 'pad-confirm');
  dev.core.place(SECONDARY, images.secondaryOffset, images.v2);
  const rc = dev.setPending(upgrade === 'perm');
  if (isPowerCut(rc) || rc !== 0) throw new Error(`boot_set_pending failed while staging (${String(rc)})`);
}

/**
 * What imgtool --pad writes at the end of a slot (reference/mcuboot.md §3.2, §3.5): the
 * build's magic in its last 16 bytes, and with --confirm image_ok = 0x01.
 */
function padTrailer(dev: Device, area: number, confirm: boolean): void {
  const a = dev.options.maxAlign;
  const size = dev.geometry.areas.find((x) => x.id === area)!.size;
  const magic = a === 8
    ? [0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80]
    : [a & 0xff, a >> 8, 0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a];
  dev.core.place(area, size - 16, Uint8Array.from(magic));
  if (confirm) dev.core.place(area, (size - 16 - a) & ~(a - 1), Uint8Array.of(1));
}

export type Which = 'v1' | 'v2';

/** Which installed image the primary slot holds, byte for byte, or null. */
export function primaryImage(dev: Device, images: UpdateImages): Which | null {
  const primary = dev.core.peekArea(PRIMARY);
  if (bytesEqual(primary.subarray(0, images.v2.length), images.v2)) return 'v2';
  if (bytesEqual(primary.subarray(0, images.v1.length), images.v1)) return 'v1';
  return null;
}

const NodeBuffer = (globalThis as { Buffer?: { compare(a: Uint8Array, b: Uint8Array): number } }).Buffer;

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (NodeBuffer) return NodeBuffer.compare(a, b) === 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One call of the device's life: a power-on, the application confirming, or it erasing the secondary. */
export interface Call {
  kind: CallKind;
  ops: RecordedOp[];
  boot?: BootResult;
  /** Which image the primary held after a boot. */
  image?: Which | null;
}

export type CallKind = 'boot' | 'confirm' | 'erase';

export interface RecordedOp extends LogEntry {
  /** Written bytes (writes only). */
  bytes?: Uint8Array;
}

export interface Life {
  calls: Call[];
  /** How it ended; absent when it did not converge or a boot failed. */
  end?: EndState;
  failure?: { rule: Rule; detail: string };
}

export interface EndState {
  image: Which;
  version: string;
  /** The primary trailer's image_ok once everything settled. */
  imageOk: 'set' | 'unset' | 'bad';
}

/**
 * The oracle's rules (DESIGN.md, "What every scenario must show"):
 * bricked — a power-on found no image to boot (or MCUboot panicked);
 * wrong-image — the booted image is byte-identical to neither installed image;
 * rejected-image-booted — an image the update must never run did run;
 * no-convergence — the device kept changing flash boot after boot;
 * wrong-end-state — it settled, but not where the uninterrupted update ends;
 * crash — the simulated bootloader broke a flash rule or trapped;
 * stuck-revert — a power-on found the secondary slot without an image (its header magic
 *   erased, MCUboot's boot_check_header_erased) and left a REVERT request (primary magic
 *   GOOD, copy_done SET, image_ok UNSET) behind it, with nothing to revert to: application
 *   tools then refuse new uploads (MCUboot #2199).
 */
export type Rule = 'bricked' | 'wrong-image' | 'rejected-image-booted' | 'no-convergence' | 'wrong-end-state' | 'crash' | 'stuck-revert';

const MAX_BOOTS = 8;

/**
 * Powers the device on until it settles: a boot that changes nothing and an application
 * with nothing to do. After each boot the application runs: with a `test` upgrade the new
 * image confirms itself (boot_set_confirmed); with `revert` it never does; with `perm` it
 * has nothing to do; with `erase-secondary` the new image, still unconfirmed, erases the
 * secondary slot if anything is in it (to download another image) and the device resets.
 * With `record`, every call's flash operations are kept (with data). `after` names the
 * power-ons in failure details ("after the cut").
 */
export function live(dev: Device, images: UpdateImages, upgrade: Upgrade, record: boolean, after = 'after the cut'): Life {
  const calls: Call[] = [];
  for (let i = 0; i < MAX_BOOTS; i++) {
    const emptyBefore = secondaryHeaderErased(dev, images);
    let r: BootResult;
    try {
      const b = dev.boot();
      if (isPowerCut(b)) throw new Error('unexpected power cut');
      r = b;
    } catch (e) {
      // The power-on that broke a flash rule is kept, with the operations it made before.
      calls.push({ kind: 'boot', ops: record ? recorded(dev) : [] });
      return { calls, failure: { rule: 'crash', detail: `power-on ${i + 1} ${after}: ${(e as Error).message}` } };
    }
    const image = r.outcome === 'ok' ? primaryImage(dev, images) : null;
    calls.push({ kind: 'boot', ops: record ? recorded(dev) : [], boot: r, image });
    if (r.outcome !== 'ok') {
      return { calls, failure: { rule: 'bricked', detail: `power-on ${i + 1} ${after}: ${r.outcome === 'panic' ? 'MCUboot panicked' : 'no bootable image'} (requested ${r.requested})` } };
    }
    if (!image) return { calls, failure: { rule: 'wrong-image', detail: `power-on ${i + 1} ${after} booted v${versionString(r.version)} whose bytes match neither installed image` } };
    if (emptyBefore && secondaryHeaderErased(dev, images) && revertRequested(dev)) {
      return { calls, failure: { rule: 'stuck-revert', detail: `power-on ${i + 1} ${after} found no image in the secondary slot and left the primary trailer requesting a revert (magic good, copy_done set, image_ok unset)` } };
    }
    let appOps = 0;
    if (upgrade === 'test' && image === 'v2' && primaryImageOk(dev) === 'unset') {
      const c = dev.setConfirmed();
      if (isPowerCut(c)) throw new Error('unexpected power cut');
      appOps = dev.core.counters().writeOps + dev.core.counters().eraseOps;
      calls.push({ kind: 'confirm', ops: record ? recorded(dev) : [] });
    } else if (upgrade === 'erase-secondary' && image === 'v2' && primaryImageOk(dev) === 'unset' && !areaErased(dev, SECONDARY)) {
      const c = dev.eraseArea(SECONDARY);
      if (isPowerCut(c)) throw new Error('unexpected power cut');
      appOps = dev.core.counters().writeOps + dev.core.counters().eraseOps;
      calls.push({ kind: 'erase', ops: record ? recorded(dev) : [] });
    }
    if (r.ops.erase + r.ops.write === 0 && appOps === 0) {
      return { calls, end: { image, version: versionString(r.version), imageOk: primaryImageOk(dev) } };
    }
  }
  const last = calls.filter((c) => c.kind === 'boot').pop()?.boot;
  return { calls, failure: { rule: 'no-convergence', detail: `still changing flash after ${MAX_BOOTS} power-ons (the last booted v${versionString(last?.version)})` } };
}

/** The flash operations of the device's last call, with the bytes each write programmed. */
export function recorded(dev: Device): RecordedOp[] {
  const core = dev.core;
  if (core.logOverflowed) throw new Error('op log overflowed while recording the update; raise logDataBytes');
  const u8 = core.peek();
  return core.log().map((e) => (e.data !== undefined ? { ...e, bytes: u8.slice(core.logDataPtr + e.data, core.logDataPtr + e.data + e.length) } : e));
}

function erasedValue(dev: Device, area: number): number {
  return dev.geometry.devices.find((d) => d.id === dev.geometry.areas.find((x) => x.id === area)!.device)!.erasedValue;
}

/**
 * No image in the secondary slot, as MCUboot decides it (boot_check_header_erased: the
 * header's magic word erased), wherever the strategy may look for it: offset 0, and for
 * swap-offset also one sector in.
 */
export function secondaryHeaderErased(dev: Device, images: UpdateImages): boolean {
  const bytes = dev.core.peekArea(SECONDARY);
  const e = erasedValue(dev, SECONDARY);
  for (const off of images.secondaryOffset ? [0, images.secondaryOffset] : [0]) {
    for (let i = 0; i < 4; i++) if (bytes[off + i] !== e) return false;
  }
  return true;
}

/** The primary trailer asks for a revert (§4.1 row 3: magic GOOD, image_ok UNSET, copy_done SET). */
export function revertRequested(dev: Device): boolean {
  const t = decodeTrailerState(dev, PRIMARY);
  return t.magic === 'good' && t.imageOk === 'unset' && t.copyDone === 'set';
}

function areaErased(dev: Device, area: number): boolean {
  const bytes = dev.core.peekArea(area);
  const e = erasedValue(dev, area);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== e) return false;
  return true;
}

/** image_ok of the primary trailer, read at the build's BOOT_MAX_ALIGN offsets. */
export function primaryImageOk(dev: Device): 'set' | 'unset' | 'bad' {
  return decodeTrailerState(dev, PRIMARY).imageOk;
}

/**
 * The two images a campaign installs: v1 (1.0.0), running when the update starts, and v2
 * (2.0.0), the update — hash-only, as imgtool signs them, with payloads that differ in every
 * sector.
 */
import { UsageError } from '../errors.js';
import type { Device } from '../device/device.js';
import { updateOffset } from '../device/staging.js';
import { PRIMARY, SECONDARY } from '../device/geometry.js';
import { signImage } from '../image/sign.js';

const HEADER_SIZE = 0x20;
/** TLV info (4) + SHA256 TLV (4 + 32): what a hash-only imgtool image carries. */
const TLV_SIZE = 40;

export interface UpdateImages {
  /** The running image, placed at the start of the primary slot. */
  v1: Uint8Array;
  /** The update, placed in the secondary slot at `secondaryOffset`. */
  v2: Uint8Array;
  /** Where the strategy wants the update in the secondary slot (src/device/staging.ts). */
  secondaryOffset: number;
}

export type Which = 'v1' | 'v2';

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
 * Builds v1 and v2, each `size` bytes in total (v1 `v1Size` when given), or the largest the
 * device's strategy allows in both slots (as MCUboot's simulator does) when size is 'max'.
 */
export async function buildImages(dev: Device, size: number | 'max', v1Size?: number): Promise<UpdateImages> {
  const strategy = dev.options.strategy;
  const max = Math.min(dev.maxImageSize(0), dev.maxImageSize(1));
  const total = size === 'max' ? max : size;
  const totals = [v1Size ?? total, total];
  for (const [flag, t] of [['--image-size', totals[1]], ['--v1-size', totals[0]]] as const) {
    if (t > max) throw new UsageError(`${flag} ${t} is larger than ${strategy} allows on ${dev.geometry.name} (${max} bytes)`);
    if (t < HEADER_SIZE + TLV_SIZE + 1) throw new UsageError(`${flag} ${t} is too small for an image (at least ${HEADER_SIZE + TLV_SIZE + 1} bytes)`);
  }
  const make = (t: number, seed: number, version: string) => signImage(payload(t - HEADER_SIZE - TLV_SIZE, seed), { headerSize: HEADER_SIZE, padHeader: true, version });
  const [v1, v2] = await Promise.all([make(totals[0], 1, '1.0.0'), make(totals[1], 2, '2.0.0')]);
  return { v1, v2, secondaryOffset: updateOffset(dev.core.area(SECONDARY), strategy) };
}

const NodeBuffer = (globalThis as { Buffer?: { compare(a: Uint8Array, b: Uint8Array): number } }).Buffer;

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (NodeBuffer) return NodeBuffer.compare(a, b) === 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Which installed image the primary slot holds, byte for byte, or null. */
export function primaryImage(dev: Device, images: UpdateImages): Which | null {
  const primary = dev.core.peekArea(PRIMARY);
  if (bytesEqual(primary.subarray(0, images.v2.length), images.v2)) return 'v2';
  if (bytesEqual(primary.subarray(0, images.v1.length), images.v1)) return 'v1';
  return null;
}

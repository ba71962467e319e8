/**
 * The two images a campaign installs: v1 (1.0.0), running when the update starts, and v2
 * (2.0.0), the update — hash-only, as imgtool signs them, with payloads that differ in every
 * sector.
 */
import { UsageError } from '../errors.js';
import type { BootResult, Device } from '../device/device.js';
import { STRATEGY_INFO } from '../image/strategy.js';
import { parseImage } from '../image/parse.js';
import { prng } from '../util/prng.js';
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
  /** An encrypted update as the primary holds it once installed: its body in the clear. */
  v2Plain?: Uint8Array;
  /** Multi-image builds: the other images' pairs (image 1 first), updated with image 0. */
  others?: Array<{ v1: Uint8Array; v2: Uint8Array }>;
  /** With hardware rollback protection: the NV counters at the start (the running images' SEC_CNT). */
  nvStart?: number[];
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
export async function buildImages(dev: Device, size: number | 'max', v1Size?: number, seed = 1): Promise<UpdateImages> {
  const strategy = dev.options.strategy;
  const o = dev.options;
  const max = Math.min(dev.maxImageSize(0), dev.maxImageSize(1));
  const total = size === 'max' ? max : size;
  const totals = [v1Size ?? total, total];
  for (const [flag, t] of [['--image-size', totals[1]], ['--v1-size', totals[0]]] as const) {
    if (t > max) throw new UsageError(`${flag} ${t} is larger than ${strategy} allows on ${dev.geometry.name} (${max} bytes)`);
    if (t < HEADER_SIZE + TLV_SIZE + 1) throw new UsageError(`${flag} ${t} is too small for an image (at least ${HEADER_SIZE + TLV_SIZE + 1} bytes)`);
  }
  const info = STRATEGY_INFO[strategy];
  // What the build modes add to each image — SEC_CNT (8 bytes) and DEPENDENCY TLVs (16 each)
  // in a protected block (4-byte header), an ENC TLV — comes out of the payload, so that the
  // totals stay as asked.
  const protectedSize = (version: string) => {
    const entries = (o.hwRollback ? 8 : 0) + (version === '2.0.0' ? 16 * (o.images - 1) : 0);
    return entries ? entries + 4 : 0;
  };
  // The encryption code (and the curve libraries it brings) loads only for an encrypted build.
  const enc = o.encKey ? await import('../image/encryption.js') : undefined;
  const encTo = o.encKey ? enc!.encryptionPublicKeyOf(o.encKey) : undefined;
  const encExtra = encTo ? 4 + (encTo.type === 'ecies-p256' ? 65 : 32) + 32 + o.encKeySize : 0;
  const random = prng(seed * 7919 + 17);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
  const make = (t: number, pseed: number, version: string, slot: 'primary' | 'secondary', image: number, encrypt: boolean) => {
    const extra = protectedSize(version) + (encrypt ? encExtra : 0);
    const area = dev.core.area(image === 0 ? (slot === 'primary' ? PRIMARY : SECONDARY) : (slot === 'primary' ? PRIMARY : SECONDARY) + 2 * image + 1);
    return signImage(payload(t - HEADER_SIZE - TLV_SIZE - extra, pseed), {
      headerSize: HEADER_SIZE,
      padHeader: true,
      version,
      ...(o.hwRollback ? { securityCounter: version === '1.0.0' ? 1 : 2 } : {}),
      // Each update needs the other images' updates (MCUboot's dep-mutual): the dependency check runs on every boot.
      ...(o.images > 1 && version === '2.0.0' ? { dependencies: Array.from({ length: o.images }, (_, i) => i).filter((i) => i !== image).map((i) => ({ imageId: i, version: { major: 2, minor: 0, revision: 0, build: 0 } })) } : {}),
      // Direct-xip runs each image where it is linked; ram-load copies it to the RAM window.
      ...(info.flow === 'select' && !info.loadsToRam ? { romFixed: area.start - dev.geometry.devices.find((d) => d.id === area.device)!.base } : {}),
      ...(info.loadsToRam ? { loadAddr: o.ram.start } : {}),
      ...(encrypt && encTo ? { encryptTo: encTo, encryptKeyLen: o.encKeySize, random: bytes } : {}),
    });
  };
  const encrypted = !!encTo;
  const [v1, v2] = [await make(totals[0], 1, '1.0.0', 'primary', 0, false), await make(totals[1], 2, '2.0.0', 'secondary', 0, encrypted)];
  const others: Array<{ v1: Uint8Array; v2: Uint8Array }> = [];
  for (let i = 1; i < o.images; i++) others.push({ v1: await make(totals[0], 1 + 2 * i + 10, '1.0.0', 'primary', i, false), v2: await make(totals[1], 2 + 2 * i + 10, '2.0.0', 'secondary', i, false) });
  let v2Plain: Uint8Array | undefined;
  if (encrypted) {
    const parsed = parseImage(v2);
    v2Plain = v2.slice();
    const key = enc!.unwrapKey(parsed.tlvs.entries.find((e) => e.type === enc!.encTlvType(encTo))!.value, o.encKey!, o.encKeySize);
    enc!.aesCtrXor(key!, 0, v2Plain.subarray(parsed.header.hdrSize, parsed.header.hdrSize + parsed.header.imgSize));
  }
  return {
    v1,
    v2,
    secondaryOffset: updateOffset(dev.core.area(SECONDARY), strategy),
    ...(v2Plain ? { v2Plain } : {}),
    ...(others.length ? { others } : {}),
    ...(o.hwRollback ? { nvStart: Array.from({ length: o.images }, () => 1) } : {}),
  };
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
  if (bytesEqual(primary.subarray(0, images.v2.length), images.v2Plain ?? images.v2)) return 'v2';
  if (bytesEqual(primary.subarray(0, images.v1.length), images.v1)) return 'v1';
  return null;
}

/**
 * Which installed image a boot runs: for swap builds what the primary holds (every image's
 * primary, in a multi-image build, and all must be of the same release — else null); for
 * direct-xip and ram-load what the slot it chose holds.
 */
export function runningImage(dev: Device, images: UpdateImages, r: BootResult): Which | null {
  if (r.activeSlot !== undefined) {
    const slot = dev.core.peekArea(r.slot);
    if (bytesEqual(slot.subarray(0, images.v2.length), images.v2)) return 'v2';
    if (bytesEqual(slot.subarray(0, images.v1.length), images.v1)) return 'v1';
    return null;
  }
  const first = primaryImage(dev, images);
  for (const [i, pair] of (images.others ?? []).entries()) {
    const primary = dev.core.peekArea(PRIMARY + 2 * (i + 1) + 1);
    const which = bytesEqual(primary.subarray(0, pair.v2.length), pair.v2) ? 'v2' : bytesEqual(primary.subarray(0, pair.v1.length), pair.v1) ? 'v1' : null;
    if (which !== first) return null;
  }
  return first;
}

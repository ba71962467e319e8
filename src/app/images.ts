/**
 * Firmware images for simulated lives: a seeded body, a version, and the behaviour and
 * board TLVs (src/app/firmware.ts), signed like any other image.
 */
import { UsageError } from '../errors.js';
import { signImage } from '../image/sign.js';
import { formatVersion, parseVersion, type ImageVersion } from '../image/header.js';
import type { PrivateKey } from '../image/keys.js';
import { firmwareTlvs, type Behaviour } from './firmware.js';

export interface FirmwareSpec {
  version: string | ImageVersion;
  behaviour?: Behaviour;
  board?: string;
  /** Total image size (header, body, TLVs), or 'max': the largest the device's strategy takes. */
  size?: number | 'max';
  key?: PrivateKey;
  /** Seed of the body's bytes (default: from the version, so two versions differ everywhere). */
  seed?: number;
}

const HEADER_SIZE = 0x20;

/** A seeded byte stream (xorshift32). */
function body(length: number, seed: number): Uint8Array {
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

/** Builds and signs a firmware image; `maxSize` is the device's limit, used by 'max'. */
export async function buildFirmware(spec: FirmwareSpec, maxSize: number): Promise<Uint8Array> {
  const version = typeof spec.version === 'string' ? parseVersion(spec.version) : spec.version;
  const seed = spec.seed ?? (version.major * 65_537 + version.minor * 257 + version.revision * 17 + version.build + 1);
  const options = { headerSize: HEADER_SIZE, padHeader: true, version, key: spec.key, customTlvs: firmwareTlvs(spec) };
  const overhead = (await signImage(new Uint8Array(1), options)).length - 1;
  const total = spec.size === undefined || spec.size === 'max' ? maxSize : spec.size;
  if (!Number.isSafeInteger(total) || total < overhead + 1) {
    throw new UsageError(`firmware ${formatVersion(version)}: size ${total} is too small (at least ${overhead + 1} bytes with its header and TLVs)`);
  }
  return signImage(body(total - overhead, seed), options);
}

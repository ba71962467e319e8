/**
 * Replays recorded MCUboot runs (../shared/vectors) on brickproof's bootloader: builds the
 * device and the bootloader build a case names, runs its steps, and compares with what the
 * real C code did.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isPowerCut } from '../../src/core.js';
import { Device, versionString, type BootResult } from '../../src/device/device.js';
import { resolveGeometry, type GeometrySpec } from '../../src/device/geometry.js';
import type { Strategy } from '../../src/device/strategy.js';
import { parseKey, publicKeyOf, type PublicKey } from '../../src/image/keys.js';
import { vectorsRoot, type StepAction } from '../helpers/vectors.js';

const keyCache = new Map<string, PublicKey>();
export function vectorKey(name: string): PublicKey {
  let k = keyCache.get(name);
  if (!k) {
    k = publicKeyOf(parseKey(readFileSync(`${vectorsRoot}imgtool/keys/${name}.pub.pem`)));
    keyCache.set(name, k);
  }
  return k;
}

export function makeDevice(layout: GeometrySpec, strategy: Strategy, opts: { maxAlign?: number; keys?: string[] } = {}): Device {
  return new Device(resolveGeometry(layout), {
    strategy,
    maxAlign: (opts.maxAlign ?? 8) as 8 | 16 | 32,
    keys: (opts.keys ?? []).map(vectorKey),
  });
}

/** Runs one step; returns the boot result for boots, the rc for application calls. */
export function runStep(dev: Device, action: StepAction): BootResult | number {
  let r;
  if (action === 'boot') r = dev.boot();
  else if (action === 'confirm') r = dev.setConfirmed();
  else r = dev.setPending(action === 'pending1');
  if (isPowerCut(r)) throw new Error('unexpected power cut');
  return r;
}

export const sha256hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** First index where two byte arrays differ, or -1. */
export function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** The version a boot ran, as the vectors write it (`2.0.0+0`), or 'failed'. */
export function bootedVersion(r: BootResult): string {
  return r.outcome === 'ok' ? versionString(r.version) : 'failed';
}

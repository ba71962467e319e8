/**
 * The device's own checks of an image, with the bootloader's code: SHA-256 from the
 * WebAssembly core, and the signature through the same host functions (and verdict cache)
 * the bootloader calls mid-boot (src/device/host.ts) — a device that accepts an image its
 * bootloader would reject is a bug this simulator must be able to show, so both use one
 * implementation.
 */
import { sha256 } from '../core/index.js';
import type { SignatureHost } from '../device/host.js';
import { TlvType } from '../image/layout.js';
import type { TlvEntry } from '../image/tlv.js';

/**
 * SHA-256 with a memo for bytes the simulator already knows (the releases and the running
 * image): equal bytes have the equal digest, so a byte compare (about 20 µs for 200 KiB)
 * stands in for hashing them (about 600 µs). The core's known regions do the same for the
 * bootloader.
 */
/**
 * SHA-256 of an image's bytes, computed once per Uint8Array: release and image buffers are
 * never written after they are made, and a campaign hands the same ones to thousands of lives.
 */
const digests = new WeakMap<Uint8Array, Uint8Array>();

export function digestOf(bytes: Uint8Array): Uint8Array {
  let d = digests.get(bytes);
  if (!d) digests.set(bytes, (d = sha256(bytes)));
  return d;
}

export class KnownDigests {
  private readonly byLength = new Map<number, Array<{ bytes: Uint8Array; digest: Uint8Array }>>();

  add(bytes: Uint8Array, digest = digestOf(bytes)): Uint8Array {
    const list = this.byLength.get(bytes.length) ?? [];
    if (!list.some((e) => equalBytes(e.bytes, bytes))) list.push({ bytes, digest });
    this.byLength.set(bytes.length, list);
    return digest;
  }

  digest(bytes: Uint8Array): Uint8Array {
    for (const e of this.byLength.get(bytes.length) ?? []) if (equalBytes(e.bytes, bytes)) return e.digest;
    return sha256(bytes);
  }
}

const NodeBuffer = (globalThis as { Buffer?: { compare(a: Uint8Array, b: Uint8Array): number } }).Buffer;

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (NodeBuffer) return NodeBuffer.compare(a, b) === 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export type SignatureVerdict = 'ok' | 'unsigned' | 'untrusted-key' | 'bad-signature';

/**
 * The bootloader's signature rule over a digest: a KEYHASH naming one of its keys, then a
 * signature of its type that verifies. With no keys (a hash-only build) everything passes.
 */
export function checkSignature(host: SignatureHost, keyCount: number, tlvs: readonly TlvEntry[], digest: Uint8Array): SignatureVerdict {
  if (keyCount === 0) return 'ok';
  const keyHash = tlvs.find((t) => t.type === TlvType.KEYHASH);
  const sig = tlvs.find((t) => t.type === host.sigType);
  if (!keyHash || !sig) return 'unsigned';
  // The host reads its arguments from memory: lay them out in a scratch buffer.
  const mem = new Uint8Array(digest.length + keyHash.value.length + sig.value.length);
  mem.set(digest, 0);
  mem.set(keyHash.value, digest.length);
  mem.set(sig.value, digest.length + keyHash.value.length);
  const fns = host.imports(() => mem) as {
    hostFindKey(ptr: number, len: number): number;
    hostVerify(key: number, type: number, dp: number, dl: number, sp: number, sl: number): number;
  };
  const key = fns.hostFindKey(digest.length, keyHash.value.length);
  if (key < 0) return 'untrusted-key';
  return fns.hostVerify(key, host.sigType, 0, digest.length, digest.length + keyHash.value.length, sig.value.length) ? 'ok' : 'bad-signature';
}

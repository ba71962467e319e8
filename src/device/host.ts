/**
 * The bootloader's signature check, on the host side of the core (DESIGN.md, "The
 * boundary"): the core hands over the digest, the signature TLV and the key index it
 * selected by KEYHASH. A verdict for the same (digest, signature, key) is a pure function,
 * so it is cached for the life of the process — a campaign re-validates the same image
 * thousands of times and pays for one signature check.
 *
 * Runs synchronously, because the core calls it in the middle of a boot: ECDSA P-256 and
 * Ed25519 with @noble/curves, RSA-PSS with BigInt arithmetic over the digest (WebCrypto's
 * PSS is asynchronous and wants the message, not its digest).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { UsageError } from '../errors.js';
import { sha256 } from '../core/index.js';
import { children, ecdsaDerToCompact, readDer, unsignedInteger } from '../image/der.js';
import type { PublicKey } from '../image/keys.js';
import { signatureTlvType } from '../image/signature.js';

const verdicts = new Map<string, boolean>();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex = (b: Uint8Array) => {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
};

export interface SignatureHost {
  /** TLV type of the signature the build checks, 0 for a hash-only build. */
  sigType: number;
  imports(memory: () => Uint8Array): Record<string, unknown>;
  /** Signature checks actually computed (cache misses). */
  readonly computed: number;
}

function verifyNow(key: PublicKey, digest: Uint8Array, sig: Uint8Array): boolean {
  switch (key.type) {
    case 'ecdsa-p256': {
      let compact: Uint8Array;
      try {
        compact = ecdsaDerToCompact(sig, 32);
      } catch {
        return false;
      }
      return p256.verify(compact, digest, key.raw, { prehash: false, format: 'compact', lowS: false });
    }
    case 'ed25519':
      return ed25519.verify(sig, digest, key.raw);
    case 'rsa-2048':
    case 'rsa-3072':
      return rsaPssVerifyDigest(key.raw, digest, sig);
  }
}

/** RSASSA-PSS verification (RFC 8017 §8.1.2, §9.1.2) of a SHA-256 digest, MGF1-SHA256, 32-byte salt. */
function rsaPssVerifyDigest(pkcs1: Uint8Array, mHash: Uint8Array, sig: Uint8Array): boolean {
  const [nNode, eNode] = children(readDer(pkcs1));
  const n = toBig(unsignedInteger(nNode));
  const e = toBig(unsignedInteger(eNode));
  const modBits = n.toString(2).length;
  const k = Math.ceil(modBits / 8);
  if (sig.length !== k) return false;
  const s = toBig(sig);
  if (s >= n) return false;
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const em = fromBig(modPow(s, e, n), emLen);
  if (!em || em[emLen - 1] !== 0xbc) return false;
  const hLen = 32;
  const sLen = 32;
  if (emLen < hLen + sLen + 2) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topBits = 8 * emLen - emBits;
  if (maskedDb[0] >> (8 - topBits)) return false;
  const db = mgf1(h, maskedDb.length).map((m, i) => m ^ maskedDb[i]);
  db[0] &= 0xff >> topBits;
  const ps = emLen - hLen - sLen - 2;
  for (let i = 0; i < ps; i++) if (db[i] !== 0) return false;
  if (db[ps] !== 1) return false;
  const mPrime = new Uint8Array(8 + hLen + sLen);
  mPrime.set(mHash, 8);
  mPrime.set(db.subarray(db.length - sLen), 8 + hLen);
  const h2 = sha256(mPrime);
  return h2.every((b, i) => b === h[i]);
}

function mgf1(seed: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let counter = 0, off = 0; off < len; counter++, off += 32) {
    const block = new Uint8Array(seed.length + 4);
    block.set(seed);
    new DataView(block.buffer).setUint32(seed.length, counter);
    const d = sha256(block);
    out.set(d.subarray(0, Math.min(32, len - off)), off);
  }
  return out;
}

const toBig = (b: Uint8Array) => (b.length ? BigInt('0x' + hex(b)) : 0n);

function fromBig(x: bigint, len: number): Uint8Array | undefined {
  const h = x.toString(16).padStart(len * 2, '0');
  if (h.length > len * 2) return undefined;
  return Uint8Array.from({ length: len }, (_, i) => parseInt(h.slice(2 * i, 2 * i + 2), 16));
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

export function signatureHost(keys: PublicKey[]): SignatureHost {
  const types = new Set(keys.map((k) => k.type));
  if (types.size > 1) throw new UsageError(`bootloader keys must all be of one type (MCUboot checks one signature scheme), got ${[...types].join(', ')}`);
  const sigType = keys.length ? signatureTlvType(keys[0].type) : 0;
  const hashes = keys.map((k) => sha256(k.keyBytes));
  const ids = hashes.map(hex);
  let computed = 0;
  return {
    sigType,
    get computed() {
      return computed;
    },
    imports(memory) {
      return {
        hostFindKey(ptr: number, len: number): number {
          const want = memory().subarray(ptr, ptr + len);
          // bootutil_find_key compares only the TLV's length worth of bytes.
          return hashes.findIndex((h) => len <= h.length && want.every((b, i) => b === h[i]));
        },
        hostVerify(keyIndex: number, type: number, digestPtr: number, digestLen: number, sigPtr: number, sigLen: number): number {
          const key = keys[keyIndex];
          if (!key || type !== sigType) return 0;
          const mem = memory();
          const digest = mem.slice(digestPtr, digestPtr + digestLen);
          const sig = mem.slice(sigPtr, sigPtr + sigLen);
          const id = `${ids[keyIndex]}:${hex(digest)}:${hex(sig)}`;
          let ok = verdicts.get(id);
          if (ok === undefined) {
            computed++;
            ok = verifyNow(key, digest, sig);
            verdicts.set(id, ok);
          }
          return ok ? 1 : 0;
        },
      };
    },
  };
}

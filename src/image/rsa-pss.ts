/**
 * RSASSA-PSS verification (RFC 8017 §8.1.2, EMSA-PSS-VERIFY §9.1.2) of a SHA-256 digest with
 * MGF1-SHA256 and a 32-byte salt — what MCUboot's `bootutil_verify_sig` checks for RSA2048_PSS
 * and RSA3072_PSS (reference mcuboot.md §2.4). Synchronous BigInt arithmetic over the digest,
 * because the simulated bootloader asks mid-boot (WebCrypto is asynchronous and wants the
 * message, not its digest).
 */
import { sha256 } from '../core/index.js';
import { children, readDer, unsignedInteger } from './der.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const toBig = (b: Uint8Array): bigint => {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s ? BigInt('0x' + s) : 0n;
};

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

/** Whether `sig` is a PSS signature of the SHA-256 digest `mHash` under the PKCS#1 RSAPublicKey `pkcs1`. */
export function rsaPssVerifyDigest(pkcs1: Uint8Array, mHash: Uint8Array, sig: Uint8Array): boolean {
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

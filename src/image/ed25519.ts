/**
 * Ed25519 verification with the acceptance rules of MCUboot's own verifier, so that
 * `brickproof verify` and the simulated bootloader accept exactly the signatures a device
 * would. MCUboot verifies Ed25519 with `ED25519_verify` of ext/fiat/src/curve25519.c
 * (BoringSSL's, built on fiat-crypto; bootutil/src/image_ed25519.c calls it), whose rules
 * are, in order:
 *
 * 1. s must be below the group order L (RFC 8032 §5.1.7's malleability bound; the byte
 *    test `signature[63] & 0xe0` it makes first is implied by it).
 * 2. The public key A must decode to a curve point; its y is taken modulo p (a y ≥ p is
 *    accepted, not refused), x = 0 with the sign bit set decodes as x = 0, and a key of
 *    small order is accepted.
 * 3. k = SHA-512(R ‖ A ‖ M) over the bytes as given, reduced modulo L.
 * 4. The check is cofactorless and on bytes: the encoding of [s]B − [k]A must equal the
 *    signature's R byte for byte — so an R that is a non-canonical encoding, or that carries
 *    a small-order component, never verifies.
 *
 * RFC 8032's strict decoding (noble's `zip215: false`) refuses non-canonical and small-order
 * keys, and noble's equation is cofactored (it accepts the small-order R that rule 4
 * refuses): neither matches the device, hence this file (built on noble's point arithmetic).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';

const Point = ed25519.Point;
/** The prime-order subgroup's order L = 2^252 + 27742317777372353535851937790883648493. */
const L = Point.Fn.ORDER;
/** The field prime p = 2^255 − 19. */
const P = Point.Fp.ORDER;

const le = (b: Uint8Array): bigint => {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
  return n;
};

const toLe32 = (n: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
};

/** Rule 2: y reduced modulo p, the sign bit kept. */
function decodeKey(publicKey: Uint8Array): InstanceType<typeof Point> | undefined {
  const sign = publicKey[31] & 0x80;
  const y = le(publicKey.subarray(0, 32)) & ((1n << 255n) - 1n);
  const canonical = toLe32(y % P);
  canonical[31] |= sign;
  try {
    // zip215 decoding: accepts x = 0 with the sign bit set (as the device does).
    return Point.fromBytes(canonical, true);
  } catch {
    return undefined;
  }
}

/** Whether `signature` over `message` verifies under `publicKey` as MCUboot's verifier decides. */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  const s = le(signature.subarray(32, 64));
  if (s >= L) return false;
  const A = decodeKey(publicKey);
  if (!A) return false;
  const r = signature.subarray(0, 32);
  const h = new Uint8Array(64 + message.length);
  h.set(r, 0);
  h.set(publicKey, 32);
  h.set(message, 64);
  const k = le(sha512(h)) % L;
  const check = Point.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(k)).toBytes();
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= check[i] ^ r[i];
  return diff === 0;
}

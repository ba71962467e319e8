/**
 * Decrypting imgtool's encrypted images (reference mcuboot.md §2.6): the body is AES-CTR
 * (128 or 256, all-zero initial counter block) under a random image key, which the ENC TLV
 * carries wrapped with ECIES — ECDH (P-256, SEC 1 §3.3.1) or X25519 (RFC 7748) with an
 * ephemeral key, HKDF-SHA256 (RFC 5869, no salt, info "MCUBoot_ECIES_v1") into an AES key
 * that CTR-encrypts the image key and an HMAC-SHA256 key that authenticates it.
 * Decryption for `verify` and the bootloader (synchronous, so the core can call it), and the
 * wrapping `sign -E` does.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { ctr } from '@noble/ciphers/aes.js';
import { UsageError } from '../errors.js';
import { DerError, Tag, children, expectDer, oidToString } from './der.js';
import { decodePem, parseKey } from './keys.js';
import { ImageFlag, TlvType, hex } from './layout.js';
import type { ParsedImage } from './parse.js';
import { registerDecryption } from './encryption-hooks.js';

export interface EncryptionKey {
  type: 'ecies-p256' | 'ecies-x25519';
  secret: Uint8Array;
}

const OID_X25519 = '1.3.101.110';

/** A private encryption key: PKCS#8 PEM/DER of a P-256 or X25519 key (imgtool `-E` pairs). */
export function parseEncryptionKey(data: Uint8Array | string, what = 'encryption key'): EncryptionKey {
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
  const der = text.includes('-----BEGIN PRIVATE KEY-----') ? decodePem(text)[0]!.der : typeof data === 'string' ? undefined : data;
  if (der) {
    try {
      const [, alg, key] = children(expectDer(der, 0, Tag.SEQUENCE, 'PrivateKeyInfo'));
      if (alg && key && oidToString(children(alg)[0]!.value) === OID_X25519) {
        const secret = expectDer(key.value, 0, Tag.OCTET_STRING, 'X25519 private key').value;
        if (secret.length === 32) return { type: 'ecies-x25519', secret: secret.slice() };
      }
    } catch (e) {
      if (!(e instanceof DerError)) throw e;
    }
  }
  const key = parseKey(data, what);
  if (key.kind !== 'private' || key.type !== 'ecdsa-p256') throw new UsageError(`${what}: expected a P-256 or X25519 private key`);
  return { type: 'ecies-p256', secret: key.secret };
}

/**
 * XORs `data` in place with the AES-CTR keystream of `key` (all-zero initial counter block,
 * §2.6) starting at byte `streamOffset` of the stream: the bootloader decrypts and encrypts
 * images piecewise, at each piece's offset in the image body.
 */
export function aesCtrXor(key: Uint8Array, streamOffset: number, data: Uint8Array): void {
  const block = Math.floor(streamOffset / 16);
  const skip = streamOffset % 16;
  const counter = new Uint8Array(16);
  // The counter block is one 128-bit big-endian number; images stay far below 2^53 blocks.
  let b = block;
  for (let i = 15; i >= 0 && b > 0; i--) {
    counter[i] = b % 256;
    b = Math.floor(b / 256);
  }
  const input = new Uint8Array(skip + data.length);
  input.set(data, skip);
  const out = ctr(key, counter).encrypt(input);
  data.set(out.subarray(skip));
}

const INFO = new TextEncoder().encode('MCUBoot_ECIES_v1');
const TLV_OF = { 'ecies-p256': TlvType.ENC_EC256, 'ecies-x25519': TlvType.ENC_X25519 } as const;
const PUB_LEN = { 'ecies-p256': 65, 'ecies-x25519': 32 } as const;

/** The ENC_* TLV type a key wraps image keys into: ENC_EC256 or ENC_X25519. */
export function encTlvType(key: { type: EncryptionKey['type'] }): number {
  return TLV_OF[key.type];
}

/** The shared secret of an ECIES exchange: ECDH x-coordinate (P-256) or X25519. */
function sharedSecret(type: EncryptionKey['type'], secret: Uint8Array, pub: Uint8Array): Uint8Array {
  return type === 'ecies-p256' ? p256.getSharedSecret(secret, pub, true).subarray(1) : x25519.getSharedSecret(secret, pub);
}

/**
 * The image key an ENC TLV's value wraps, checked against its HMAC tag; undefined when the
 * value is not `keyLen` bytes of key for this key type or the tag does not match (another key).
 */
export function unwrapKey(value: Uint8Array, key: EncryptionKey, keyLen: 16 | 32): Uint8Array | undefined {
  const pubLen = PUB_LEN[key.type];
  if (value.length !== pubLen + 32 + keyLen) return undefined;
  let shared: Uint8Array;
  try {
    shared = sharedSecret(key.type, key.secret, value.subarray(0, pubLen));
  } catch {
    return undefined;
  }
  const derived = hkdf(nobleSha256, shared, undefined, INFO, keyLen + 32);
  const wrapped = value.slice(pubLen + 32);
  if (hex(hmac(nobleSha256, derived.subarray(keyLen), wrapped)) !== hex(value.subarray(pubLen, pubLen + 32))) return undefined;
  aesCtrXor(derived.subarray(0, keyLen), 0, wrapped);
  return wrapped;
}

/** The image key from the ENC TLV, checked against its HMAC tag. */
export async function unwrapImageKey(image: ParsedImage, key: EncryptionKey): Promise<Uint8Array> {
  const keyLen = image.header.flags & ImageFlag.ENCRYPTED_AES256 ? 32 : 16;
  const tlvType = encTlvType(key);
  const tlv = image.tlvs.entries.find((e) => e.type === tlvType);
  const pubLen = PUB_LEN[key.type];
  if (!tlv || tlv.value.length !== pubLen + 32 + keyLen) {
    throw new UsageError(`image has no ${key.type === 'ecies-p256' ? 'ENC_EC256' : 'ENC_X25519'} TLV of ${pubLen + 32 + keyLen} bytes for this key`);
  }
  const imageKey = unwrapKey(tlv.value, key, keyLen);
  if (!imageKey) throw new UsageError('the ENC TLV was not made for this encryption key (HMAC mismatch)');
  return imageKey;
}

/** A copy of the image with its body decrypted (header and TLVs are never encrypted). */
export async function decryptImage(image: ParsedImage, key: EncryptionKey): Promise<Uint8Array> {
  const imageKey = await unwrapImageKey(image, key);
  const { hdrSize, imgSize } = image.header;
  const out = image.bytes.slice();
  aesCtrXor(imageKey, 0, out.subarray(hdrSize, hdrSize + imgSize));
  return out;
}

/** A public encryption key, as imgtool's `-E` takes it (PEM SubjectPublicKeyInfo of P-256 or X25519). */
export interface EncryptionPublicKey {
  type: EncryptionKey['type'];
  /** Uncompressed P-256 point, or the 32-byte X25519 key. */
  point: Uint8Array;
}

/**
 * ECIES-wraps a fresh image key for `to` (imgtool's `-E`): an ephemeral key pair, ECDH,
 * HKDF-SHA256 into an AES key and an HMAC key; the TLV value is ephemeral public key ‖ HMAC
 * tag ‖ the image key CTR-encrypted. `random` gives the ephemeral secret and the image key.
 */
export function wrapKey(to: EncryptionPublicKey, imageKey: Uint8Array, ephemeralSecret: Uint8Array): Uint8Array {
  const keyLen = imageKey.length;
  const ephemeralPub = to.type === 'ecies-p256' ? p256.getPublicKey(ephemeralSecret, false) : x25519.getPublicKey(ephemeralSecret);
  const shared = sharedSecret(to.type, ephemeralSecret, to.point);
  const derived = hkdf(nobleSha256, shared, undefined, INFO, keyLen + 32);
  const wrapped = imageKey.slice();
  aesCtrXor(derived.subarray(0, keyLen), 0, wrapped);
  const tag = hmac(nobleSha256, derived.subarray(keyLen), wrapped);
  const out = new Uint8Array(ephemeralPub.length + 32 + keyLen);
  out.set(ephemeralPub, 0);
  out.set(tag, ephemeralPub.length);
  out.set(wrapped, ephemeralPub.length + 32);
  return out;
}

/** A fresh secret for an ephemeral key of `type`. */
export function ephemeralSecret(type: EncryptionKey['type']): Uint8Array {
  return type === 'ecies-p256' ? p256.utils.randomSecretKey() : x25519.utils.randomSecretKey();
}

/** An ephemeral secret drawn from `random` (deterministic tests): 32 bytes, valid for both curves. */
export function ephemeralFrom(type: EncryptionKey['type'], random: (n: number) => Uint8Array): Uint8Array {
  for (;;) {
    const candidate = random(32);
    if (type === 'ecies-x25519' || p256.utils.isValidSecretKey(candidate)) return candidate;
  }
}

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';

/**
 * A public encryption key (imgtool `-E`): PEM or DER SubjectPublicKeyInfo of a P-256 or X25519
 * key — or the private key, whose public half is taken.
 */
export function parseEncryptionPublicKey(data: Uint8Array | string, what = 'encryption key'): EncryptionPublicKey {
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
  if (text.includes('PRIVATE KEY')) {
    return encryptionPublicKeyOf(parseEncryptionKey(data, what));
  }
  const der = text.includes('-----BEGIN PUBLIC KEY-----') ? decodePem(text)[0]!.der : typeof data === 'string' ? undefined : data;
  if (!der) throw new UsageError(`${what}: not a PEM public key`);
  try {
    const [alg, bits] = children(expectDer(der, 0, Tag.SEQUENCE, 'SubjectPublicKeyInfo'));
    const oid = oidToString(children(alg!)[0]!.value);
    const key = bits!.value.subarray(1); // BIT STRING: unused-bits byte, then the key
    if (oid === OID_X25519 && key.length === 32) return { type: 'ecies-x25519', point: key.slice() };
    if (oid === OID_EC_PUBLIC_KEY) {
      const point = p256.Point.fromBytes(key).toBytes(false);
      return { type: 'ecies-p256', point };
    }
  } catch (e) {
    if (!(e instanceof DerError) && !(e instanceof Error)) throw e;
  }
  throw new UsageError(`${what}: expected a P-256 or X25519 public key`);
}

/** The public half of a private encryption key. */
export function encryptionPublicKeyOf(k: EncryptionKey): EncryptionPublicKey {
  return { type: k.type, point: k.type === 'ecies-p256' ? p256.getPublicKey(k.secret, false) : x25519.getPublicKey(k.secret) };
}

registerDecryption({ encTlvType, unwrapKey, aesCtrXor });

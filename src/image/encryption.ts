/**
 * Decrypting imgtool's encrypted images (reference mcuboot.md §2.6): the body is AES-CTR
 * (128 or 256, all-zero initial counter block) under a random image key, which the ENC TLV
 * carries wrapped with ECIES — ECDH (P-256, SEC 1 §3.3.1) or X25519 (RFC 7748) with an
 * ephemeral key, HKDF-SHA256 (RFC 5869, no salt, info "MCUBoot_ECIES_v1") into an AES key
 * that CTR-encrypts the image key and an HMAC-SHA256 key that authenticates it.
 * Only decryption is offered; signing encrypted images is not.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { UsageError } from '../errors.js';
import { DerError, Tag, children, expectDer, oidToString } from './der.js';
import { decodePem, parseKey } from './keys.js';
import { ImageFlag, TlvType, hex } from './layout.js';
import type { ParsedImage } from './parse.js';

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

const own = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b);

async function aesCtr(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await globalThis.crypto.subtle.importKey('raw', own(key), 'AES-CTR', false, ['decrypt']);
  return new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: 'AES-CTR', counter: new Uint8Array(16), length: 128 }, k, own(data)));
}

/** The image key from the ENC TLV, checked against its HMAC tag. */
export async function unwrapImageKey(image: ParsedImage, key: EncryptionKey): Promise<Uint8Array> {
  const keyLen = image.header.flags & ImageFlag.ENCRYPTED_AES256 ? 32 : 16;
  const tlvType = key.type === 'ecies-p256' ? TlvType.ENC_EC256 : TlvType.ENC_X25519;
  const tlv = image.tlvs.entries.find((e) => e.type === tlvType);
  const pubLen = key.type === 'ecies-p256' ? 65 : 32;
  if (!tlv || tlv.value.length !== pubLen + 32 + keyLen) {
    throw new UsageError(`image has no ${key.type === 'ecies-p256' ? 'ENC_EC256' : 'ENC_X25519'} TLV of ${pubLen + 32 + keyLen} bytes for this key`);
  }
  const ephemeral = tlv.value.subarray(0, pubLen);
  const tag = tlv.value.subarray(pubLen, pubLen + 32);
  const wrapped = tlv.value.subarray(pubLen + 32);
  const shared = key.type === 'ecies-p256' ? p256.getSharedSecret(key.secret, ephemeral, true).subarray(1) : x25519.getSharedSecret(key.secret, ephemeral);
  const derived = hkdf(nobleSha256, shared, undefined, new TextEncoder().encode('MCUBoot_ECIES_v1'), keyLen + 32);
  if (hex(hmac(nobleSha256, derived.subarray(keyLen), wrapped)) !== hex(tag)) {
    throw new UsageError('the ENC TLV was not made for this encryption key (HMAC mismatch)');
  }
  return aesCtr(derived.subarray(0, keyLen), wrapped);
}

/** A copy of the image with its body decrypted (header and TLVs are never encrypted). */
export async function decryptImage(image: ParsedImage, key: EncryptionKey): Promise<Uint8Array> {
  const imageKey = await unwrapImageKey(image, key);
  const { hdrSize, imgSize } = image.header;
  const out = image.bytes.slice();
  out.set(await aesCtr(imageKey, image.bytes.subarray(hdrSize, hdrSize + imgSize)), hdrSize);
  return out;
}

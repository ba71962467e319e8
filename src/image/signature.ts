/**
 * The signature schemes MCUboot verifies (reference mcuboot.md §2.4):
 *  - ECDSA P-256 over the 32-byte image digest, DER `SEQUENCE{r, s}` (SEC 1 §4.1, §C.5);
 *  - Ed25519 (RFC 8032 §5.1) whose message is the image digest, or in pure mode the
 *    hashed region itself;
 *  - RSASSA-PSS (RFC 8017 §8.1) with MGF1-SHA256 and a 32-byte salt. Signing goes through
 *    WebCrypto (the same code runs in Node and in browsers; it hashes its input itself, so it
 *    is given the hashed region, whose SHA-256 is the image digest PSS encodes).
 *
 * `verifySignature` is the one verification: `brickproof verify` (verify.ts) and the simulated
 * bootloader's host import (src/device/host.ts) both call it, so they judge every signature
 * alike — with MCUboot's own rules where libraries differ (Ed25519: ed25519.ts).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { DerError, ecdsaCompactToDer, ecdsaDerToCompact } from './der.js';
import { verifyEd25519 } from './ed25519.js';
import { rsaPssVerifyDigest } from './rsa-pss.js';
import type { KeyType, PrivateKey, PublicKey } from './keys.js';
import { TlvType } from './layout.js';
import { registerSignatureCheck, signatureTlvType } from './signature-check.js';

export { signatureTlvType };

const PSS = { name: 'RSA-PSS', saltLength: 32 } as const;
const RSA_IMPORT = { name: 'RSA-PSS', hash: 'SHA-256' } as const;

// Importing an RSA key into WebCrypto costs about as much as one signature; keep it.
const rsaPrivateKeys = new WeakMap<PrivateKey, Promise<CryptoKey>>();

/** Copies into a fresh ArrayBuffer, the only buffer type WebCrypto's typings accept. */
const own = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b);

export interface SignInput {
  /** The image digest (what ECDSA and Ed25519 sign). */
  digest: Uint8Array;
  /** The hashed region (what RSA-PSS and pure Ed25519 sign). */
  hashedRegion: Uint8Array;
  pure?: boolean;
}

export async function sign(key: PrivateKey, input: SignInput): Promise<Uint8Array> {
  switch (key.type) {
    case 'ecdsa-p256':
      // noble signs deterministically (RFC 6979); imgtool's signatures are random, both verify.
      return ecdsaCompactToDer(p256.sign(input.digest, key.secret, { prehash: false, format: 'compact' }));
    case 'ed25519':
      return ed25519.sign(input.pure ? input.hashedRegion : input.digest, key.secret);
    case 'rsa-2048':
    case 'rsa-3072': {
      let cryptoKey = rsaPrivateKeys.get(key);
      if (!cryptoKey) {
        cryptoKey = globalThis.crypto.subtle.importKey('pkcs8', own(key.pkcs8), RSA_IMPORT, false, ['sign']);
        rsaPrivateKeys.set(key, cryptoKey);
      }
      return new Uint8Array(await globalThis.crypto.subtle.sign(PSS, await cryptoKey, own(input.hashedRegion)));
    }
  }
}

export interface VerifyInput {
  /** The image digest (what ECDSA, Ed25519 and RSA-PSS verify). */
  digest: Uint8Array;
  /** The hashed region: the message of a pure Ed25519 signature. */
  hashedRegion?: Uint8Array;
  pure?: boolean;
}

/**
 * Whether `signature` (the value of a signature TLV of type `tlvType`) is valid for `key`.
 * A signature TLV of another scheme than the key's, or of the wrong length, is invalid.
 * Synchronous: the simulated bootloader asks in the middle of a boot.
 */
export function verifySignature(key: PublicKey, tlvType: number, signature: Uint8Array, input: VerifyInput): boolean {
  if (tlvType !== signatureTlvType(key.type)) return false;
  switch (key.type) {
    case 'ecdsa-p256': {
      let compact: Uint8Array;
      try {
        compact = ecdsaDerToCompact(signature, 32);
      } catch (e) {
        if (e instanceof DerError) return false;
        throw e;
      }
      // lowS: false — imgtool (OpenSSL) produces high-S signatures half of the time.
      return p256.verify(compact, input.digest, key.raw, { prehash: false, lowS: false, format: 'compact' });
    }
    case 'ed25519':
      if (input.pure && !input.hashedRegion) throw new Error('a pure Ed25519 signature is verified over the hashed region, which was not given');
      return verifyEd25519(signature, input.pure ? input.hashedRegion! : input.digest, key.raw);
    case 'rsa-2048':
    case 'rsa-3072':
      if (signature.length !== (key.type === 'rsa-2048' ? 256 : 384)) return false;
      return rsaPssVerifyDigest(key.raw, input.digest, signature);
  }
}

registerSignatureCheck(verifySignature);

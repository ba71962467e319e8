/**
 * The bootloader's signature check, on the host side of the core (DESIGN.md, "The
 * boundary"): the core hands over the digest, the signature TLV and the key index it
 * selected by KEYHASH. A verdict for the same (digest, signature, key) is a pure function,
 * so it is cached for the life of the process — a campaign re-validates the same image
 * thousands of times and pays for one signature check.
 *
 * The verification itself is `brickproof verify`'s (src/image/signature.ts, reached through
 * signature-check.ts): one set of acceptance rules, MCUboot's, for both.
 */
import { UsageError } from '../errors.js';
import { sha256 } from '../core/index.js';
import type { PublicKey } from '../image/keys.js';
import { signatureCheck, signatureTlvType } from '../image/signature-check.js';
import type { EncryptionKey } from '../image/encryption.js';
import { decryption } from '../image/encryption-hooks.js';

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
            ok = signatureCheck()(key, type, sig, { digest });
            verdicts.set(id, ok);
          }
          return ok ? 1 : 0;
        },
      };
    },
  };
}

/**
 * MCUBOOT_ENC_IMAGES on the host side of the core: the built-in private key unwraps image
 * keys from ENC TLVs (ECIES), and AES-CTR keystreams are applied to the bytes the core points
 * at (src/image/encryption.ts, @noble/ciphers, reached through encryption-hooks.ts). Without a
 * key, every unwrap fails.
 */
export function encryptionImports(key: EncryptionKey | undefined, memory: () => Uint8Array): Record<string, unknown> {
  return {
    hostUnwrapKey(tlvType: number, tlvPtr: number, tlvLen: number, outPtr: number, keyLen: number): number {
      if (!key || tlvType !== decryption().encTlvType(key) || (keyLen !== 16 && keyLen !== 32)) return 0;
      const mem = memory();
      const imageKey = decryption().unwrapKey(mem.slice(tlvPtr, tlvPtr + tlvLen), key, keyLen);
      if (!imageKey) return 0;
      memory().set(imageKey, outPtr);
      return keyLen;
    },
    hostAesCtr(keyPtr: number, keyLen: number, streamOff: number, dataPtr: number, len: number): void {
      const mem = memory();
      decryption().aesCtrXor(mem.slice(keyPtr, keyPtr + keyLen), streamOff, mem.subarray(dataPtr, dataPtr + len));
    },
  };
}

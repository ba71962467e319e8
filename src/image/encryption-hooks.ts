/**
 * The decryption the simulated bootloader's host calls (src/device/host.ts), without importing
 * it: encryption.ts registers its functions here when it loads, and an EncryptionKey exists only
 * once encryption.ts parsed it, so whoever holds a key has them. An unencrypted build — nearly
 * every campaign — keeps its load path free of @noble/ciphers and the curve libraries (as
 * signature-check.ts does for signatures: those took 25–35 ms of a campaign command's start).
 */
import type { aesCtrXor, encTlvType, unwrapKey } from './encryption.js';

export interface Decryption {
  encTlvType: typeof encTlvType;
  unwrapKey: typeof unwrapKey;
  aesCtrXor: typeof aesCtrXor;
}

let hooks: Decryption | undefined;

export function registerDecryption(d: Decryption): void {
  hooks = d;
}

/** The registered decryption (encryption.ts is loaded with any key). */
export function decryption(): Decryption {
  if (!hooks) throw new Error('decryption used before src/image/encryption.ts was loaded');
  return hooks;
}

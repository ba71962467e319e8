/**
 * The signature check as the simulated bootloader's host calls it (src/device/host.ts),
 * without importing it: signature.ts registers `verifySignature` here when it loads, and
 * keys.ts loads signature.ts, so whoever holds a public key has the check. A hash-only
 * bootloader — every campaign's — checks no signature, and its load path stays free of the
 * curve libraries (measured: loading @noble/curves' ed25519 and P-256 took 25–35 ms of the
 * 0.35 s a campaign command may take, on an idle 2-core machine ×4 under load).
 */
import type { KeyType, PublicKey } from './keys.js';
import { TlvType } from './layout.js';

export type SignatureCheck = (key: PublicKey, tlvType: number, signature: Uint8Array, input: { digest: Uint8Array }) => boolean;

let check: SignatureCheck | undefined;

export function registerSignatureCheck(f: SignatureCheck): void {
  check = f;
}

/** The registered check (signature.ts is loaded with any key). */
export function signatureCheck(): SignatureCheck {
  if (!check) throw new Error('signature check used before src/image/signature.ts was loaded');
  return check;
}

/** The signature TLV type each key type produces. */
export function signatureTlvType(type: KeyType): number {
  switch (type) {
    case 'ecdsa-p256':
      return TlvType.ECDSA_SIG;
    case 'ed25519':
      return TlvType.ED25519;
    case 'rsa-2048':
      return TlvType.RSA2048_PSS;
    case 'rsa-3072':
      return TlvType.RSA3072_PSS;
  }
}

/**
 * The one place src/image gets its hash functions from.
 *
 * SHA-256 (images, KEYHASH) is the project's WebAssembly SHA-256 from src/core/sha256.ts.
 * SHA-384/512 (images signed with `--sha 384|512`) come from @noble/hashes.
 */
import { sha384 as nobleSha384, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { sha256 } from '../core/index.js';

export { sha256 };

export type HashName = 'sha256' | 'sha384' | 'sha512';

export const DIGEST_SIZE: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 };

export function digest(name: HashName, bytes: Uint8Array): Uint8Array {
  switch (name) {
    case 'sha256':
      return sha256(bytes);
    case 'sha384':
      return nobleSha384(bytes);
    case 'sha512':
      return nobleSha512(bytes);
  }
}

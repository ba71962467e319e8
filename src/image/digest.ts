/**
 * The one place src/image gets its hash functions from.
 *
 * SHA-256 (images, KEYHASH) is meant to be the project's WebAssembly SHA-256 from
 * src/core.ts. Until that module lands this wrapper uses node:crypto (TEMPORARY: switch the
 * `sha256` line below to `export { sha256 } from '../core.js'`). SHA-384/512 (for images
 * signed with `--sha 384|512`) come from @noble/hashes.
 */
import { createHash } from 'node:crypto';
import { sha384 as nobleSha384, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';

export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

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

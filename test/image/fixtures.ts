/**
 * The real-imgtool vectors in test/fixtures/vectors (relative to the repo root, as in CI).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const vectorsDir = fileURLToPath(new URL('../fixtures/vectors/imgtool/', import.meta.url));
export const encVectorsDir = fileURLToPath(new URL('../fixtures/vectors/imgtool-enc/', import.meta.url));

export interface ManifestTlv {
  type: number;
  name: string;
  len: number;
  offset: number;
  value_hex: string;
}
export interface ManifestBlock {
  magic: string;
  offset: number;
  total_len: number;
  entries: ManifestTlv[];
}
export interface ManifestVector {
  name: string;
  file: string;
  kind: 'good' | 'bad';
  key: string;
  trusted_key: string;
  slot_size: number;
  padded?: boolean;
  align?: number;
  imgtool_args?: string[];
  derived_from?: string;
  mutation?: string;
  header: {
    magic: string;
    load_addr: string;
    hdr_size: number;
    protect_tlv_size: number;
    img_size: number;
    flags: string;
    version: { major: number; minor: number; revision: number; build: number };
    pad1: number;
  };
  file_size: number;
  protected_tlv_area?: ManifestBlock | null;
  tlv_area?: ManifestBlock;
  hashed_region?: { start: number; end: number };
  image_end?: number;
  trailer?: {
    slot_size: number;
    magic_offset: number;
    magic_hex: string;
    magic_form: 'standard' | 'align-prefixed';
    max_align: number;
    image_ok_offset: number;
    image_ok_hex: string;
    copy_done_offset: number;
    copy_done_hex: string;
    swap_info_offset: number;
    swap_info_hex: string;
    swap_size_offset: number;
    swap_size_hex: string;
  };
  expected: { result: 'accept' | 'reject'; reason?: string };
  expected_sha256?: string;
}
export interface Manifest {
  keys: Record<string, { type: string; private_pem: string; public_pem: string; public_raw: string; public_hash_sha256: string }>;
  vectors: ManifestVector[];
}

export const manifest: Manifest = JSON.parse(readFileSync(`${vectorsDir}manifest.json`, 'utf8'));

export const readVector = (relative: string): Uint8Array => new Uint8Array(readFileSync(`${vectorsDir}${relative}`));
export const goodVectors = manifest.vectors.filter((v) => v.kind === 'good');
export const badVectors = manifest.vectors.filter((v) => v.kind === 'bad');

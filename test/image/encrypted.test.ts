/**
 * imgtool's encrypted images (test/fixtures/vectors/imgtool-enc): they parse, their ENC TLVs are
 * named, a `--clear` image (plaintext body, ENC TLV present) verifies, and an encrypted
 * body is reported as such rather than as a bad hash.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decryptImage, parseEncryptionKey } from '../../src/image/encryption.js';
import { ImageFlag, hex, parseImage, parseKey, tlvName, verifyImage } from '../../src/image/index.js';
import { encVectorsDir, manifest, readVector } from './fixtures.js';

interface EncVector {
  name: string;
  file: string;
  signing_key: string;
  header: { hdr_size: number; img_size: number; protect_tlv_size: number; flags: string };
  tlvs: { type: string; name: string; len: number; offset: number; value_hex: string }[];
  imgtool_args: string[];
}
const encManifest: { vectors: EncVector[] } = JSON.parse(readFileSync(`${encVectorsDir}manifest.json`, 'utf8'));

describe('encrypted imgtool images', () => {
  for (const v of encManifest.vectors) {
    const bytes = new Uint8Array(readFileSync(`${encVectorsDir}${v.file}`));
    const clear = v.imgtool_args.includes('--clear');

    it(`${v.name}: parses, with every TLV named as the manifest records`, () => {
      const image = parseImage(bytes);
      expect({ hdr_size: image.header.hdrSize, img_size: image.header.imgSize, protect_tlv_size: image.header.protectTlvSize, flags: `0x${image.header.flags.toString(16)}` }).toEqual(v.header);
      expect(image.tlvs.entries.map((e) => ({ type: `0x${e.type.toString(16)}`, name: tlvName(e.type), len: e.value.length, offset: e.offset, value_hex: hex(e.value) }))).toEqual(v.tlvs);
      expect(image.header.flags & (ImageFlag.ENCRYPTED_AES128 | ImageFlag.ENCRYPTED_AES256)).not.toBe(0);
    });

    it(`${v.name}: ${clear ? 'verifies (the body is plaintext)' : 'is reported as encrypted, not as a bad hash'}`, async () => {
      const key = parseKey(readVector(manifest.keys[v.signing_key]!.public_pem));
      const result = await verifyImage(bytes, { keys: [key], slotSize: 0x20000 });
      if (clear) expect(result.ok).toBe(true);
      else expect(result).toMatchObject({ ok: false, code: 'encrypted' });
    });
  }
});

describe('decrypting encrypted imgtool images', () => {
  for (const v of encManifest.vectors.filter((x) => !x.imgtool_args.includes('--clear'))) {
    it(`${v.name}: decrypts to the plaintext body and then verifies`, async () => {
      const bytes = new Uint8Array(readFileSync(`${encVectorsDir}${v.file}`));
      const encFile = v.imgtool_args[v.imgtool_args.indexOf('-E') + 1]!.replace('.pub.pem', '.pem');
      const encryptionKey = parseEncryptionKey(readFileSync(`${encVectorsDir}${encFile}`));
      const image = parseImage(bytes);
      const plain = await decryptImage(image, encryptionKey);
      const body = readVector(`bodies/body-${image.header.imgSize}.bin`);
      expect(hex(plain.subarray(image.header.hdrSize, image.header.hdrSize + image.header.imgSize))).toBe(hex(body));
      const key = parseKey(readVector(manifest.keys[v.signing_key]!.public_pem));
      expect(await verifyImage(bytes, { keys: [key], slotSize: 0x20000, encryptionKey })).toMatchObject({ ok: true });
    });
  }
});

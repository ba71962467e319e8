/**
 * The real imgtool's images (test/fixtures/vectors/imgtool): every good vector parses to the
 * fields the manifest records and verifies with its trusted key; every bad vector is
 * rejected for the rule the manifest's reason names.
 */
import { describe, expect, it } from 'vitest';
import { type Key, type VerifyCode, formatVersion, hex, parseImage, parseKey, verifyImage } from '../../src/image/index.js';
import { badVectors, goodVectors, manifest, readVector } from './fixtures.js';

const keyCache = new Map<string, Key>();
function trustedKeys(name: string): Key[] {
  if (name === 'none') return [];
  let key = keyCache.get(name);
  if (!key) {
    key = parseKey(readVector(manifest.keys[name]!.public_pem), name);
    keyCache.set(name, key);
  }
  return [key];
}

/** The manifest's reasons are prose; these are the rules they name. */
const REASONS: [RegExp, VerifyCode[]][] = [
  [/SHA256 mismatch|stored SHA256 TLV differs/, ['hash-mismatch']],
  [/bad image header magic/, ['header-magic']],
  [/ih_protect_tlv_size does not equal/, ['tlv-prot-size-mismatch']],
  [/TLV info magic is not/, ['tlv-magic']],
  [/truncated|runs past end|larger than the TLV data present/, ['truncated']],
  [/signature does not verify/, ['signature-invalid']],
  [/KEYHASH|is trusted/, ['key-not-trusted']],
  [/hash-only image .*required/, ['signature-missing']],
  [/exceeds the 0x[0-9a-f]+ slot|does not fit the 0x[0-9a-f]+ slot/, ['header-exceeds-slot', 'image-too-large']],
];
function codesFor(reason: string): VerifyCode[] {
  const hit = REASONS.find(([re]) => re.test(reason));
  if (!hit) throw new Error(`no rule mapped for reason: ${reason}`);
  return hit[1];
}

describe('good imgtool vectors', () => {
  it('has the 32 good and 23 bad vectors the manifest promises', () => {
    expect(goodVectors).toHaveLength(32);
    expect(badVectors).toHaveLength(23);
  });

  for (const v of goodVectors) {
    describe(v.name, () => {
      const bytes = readVector(v.file);

      it('decodes the header the manifest records', () => {
        const { header } = parseImage(bytes);
        expect({
          magic: `0x${header.magic.toString(16).padStart(8, '0')}`,
          load_addr: `0x${header.loadAddr.toString(16).padStart(8, '0')}`,
          hdr_size: header.hdrSize,
          protect_tlv_size: header.protectTlvSize,
          img_size: header.imgSize,
          flags: `0x${header.flags.toString(16).padStart(8, '0')}`,
          version: header.version,
          version_str: formatVersion(header.version),
          pad1: header.pad1,
        }).toEqual(v.header);
      });

      it('decodes both TLV blocks, the hashed region and the image end as recorded', () => {
        const image = parseImage(bytes);
        const block = (b: typeof image.tlvs | null) =>
          b && {
            magic: `0x${b.magic.toString(16)}`,
            offset: b.offset,
            total_len: b.totalLen,
            entries: b.entries.map((e) => ({ type: e.type, len: e.value.length, offset: e.offset, value_hex: hex(e.value) })),
          };
        const strip = (b: typeof v.tlv_area | null | undefined) =>
          b ? { ...b, entries: b.entries.map((e) => ({ type: e.type, len: e.len, offset: e.offset, value_hex: e.value_hex })) } : null;
        expect(block(image.protectedTlvs)).toEqual(strip(v.protected_tlv_area));
        expect(block(image.tlvs)).toEqual(strip(v.tlv_area));
        expect(image.hashedRegion).toEqual(v.hashed_region);
        expect(image.imageEnd).toBe(v.image_end);
        expect(bytes.length).toBe(v.file_size);
      });

      if (v.trailer) {
        const t = v.trailer;
        it(`reads the ${t.magic_form} trailer imgtool wrote (max_align ${t.max_align})`, () => {
          const trailer = parseImage(bytes).trailer!;
          expect(trailer).toBeDefined();
          const l = trailer.layout;
          expect({
            slot_size: l.slotSize,
            magic_offset: l.magicOffset,
            magic_hex: hex(trailer.magicBytes),
            magic_form: trailer.magicForm,
            max_align: l.maxAlign,
            image_ok_offset: l.imageOkOffset,
            image_ok_hex: hex(bytes.subarray(l.imageOkOffset, l.imageOkOffset + 1)),
            copy_done_offset: l.copyDoneOffset,
            copy_done_hex: hex(bytes.subarray(l.copyDoneOffset, l.copyDoneOffset + 1)),
            swap_info_offset: l.swapInfoOffset,
            swap_info_hex: hex(bytes.subarray(l.swapInfoOffset, l.swapInfoOffset + 1)),
            swap_size_offset: l.swapSizeOffset,
            swap_size_hex: hex(trailer.raw.swapSize),
          }).toEqual(t);
          expect(trailer.magic).toBe('good');
        });
      } else {
        it('has no trailer', () => {
          expect(parseImage(bytes).trailer).toBeUndefined();
        });
      }

      it(`is accepted with trusted key '${v.trusted_key}' in a 0x${v.slot_size.toString(16)} slot`, async () => {
        const result = await verifyImage(bytes, { keys: trustedKeys(v.trusted_key), slotSize: v.slot_size });
        expect(result.ok ? 'accept' : `${result.code}: ${result.message}`).toBe('accept');
        if (result.ok) {
          expect(hex(result.digest)).toBe(v.expected_sha256 ?? hex(result.digest));
          if (v.trusted_key !== 'none') expect(result.keyIndex).toBe(0);
        }
      });
    });
  }
});

describe('bad imgtool vectors', () => {
  for (const v of badVectors) {
    const codes = codesFor(v.expected.reason!);
    it(`rejects ${v.name} as ${codes.join(' or ')} (${v.expected.reason})`, async () => {
      const result = await verifyImage(readVector(v.file), { keys: trustedKeys(v.trusted_key), slotSize: v.slot_size });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(codes).toContain(result.code);
    });
  }
});

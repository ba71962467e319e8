/**
 * Random damage to good images, shared by the property test (test/image/fuzz.test.ts) and
 * the fuzz benchmark (bench/fuzz.ts): byte flips aimed at each part of an image, truncation,
 * and rewritten length fields. `mustReject` says whether the damage reached bytes the
 * bootloader's checks cover (the hashed region, the hash TLV, the signature, the image's
 * length) — such an image must never verify.
 */
import fc from 'fast-check';
import { ImageFormatError, type Key, parseImage, verifyImage } from '../../src/image/index.js';
import { HASH_TLVS, SIGNATURE_TLVS } from '../../src/image/layout.js';

export const REGIONS = ['header', 'header-pad', 'body', 'protected-tlvs', 'hash', 'signature', 'anywhere'] as const;
export type Region = (typeof REGIONS)[number];
export const LENGTH_FIELDS = ['hdr_size', 'img_size', 'protect_tlv_size', 'prot_tlv_tot', 'tlv_tot', 'tlv_len'] as const;
export type LengthField = (typeof LENGTH_FIELDS)[number];

export type Mutation =
  | { kind: 'flip'; flips: { region: Region; at: number; mask: number }[] }
  | { kind: 'truncate'; at: number }
  | { kind: 'length'; field: LengthField; value: number };

export interface Base {
  name: string;
  bytes: Uint8Array;
  keys: Key[];
  slotSize: number;
  regions: Partial<Record<Region, [number, number]>>;
  /** Byte ranges a mutation must not touch for the image to stay acceptable. */
  covered: [number, number][];
  imageEnd: number;
  /** File offsets of the length fields (TLV entry lengths: every entry's). */
  lengthFields: Record<LengthField, number[]>;
}

export function makeBase(name: string, bytes: Uint8Array, keys: Key[], slotSize: number): Base {
  const img = parseImage(bytes);
  const h = img.header;
  const hashEntry = img.tlvs.entries.find((e) => HASH_TLVS.has(e.type))!;
  const sigEntry = img.tlvs.entries.find((e) => SIGNATURE_TLVS.has(e.type));
  const valueRange = (e: { offset: number; value: Uint8Array }): [number, number] => [e.offset + 4, e.offset + 4 + e.value.length];
  const regions: Base['regions'] = {
    header: [0, 32],
    body: [h.hdrSize, h.hdrSize + h.imgSize],
    hash: valueRange(hashEntry),
    anywhere: [0, bytes.length],
  };
  if (h.hdrSize > 32) regions['header-pad'] = [32, h.hdrSize];
  if (img.protectedTlvs) regions['protected-tlvs'] = [img.protectedTlvs.offset, img.protectedTlvs.offset + img.protectedTlvs.totalLen];
  if (sigEntry) regions.signature = valueRange(sigEntry);
  const covered: [number, number][] = [[0, img.hashedRegion.end], valueRange(hashEntry)];
  if (sigEntry) covered.push(valueRange(sigEntry));
  const entries = [...(img.protectedTlvs?.entries ?? []), ...img.tlvs.entries];
  return {
    name,
    bytes,
    keys,
    slotSize,
    regions,
    covered,
    imageEnd: img.imageEnd,
    lengthFields: {
      hdr_size: [8],
      img_size: [12],
      protect_tlv_size: [10],
      prot_tlv_tot: img.protectedTlvs ? [img.protectedTlvs.offset + 2] : [],
      tlv_tot: [img.tlvs.offset + 2],
      tlv_len: entries.map((e) => e.offset + 2),
    },
  };
}

export function mutationArb(base: Base): fc.Arbitrary<Mutation> {
  const regions = REGIONS.filter((r) => base.regions[r]);
  const fields = LENGTH_FIELDS.filter((f) => base.lengthFields[f].length > 0);
  const flip = fc.record({ region: fc.constantFrom(...regions), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) });
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('flip' as const), flips: fc.array(flip, { minLength: 1, maxLength: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat({ max: base.bytes.length - 1 }) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('length' as const),
        field: fc.constantFrom(...fields),
        value: fc.oneof(fc.nat({ max: 0xffff }), fc.nat({ max: 0xffffffff }), fc.integer({ min: -8, max: 8 })),
      }),
    },
  );
}

/** The damaged copy; a length mutation with a small value nudges the field by it. */
export function applyMutation(base: Base, m: Mutation): Uint8Array {
  if (m.kind === 'truncate') return base.bytes.slice(0, m.at);
  const out = base.bytes.slice();
  if (m.kind === 'flip') {
    for (const f of m.flips) {
      const [start, end] = base.regions[f.region]!;
      out[start + (f.at % (end - start))]! ^= f.mask;
    }
    return out;
  }
  const offsets = base.lengthFields[m.field];
  const off = offsets[Math.abs(m.value) % offsets.length]!;
  const v = new DataView(out.buffer);
  const wide = m.field === 'img_size';
  const old = wide ? v.getUint32(off, true) : v.getUint16(off, true);
  const value = Math.abs(m.value) <= 8 ? old + m.value : m.value;
  if (wide) v.setUint32(off, value >>> 0, true);
  else v.setUint16(off, value & 0xffff, true);
  return out;
}

/** Whether the damage reached bytes the validation covers (or cut the image short). */
export function mustReject(base: Base, damaged: Uint8Array): boolean {
  if (damaged.length < base.imageEnd) return true;
  return base.covered.some(([s, e]) => {
    for (let i = s; i < e; i++) if (damaged[i] !== base.bytes[i]) return true;
    return false;
  });
}

export interface Outcome {
  /** The parser threw something other than ImageFormatError. */
  parserCrash?: unknown;
  /** verify threw instead of returning a result. */
  verifyCrash?: unknown;
  accepted: boolean;
  mustReject: boolean;
}

export async function runMutation(base: Base, m: Mutation): Promise<Outcome> {
  const damaged = applyMutation(base, m);
  const outcome: Outcome = { accepted: false, mustReject: mustReject(base, damaged) };
  try {
    parseImage(damaged);
  } catch (e) {
    if (!(e instanceof ImageFormatError)) outcome.parserCrash = e;
  }
  try {
    const result = await verifyImage(damaged, { keys: base.keys, slotSize: base.slotSize });
    outcome.accepted = result.ok;
  } catch (e) {
    outcome.verifyCrash = e;
  }
  return outcome;
}

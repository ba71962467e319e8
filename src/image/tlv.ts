/**
 * TLV blocks (reference mcuboot.md §2.1): a 4-byte info header `u16 it_magic, u16 it_tlv_tot`
 * (total including the info header) followed by entries `u16 type, u16 len, value[len]`
 * with no padding. Unknown and custom types are kept as they are, in order.
 */
import { ImageFormatError, TLV_ENTRY_HEADER_SIZE, TLV_INFO_MAGIC, TLV_INFO_SIZE, TLV_PROT_INFO_MAGIC, hex16 } from './layout.js';

export interface TlvEntry {
  type: number;
  /** File offset of the entry's 4-byte header; the value starts 4 bytes later. */
  offset: number;
  value: Uint8Array;
}

export interface TlvBlock {
  magic: number;
  /** File offset of the block's info header. */
  offset: number;
  /** `it_tlv_tot`: block size including the info header. */
  totalLen: number;
  entries: TlvEntry[];
}

/**
 * Reads the TLV block at `offset`. `protectedBlock` selects the magic expected (0x6908 or
 * 0x6907). Every length is checked against the end of `bytes` and of the block before it is
 * used, so nothing past either is ever read.
 */
export function decodeTlvBlock(bytes: Uint8Array, offset: number, protectedBlock: boolean): TlvBlock {
  const what = protectedBlock ? 'protected TLV info' : 'TLV info';
  const expectedMagic = protectedBlock ? TLV_PROT_INFO_MAGIC : TLV_INFO_MAGIC;
  if (offset + TLV_INFO_SIZE > bytes.length) {
    throw new ImageFormatError(offset, what, `a ${TLV_INFO_SIZE}-byte header`, `${Math.max(0, bytes.length - offset)} bytes before the end of the data`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset + offset, TLV_INFO_SIZE);
  const magic = v.getUint16(0, true);
  const totalLen = v.getUint16(2, true);
  if (magic !== expectedMagic) {
    throw new ImageFormatError(offset, `${what} it_magic`, hex16(expectedMagic), hex16(magic));
  }
  if (totalLen < TLV_INFO_SIZE) {
    throw new ImageFormatError(offset + 2, `${what} it_tlv_tot`, `>= ${TLV_INFO_SIZE}`, String(totalLen));
  }
  const end = offset + totalLen;
  if (end > bytes.length) {
    throw new ImageFormatError(offset + 2, `${what} it_tlv_tot`, `<= ${bytes.length - offset} (bytes present)`, String(totalLen));
  }
  const entries: TlvEntry[] = [];
  let p = offset + TLV_INFO_SIZE;
  while (p < end) {
    if (p + TLV_ENTRY_HEADER_SIZE > end) {
      throw new ImageFormatError(p, `${what} entry header`, `${TLV_ENTRY_HEADER_SIZE} bytes inside the block`, `${end - p}`);
    }
    const type = bytes[p]! | (bytes[p + 1]! << 8);
    const len = bytes[p + 2]! | (bytes[p + 3]! << 8);
    const valueEnd = p + TLV_ENTRY_HEADER_SIZE + len;
    if (valueEnd > end) {
      throw new ImageFormatError(p + 2, `TLV ${hex16(type)} length`, `<= ${end - p - TLV_ENTRY_HEADER_SIZE} (end of block)`, String(len));
    }
    entries.push({ type, offset: p, value: bytes.subarray(p + TLV_ENTRY_HEADER_SIZE, valueEnd) });
    p = valueEnd;
  }
  return { magic, offset, totalLen, entries };
}

/** Serialises a block of entries (types and lengths as u16 LE) behind its info header. */
export function encodeTlvBlock(protectedBlock: boolean, entries: readonly { type: number; value: Uint8Array }[]): Uint8Array {
  const total = TLV_INFO_SIZE + entries.reduce((n, e) => n + TLV_ENTRY_HEADER_SIZE + e.value.length, 0);
  if (total > 0xffff) throw new ImageFormatError(0, 'TLV block', 'at most 65535 bytes', `${total} bytes`);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint16(0, protectedBlock ? TLV_PROT_INFO_MAGIC : TLV_INFO_MAGIC, true);
  v.setUint16(2, total, true);
  let p = TLV_INFO_SIZE;
  for (const e of entries) {
    if (e.value.length > 0xffff) throw new ImageFormatError(p, `TLV ${hex16(e.type)} length`, '<= 65535', String(e.value.length));
    v.setUint16(p, e.type, true);
    v.setUint16(p + 2, e.value.length, true);
    out.set(e.value, p + TLV_ENTRY_HEADER_SIZE);
    p += TLV_ENTRY_HEADER_SIZE + e.value.length;
  }
  return out;
}

/**
 * Parsing a whole signed image: header, protected and unprotected TLV blocks, the hashed
 * region (reference mcuboot.md §2.3) and, for a padded file, the trailer at its end.
 * Every length field is checked against the buffer before use; a malformed image raises
 * ImageFormatError and nothing else.
 */
import { type ImageHeader, decodeHeader } from './header.js';
import { HASH_TLVS, ImageFormatError } from './layout.js';
import { type TlvBlock, type TlvEntry, decodeTlvBlock } from './tlv.js';
import { type DecodedTrailer, decodeTrailer, magicMaxAlign, BOOT_MAGIC_SIZE } from './trailer.js';

export interface ParsedImage {
  header: ImageHeader;
  /** The 0x6908 block, or null when `ih_protect_tlv_size` is 0. */
  protectedTlvs: TlvBlock | null;
  /** The 0x6907 block (always present). */
  tlvs: TlvBlock;
  /** `[0, hdr_size + img_size + protect_tlv_size)`: what the image hash covers. */
  hashedRegion: { start: 0; end: number };
  /** First byte after the unprotected TLV block: the total image size. */
  imageEnd: number;
  /**
   * The trailer at the end of the buffer, when the buffer is longer than the image and ends
   * in a valid magic of either form (an imgtool `--pad` file). Undefined otherwise.
   */
  trailer?: DecodedTrailer;
  /** The bytes parsed (not copied). */
  bytes: Uint8Array;
}

/** The image's total size (header, body and both TLV blocks), or undefined when `bytes` holds no whole image. */
export function imageSizeOf(bytes: Uint8Array): number | undefined {
  try {
    return parseImage(bytes).imageEnd;
  } catch (e) {
    if (e instanceof ImageFormatError) return undefined;
    throw e;
  }
}

/** Both blocks' entries in the order the bootloader walks them (protected first). */
export function allTlvs(image: ParsedImage): TlvEntry[] {
  return [...(image.protectedTlvs?.entries ?? []), ...image.tlvs.entries];
}

export function findTlv(image: ParsedImage, type: number): TlvEntry | undefined {
  return allTlvs(image).find((e) => e.type === type);
}

/** The image hash TLV (SHA256/384/512), the first one in walk order. */
export function hashTlv(image: ParsedImage): TlvEntry | undefined {
  return allTlvs(image).find((e) => HASH_TLVS.has(e.type));
}

export function parseImage(bytes: Uint8Array): ParsedImage {
  const header = decodeHeader(bytes);
  const bodyEnd = header.hdrSize + header.imgSize;
  if (bodyEnd > bytes.length) {
    throw new ImageFormatError(12, 'ih_img_size', `hdr_size + img_size <= ${bytes.length} (data length)`, `0x${header.imgSize.toString(16)} (ends at 0x${bodyEnd.toString(16)})`);
  }
  let protectedTlvs: TlvBlock | null = null;
  let p = bodyEnd;
  if (header.protectTlvSize !== 0) {
    protectedTlvs = decodeTlvBlock(bytes, p, true);
    if (protectedTlvs.totalLen !== header.protectTlvSize) {
      throw new ImageFormatError(p + 2, 'protected TLV info it_tlv_tot', `${header.protectTlvSize} (= ih_protect_tlv_size)`, String(protectedTlvs.totalLen));
    }
    p += protectedTlvs.totalLen;
  }
  const tlvs = decodeTlvBlock(bytes, p, false);
  const imageEnd = p + tlvs.totalLen;

  let trailer: DecodedTrailer | undefined;
  if (bytes.length >= imageEnd + 176 && magicMaxAlign(bytes.subarray(bytes.length - BOOT_MAGIC_SIZE)) !== undefined) {
    trailer = decodeTrailer(bytes);
  }
  return { header, protectedTlvs, tlvs, hashedRegion: { start: 0, end: bodyEnd + header.protectTlvSize }, imageEnd, trailer, bytes };
}

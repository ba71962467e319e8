/**
 * The 32-byte MCUboot image header (`struct image_header`, reference mcuboot.md §1), and the
 * image version it carries. Little-endian, as imgtool writes it by default.
 */
import { UsageError } from '../errors.js';
import { IMAGE_HEADER_SIZE, IMAGE_MAGIC, ImageFormatError, hex, hex32 } from './layout.js';

export interface ImageVersion {
  major: number;
  minor: number;
  revision: number;
  build: number;
}

export interface ImageHeader {
  magic: number;
  loadAddr: number;
  /** Bytes from the slot start to the first payload byte (header plus its padding). */
  hdrSize: number;
  /** Protected TLV block size including its 4-byte info header; 0 if there is none. */
  protectTlvSize: number;
  /** Payload ("body") size, excluding header and TLVs. */
  imgSize: number;
  flags: number;
  version: ImageVersion;
  pad1: number;
}

/** Reads the header at the start of `bytes`; only the 32 header bytes are required. */
export function decodeHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < IMAGE_HEADER_SIZE) {
    throw new ImageFormatError(bytes.length, 'image header', `${IMAGE_HEADER_SIZE} bytes`, `${bytes.length} bytes`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, IMAGE_HEADER_SIZE);
  const magic = v.getUint32(0, true);
  if (magic !== IMAGE_MAGIC) {
    throw new ImageFormatError(0, 'ih_magic', hex32(IMAGE_MAGIC), `${hex32(magic)} (bytes ${hex(bytes.subarray(0, 4))})`);
  }
  const header: ImageHeader = {
    magic,
    loadAddr: v.getUint32(4, true),
    hdrSize: v.getUint16(8, true),
    protectTlvSize: v.getUint16(10, true),
    imgSize: v.getUint32(12, true),
    flags: v.getUint32(16, true),
    version: { major: v.getUint8(20), minor: v.getUint8(21), revision: v.getUint16(22, true), build: v.getUint32(24, true) },
    pad1: v.getUint32(28, true),
  };
  if (header.hdrSize < IMAGE_HEADER_SIZE) {
    throw new ImageFormatError(8, 'ih_hdr_size', `>= ${IMAGE_HEADER_SIZE}`, String(header.hdrSize));
  }
  return header;
}

/** The header starting at `offset` of `bytes`, or undefined when none starts there. */
export function headerAt(bytes: Uint8Array, offset = 0): ImageHeader | undefined {
  if (offset < 0 || offset + IMAGE_HEADER_SIZE > bytes.length) return undefined;
  // Most slots a campaign looks at hold no header: answering that without building the
  // error decodeHeader would throw saves an Error (and its stack) per look (measured: 3 % of
  // a single-cut campaign; a fleet's device lives, 2 % of their time).
  const magic = (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
  if (magic !== IMAGE_MAGIC) return undefined;
  try {
    return decodeHeader(bytes.subarray(offset));
  } catch (e) {
    if (e instanceof ImageFormatError) return undefined;
    throw e;
  }
}

/**
 * No image header at `offset`: its magic word is erased (boot_check_header_erased: MCUboot
 * looks at ih_magic alone to decide that a slot is empty).
 */
export function headerErased(bytes: Uint8Array, offset: number, erasedVal: number): boolean {
  for (let i = 0; i < 4; i++) if (bytes[offset + i] !== erasedVal) return false;
  return true;
}

/** `hdr_size + img_size + protect_tlv_size`: the region the image hash covers (§2.3). */
export const hashedLength = (h: ImageHeader): number => h.hdrSize + h.imgSize + h.protectTlvSize;

export function encodeHeader(h: ImageHeader): Uint8Array {
  const out = new Uint8Array(IMAGE_HEADER_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(0, h.magic, true);
  v.setUint32(4, h.loadAddr, true);
  v.setUint16(8, h.hdrSize, true);
  v.setUint16(10, h.protectTlvSize, true);
  v.setUint32(12, h.imgSize, true);
  v.setUint32(16, h.flags, true);
  v.setUint8(20, h.version.major);
  v.setUint8(21, h.version.minor);
  v.setUint16(22, h.version.revision, true);
  v.setUint32(24, h.version.build, true);
  v.setUint32(28, h.pad1, true);
  return out;
}

/** `major.minor.revision+build`, as imgtool prints it. */
export function formatVersion(v: ImageVersion): string {
  return `${v.major}.${v.minor}.${v.revision}+${v.build}`;
}

const VERSION_RE = /^(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\+(0|[1-9]\d*))?)?)?$/;

/**
 * Parses imgtool's version syntax `MAJOR[.MINOR[.REVISION[+BUILD]]]` (no leading zeros),
 * checking each part fits its header field (u8, u8, u16, u32).
 */
export function parseVersion(text: string): ImageVersion {
  const m = VERSION_RE.exec(text.trim());
  if (!m) throw new UsageError(`version '${text}' is not of the form MAJOR.MINOR.REVISION+BUILD (e.g. 1.2.3+4)`);
  const [major, minor, revision, build] = [m[1], m[2], m[3], m[4]].map((p) => (p === undefined ? 0 : Number(p))) as [number, number, number, number];
  const limits: [string, number, number][] = [['major', major, 0xff], ['minor', minor, 0xff], ['revision', revision, 0xffff], ['build', build, 0xffffffff]];
  for (const [name, value, max] of limits) {
    if (value > max) throw new UsageError(`version '${text}': ${name} ${value} exceeds ${max}`);
  }
  return { major, minor, revision, build };
}

/** MCUboot's `boot_compare_version` (major, minor, revision; build only if asked). */
export function compareVersions(a: ImageVersion, b: ImageVersion, useBuild = false): -1 | 0 | 1 {
  const keys: (keyof ImageVersion)[] = useBuild ? ['major', 'minor', 'revision', 'build'] : ['major', 'minor', 'revision'];
  for (const k of keys) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  return 0;
}

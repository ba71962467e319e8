/**
 * The MCUboot image format's constants: header magic and flags, TLV info magics and every
 * TLV type code, as defined by MCUboot's `bootutil/image.h` (reference: ../shared/reference/
 * mcuboot.md §1 and §2.2). Also the one error type every parser in src/image throws.
 */
import { UsageError } from '../errors.js';

/** `ih_magic` (§1); on flash `3d b8 f3 96`. */
export const IMAGE_MAGIC = 0x96f3b83d;
/** The obsolete V1 magic: recognised in messages, never accepted. */
export const IMAGE_MAGIC_V1 = 0x96f3b83c;
export const IMAGE_HEADER_SIZE = 32;

/** `it_magic` of the protected and the unprotected TLV block (§2.1). */
export const TLV_PROT_INFO_MAGIC = 0x6908;
export const TLV_INFO_MAGIC = 0x6907;
/** Size of a TLV block's info header and of one entry's header (u16 type, u16 len). */
export const TLV_INFO_SIZE = 4;
export const TLV_ENTRY_HEADER_SIZE = 4;

/** `ih_flags` bits (§1). */
export const ImageFlag = {
  PIC: 0x00000001,
  ENCRYPTED_AES128: 0x00000004,
  ENCRYPTED_AES256: 0x00000008,
  NON_BOOTABLE: 0x00000010,
  RAM_LOAD: 0x00000020,
  ROM_FIXED: 0x00000100,
  COMPRESSED_LZMA1: 0x00000200,
  COMPRESSED_LZMA2: 0x00000400,
  COMPRESSED_ARM_THUMB_FLT: 0x00000800,
} as const;
export type ImageFlagName = keyof typeof ImageFlag;

/** Names of the flags set in `flags`, plus `0x…` for any bit MCUboot does not define. */
export function flagNames(flags: number): string[] {
  const names: string[] = [];
  let rest = flags >>> 0;
  for (const [name, bit] of Object.entries(ImageFlag)) {
    if (rest & bit) {
      names.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest) names.push(`0x${rest.toString(16).padStart(8, '0')}`);
  return names;
}

/** TLV type codes (§2.2). */
export const TlvType = {
  KEYHASH: 0x01,
  PUBKEY: 0x02,
  SHA256: 0x10,
  SHA384: 0x11,
  SHA512: 0x12,
  RSA2048_PSS: 0x20,
  ECDSA224: 0x21,
  ECDSA_SIG: 0x22,
  RSA3072_PSS: 0x23,
  ED25519: 0x24,
  SIG_PURE: 0x25,
  ENC_RSA2048: 0x30,
  ENC_KW: 0x31,
  ENC_EC256: 0x32,
  ENC_X25519: 0x33,
  ENC_X25519_SHA512: 0x34,
  DEPENDENCY: 0x40,
  SEC_CNT: 0x50,
  BOOT_RECORD: 0x60,
  DECOMP_SIZE: 0x70,
  DECOMP_SHA: 0x71,
  DECOMP_SIGNATURE: 0x72,
  COMP_DEC_SIZE: 0x73,
  UUID_VID: 0x74,
  UUID_CID: 0x75,
} as const;
export type TlvTypeName = keyof typeof TlvType;

const TLV_NAMES = new Map<number, TlvTypeName>(Object.entries(TlvType).map(([n, c]) => [c, n as TlvTypeName]));

/** imgtool's range for `--custom-tlv` tags: the vendor-reserved codes (§2.2). */
export const CUSTOM_TLV_MIN = 0x00a0;
export const CUSTOM_TLV_MAX = 0xfffe;

/** The name of a TLV type: MCUboot's, `CUSTOM` for vendor codes, or `UNKNOWN`. */
export function tlvName(type: number): string {
  const name = TLV_NAMES.get(type);
  if (name) return name;
  // Vendor-reserved: the low byte is 0xA0..0xFF within any high byte (§2.2).
  if ((type & 0xff) >= 0xa0 && type !== 0xffff) return 'CUSTOM';
  return 'UNKNOWN';
}

/** The image hash TLVs and their digest sizes. */
export const HASH_TLVS = new Map<number, { name: 'sha256' | 'sha384' | 'sha512'; size: number }>([
  [TlvType.SHA256, { name: 'sha256', size: 32 }],
  [TlvType.SHA384, { name: 'sha384', size: 48 }],
  [TlvType.SHA512, { name: 'sha512', size: 64 }],
]);

export const SIGNATURE_TLVS: ReadonlySet<number> = new Set([
  TlvType.RSA2048_PSS,
  TlvType.ECDSA224,
  TlvType.ECDSA_SIG,
  TlvType.RSA3072_PSS,
  TlvType.ED25519,
]);

export const ENCRYPTION_TLVS: ReadonlySet<number> = new Set([
  TlvType.ENC_RSA2048,
  TlvType.ENC_KW,
  TlvType.ENC_EC256,
  TlvType.ENC_X25519,
  TlvType.ENC_X25519_SHA512,
]);

/**
 * A malformed image: the byte offset at which parsing stopped, the field it was reading,
 * what the format requires there and what was found. Parsers in src/image throw nothing else
 * for bad input. Exit code 2 (unreadable input) when it reaches the CLI unhandled.
 */
export class ImageFormatError extends UsageError {
  constructor(
    readonly offset: number,
    readonly field: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`malformed image at offset 0x${offset.toString(16)}: ${field} expected ${expected}, found ${found}`);
  }
}

export const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
export const hex32 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
export const hex16 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

export function fromHex(text: string): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(text)) throw new UsageError(`'${text}' is not an even-length hex string`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;
export const alignDown = (n: number, a: number): number => Math.floor(n / a) * a;

/**
 * Building a signed image the way `imgtool sign` does (reference mcuboot.md §1–§3): header,
 * protected TLVs (SEC_CNT, DEPENDENCY…, custom), the hash over header + body + protected
 * block, then the unprotected TLVs (hash, [SIG_PURE], KEYHASH or PUBKEY, signature) and,
 * with `pad`, the slot padding and trailer. For hash-only and Ed25519 images the result
 * is byte-identical to imgtool's; ECDSA and RSA-PSS signatures differ (imgtool's are
 * randomised), everything else is identical.
 */
import { UsageError } from '../errors.js';
import { type HashName, digest as computeDigest } from './digest.js';
import { type ImageVersion, encodeHeader, parseVersion } from './header.js';
import type { PrivateKey } from './keys.js';
import { CUSTOM_TLV_MAX, CUSTOM_TLV_MIN, HASH_TLVS, IMAGE_HEADER_SIZE, IMAGE_MAGIC, ImageFlag, TlvType, tlvName } from './layout.js';
import { encodeTlvBlock } from './tlv.js';
import type { EncryptionPublicKey } from './encryption.js';
import { DEFAULT_MAX_ALIGN, MAX_ALIGNMENTS, WRITE_ALIGNMENTS, encodePadding, imgtoolTrailerSize } from './trailer.js';

export interface Dependency {
  imageId: number;
  version: ImageVersion;
}

export interface CustomTlv {
  /** 0x00A0..0xFFFE. */
  type: number;
  value: Uint8Array;
}

export interface SignOptions {
  /** Signing key; none = a hash-only image. */
  key?: PrivateKey;
  /** `--header-size`: bytes reserved for the header (>= 32). */
  headerSize: number;
  /**
   * `--pad-header`: `input` is the bare firmware and `headerSize` erased bytes are put in
   * front of it. Without it `input` must already start with `headerSize` zero bytes, as
   * imgtool requires.
   */
  padHeader?: boolean;
  /** `--align`: flash write size, 1, 2, 4, 8, 16 or 32. Default 1. */
  align?: number;
  /** `--max-align`: BOOT_MAX_ALIGN the trailer is laid out for. Default max(8, align). */
  maxAlign?: number;
  /** `--version`, as an object or imgtool's `1.2.3+4` text. Default 0.0.0+0. */
  version?: ImageVersion | string;
  /** `--security-counter`: a value, or 'auto' = (major << 24) + (minor << 16) + revision. */
  securityCounter?: number | 'auto';
  dependencies?: readonly Dependency[];
  customTlvs?: readonly CustomTlv[];
  /** `--slot-size`: checked (image + trailer must fit), required by `pad`. */
  slotSize?: number;
  /** `--pad`: fill to the slot size and write the trailer magic (a test upgrade request). */
  pad?: boolean;
  /** `--confirm`: also set image_ok (a permanent request); implies `pad`. */
  confirm?: boolean;
  /** `--overwrite-only`: the smaller overwrite-only trailer; `confirm` then sets nothing. */
  overwriteOnly?: boolean;
  /** `--erased-val`: 0xff (default) or 0. */
  erasedVal?: number;
  /** `--load-addr`: sets RAM_LOAD. */
  loadAddr?: number;
  /** `--rom-fixed`: the flash address the image is linked for; sets ROM_FIXED. */
  romFixed?: number;
  /** `--non-bootable`: sets NON_BOOTABLE. */
  nonBootable?: boolean;
  /** `--public-key-format`: 'hash' (KEYHASH TLV, default) or 'full' (PUBKEY TLV). */
  publicKeyFormat?: 'hash' | 'full';
  /** `--pure`: Ed25519 over the image itself, marked with a SIG_PURE TLV. */
  pure?: boolean;
  /** `--max-sectors`: status-area size imgtool reserves in the trailer. Default 128. */
  maxSectors?: number;
  /** `--pad-sig`: pad ECDSA signatures with zeros to 72 bytes. */
  padSig?: boolean;
  /** `--sha`: image hash. Default sha256. */
  hash?: HashName;
  /** `-E`/`--encrypt`: the public key (P-256 or X25519) an AES image key is wrapped for; the body is AES-CTR encrypted. */
  encryptTo?: EncryptionPublicKey;
  /** `--encrypt-keylen`: 16 (AES-128, default) or 32 bytes (AES-256). */
  encryptKeyLen?: 16 | 32;
  /** `--clear`: the ENC TLV and the ENCRYPTED flag, but the body in the clear: for a primary slot, whose image a swap encrypts on its way to the secondary. */
  clear?: boolean;
  /** Where the image key and the ephemeral secret come from (tests); default the platform's CSPRNG. */
  random?: (length: number) => Uint8Array;
}

const ECDSA_P256_MAX_SIG = 72;

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new UsageError(message);
}

/** The fields imgtool validates before it builds anything. */
function validate(input: Uint8Array, o: SignOptions): { align: number; maxAlign: number; erasedVal: number; version: ImageVersion; pad: boolean } {
  const align = o.align ?? 1;
  check(WRITE_ALIGNMENTS.includes(align), `--align ${align} is not a flash write size (expected one of ${WRITE_ALIGNMENTS.join(', ')})`);
  const maxAlign = o.maxAlign ?? Math.max(DEFAULT_MAX_ALIGN, align);
  check(MAX_ALIGNMENTS.includes(maxAlign), `--max-align ${maxAlign} is not supported (expected one of ${MAX_ALIGNMENTS.join(', ')})`);
  check(align <= maxAlign, `--align ${align} is larger than --max-align ${maxAlign}`);
  const erasedVal = o.erasedVal ?? 0xff;
  check(erasedVal === 0 || erasedVal === 0xff, `--erased-val ${erasedVal} is not supported (expected 0 or 0xff)`);
  check(Number.isInteger(o.headerSize) && o.headerSize >= IMAGE_HEADER_SIZE && o.headerSize <= 0xffff, `--header-size ${o.headerSize} must be between ${IMAGE_HEADER_SIZE} and 0xffff`);
  const version = typeof o.version === 'string' ? parseVersion(o.version) : (o.version ?? { major: 0, minor: 0, revision: 0, build: 0 });
  const pad = !!(o.pad || o.confirm);
  check(!pad || o.slotSize !== undefined, '--pad/--confirm need --slot-size');
  if (!o.padHeader) {
    check(input.length >= o.headerSize, `input of ${input.length} bytes is shorter than --header-size ${o.headerSize}`);
    check(input.subarray(0, o.headerSize).every((b) => b === 0), `input does not start with ${o.headerSize} zero bytes for the header (use --pad-header to add them)`);
  }
  const seen = new Set<number>();
  for (const t of o.customTlvs ?? []) {
    check(Number.isInteger(t.type) && t.type >= CUSTOM_TLV_MIN && t.type <= CUSTOM_TLV_MAX, `--custom-tlv tag 0x${t.type.toString(16)} is outside the vendor range 0x00a0..0xfffe`);
    check(tlvName(t.type) === 'CUSTOM', `--custom-tlv tag 0x${t.type.toString(16)} is a reserved TLV type (${tlvName(t.type)})`);
    check(!seen.has(t.type), `--custom-tlv tag 0x${t.type.toString(16)} given twice`);
    seen.add(t.type);
  }
  if (o.securityCounter !== undefined && o.securityCounter !== 'auto') {
    check(Number.isInteger(o.securityCounter) && o.securityCounter >= 0 && o.securityCounter <= 0xffffffff, `--security-counter ${o.securityCounter} is not a u32`);
  }
  for (const d of o.dependencies ?? []) check(Number.isInteger(d.imageId) && d.imageId >= 0 && d.imageId <= 0xff, `dependency image id ${d.imageId} is not a u8`);
  if (o.pure) check(o.key?.type === 'ed25519', `--pure needs an Ed25519 key (got ${o.key?.type ?? 'none'})`);
  if (o.padSig) check(!o.key || o.key.type === 'ecdsa-p256', `--pad-sig applies to ECDSA keys only (got ${o.key?.type})`);
  return { align, maxAlign, erasedVal, version, pad };
}

/**
 * Signs `input` (imgtool's infile: header area + firmware, or the bare firmware with
 * `padHeader`) and returns the image file's bytes.
 */
export async function signImage(input: Uint8Array, options: SignOptions): Promise<Uint8Array> {
  const o = options;
  const { align, maxAlign, erasedVal, version, pad } = validate(input, o);
  const hashName = o.hash ?? 'sha256';
  const hashType = [...HASH_TLVS].find(([, h]) => h.name === hashName)![0];

  // imgtool's --pad-header prepends erased bytes, so header padding reads 0xff by default.
  const payload = o.padHeader ? concat(new Uint8Array(o.headerSize).fill(erasedVal), input) : input;
  const imgSize = payload.length - o.headerSize;

  const protectedEntries: { type: number; value: Uint8Array }[] = [];
  if (o.securityCounter !== undefined) {
    const value = o.securityCounter === 'auto' ? version.major * 2 ** 24 + version.minor * 2 ** 16 + version.revision : o.securityCounter;
    protectedEntries.push({ type: TlvType.SEC_CNT, value: u32(value) });
  }
  for (const d of o.dependencies ?? []) {
    // struct image_dependency: u8 image_id, u8 pad, u16 pad, struct image_version (8 B).
    const value = new Uint8Array(12);
    const v = new DataView(value.buffer);
    v.setUint8(0, d.imageId);
    v.setUint8(4, d.version.major);
    v.setUint8(5, d.version.minor);
    v.setUint16(6, d.version.revision, true);
    v.setUint32(8, d.version.build, true);
    protectedEntries.push({ type: TlvType.DEPENDENCY, value });
  }
  for (const t of o.customTlvs ?? []) protectedEntries.push({ type: t.type, value: t.value });
  const protectedBlock = protectedEntries.length > 0 ? encodeTlvBlock(true, protectedEntries) : new Uint8Array(0);

  let flags = 0;
  if (o.loadAddr) flags |= ImageFlag.RAM_LOAD;
  // imgtool 2.4.0 takes `--rom-fixed 0` as not given: no flag, load address 0.
  if (o.romFixed) flags |= ImageFlag.ROM_FIXED;
  const keyLen = o.encryptKeyLen ?? 16;
  check(keyLen === 16 || keyLen === 32, `--encrypt-keylen ${keyLen * 8} must be 128 or 256`);
  check(!o.clear || o.encryptTo !== undefined, '--clear needs -E (the key the ENC TLV is made for)');
  // With --clear imgtool still sets the flag: the image is flashed in the clear into a primary,
  // and a swap encrypts it on its way to the secondary.
  if (o.encryptTo) flags |= keyLen === 32 ? ImageFlag.ENCRYPTED_AES256 : ImageFlag.ENCRYPTED_AES128;
  if (o.nonBootable) flags |= ImageFlag.NON_BOOTABLE;
  const header = encodeHeader({
    magic: IMAGE_MAGIC,
    loadAddr: o.romFixed ?? o.loadAddr ?? 0,
    hdrSize: o.headerSize,
    protectTlvSize: protectedBlock.length,
    imgSize,
    flags,
    version,
    pad1: 0,
  });

  const hashed = concat(header, payload.subarray(IMAGE_HEADER_SIZE), protectedBlock);
  const digest = computeDigest(hashName, hashed);

  const entries: { type: number; value: Uint8Array }[] = [{ type: hashType, value: digest }];
  if (o.pure) entries.push({ type: TlvType.SIG_PURE, value: Uint8Array.of(1) });
  if (o.key) {
    // Loaded only to sign: a hash-only image (every campaign's) needs no curve library.
    const [{ keyHash }, { sign, signatureTlvType }] = await Promise.all([import('./keys.js'), import('./signature.js')]);
    if ((o.publicKeyFormat ?? 'hash') === 'hash') entries.push({ type: TlvType.KEYHASH, value: keyHash(o.key, hashName) });
    else entries.push({ type: TlvType.PUBKEY, value: o.key.publicKey.keyBytes });
    let signature = await sign(o.key, { digest, hashedRegion: hashed, pure: o.pure });
    if (o.padSig && signature.length < ECDSA_P256_MAX_SIG) signature = concat(signature, new Uint8Array(ECDSA_P256_MAX_SIG - signature.length));
    entries.push({ type: signatureTlvType(o.key.type), value: signature });
  }
  let body = hashed;
  if (o.encryptTo) {
    // §2.6: the hash covers the plaintext; only [hdr_size, hdr_size + img_size) is encrypted.
    // (Loaded only to encrypt, as the signature code is only to sign.)
    const { aesCtrXor, encTlvType, ephemeralFrom, ephemeralSecret, wrapKey } = await import('./encryption.js');
    const rand = o.random ?? ((n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n)));
    const imageKey = rand(keyLen);
    const ephemeral = o.random ? ephemeralFrom(o.encryptTo.type, rand) : ephemeralSecret(o.encryptTo.type);
    entries.push({ type: encTlvType(o.encryptTo), value: wrapKey(o.encryptTo, imageKey, ephemeral) });
    if (!o.clear) {
      body = hashed.slice();
      aesCtrXor(imageKey, 0, body.subarray(o.headerSize, o.headerSize + imgSize));
    }
  }
  const image = concat(body, encodeTlvBlock(false, entries));

  if (o.slotSize !== undefined) {
    const trailerSize = imgtoolTrailerSize({ writeSize: align, maxAlign, maxSectors: o.maxSectors, overwriteOnly: o.overwriteOnly });
    check(
      image.length + trailerSize <= o.slotSize,
      `image of ${image.length} bytes plus its ${trailerSize}-byte trailer exceeds --slot-size ${o.slotSize} (0x${o.slotSize.toString(16)})`,
    );
  }
  if (!pad) return image;
  return concat(image, encodePadding(image.length, { slotSize: o.slotSize!, maxAlign, erasedVal, confirm: !!o.confirm, overwriteOnly: !!o.overwriteOnly }));
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

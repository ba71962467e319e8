/**
 * Image validation as the bootloader does it (`bootutil_img_validate`, reference
 * mcuboot.md §2.5, with the header checks of §1 and the size limit of §3.8). The result
 * names the first rule that failed, so a caller (and the fuzz test) can tell a bad hash
 * from an untrusted key or an image that does not fit its slot.
 */
import { UsageError } from '../errors.js';
import { type HashName, DIGEST_SIZE, digest as computeDigest } from './digest.js';
import { type ImageHeader, decodeHeader } from './header.js';
import { type Key, type PublicKey, keyHash, publicKeyOf } from './keys.js';
import { HASH_TLVS, ImageFlag, ImageFormatError, SIGNATURE_TLVS, TlvType, hex, tlvName } from './layout.js';
import { type ParsedImage, allTlvs, parseImage } from './parse.js';
import { type SlotGeometry, maxImageSize } from './slot-limits.js';
import type { Strategy } from './strategy.js';
import { verifySignature } from './signature.js';
import { type EncryptionKey, decryptImage } from './encryption.js';

/** One code per validation rule, in the order they are checked. */
export const VERIFY_CODES = [
  'header-magic', // ih_magic is not 0x96f3b83d
  'header-invalid', // header too short, hdr_size < 32, or both AES flags set
  'header-exceeds-slot', // hdr_size + img_size + protect_tlv_size >= slot size
  'truncated', // the body or a TLV block runs past the end of the data
  'tlv-magic', // a TLV info header has the wrong magic
  'tlv-prot-size-mismatch', // protected block it_tlv_tot != ih_protect_tlv_size
  'image-too-large', // total image size > the strategy's maximum for the slot
  'encrypted', // the body is encrypted: its hash covers the plaintext, which we cannot see
  'hash-missing', // no hash TLV of the expected type
  'hash-mismatch', // hash TLV has the wrong length or value
  'key-not-trusted', // a signature is present but its KEYHASH/PUBKEY matches no trusted key
  'signature-missing', // keys are required but the image carries no signature
  'signature-invalid', // the signature made with the selected key does not verify
  'security-counter-missing', // rollback protection asked for but no protected SEC_CNT TLV
  'security-counter-too-low', // SEC_CNT below the stored floor
] as const;
export type VerifyCode = (typeof VERIFY_CODES)[number];

export interface VerifyOptions {
  /** Trusted keys (public or private). None = a hash-only bootloader: no signature needed. */
  keys?: readonly Key[];
  /** Slot the image is meant for; enables the header and maximum-size checks. */
  slotSize?: number;
  /** Upgrade strategy that decides the maximum image size (§3.8). Default 'swap-scratch'. */
  strategy?: Strategy;
  /** Sector size, write size, BOOT_MAX_ALIGN, max sectors for the size limit. */
  geometry?: Omit<SlotGeometry, 'slotSize'>;
  /** Stored security counter (MCUBOOT_HW_ROLLBACK_PROT): the image's SEC_CNT must be >= it. */
  securityCounter?: number;
  /** Private encryption key: an encrypted body is decrypted before it is hashed. */
  encryptionKey?: EncryptionKey;
  /** Image hash the bootloader is built for; 'auto' (default) takes the image's own hash TLV. */
  hash?: HashName | 'auto';
}

export interface VerifyAccepted {
  ok: true;
  image: ParsedImage;
  hash: HashName;
  digest: Uint8Array;
  /** Index in `keys` of the key whose signature verified (undefined for hash-only). */
  keyIndex?: number;
  pure: boolean;
  securityCounter?: number;
  imageSize: number;
  maxImageSize?: number;
}

export interface VerifyRejected {
  ok: false;
  code: VerifyCode;
  message: string;
  header?: ImageHeader;
  image?: ParsedImage;
  digest?: Uint8Array;
  formatError?: ImageFormatError;
}

export type VerifyResult = VerifyAccepted | VerifyRejected;

const reject = (code: VerifyCode, message: string, extra: Partial<VerifyRejected> = {}): VerifyRejected => ({ ok: false, code, message, ...extra });

/** Which rule a parse failure breaks. */
function formatErrorCode(e: ImageFormatError): VerifyCode {
  if (e.field === 'ih_magic') return 'header-magic';
  if (e.field === 'ih_hdr_size' || e.field === 'image header') return e.field === 'image header' ? 'truncated' : 'header-invalid';
  if (e.field.endsWith('it_magic')) return 'tlv-magic';
  if (e.field === 'protected TLV info it_tlv_tot' && e.expected.includes('ih_protect_tlv_size')) return 'tlv-prot-size-mismatch';
  return 'truncated';
}

export async function verifyImage(bytes: Uint8Array, options: VerifyOptions = {}): Promise<VerifyResult> {
  const keys = (options.keys ?? []).map(publicKeyOf);
  let header: ImageHeader;
  try {
    header = decodeHeader(bytes);
  } catch (e) {
    if (!(e instanceof ImageFormatError)) throw e;
    return reject(formatErrorCode(e), e.message, { formatError: e });
  }
  if ((header.flags & ImageFlag.ENCRYPTED_AES128) && (header.flags & ImageFlag.ENCRYPTED_AES256)) {
    return reject('header-invalid', 'header sets both ENCRYPTED_AES128 and ENCRYPTED_AES256', { header });
  }
  if (options.slotSize !== undefined) {
    const end = header.hdrSize + header.imgSize + header.protectTlvSize;
    if (end >= options.slotSize) {
      return reject('header-exceeds-slot', `hdr_size + img_size + protect_tlv_size = 0x${end.toString(16)} does not fit the 0x${options.slotSize.toString(16)}-byte slot`, { header });
    }
  }

  let image: ParsedImage;
  try {
    image = parseImage(bytes);
  } catch (e) {
    if (!(e instanceof ImageFormatError)) throw e;
    return reject(formatErrorCode(e), e.message, { header, formatError: e });
  }

  let maxSize: number | undefined;
  if (options.slotSize !== undefined) {
    const strategy = options.strategy ?? 'swap-scratch';
    maxSize = maxImageSize(strategy, { ...options.geometry, slotSize: options.slotSize });
    if (image.imageEnd > maxSize) {
      return reject('image-too-large', `image size 0x${image.imageEnd.toString(16)} exceeds the ${strategy} maximum of 0x${maxSize.toString(16)} for a 0x${options.slotSize.toString(16)}-byte slot`, { header, image });
    }
  }

  const tlvs = allTlvs(image);
  const hashType = options.hash === undefined || options.hash === 'auto' ? tlvs.find((t) => HASH_TLVS.has(t.type))?.type : [...HASH_TLVS].find(([, h]) => h.name === options.hash)![0];
  if (hashType === undefined) return reject('hash-missing', 'the image carries no SHA256/SHA384/SHA512 TLV', { header, image });
  const hash = HASH_TLVS.get(hashType)!.name;
  // An encrypted image's hash covers the plaintext body (§2.3). imgtool's `--clear` images
  // carry the flag and an ENC TLV over a plaintext body: those still hash correctly as-is.
  const encrypted = (header.flags & (ImageFlag.ENCRYPTED_AES128 | ImageFlag.ENCRYPTED_AES256)) !== 0;
  let plaintext = bytes;
  if (encrypted && options.encryptionKey) {
    try {
      plaintext = await decryptImage(image, options.encryptionKey);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      return reject('encrypted', e.message, { header, image });
    }
  }
  const region = plaintext.subarray(0, image.hashedRegion.end);
  const digest = computeDigest(hash, region);
  const hashTlvValue = tlvs.find((t) => t.type === hashType)!.value;
  if (encrypted && !options.encryptionKey && hex(hashTlvValue) !== hex(digest)) {
    return reject('encrypted', 'the body is encrypted (its hash covers the plaintext): give the private encryption key (--enc-key) to check it', { header, image, digest });
  }
  const pure = tlvs.some((t) => t.type === TlvType.SIG_PURE && t.value.length === 1 && t.value[0] === 1);
  const trustedHashes = keys.map((k) => keyHash(k, hash));

  let hashOk = false;
  let selected: PublicKey | undefined;
  let selectedIndex: number | undefined;
  let signatureResult: { ok: boolean; keyIndex: number } | undefined;
  let untrustedSignature = false;
  let securityCounter: number | undefined;
  const protectedEntries = new Set(image.protectedTlvs?.entries ?? []);

  for (const tlv of tlvs) {
    if (tlv.type === hashType) {
      if (tlv.value.length !== DIGEST_SIZE[hash] || hex(tlv.value) !== hex(digest)) {
        return reject('hash-mismatch', `${tlvName(tlv.type)} TLV ${hex(tlv.value)} does not match the computed digest ${hex(digest)}`, { header, image, digest });
      }
      hashOk = true;
    } else if (tlv.type === TlvType.KEYHASH || tlv.type === TlvType.PUBKEY) {
      // KEYHASH: MCUboot compares the first it_len bytes of each trusted key's hash.
      const wanted = tlv.type === TlvType.KEYHASH ? tlv.value : computeDigest(hash, tlv.value);
      const index = wanted.length === 0 || wanted.length > DIGEST_SIZE[hash] ? -1 : trustedHashes.findIndex((h) => hex(h.subarray(0, wanted.length)) === hex(wanted));
      selected = index >= 0 ? keys[index] : undefined;
      selectedIndex = index >= 0 ? index : undefined;
    } else if (SIGNATURE_TLVS.has(tlv.type)) {
      if (keys.length === 0) continue;
      if (!selected || selectedIndex === undefined) {
        untrustedSignature = true;
        continue;
      }
      const ok = await verifySignature(selected, tlv.type, tlv.value, { digest, hashedRegion: region, pure });
      signatureResult = { ok, keyIndex: selectedIndex };
      selected = undefined;
      selectedIndex = undefined;
    } else if (tlv.type === TlvType.SEC_CNT && protectedEntries.has(tlv) && options.securityCounter !== undefined) {
      if (tlv.value.length !== 4) {
        return reject('security-counter-missing', `SEC_CNT TLV has ${tlv.value.length} bytes (expected 4)`, { header, image, digest });
      }
      securityCounter = new DataView(tlv.value.buffer, tlv.value.byteOffset, 4).getUint32(0, true);
      if (securityCounter < options.securityCounter) {
        return reject('security-counter-too-low', `security counter ${securityCounter} is below the stored ${options.securityCounter}`, { header, image, digest });
      }
    }
  }

  if (!hashOk) return reject('hash-missing', `no ${hash.toUpperCase()} TLV found`, { header, image, digest });
  if (keys.length > 0) {
    if (!signatureResult) {
      if (untrustedSignature) return reject('key-not-trusted', 'the image is signed, but its KEYHASH/PUBKEY matches none of the trusted keys', { header, image, digest });
      return reject('signature-missing', 'a signature is required but the image carries none', { header, image, digest });
    }
    if (!signatureResult.ok) return reject('signature-invalid', `the ${keys[signatureResult.keyIndex]!.type} signature does not verify`, { header, image, digest });
  }
  if (options.securityCounter !== undefined && securityCounter === undefined) {
    return reject('security-counter-missing', 'rollback protection requires a protected SEC_CNT TLV', { header, image, digest });
  }
  return { ok: true, image, hash, digest, keyIndex: signatureResult?.keyIndex, pure, securityCounter, imageSize: image.imageEnd, maxImageSize: maxSize };
}

// MCUboot images as the bootloader reads them from flash (reference/mcuboot.md §1–2):
// the header, the TLV iterator and `bootutil_img_validate`. The image is hashed in place,
// straight out of flash memory; the signature is checked by the host (src/device/host.ts)
// behind two imports, with the result cached there by (digest, signature, key).

import { CTRL_BOOT_ENC, CTRL_BOOT_OPTIONS, OPT_HW_ROLLBACK, OPT_SKIP_IMAGE_CHECKS, CTRL_BOOT_SIG_TYPE, CTRL_HASHED_BYTES, CTRL_KNOWN_COUNT, CTRL_KNOWN_HITS, CTRL_KNOWN_PTR, KNOWN_SIZE, ctrl, setCtrl } from './ctrl';
import { areaErasedVal, areaPtr, areaSize } from './flash';
import { sha256 } from './sha256';
import { nvCounterRead } from './nv';

export const IMAGE_MAGIC: u32 = 0x96f3b83d;
export const IMAGE_HEADER_SIZE: u32 = 32;
export const TLV_INFO_MAGIC: u16 = 0x6907;
export const TLV_PROT_INFO_MAGIC: u16 = 0x6908;

export const TLV_KEYHASH: u16 = 0x01;
export const TLV_SHA256: u16 = 0x10;
export const TLV_RSA2048_PSS: u16 = 0x20;
export const TLV_ECDSA_SIG: u16 = 0x22;
export const TLV_RSA3072_PSS: u16 = 0x23;
export const TLV_ED25519: u16 = 0x24;
export const TLV_DEPENDENCY: u16 = 0x40;
export const TLV_SEC_CNT: u16 = 0x50;

export const F_ENCRYPTED_AES128: u32 = 0x04;
export const F_ENCRYPTED_AES256: u32 = 0x08;
export const F_NON_BOOTABLE: u32 = 0x10;
export const F_RAM_LOAD: u32 = 0x20;
export const F_ROM_FIXED: u32 = 0x100;
export const F_COMPRESSED: u32 = 0x200 | 0x400 | 0x800;

/** Host: index of the built-in key whose SHA-256 starts with these `len` bytes, or -1. */
@external("env", "hostFindKey")
declare function hostFindKey(keyHash: usize, len: u32): i32;

/** Host: 1 when `sig` is a valid signature of `digest` by key `keyIndex` for TLV `sigType`. */
@external("env", "hostVerify")
declare function hostVerify(keyIndex: i32, sigType: u32, digest: usize, digestLen: u32, sig: usize, sigLen: u32): i32;

export class ImageHeader {
  magic: u32 = 0;
  loadAddr: u32 = 0;
  hdrSize: u32 = 0;
  protTlvSize: u32 = 0;
  imgSize: u32 = 0;
  flags: u32 = 0;
  major: u8 = 0;
  minor: u8 = 0;
  revision: u16 = 0;
  build: u32 = 0;
  /** Set when the header's magic bytes all hold the erased value (an empty slot). */
  erased: bool = true;

  read(area: u32, off: u32): void {
    const p = areaPtr(area) + <usize>off;
    this.magic = load<u32>(p, 0);
    this.loadAddr = load<u32>(p, 4);
    this.hdrSize = load<u16>(p, 8);
    this.protTlvSize = load<u16>(p, 10);
    this.imgSize = load<u32>(p, 12);
    this.flags = load<u32>(p, 16);
    this.major = load<u8>(p, 20);
    this.minor = load<u8>(p, 21);
    this.revision = load<u16>(p, 22);
    this.build = load<u32>(p, 24);
    const e = <u32>areaErasedVal(area);
    this.erased = this.magic == e * 0x01010101;
  }

  /** BOOT_TLV_OFF: where the TLV area starts, relative to the image start. */
  @inline tlvOff(): u32 {
    return this.hdrSize + this.imgSize;
  }
}

/** boot_compare_version: major, minor, revision (build numbers are not compared). */
export function compareVersion(a: ImageHeader, b: ImageHeader): i32 {
  if (a.major != b.major) return a.major > b.major ? 1 : -1;
  if (a.minor != b.minor) return a.minor > b.minor ? 1 : -1;
  if (a.revision != b.revision) return a.revision > b.revision ? 1 : -1;
  return 0;
}

/** boot_check_header_valid: magic, no overflow, smaller than the slot, no unsupported flags. */
export function headerValid(h: ImageHeader, slotSize: u32): bool {
  if (h.magic != IMAGE_MAGIC) return false;
  const size = <u64>h.imgSize + <u64>h.hdrSize;
  if (size >= <u64>slotSize) return false;
  const enc = h.flags & (F_ENCRYPTED_AES128 | F_ENCRYPTED_AES256);
  if (enc != 0) {
    // Only a build with MCUBOOT_ENC_IMAGES takes encrypted images, of its own AES key size.
    const keyLen = ctrl(CTRL_BOOT_ENC);
    if (enc == (F_ENCRYPTED_AES128 | F_ENCRYPTED_AES256) || keyLen == 0) return false;
    if ((enc == F_ENCRYPTED_AES128) != (keyLen == 16)) return false;
  }
  if (h.flags & F_COMPRESSED) return false;
  return true;
}

// ---- TLV iteration (bootutil_tlv_iter_*) -------------------------------------------------

/** Bytes [off, off+len) of an image of `limit` readable bytes lie inside it. */
@inline function within(limit: u32, off: u32, len: u32): bool {
  return <u64>off + <u64>len <= <u64>limit;
}

export class TlvIter {
  /** Memory address of the image's first byte, and how many bytes from there may be read. */
  ptr: usize = 0;
  limit: u32 = 0;
  protEnd: u32 = 0;
  tlvEnd: u32 = 0;
  off: u32 = 0;
  hasProt: bool = false;
  // the entry found by next()
  type: u16 = 0;
  len: u32 = 0;
  dataOff: u32 = 0;

  /** Opens the TLV area of the image at `base` in `area`; false when its info headers are wrong. */
  begin(area: u32, base: u32, h: ImageHeader): bool {
    return this.beginAt(areaPtr(area) + <usize>base, areaSize(area) - base, h);
  }

  /** The same for an image anywhere in memory (ram-load's RAM copy). */
  beginAt(ptr: usize, limit: u32, h: ImageHeader): bool {
    this.ptr = ptr;
    this.limit = limit;
    const off = h.tlvOff();
    if (!within(limit, off, 4)) return false;
    const p = ptr;
    let magic = load<u16>(p + <usize>off);
    let tot = <u32>load<u16>(p + <usize>off, 2);
    if (magic == TLV_PROT_INFO_MAGIC) {
      if (h.protTlvSize != tot) return false;
      if (!within(limit, off + tot, 4)) return false;
      magic = load<u16>(p + <usize>(off + tot));
      tot = <u32>load<u16>(p + <usize>(off + tot), 2);
    } else if (h.protTlvSize != 0) {
      return false;
    }
    if (magic != TLV_INFO_MAGIC) return false;
    this.hasProt = h.protTlvSize > 0;
    this.protEnd = off + h.protTlvSize;
    this.tlvEnd = off + h.protTlvSize + tot;
    this.off = off + 4;
    return true;
  }

  /** 0 = an entry (type/len/dataOff set), 1 = the end, -1 = malformed. */
  next(): i32 {
    if (this.off < this.tlvEnd) {
      if (this.hasProt && this.off == this.protEnd) this.off += 4;
      const sectionEnd = this.off < this.protEnd ? this.protEnd : this.tlvEnd;
      if (<u64>this.off + 4 > <u64>sectionEnd || !within(this.limit, this.off, 4)) return -1;
      const p = this.ptr + <usize>this.off;
      this.type = load<u16>(p);
      this.len = load<u16>(p, 2);
      this.dataOff = this.off + 4;
      if (<u64>this.dataOff + <u64>this.len > <u64>sectionEnd) return -1;
      this.off = this.dataOff + this.len;
      return 0;
    }
    return 1;
  }

  /** The entry found is in the protected block. */
  @inline isProtected(): bool {
    return this.dataOff < this.protEnd;
  }
}

// ---- validation (bootutil_img_validate, §2.5) ----------------------------------------------

export const VALID: i32 = 0;
export const INVALID_TLV_INFO: i32 = 1;
export const INVALID_TOO_BIG: i32 = 2;
export const INVALID_TLV: i32 = 3;
export const INVALID_HASH: i32 = 4;
export const INVALID_NO_HASH: i32 = 5;
export const INVALID_SIGNATURE: i32 = 6;
export const INVALID_HEADER: i32 = 7;
export const INVALID_SECURITY_COUNTER: i32 = 8;

const digest: usize = memory.data(32);

/**
 * [a, a+len) and [b, b+len) hold the same bytes. 64 bytes a step with SIMD: every power-on
 * of a campaign compares a whole image with a known one (measured on a single-cut campaign:
 * the standard library's memory.compare, 8 bytes a step, was the core's hottest loop).
 */
function sameBytes(a: usize, b: usize, len: u32): bool {
  const n = <usize>len;
  let i: usize = 0;
  for (; i + 64 <= n; i += 64) {
    const d = v128.or(
      v128.or(v128.xor(v128.load(a + i), v128.load(b + i)), v128.xor(v128.load(a + i, 16), v128.load(b + i, 16))),
      v128.or(v128.xor(v128.load(a + i, 32), v128.load(b + i, 32)), v128.xor(v128.load(a + i, 48), v128.load(b + i, 48))),
    );
    if (v128.any_true(d)) return false;
  }
  for (; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

/** SHA-256 of [p, p+len), reusing the digest of a known region with the same bytes. */
function hashRegion(p: usize, len: u32, out: usize): void {
  const n = ctrl(CTRL_KNOWN_COUNT);
  const table = <usize>ctrl(CTRL_KNOWN_PTR);
  for (let i: u32 = 0; i < n; i++) {
    const e = table + <usize>i * KNOWN_SIZE;
    if (load<u32>(e, 4) == len && sameBytes(p, <usize>load<u32>(e), len)) {
      memory.copy(out, e + 8, 32);
      setCtrl(CTRL_KNOWN_HITS, ctrl(CTRL_KNOWN_HITS) + 1);
      return;
    }
  }
  setCtrl(CTRL_HASHED_BYTES, ctrl(CTRL_HASHED_BYTES) + len);
  sha256(p, len, out);
}

/**
 * Validates the image whose header `h` was read at `base` in `area`: hash over
 * [base, base + hdr + img + protected TLVs), TLV walk, key selection, signature.
 * `maxSize` is bootutil_max_image_size for this slot; `image` is the image index (its NV
 * security counter, with MCUBOOT_HW_ROLLBACK_PROT).
 */
export function validateImage(area: u32, base: u32, h: ImageHeader, maxSize: u32, image: u32 = 0, key: usize = 0): i32 {
  return validateImageAt(areaPtr(area) + <usize>base, areaSize(area) - base, h, maxSize, image, key);
}

/** Host: the AES-CTR keystream XORed over `len` bytes (the import enc.ts declares too; image.ts sits below enc.ts). */
@external("env", "hostAesCtr")
declare function aesCtr(key: usize, keyLen: u32, streamOff: u32, data: usize, len: u32): void;

let plainBuf: usize = 0;
let plainBufSize: u32 = 0;

/** The hashed bytes of an encrypted image with its body decrypted by `key`, in a RAM buffer. */
function decryptedCopy(p: usize, len: u32, h: ImageHeader, key: usize): usize {
  if (plainBufSize < len) {
    if (plainBuf != 0) heap.free(plainBuf);
    plainBuf = heap.alloc(len);
    plainBufSize = len;
  }
  memory.copy(plainBuf, p, len);
  aesCtr(key, ctrl(CTRL_BOOT_ENC), 0, plainBuf + <usize>h.hdrSize, h.imgSize);
  return plainBuf;
}

/** The same for an image anywhere in memory, of `limit` readable bytes (ram-load's RAM copy). */
export function validateImageAt(p: usize, limit: u32, h: ImageHeader, maxSize: u32, image: u32 = 0, key: usize = 0): i32 {
  const hashed = <u64>h.hdrSize + <u64>h.imgSize + <u64>h.protTlvSize;
  if (!within(limit, 0, <u32>min<u64>(hashed, 0xffffffff)) || hashed > 0xffffffff) return INVALID_TLV_INFO;
  const it = new TlvIter();
  if (ctrl(CTRL_BOOT_OPTIONS) & OPT_SKIP_IMAGE_CHECKS) {
    if (!it.beginAt(p, limit, h)) return INVALID_TLV_INFO;
    return it.tlvEnd > maxSize ? INVALID_TOO_BIG : VALID;
  }
  hashRegion(key != 0 ? decryptedCopy(p, <u32>hashed, h, key) : p, <u32>hashed, digest);

  if (!it.beginAt(p, limit, h)) return INVALID_TLV_INFO;
  if (it.tlvEnd > maxSize) return INVALID_TOO_BIG;

  const sigType = ctrl(CTRL_BOOT_SIG_TYPE);
  const rollback = (ctrl(CTRL_BOOT_OPTIONS) & OPT_HW_ROLLBACK) != 0;
  let hashValid = false;
  let keyId: i32 = -1;
  let sigValid = false;
  let counterValid = false;
  while (true) {
    const rc = it.next();
    if (rc < 0) return INVALID_TLV;
    if (rc > 0) break;
    if (it.type == TLV_SHA256) {
      if (it.len != 32) return INVALID_HASH;
      if (memory.compare(p + <usize>it.dataOff, digest, 32) != 0) return INVALID_HASH;
      hashValid = true;
    } else if (sigType != 0 && it.type == TLV_KEYHASH) {
      if (it.len > 32) return INVALID_TLV;
      keyId = hostFindKey(p + <usize>it.dataOff, it.len);
    } else if (sigType != 0 && <u32>it.type == sigType) {
      if (keyId < 0) continue;
      if (!sigLenOk(sigType, it.len)) return INVALID_SIGNATURE;
      sigValid = hostVerify(keyId, sigType, digest, 32, p + <usize>it.dataOff, it.len) != 0;
      keyId = -1;
    } else if (rollback && it.type == TLV_SEC_CNT) {
      // §2.5: the counter must be protected, 4 bytes, and not below the stored NV value.
      if (!it.isProtected() || it.len != 4) return INVALID_SECURITY_COUNTER;
      if (load<u32>(p + <usize>it.dataOff) < nvCounterRead(image)) return INVALID_SECURITY_COUNTER;
      counterValid = true;
    }
  }
  if (!hashValid) return INVALID_NO_HASH;
  if (sigType != 0 && !sigValid) return INVALID_SIGNATURE;
  if (rollback && !counterValid) return INVALID_SECURITY_COUNTER;
  return VALID;
}

/**
 * The image's security counter (its protected SEC_CNT TLV), or -1 when it has none or its
 * TLV area does not parse.
 */
export function securityCounter(area: u32, base: u32, h: ImageHeader): i64 {
  const it = new TlvIter();
  if (!it.begin(area, base, h)) return -1;
  while (true) {
    const rc = it.next();
    if (rc != 0) return -1;
    if (it.type == TLV_SEC_CNT && it.isProtected() && it.len == 4) return <i64>load<u32>(it.ptr + <usize>it.dataOff);
  }
  return -1;
}

/** EXPECTED_SIG_LEN: exact for RSA and Ed25519; ECDSA DER is checked by the parser (≤ 128 B buffer). */
function sigLenOk(sigType: u32, len: u32): bool {
  if (sigType == <u32>TLV_RSA2048_PSS) return len == 256;
  if (sigType == <u32>TLV_RSA3072_PSS) return len == 384;
  if (sigType == <u32>TLV_ED25519) return len == 64;
  return len <= 128;
}

/**
 * boot_read_image_size: header + payload + protected + unprotected TLVs; 0 when the TLV
 * info headers are wrong (MCUboot asserts on that).
 */
export function imageTotalSize(area: u32, base: u32, h: ImageHeader): u32 {
  const it = new TlvIter();
  if (!it.begin(area, base, h)) return 0;
  return it.tlvEnd;
}

/** Size of the unprotected TLV block (its info header included), 0 when unreadable. */
export function unprotTlvSize(area: u32, base: u32, h: ImageHeader): u32 {
  const it = new TlvIter();
  if (!it.begin(area, base, h)) return 0;
  return it.tlvEnd - it.protEnd;
}

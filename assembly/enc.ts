// Encrypted images (MCUBOOT_ENC_IMAGES, reference/mcuboot.md §2.6, §3.3): the AES keys of the
// two slots' images, what part of each image they cover, and the copy that decrypts into the
// primary and encrypts into the secondary. The secondary holds ciphertext, the primary
// plaintext, the scratch whatever it was handed (ciphertext). The keys come from each image's
// ENC TLV when a swap starts, and are kept raw in the trailer so that a resumed swap has them
// (no MCUBOOT_SWAP_SAVE_ENCTLV). ECIES and AES-CTR run on the host, behind two imports: the
// core only says which bytes, with which key, at which keystream offset.

import { CTRL_BOOT_ENC, CTRL_BOOT_ENC_TLV, ctrl } from './ctrl';
import { areaErasedVal, areaPtr } from './flash';
import { F_ENCRYPTED_AES128, F_ENCRYPTED_AES256, ImageHeader, TlvIter } from './image';
import { encKeyOff, writeEncKey } from './trailer';

/** Host: unwraps the image key from an ENC TLV with the built-in private key; the key's length, or 0 when it cannot. */
@external("env", "hostUnwrapKey")
declare function hostUnwrapKey(tlvType: u32, tlv: usize, tlvLen: u32, out: usize, keyLen: u32): u32;

/** Host: XORs `len` bytes at `data` with the AES-CTR keystream of `key` from byte `streamOff` (zero initial counter). */
@external("env", "hostAesCtr")
declare function hostAesCtr(key: usize, keyLen: u32, streamOff: u32, data: usize, len: u32): void;

const KEY_MAX: u32 = 32;
const keys: usize = memory.data(2 * KEY_MAX);
const hasKey: StaticArray<bool> = [false, false];
/** Per slot: the encrypted part of the image the key belongs to, [hdrSize, hdrSize + imgSize). */
const bodyStart: StaticArray<u32> = [0, 0];
const bodyEnd: StaticArray<u32> = [0, 0];

/** The build decrypts images. */
@inline export function encEnabled(): bool {
  return ctrl(CTRL_BOOT_ENC) != 0;
}

export function isEncrypted(h: ImageHeader): bool {
  return (h.flags & (F_ENCRYPTED_AES128 | F_ENCRYPTED_AES256)) != 0;
}

/** The key of slot `slot` (valid when encHasKey). */
@inline export function encKey(slot: i32): usize {
  return keys + <usize>(<u32>slot * KEY_MAX);
}

export function encHasKey(slot: i32): bool {
  return hasKey[slot];
}

/** Forgets slot `slot`'s key: its field is written as erased bytes. */
export function encClear(slot: i32): void {
  memory.fill(encKey(slot), 0xff, KEY_MAX);
  hasKey[slot] = false;
}

/** Which bytes of the slot's image the key covers: the body, as `h` says. */
export function encSetImage(slot: i32, h: ImageHeader): void {
  bodyStart[slot] = h.hdrSize;
  bodyEnd[slot] = isEncrypted(h) ? h.hdrSize + h.imgSize : h.hdrSize;
}

/**
 * boot_enc_load: the key of the encrypted image `h` at `base` in `area`, from its ENC TLV,
 * into slot `slot`. False when the image has no such TLV or the key does not unwrap it.
 */
export function encLoad(slot: i32, area: u32, base: u32, h: ImageHeader): bool {
  encClear(slot);
  encSetImage(slot, h);
  const it = new TlvIter();
  if (!it.begin(area, base, h)) return false;
  const want = ctrl(CTRL_BOOT_ENC_TLV);
  while (true) {
    const rc = it.next();
    if (rc != 0) return false;
    if (<u32>it.type != want) continue;
    const len = ctrl(CTRL_BOOT_ENC);
    if (hostUnwrapKey(want, it.ptr + <usize>it.dataOff, it.len, encKey(slot), len) != len) {
      encClear(slot);
      return false;
    }
    hasKey[slot] = true;
    return true;
  }
  return false;
}

/** boot_read_enc_key: both slots' keys from `area`'s trailer; a field of 0xff bytes holds none (§9). */
export function encReadKeys(area: u32): void {
  const len = ctrl(CTRL_BOOT_ENC);
  for (let slot = 0; slot < 2; slot++) {
    encClear(slot);
    const p = areaPtr(area) + <usize>encKeyOff(area, slot);
    let none = true;
    for (let i: u32 = 0; i < len; i++) if (load<u8>(p + <usize>i) != 0xff) none = false;
    if (none) continue;
    memory.copy(encKey(slot), p, len);
    hasKey[slot] = true;
  }
}

/** Both key fields into `area`'s trailer (slot 0 first), erased bytes for a slot without a key. */
export function encWriteKeys(area: u32): i32 {
  for (let slot = 0; slot < 2; slot++) {
    if (!hasKey[slot]) memory.fill(encKey(slot), areaErasedVal(area), KEY_MAX);
    const rc = writeEncKey(area, slot, encKey(slot));
    if (rc != 0) return rc;
  }
  return 0;
}

/**
 * Applies slot `slot`'s keystream to `len` bytes at `buf` that hold the image's bytes from
 * offset `pos`: only where they overlap its encrypted body.
 */
export function encCrypt(slot: i32, buf: usize, len: u32, pos: u32): void {
  if (!hasKey[slot]) return;
  const start = max<u32>(pos, bodyStart[slot]);
  const end = min<u32>(pos + len, bodyEnd[slot]);
  if (start >= end) return;
  hostAesCtr(encKey(slot), ctrl(CTRL_BOOT_ENC), start - bodyStart[slot], buf + <usize>(start - pos), end - start);
}

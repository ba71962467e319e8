// The MCUboot image trailer (reference/mcuboot.md §3): the one place that knows where each
// field sits at the end of a slot (or of the scratch area), how it is encoded, and how it
// is written. Everything else asks this file for offsets.

import { AREA_SCRATCH, CTRL_BOOT_ENC, CTRL_BOOT_MAX_ALIGN, CTRL_BOOT_MAX_SECTORS, SWAP_NONE, SWAP_REVERT, ctrl } from './ctrl';
import { areaAlign, areaErasedVal, areaPtr, areaSize, flashWrite } from './flash';
import { strategy } from './swap/strategy';
import { primaryArea } from './boot/state';

// Magic states (§3.4) and flag states.
export const MAGIC_GOOD: u8 = 1;
export const MAGIC_BAD: u8 = 2;
export const MAGIC_UNSET: u8 = 3;
export const MAGIC_ANY: u8 = 4;
export const MAGIC_NOTGOOD: u8 = 5;
export const FLAG_SET: u8 = 1;
export const FLAG_BAD: u8 = 2;
export const FLAG_UNSET: u8 = 3;
export const FLAG_ANY: u8 = 4;

export const BOOT_MAGIC_SZ: u32 = 16;

// The classic 16-byte magic (BOOT_MAX_ALIGN 8): LE words 0xf395c277 0x7fefd260 0x0f505235 0x8079b62c.
const MAGIC_CLASSIC: usize = memory.data<u8>([
  0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
]);
// Other BOOT_MAX_ALIGN values: the align as u16 LE, then these 14 bytes.
const MAGIC_ALIGNED_TAIL: usize = memory.data<u8>([
  0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a,
]);

/** A scratch buffer for trailer writes (one field at most BOOT_MAX_ALIGN or 32 bytes). */
const fieldBuf: usize = memory.data(64);

@inline export function maxAlign(): u32 {
  return ctrl(CTRL_BOOT_MAX_ALIGN);
}

@inline export function maxSectors(): u32 {
  return ctrl(CTRL_BOOT_MAX_SECTORS);
}

@inline function alignDown(n: u32, a: u32): u32 {
  return n & ~(a - 1);
}

@inline export function alignUp(n: u32, a: u32): u32 {
  return (n + a - 1) & ~(a - 1);
}

/** BOOT_STATUS_STATE_COUNT. */
@inline export function stateCount(): u32 {
  return strategy().statusStates;
}

/** BOOT_WRITE_SZ: the primary's write size, and for swap-scratch the larger of it and the scratch's. */
export function bootWriteSz(): u32 {
  let sz = areaAlign(primaryArea());
  if (strategy().usesScratch) {
    const s = areaAlign(AREA_SCRATCH);
    if (s > sz) sz = s;
  }
  return sz;
}

/** BOOT_MAGIC_ALIGN_SIZE: 16 with BOOT_MAX_ALIGN 8, else 16 rounded up to it. */
export function magicAlignSize(): u32 {
  const a = maxAlign();
  return a == 8 ? 16 : alignUp(16, a);
}

export function trailerInfoSz(): u32 {
  let sz = 4 * maxAlign() + magicAlignSize();
  if (strategy().trailerHasUnprotTlvSizes) sz += maxAlign();
  // MCUBOOT_ENC_IMAGES (without SWAP_SAVE_ENCTLV): each slot's raw AES key.
  const keyLen = ctrl(CTRL_BOOT_ENC);
  if (keyLen != 0) sz += 2 * alignUp(keyLen, maxAlign());
  return sz;
}

/** MCUBOOT_ENC_IMAGES: where slot `slot`'s AES key is kept, below swap_size (slot 0's nearest, §3.3). */
export function encKeyOff(area: u32, slot: i32): u32 {
  return swapSizeOff(area) - <u32>(slot + 1) * alignUp(ctrl(CTRL_BOOT_ENC), maxAlign());
}

/** boot_write_enc_key: the raw key, padded with the erased value to the field size (one write). */
export function writeEncKey(area: u32, slot: i32, key: usize): i32 {
  const len = ctrl(CTRL_BOOT_ENC);
  memory.fill(fieldBuf, areaErasedVal(area), 64);
  memory.copy(fieldBuf, key, len);
  return flashWrite(area, encKeyOff(area, slot), fieldBuf, alignUp(len, areaAlign(area)));
}

export function statusSz(writeSz: u32): u32 {
  return maxSectors() * stateCount() * writeSz;
}

/** boot_trailer_sz: status area + fixed fields of a slot trailer. */
export function trailerSz(writeSz: u32): u32 {
  return statusSz(writeSz) + trailerInfoSz();
}

/** The scratch area's trailer holds the records of one region only. */
export function scratchTrailerSz(writeSz: u32): u32 {
  return stateCount() * writeSz + trailerInfoSz();
}

// ---- field offsets (§3.3), relative to the start of the area ---------------------------

@inline export function magicOff(area: u32): u32 {
  return areaSize(area) - BOOT_MAGIC_SZ;
}

export function imageOkOff(area: u32): u32 {
  const a = maxAlign();
  return alignDown(magicOff(area) - a, a);
}

export function copyDoneOff(area: u32): u32 {
  return imageOkOff(area) - maxAlign();
}

export function swapInfoOff(area: u32): u32 {
  return copyDoneOff(area) - maxAlign();
}

/** Swap-offset only (trailerHasUnprotTlvSizes): the two u16 unprotected TLV sizes. */
export function unprotTlvSizesOff(area: u32): u32 {
  return swapInfoOff(area) - maxAlign();
}

export function swapSizeOff(area: u32): u32 {
  if (strategy().trailerHasUnprotTlvSizes) return unprotTlvSizesOff(area) - maxAlign();
  return swapInfoOff(area) - maxAlign();
}

/** boot_status_off: start of the status area, from the area's own write size. */
export function statusOff(area: u32): u32 {
  const elem = areaAlign(area);
  const fromEnd = area == AREA_SCRATCH ? scratchTrailerSz(elem) : trailerSz(elem);
  return areaSize(area) - fromEnd;
}

/** boot_status_entries: how many records the area's status holds. */
export function statusEntries(area: u32): u32 {
  return area == AREA_SCRATCH ? stateCount() : stateCount() * maxSectors();
}

// ---- reading -------------------------------------------------------------------------

export function isErased(area: u32, off: u32, len: u32): bool {
  const p = areaPtr(area) + <usize>off;
  const e = areaErasedVal(area);
  for (let i: usize = 0; i < <usize>len; i++) if (load<u8>(p + i) != e) return false;
  return true;
}

function buildMagic(dst: usize): void {
  const a = maxAlign();
  if (a == 8) {
    memory.copy(dst, MAGIC_CLASSIC, 16);
  } else {
    store<u16>(dst, <u16>a);
    memory.copy(dst + 2, MAGIC_ALIGNED_TAIL, 14);
  }
}

export function readMagic(area: u32): u8 {
  const off = magicOff(area);
  if (isErased(area, off, BOOT_MAGIC_SZ)) return MAGIC_UNSET;
  buildMagic(fieldBuf);
  return memory.compare(areaPtr(area) + <usize>off, fieldBuf, BOOT_MAGIC_SZ) == 0 ? MAGIC_GOOD : MAGIC_BAD;
}

function readFlag(area: u32, off: u32): u8 {
  if (isErased(area, off, 1)) return FLAG_UNSET;
  return load<u8>(areaPtr(area) + <usize>off) == 1 ? FLAG_SET : FLAG_BAD;
}

export function readImageOk(area: u32): u8 {
  return readFlag(area, imageOkOff(area));
}

export function readCopyDone(area: u32): u8 {
  return readFlag(area, copyDoneOff(area));
}

/** The raw swap_info byte, with MCUboot's rule: erased or type > REVERT reads as NONE, image 0. */
export function readSwapInfo(area: u32): u8 {
  const off = swapInfoOff(area);
  if (isErased(area, off, 1)) return SWAP_NONE;
  const v = load<u8>(areaPtr(area) + <usize>off);
  if ((v & 0x0f) > SWAP_REVERT) return SWAP_NONE;
  return v;
}

/** swap_info as swap_read_status reads it: erased means NONE, else the low nibble as is. */
export function readSwapInfoRaw(area: u32): u8 {
  const off = swapInfoOff(area);
  if (isErased(area, off, 1)) return SWAP_NONE;
  return load<u8>(areaPtr(area) + <usize>off);
}

export function readSwapSize(area: u32): u32 {
  return load<u32>(areaPtr(area) + <usize>swapSizeOff(area));
}

export function readUnprotTlvSizes(area: u32): u32 {
  return load<u32>(areaPtr(area) + <usize>unprotTlvSizesOff(area));
}

/** One slot's (or the scratch's) trailer state, as boot_read_swap_state reads it. */
export class SwapState {
  magic: u8 = MAGIC_UNSET;
  swapType: u8 = SWAP_NONE;
  imageNum: u8 = 0;
  copyDone: u8 = FLAG_UNSET;
  imageOk: u8 = FLAG_UNSET;
}

export function readSwapState(area: u32, out: SwapState): void {
  out.magic = readMagic(area);
  const info = readSwapInfo(area);
  out.swapType = info & 0x0f;
  out.imageNum = info >> 4;
  out.copyDone = readCopyDone(area);
  out.imageOk = readImageOk(area);
}

// ---- writing (§3.5) --------------------------------------------------------------------

/**
 * boot_write_trailer: the payload then the erased value up to the write size, one write.
 * Returns the flash write's status (a bad region may refuse it).
 */
function writeField(area: u32, off: u32, src: usize, len: u32): i32 {
  const align = areaAlign(area);
  const n = alignUp(len, align);
  memory.fill(fieldBuf, areaErasedVal(area), 64);
  memory.copy(fieldBuf, src, len);
  return flashWrite(area, off, fieldBuf, n);
}

const byteBuf: usize = memory.data(8);

function writeFlag(area: u32, off: u32): i32 {
  store<u8>(byteBuf, 1);
  return writeField(area, off, byteBuf, 1);
}

export function writeImageOk(area: u32): i32 {
  return writeFlag(area, imageOkOff(area));
}

export function writeCopyDone(area: u32): i32 {
  return writeFlag(area, copyDoneOff(area));
}

export function writeSwapInfo(area: u32, swapType: u8, imageNum: u8): i32 {
  store<u8>(byteBuf, (imageNum << 4) | (swapType & 0x0f));
  return writeField(area, swapInfoOff(area), byteBuf, 1);
}

export function writeSwapSize(area: u32, size: u32): i32 {
  store<u32>(byteBuf, size);
  return writeField(area, swapSizeOff(area), byteBuf, 4);
}

export function writeUnprotTlvSizes(area: u32, sizes: u32): i32 {
  store<u32>(byteBuf, sizes);
  return writeField(area, unprotTlvSizesOff(area), byteBuf, 4);
}

/** boot_write_magic: one write of BOOT_MAGIC_ALIGN_SIZE bytes ending at the slot end. */
export function writeMagic(area: u32): i32 {
  const size = magicAlignSize();
  const off = areaSize(area) - size;
  memory.fill(fieldBuf, areaErasedVal(area), 64);
  buildMagic(fieldBuf + <usize>(size - BOOT_MAGIC_SZ));
  return flashWrite(area, off, fieldBuf, size);
}

/** boot_write_status: one record of the area's write size; byte 0 = the state number. */
export function writeStatusRecord(area: u32, off: u32, state: u8): i32 {
  const align = areaAlign(area);
  memory.fill(fieldBuf, areaErasedVal(area), 64);
  store<u8>(fieldBuf, state);
  return flashWrite(area, off, fieldBuf, align);
}

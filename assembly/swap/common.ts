// What every upgrade strategy shares: MCUboot's flash primitives (§5.0) — region erase one
// sector per call, 1024-byte copy chunks, trailer scrambling, status records, status
// initialisation — and how asserts are counted. (The loader's RAM state they work on is in
// assembly/boot/state.ts.)

import {
  BUG_PR485, CTRL_BOOT_ASSERTS, CTRL_BOOT_COPY_BUF, CTRL_BOOT_OPTIONS, CTRL_BOOT_STATUS_FAILS,
  OPT_VALIDATE_PRIMARY, SWAP_NONE, bug, ctrl, setCtrl,
} from '../ctrl';
import { areaPtr, areaSectorIndex, areaSectorOff, areaSectorSize, areaSize, flashErase, flashWrite } from '../flash';
import {
  FLAG_SET, SwapState, bootWriteSz, isErased, readSwapInfoRaw, readSwapState, statusEntries, statusOff, trailerSz,
  writeImageOk, writeMagic, writeStatusRecord, writeSwapInfo, writeSwapSize, writeUnprotTlvSizes,
} from '../trailer';
import { BootStatus, SLOT_PRIMARY, SLOT_SECONDARY, currentImage, primaryArea, secondaryArea, unprotTlvSizes } from '../boot/state';
import { strategy } from './strategy';
import { encCrypt, encEnabled, encWriteKeys } from '../enc';

/** MCUboot asserts are counted, not fatal (as its simulator's c_catch_asserts does). */
export function bootAssert(ok: bool): void {
  if (!ok) setCtrl(CTRL_BOOT_ASSERTS, ctrl(CTRL_BOOT_ASSERTS) + 1);
}

/**
 * BOOT_STATUS_ASSERT: with MCUBOOT_VALIDATE_PRIMARY_SLOT a failed status write is only
 * counted (the primary is validated before it boots anyway); without it, it is an assert.
 */
export function statusAssert(ok: bool): void {
  if (ok) return;
  if (ctrl(CTRL_BOOT_OPTIONS) & OPT_VALIDATE_PRIMARY) setCtrl(CTRL_BOOT_STATUS_FAILS, ctrl(CTRL_BOOT_STATUS_FAILS) + 1);
  else bootAssert(false);
}

// ---- flash primitives (§5.0) --------------------------------------------------------------

/**
 * boot_erase_region: every sector touching [off, off+size), one erase call per sector,
 * forward or backward. Returns -1 (no erase) when the range is outside the area.
 */
export function eraseRegion(area: u32, off: u32, size: u32, backwards: bool): i32 {
  const total = areaSize(area);
  if (off >= total || total - off < size) return -1;
  if (size == 0 && off == 0) return -1;
  const firstIdx = areaSectorIndex(area, off);
  const lastIdx = size == 0 ? firstIdx : areaSectorIndex(area, off + size - 1);
  if (backwards) {
    for (let i = <i32>lastIdx; i >= <i32>firstIdx; i--) flashErase(area, areaSectorOff(area, i), areaSectorSize(area, i));
  } else {
    for (let i = firstIdx; i <= lastIdx; i++) flashErase(area, areaSectorOff(area, i), areaSectorSize(area, i));
  }
  return 0;
}

/** boot_copy_region: read/write in copy-buffer-sized chunks (one flash write per chunk). */
export function copyRegion(src: u32, dst: u32, offSrc: u32, offDst: u32, size: u32): i32 {
  if (encEnabled()) return copyRegionCrypt(src, dst, offSrc, offDst, size);
  const chunk = ctrl(CTRL_BOOT_COPY_BUF);
  const from = areaPtr(src);
  for (let done: u32 = 0; done < size; ) {
    const n = min<u32>(chunk, size - done);
    if (flashWrite(dst, offDst + done, from + <usize>(offSrc + done), n) != 0) return -1;
    done += n;
  }
  return 0;
}

/** The copy buffer of encrypting builds (MCUboot's is 1024 bytes; ours follows CTRL_BOOT_COPY_BUF). */
let cryptBuf: usize = 0;
let cryptBufSize: u32 = 0;

/**
 * boot_copy_region of MCUBOOT_ENC_IMAGES builds (§2.6): what goes into the primary is the
 * secondary's image and is decrypted with its key; what goes into the secondary is the
 * primary's image and is encrypted with its key (both at the bytes' offset in the image);
 * anything else (into the scratch) is copied as it is.
 */
function copyRegionCrypt(src: u32, dst: u32, offSrc: u32, offDst: u32, size: u32): i32 {
  const chunk = ctrl(CTRL_BOOT_COPY_BUF);
  if (cryptBufSize < chunk) {
    cryptBuf = heap.alloc(chunk);
    cryptBufSize = chunk;
  }
  const from = areaPtr(src);
  for (let done: u32 = 0; done < size; ) {
    const n = min<u32>(chunk, size - done);
    memory.copy(cryptBuf, from + <usize>(offSrc + done), n);
    if (dst == primaryArea()) encCrypt(SLOT_SECONDARY, cryptBuf, n, offDst + done);
    else if (dst == secondaryArea()) encCrypt(SLOT_PRIMARY, cryptBuf, n, offSrc + done);
    if (flashWrite(dst, offDst + done, cryptBuf, n) != 0) return -1;
    done += n;
  }
  return 0;
}

/** Offset of the first sector of `area` that the trailer reaches (boot_trailer_scramble_offset). */
export function trailerSectorOff(area: u32): u32 {
  const size = areaSize(area);
  const tsz = trailerSz(bootWriteSz());
  const start = tsz >= size ? 0 : size - tsz;
  return areaSectorOff(area, areaSectorIndex(area, start));
}

/** swap_scramble_trailer_sectors: erase the trailer's sectors, last sector first. */
export function scrambleTrailerSectors(area: u32): i32 {
  const off = trailerSectorOff(area);
  return eraseRegion(area, off, areaSize(area) - off, true);
}

/** boot_scramble_slot: erase the whole slot, header first. */
export function scrambleSlot(area: u32): i32 {
  return eraseRegion(area, 0, areaSize(area), false);
}

// ---- status records ----------------------------------------------------------------------

/**
 * swap_read_status_bytes (scratch-style forward scan, shared by scratch): the first written
 * record, then the first erased one after it, is the next step. Returns the record index
 * of the next step, or -1 when nothing is written.
 */
export function scanStatusForward(area: u32): i32 {
  const off = statusOff(area);
  const n = statusEntries(area);
  const w = bootWriteSz();
  let found = false;
  let foundIdx: i32 = 0;
  let i: u32 = 0;
  for (; i < n; i++) {
    const erased = isErased(area, off + i * w, 1);
    if (erased) {
      if (found && foundIdx == 0) foundIdx = <i32>i;
    } else if (!found) {
      found = true;
    } else if (foundIdx != 0) {
      // "Detected inconsistent status": tolerated with primary validation on.
      break;
    }
  }
  if (!found) return -1;
  if (foundIdx == 0) foundIdx = <i32>i;
  return foundIdx;
}

/** boot_write_status at the record the strategy computes for (idx, state, op). */
export function writeStatusAt(area: u32, internalOff: u32, state: u8): i32 {
  return writeStatusRecord(area, statusOff(area) + internalOff, state);
}

/** swap_read_status's tail: the source area's swap_info byte (erased = NONE). */
export function sourceSwapType(area: u32): u8 {
  return readSwapInfoRaw(area) & 0x0f;
}

const secondaryState = new SwapState();

/**
 * swap_status_init: swap_info (if not NONE), image_ok (only if the secondary's is SET),
 * swap_size, (swap-offset) the unprotected TLV sizes, then magic last (§3.5).
 */
export function swapStatusInit(area: u32, bs: BootStatus): void {
  readSwapState(secondaryArea(), secondaryState);
  // (Before MCUboot #485 there was no swap_info field to write.)
  if (bs.swapType != SWAP_NONE && !bug(BUG_PR485)) bootAssert(writeSwapInfo(area, bs.swapType, <u8>currentImage()) == 0);
  if (secondaryState.imageOk == FLAG_SET) bootAssert(writeImageOk(area) == 0);
  bootAssert(writeSwapSize(area, bs.swapSize) == 0);
  if (strategy().trailerHasUnprotTlvSizes) {
    bootAssert(writeUnprotTlvSizes(area, (unprotTlvSizes[SLOT_SECONDARY] << 16) | (unprotTlvSizes[SLOT_PRIMARY] & 0xffff)) == 0);
  }
  if (encEnabled()) bootAssert(encWriteKeys(area) == 0);
  bootAssert(writeMagic(area) == 0);
}

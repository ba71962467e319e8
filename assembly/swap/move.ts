// Swap using move (reference/mcuboot.md §5.3; MCUboot's swap_move.c). No scratch area: the
// primary slot keeps one spare sector below its trailer.
//
//   move phase   for k = last_idx down to 1: erase primary sector k, copy primary sector k−1
//                into it (the old image moves up one sector); one "move" record per sector.
//   swap phase   for i = 1..last_idx: state 1 erases primary sector i−1 and copies secondary
//                sector i−1 into it; state 2 erases secondary sector i−1 and copies primary
//                sector i (the old sector i−1, moved up) into it; one record per state.
//
// Records: move records at 0..maxSectors−1 (idx − 1), swap records at
// maxSectors + 2·(idx − 1) + (state − 1). Every step erases its destination and copies from
// a source that is still intact, so redoing the step after a power cut is harmless.
// All sizes assume uniform sectors (boot_slots_compatible refuses anything else).

import { BUG_PR1597, BUG_PR855, SWAP_NONE, SWAP_REVERT, bug } from '../ctrl';
import { areaSectorCount, areaSectorOff, areaSectorSize } from '../flash';
import { IMAGE_MAGIC, ImageHeader } from '../image';
import {
  FLAG_UNSET, MAGIC_GOOD, MAGIC_UNSET, SwapState, alignUp, bootWriteSz, isErased, maxSectors,
  readMagic, readSwapSize, readSwapState, statusEntries, statusOff, trailerSz, writeImageOk, writeMagic, writeSwapSize,
} from '../trailer';
import { BootStatus, OP_MOVE, OP_SWAP, SLOT_PRIMARY, SLOT_SECONDARY, SOURCE_NONE, SOURCE_PRIMARY, slotArea, primaryArea, secondaryArea } from '../boot/state';
import {
  bootAssert, copyRegion, eraseRegion, scrambleTrailerSectors, statusAssert, swapStatusInit, writeStatusAt,
} from './common';
import { Strategy } from './strategy';

export class SwapMove extends Strategy {
  constructor() {
    super();
    this.bootstrapsImageOnly = true;
    this.headersFollowStatus = true;
    this.clearsStuckRevert = true;
  }

  /**
   * boot_slots_compatible: the primary has as many sectors as the secondary, or one more (the
   * optimal layout), no more than maxSectors, and all sectors are the same size.
   */
  slotsCompatible(maxSectors: u32): bool {
    const np = areaSectorCount(primaryArea());
    const ns = areaSectorCount(secondaryArea());
    if (np != ns && np != ns + 1) return false;
    if (np > maxSectors) return false;
    const sz = sectorSize();
    for (let i: u32 = 0; i < np; i++) if (areaSectorSize(primaryArea(), i) != sz) return false;
    for (let i: u32 = 0; i < ns; i++) if (areaSectorSize(secondaryArea(), i) != sz) return false;
    return true;
  }

  /**
   * bootutil_max_image_size (§3.8): the primary must keep a spare sector for the move phase
   * besides its trailer sectors; the secondary only its trailer sectors.
   */
  maxImageSize(slot: i32): u32 {
    const sz = sectorSize();
    const t = trailerSectors() * sz;
    const np = areaSectorCount(primaryArea());
    const ns = areaSectorCount(secondaryArea());
    const fromPrimary = np * sz >= t + sz ? np * sz - t - sz : 0;
    const fromSecondary = ns * sz >= t ? ns * sz - t : 0;
    return min<u32>(fromPrimary, fromSecondary);
  }

  /**
   * swap_status_source: the primary holds the status only while a swap it describes is under
   * way — magic GOOD, copy_done UNSET — and no new request waits in the secondary. The last
   * condition (MCUboot #829 / ce115975) keeps an imgtool-padded primary trailer from being
   * taken for a swap in progress: a new swap always rebuilds the primary trailer first.
   */
  statusSource(): u8 {
    readSwapState(primaryArea(), primaryState);
    readSwapState(secondaryArea(), secondaryState);
    // Before ce115975 (the test-only variant) the secondary was not looked at, so an imgtool
    // --pad --confirm primary was taken for a swap in progress.
    const noRequest = secondaryState.magic != MAGIC_GOOD || bug(BUG_PR855);
    if (primaryState.magic == MAGIC_GOOD && primaryState.copyDone == FLAG_UNSET && noRequest) {
      return SOURCE_PRIMARY;
    }
    return SOURCE_NONE;
  }

  /**
   * swap_read_status_bytes: the last written record, found scanning backwards, tells the
   * step to resume at. (MCUboot's "inconsistent status" check compares flash read return
   * codes, which never differ here, so it never fires: reference §9.)
   */
  readStatusBytes(area: u32, bs: BootStatus): void {
    const off = statusOff(area);
    const w = bootWriteSz();
    let next: i32 = -1; // record index of the next step = 1 + the last written record
    for (let i = <i32>statusEntries(area); i > 0; i--) {
      if (!isErased(area, off + <u32>(i - 1) * w, 1)) {
        next = i;
        break;
      }
    }
    if (next < 0) return;
    const moveEntries = <i32>maxSectors();
    if (next < moveEntries) {
      bs.op = OP_MOVE;
      bs.idx = <u32>next + 1;
      bs.state = 1;
    } else {
      bs.op = OP_SWAP;
      bs.idx = <u32>((next - moveEntries) / 2) + 1;
      bs.state = <u8>((next - moveEntries) % 2) + 1;
    }
  }

  /**
   * boot_read_image_header. Without a status, the header at the start of the slot. With an
   * interrupted swap, where the swap has put it: the last index is recomputed from the
   * trailer's swap_size on every call — a boot must not rely on anything from an earlier
   * boot (MCUboot #1588 / 74530753: a RAM copy of it made the header lookup miss the moved
   * header and bricked the device). With a status given, a header without IMAGE_MAGIC is a
   * failure: that is why swap-move boots nothing from an erased primary slot.
   */
  readImageHeader(slot: i32, hdr: ImageHeader, bs: BootStatus | null): i32 {
    let off: u32 = 0;
    let from = slot;
    if (bs !== null && !bs.isReset()) {
      let lastIdx: u32;
      if (bug(BUG_PR1597)) {
        // Before 74530753 (the test-only variant): the last index was a RAM variable set only by
        // the swap itself, which runs after this lookup. On a fresh boot it still holds its
        // initial "max", so the moved-up header is never looked for in sector 1.
        lastIdx = 0xffffffff;
      } else {
        // boot_find_status: only the primary trailer can hold the swap size.
        if (readMagic(primaryArea()) != MAGIC_GOOD) return -1;
        lastIdx = findLastIdx(readSwapSize(primaryArea()));
        if (lastIdx > areaSectorCount(primaryArea())) {
          // Only a hand-made trailer gets here (MCUboot walks past the sector table, or spins
          // forever on 0xffffffff): count it as an assert and give up on the header.
          bootAssert(false);
          return -1;
        }
      }
      if (bs.op == OP_MOVE) {
        // Every sector has moved up: the primary's header is now in sector 1.
        if (slot == SLOT_PRIMARY && bs.idx > lastIdx) off = sectorSize();
      } else if (bs.idx > 1 && bs.idx <= lastIdx) {
        // Sector 0 of both slots has been swapped.
        from = slot == SLOT_PRIMARY ? SLOT_SECONDARY : SLOT_PRIMARY;
      } else if (bs.idx == 1) {
        if (slot == SLOT_PRIMARY) off = sectorSize();
        // State 1 of sector 0 is done: the secondary's header is in primary sector 0.
        if (slot == SLOT_SECONDARY && bs.state == 2) from = SLOT_PRIMARY;
      }
    }
    hdr.read(slotArea(from), off);
    if (bs !== null && hdr.magic != IMAGE_MAGIC) return -1;
    return 0;
  }

  /**
   * swap_run. A new swap first checks that the image leaves the spare sector free below the
   * trailer; if not, it sets bs.swapType to NONE and does nothing (MCUboot then still writes
   * the primary's image_ok/copy_done: its caller goes by the swap type it decided earlier).
   */
  run(bs: BootStatus, copySize: u32): void {
    const lastIdx = findLastIdx(copySize);
    if (bs.isReset()) {
      const n = areaSectorCount(primaryArea());
      const t = trailerSectors();
      const firstTrailerIdx = n >= t ? n - t : 0;
      if (lastIdx >= firstTrailerIdx) {
        bs.swapType = SWAP_NONE;
        return;
      }
    }
    if (lastIdx > areaSectorCount(primaryArea()) - 1) {
      // A resumed swap whose trailer swap_size does not fit the slot (hand-made flash only).
      bootAssert(false);
      return;
    }

    fixupRevert(bs);

    if (bs.op == OP_MOVE) {
      for (let idx = lastIdx; idx > 0; idx--) {
        if (idx <= lastIdx - bs.idx + 1) moveSectorUp(idx, bs);
      }
      bs.idx = 1;
    }
    bs.op = OP_SWAP;
    for (let idx: u32 = 1; idx <= lastIdx; idx++) {
      if (idx >= bs.idx) swapSectors(idx, bs);
    }
  }
}

// ---- geometry ------------------------------------------------------------------------------

/** Every sector of both slots has the size of primary sector 0. */
@inline function sectorSize(): u32 {
  return areaSectorSize(primaryArea(), 0);
}

/** Sectors at the top of the primary that the trailer reaches (at least one). */
function trailerSectors(): u32 {
  const sz = sectorSize();
  return alignUp(trailerSz(bootWriteSz()), sz) / sz;
}

/**
 * find_last_idx: how many sectors hold `swapSize` bytes (at least one). This is a count,
 * although MCUboot calls it an index: sector numbers in the loops below are 1-based.
 */
function findLastIdx(swapSize: u32): u32 {
  const sz = sectorSize();
  const n = (<u64>swapSize + <u64>sz - 1) / <u64>sz;
  return n == 0 ? 1 : <u32>min<u64>(n, 0xffffffff);
}

// ---- status --------------------------------------------------------------------------------

const primaryState = new SwapState();
const secondaryState = new SwapState();

/** boot_status_internal_off for (op, idx, state). */
function internalOff(bs: BootStatus): u32 {
  const w = bootWriteSz();
  if (bs.op == OP_MOVE) return (bs.idx - 1) * w;
  return maxSectors() * w + (bs.idx - 1) * 2 * w + (<u32>bs.state - 1) * w;
}

/** boot_write_status: byte 0 = the state number (1 for every move record). */
function writeStatus(bs: BootStatus): i32 {
  return writeStatusAt(primaryArea(), internalOff(bs), bs.state);
}

// ---- the swap ------------------------------------------------------------------------------

/**
 * fixup_revert: a revert starts with the primary trailer describing the finished test swap
 * and an erased secondary trailer. Before the primary trailer is rebuilt, the secondary is
 * given image_ok, swap_size and magic, so that a power cut in between still finds a
 * request (it then reads as PERM, which swaps the same images: the revert sweep's k = 5..10).
 */
function fixupRevert(bs: BootStatus): void {
  if (bs.swapType != SWAP_REVERT || bs.op != OP_MOVE || bs.idx != 1) return;
  readSwapState(secondaryArea(), secondaryState);
  if (secondaryState.magic != MAGIC_UNSET) return;
  bootAssert(scrambleTrailerSectors(secondaryArea()) == 0);
  bootAssert(writeImageOk(secondaryArea()) == 0);
  bootAssert(writeSwapSize(secondaryArea(), bs.swapSize) == 0);
  bootAssert(writeMagic(secondaryArea()) == 0);
}

/** boot_move_sector_up: primary sector idx−1 → sector idx. */
function moveSectorUp(idx: u32, bs: BootStatus): void {
  const sz = sectorSize();
  const newOff = areaSectorOff(primaryArea(), idx);
  const oldOff = areaSectorOff(primaryArea(), idx - 1);
  if (bs.idx == 1) {
    // A new swap: rebuild the primary trailer (unless it already describes this swap), then
    // drop the request from the secondary; from here on the primary is the status source.
    if (bs.source != SOURCE_PRIMARY) {
      bootAssert(scrambleTrailerSectors(primaryArea()) == 0);
      swapStatusInit(primaryArea(), bs);
    }
    bootAssert(scrambleTrailerSectors(secondaryArea()) == 0);
  }
  bootAssert(eraseRegion(primaryArea(), newOff, sz, false) == 0);
  bootAssert(copyRegion(primaryArea(), primaryArea(), oldOff, newOff, sz) == 0);
  const rc = writeStatus(bs);
  bs.idx++;
  statusAssert(rc == 0);
}

/** boot_swap_sectors: sector idx−1 of both slots, resuming at bs.state. */
function swapSectors(idx: u32, bs: BootStatus): void {
  const sz = sectorSize();
  const priUpOff = areaSectorOff(primaryArea(), idx);
  const priOff = areaSectorOff(primaryArea(), idx - 1);
  const secOff = areaSectorOff(secondaryArea(), idx - 1);
  if (bs.state == 1) {
    bootAssert(eraseRegion(primaryArea(), priOff, sz, false) == 0);
    bootAssert(copyRegion(secondaryArea(), primaryArea(), secOff, priOff, sz) == 0);
    const rc = writeStatus(bs);
    bs.state = 2;
    statusAssert(rc == 0);
  }
  if (bs.state == 2) {
    bootAssert(eraseRegion(secondaryArea(), secOff, sz, false) == 0);
    bootAssert(copyRegion(primaryArea(), secondaryArea(), priUpOff, secOff, sz) == 0);
    const rc = writeStatus(bs);
    bs.idx++;
    bs.state = 1;
    statusAssert(rc == 0);
  }
}


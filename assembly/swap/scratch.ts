// Swap using scratch (reference/mcuboot.md §5.2): the image is swapped region by region
// from the top down, each region going secondary → scratch, primary → secondary,
// scratch → primary, with three status records per region. The first region's status
// lives in the scratch trailer while the primary trailer is rebuilt.

import {
  AREA_SCRATCH, BUG_F76FBA70, BUG_PR2205, BUG_PR2206, CTRL_BOOT_IMAGES, SWAP_NONE, bug, ctrl,
} from '../ctrl';
import { areaSectorCount, areaSectorOff, areaSectorSize, areaSize } from '../flash';
import {
  FLAG_SET, MAGIC_ANY, MAGIC_GOOD, MAGIC_NOTGOOD, MAGIC_UNSET, FLAG_UNSET, SwapState, bootWriteSz, maxSectors,
  readSwapState, statusOff, trailerSz, writeImageOk, writeMagic, writeSwapInfo, writeSwapSize, scratchTrailerSz, stateCount,
} from '../trailer';
import { BootStatus, SOURCE_NONE, SOURCE_PRIMARY, SOURCE_SCRATCH, primaryArea, secondaryArea, currentImage, SLOT_PRIMARY, SLOT_SECONDARY } from '../boot/state';
import {
  bootAssert, copyRegion, eraseRegion, scanStatusForward, scrambleTrailerSectors, statusAssert, swapStatusInit, trailerSectorOff, writeStatusAt,
} from './common';
import { Strategy } from './strategy';
import { encEnabled, encSetImage, encWriteKeys } from '../enc';
import { ImageHeader } from '../image';

export class SwapScratch extends Strategy {
  constructor() {
    super();
    this.usesScratch = true;
  }

  /** boot_slots_compatible: sector groups of both slots must line up and fit the scratch. */
  slotsCompatible(maxSectors: u32): bool {
    const np = areaSectorCount(primaryArea());
    const ns = areaSectorCount(secondaryArea());
    if (np > maxSectors || ns > maxSectors) return false;
    const scratchSz = areaSize(AREA_SCRATCH);
    let i: u32 = 0, j: u32 = 0;
    let sz0: u32 = 0, sz1: u32 = 0, primarySz: u32 = 0, secondarySz: u32 = 0;
    let smaller = 0;
    while (i < np || j < ns) {
      if (sz0 == sz1) {
        if (i >= np || j >= ns) return false;
        sz0 += areaSectorSize(primaryArea(), i++);
        sz1 += areaSectorSize(secondaryArea(), j++);
      } else if (sz0 < sz1) {
        if (i >= np) return false;
        sz0 += areaSectorSize(primaryArea(), i++);
        if (smaller == 2) return false;
        smaller = 1;
      } else {
        if (j >= ns) return false;
        sz1 += areaSectorSize(secondaryArea(), j++);
        if (smaller == 1) return false;
        smaller = 2;
      }
      if (sz0 == sz1) {
        primarySz += sz0;
        secondarySz += sz1;
        if (sz0 > scratchSz || sz1 > scratchSz) return false;
        smaller = 0;
        sz0 = 0;
        sz1 = 0;
      }
    }
    return i == np && j == ns && primarySz == secondarySz;
  }

  /**
   * bootutil_max_image_size: the slot minus its trailer, minus padding when the part of the
   * trailer inside its first sector is smaller than the scratch trailer (trailers larger
   * than a sector), so that the last region's data and the scratch trailer fit together.
   * (Before d00b11dc, PR #2206, the test-only variant: no padding.)
   */
  maxImageSize(slot: i32): u32 {
    const size = areaSize(primaryArea());
    const tsz = trailerSz(bootWriteSz());
    const trailerStart = size - tsz;
    const firstTrailerSector = trailerSectorOff(primaryArea());
    const inFirstSector = areaSectorOffEnd(firstTrailerSector) - trailerStart;
    const scratchTrailer = scratchTrailerSz(bootWriteSz());
    let padding: u32 = 0;
    if (inFirstSector < scratchTrailer && !bug(BUG_PR2206)) padding = scratchTrailer - inFirstSector;
    return trailerStart - padding;
  }

  /** swap_status_source, first matching row of §5.2's table. */
  statusSource(): u8 {
    readSwapState(primaryArea(), primaryState);
    readSwapState(AREA_SCRATCH, scratchState);
    const p = primaryState, s = scratchState;
    if (magicMatches(MAGIC_GOOD, p.magic) && magicMatches(MAGIC_NOTGOOD, s.magic) && p.copyDone == FLAG_SET) return SOURCE_NONE;
    if (magicMatches(MAGIC_GOOD, p.magic) && magicMatches(MAGIC_NOTGOOD, s.magic) && p.copyDone == FLAG_UNSET) return SOURCE_PRIMARY;
    if (magicMatches(MAGIC_GOOD, s.magic)) {
      // The scratch is shared by every image: its trailer names whose swap it holds.
      if (ctrl(CTRL_BOOT_IMAGES) > 1 && s.imageNum != currentImage()) return SOURCE_NONE;
      return SOURCE_SCRATCH;
    }
    if (magicMatches(MAGIC_UNSET, p.magic) && p.copyDone == FLAG_UNSET) return SOURCE_PRIMARY;
    return SOURCE_NONE;
  }

  /** Parses the records of the status source into (idx, state). */
  readStatusBytes(area: u32, bs: BootStatus): void {
    const n = scanStatusForward(area);
    if (n < 0) return;
    const count = <i32>stateCount();
    bs.idx = <u32>(n / count) + 1;
    bs.state = <u8>(n % count) + 1;
  }

  /** swap_run: the regions from the top down, resuming at bs.idx. */
  run(bs: BootStatus, copySize: u32): void {
    if (encEnabled() && !bs.isReset()) resumeEncryptedImages(bs, copySize);
    let last = findLastSectorIdx(copySize);
    let swapIdx: u32 = 0;
    while (last >= 0) {
      const r = copySz(last);
      const sz = <u32>r;
      const first = <i32>(r >> 32);
      if (swapIdx >= bs.idx - 1) swapSectors(<u32>first, sz, bs);
      last = first - 1;
      swapIdx++;
    }
  }
}

const encHeader = new ImageHeader();

/**
 * A resumed swap of encrypted images: which bytes each key covers, from the headers where
 * they are now. The primary's header stays in place until the last region's state 3; the
 * secondary's is in the scratch once the last region's state 1 has copied it there.
 */
function resumeEncryptedImages(bs: BootStatus, copySize: u32): void {
  let regions: u32 = 0;
  for (let last = findLastSectorIdx(copySize); last >= 0; regions++) last = <i32>(copySz(last) >> 32) - 1;
  encHeader.read(primaryArea(), 0);
  encSetImage(SLOT_PRIMARY, encHeader);
  encHeader.read(bs.idx == regions && bs.state >= 2 ? AREA_SCRATCH : secondaryArea(), 0);
  encSetImage(SLOT_SECONDARY, encHeader);
}

/** End offset of the primary sector starting at `off`. */
function areaSectorOffEnd(off: u32): u32 {
  const n = areaSectorCount(primaryArea());
  for (let i: u32 = 0; i < n; i++) {
    const o = areaSectorOff(primaryArea(), i);
    if (o == off) return o + areaSectorSize(primaryArea(), i);
  }
  return areaSize(primaryArea());
}

const primaryState = new SwapState();
const scratchState = new SwapState();

function magicMatches(want: u8, have: u8): bool {
  if (want == MAGIC_ANY) return true;
  if (want == MAGIC_NOTGOOD) return have != MAGIC_GOOD;
  return want == have;
}

/** boot_status_internal_off: record (idx−1)·3 + (state−1). */
function internalOff(bs: BootStatus, elem: u32): u32 {
  return (bs.idx - 1) * stateCount() * elem + (<u32>bs.state - 1) * elem;
}

function writeStatus(bs: BootStatus): i32 {
  const area = bs.useScratch ? AREA_SCRATCH : primaryArea();
  return writeStatusAt(area, internalOff(bs, bootWriteSz()), bs.state);
}

/** find_last_sector_idx: the last primary sector that holds `copySize` bytes, on both slots' sector grids. */
function findLastSectorIdx(copySize: u32): i32 {
  if (bug(BUG_PR2205)) return findLastSectorIdxShared(copySize);
  let psz: u32 = 0, ssz: u32 = 0;
  let pi: u32 = 0, si: u32 = 0;
  const np = areaSectorCount(primaryArea()), ns = areaSectorCount(secondaryArea());
  while (true) {
    if ((psz < copySize || psz < ssz) && pi < np) psz += areaSectorSize(primaryArea(), pi++);
    if ((ssz < copySize || ssz < psz) && si < ns) ssz += areaSectorSize(secondaryArea(), si++);
    if (psz >= copySize && ssz >= copySize && psz == ssz) break;
    if (pi >= np && si >= ns) break;
  }
  return <i32>pi - 1;
}

/**
 * find_last_sector_idx before fbd2267e (PR #2205, the test-only variant): one index for
 * both slots, advanced on every step, also when only the secondary's sum grew. With larger
 * primary sectors it counts secondary sectors and points past the primary's sector list;
 * the entries MCUboot then reads are whatever follows its sector array (here: the sectors
 * that follow in the flash's own sector map). The walk stops, counting an assert, where
 * MCUboot's arrays (MCUBOOT_MAX_IMG_SECTORS entries) end.
 */
function findLastSectorIdxShared(copySize: u32): i32 {
  let psz: u32 = 0, ssz: u32 = 0;
  let i: u32 = 0;
  while (true) {
    if (psz < copySize || psz < ssz) psz += areaSectorSize(primaryArea(), i);
    if (ssz < copySize || ssz < psz) ssz += areaSectorSize(secondaryArea(), i);
    if (psz >= copySize && ssz >= copySize && psz == ssz) break;
    if (i + 1 >= maxSectors()) {
      bootAssert(false);
      break;
    }
    i++;
  }
  return <i32>i;
}

/** boot_copy_sz: as many primary sectors, going down from `last`, as fit the scratch. */
function copySz(last: i32): u64 {
  const scratchSz = areaSize(AREA_SCRATCH);
  let sz: u32 = 0;
  let i = last;
  for (; i >= 0; i--) {
    const next = sz + areaSectorSize(primaryArea(), <u32>i);
    if (next > scratchSz) break;
    sz = next;
  }
  // low 32 bits: size; high: first sector index of the region
  return (<u64>(i + 1) << 32) | <u64>sz;
}

/** boot_swap_sectors: one region, resuming at bs.state. */
function swapSectors(idx: u32, sz: u32, bs: BootStatus): void {
  const imgOff = areaSectorOff(primaryArea(), idx);
  let copySz = sz;
  const tsz = trailerSz(bootWriteSz());
  const slotSize = areaSize(primaryArea());
  // The first sector the trailer reaches (trailers may span several sectors).
  const firstTrailerOff = trailerSectorOff(primaryArea());
  if (imgOff + sz > firstTrailerOff) {
    copySz = slotSize - imgOff - tsz;
    // The scratch keeps its own trailer: the data must not run into it (66d41e73, PR #2206;
    // the test-only variant copies on, over the scratch's status records).
    const scratchTrailerOff = statusOff(AREA_SCRATCH);
    if (copySz > scratchTrailerOff && !bug(BUG_PR2206)) copySz = scratchTrailerOff;
  }
  bs.useScratch = bs.idx == 1 && copySz != sz;

  if (bs.state == 1) {
    bootAssert(eraseRegion(AREA_SCRATCH, 0, areaSize(AREA_SCRATCH), false) == 0);
    if (bs.idx == 1) {
      // A temporary home for swap_info/image_ok/swap_size while the primary trailer is rebuilt.
      swapStatusInit(AREA_SCRATCH, bs);
      if (!bs.useScratch) {
        bootAssert(scrambleTrailerSectors(primaryArea()) == 0);
        swapStatusInit(primaryArea(), bs);
        bootAssert(eraseRegion(AREA_SCRATCH, 0, areaSize(AREA_SCRATCH), false) == 0);
      }
    }
    bootAssert(copyRegion(secondaryArea(), AREA_SCRATCH, imgOff, 0, copySz) == 0);
    const rc = writeStatus(bs);
    bs.state = 2;
    statusAssert(rc == 0);
  }

  if (bs.state == 2) {
    let eraseSz = sz;
    if (bs.idx == 1) {
      bootAssert(scrambleTrailerSectors(secondaryArea()) == 0);
      if (bs.useScratch) eraseSz = shrinkToTrailer(secondaryArea(), imgOff, sz);
    }
    if (eraseSz > 0) bootAssert(eraseRegion(secondaryArea(), imgOff, eraseSz, false) == 0);
    bootAssert(copyRegion(primaryArea(), secondaryArea(), imgOff, imgOff, copySz) == 0);
    const rc = writeStatus(bs);
    bs.state = 3;
    statusAssert(rc == 0);
  }

  if (bs.state == 3) {
    let eraseSz = sz;
    if (bs.useScratch) {
      bootAssert(scrambleTrailerSectors(primaryArea()) == 0);
      eraseSz = shrinkToTrailer(primaryArea(), imgOff, sz);
    }
    if (eraseSz > 0) bootAssert(eraseRegion(primaryArea(), imgOff, eraseSz, false) == 0);
    bootAssert(copyRegion(AREA_SCRATCH, primaryArea(), 0, imgOff, copySz) == 0);
    if (bs.useScratch) {
      // Carry the two records kept in scratch over, then the trailer fields, magic last.
      statusAssert(copyRegion(AREA_SCRATCH, primaryArea(), statusOff(AREA_SCRATCH), imgOff + copySz, (stateCount() - 1) * bootWriteSz()) == 0);
      readSwapState(AREA_SCRATCH, scratchState);
      if (scratchState.imageOk == FLAG_SET) bootAssert(writeImageOk(primaryArea()) == 0);
      if (scratchState.swapType != SWAP_NONE) bootAssert(writeSwapInfo(primaryArea(), scratchState.swapType, <u8>currentImage()) == 0);
      bootAssert(writeSwapSize(primaryArea(), bs.swapSize) == 0);
      if (encEnabled()) bootAssert(encWriteKeys(primaryArea()) == 0);
      bootAssert(writeMagic(primaryArea()) == 0);
    }
    const eraseScratch = bs.useScratch;
    bs.useScratch = false;
    const rc = writeStatus(bs);
    bs.idx++;
    bs.state = 1;
    statusAssert(rc == 0);
    if (eraseScratch) {
      // Trailer end first, so a reset mid-erase never leaves a valid scratch trailer over
      // half-erased data (MCUboot f76fba70; the test-only variant erases forward as before).
      const backwards = !bug(BUG_F76FBA70);
      bootAssert(eraseRegion(AREA_SCRATCH, 0, areaSize(AREA_SCRATCH), backwards) == 0);
    }
  }
}

/** The part of a region below the slot's first trailer sector (already scrambled). */
function shrinkToTrailer(area: u32, imgOff: u32, sz: u32): u32 {
  const t = trailerSectorOff(area);
  if (t <= imgOff) return 0;
  return min<u32>(sz, t - imgOff);
}


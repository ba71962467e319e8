// Swap using offset (reference/mcuboot.md §5.4): the update is uploaded one sector into the
// secondary slot, so each step moves data one sector down instead of through a scratch
// area. For index i (0-based, bottom up): primary sector i → secondary sector i (state 1),
// then secondary sector i+1 → primary sector i (state 2). Two status records per index, in
// the primary's trailer. The old image ends up at secondary offset 0; a revert walks the
// same sectors top down and leaves the new image at secondary sector 1 again, as uploaded.
//
// What the loader state keeps between calls of this file (all RAM, fresh at every power-on):
// where the secondary's image starts (MCUboot's `secondary_offset`) and, in
// assembly/boot/state.ts, the headers and the two unprotected TLV sizes.

import { BUG_PR2214, SWAP_NONE, SWAP_REVERT, bug } from '../ctrl';
import { areaSectorCount, areaSectorOff, areaSectorSize } from '../flash';
import { IMAGE_MAGIC, ImageHeader, unprotTlvSize } from '../image';
import {
  FLAG_UNSET, MAGIC_GOOD, MAGIC_UNSET, SwapState, bootWriteSz, readSwapSize, readSwapState,
  readUnprotTlvSizes, stateCount, statusEntries, statusOff, isErased, trailerSz, writeCopyDone,
} from '../trailer';
import { BootStatus, OP_SWAP, SLOT_PRIMARY, SLOT_SECONDARY, SOURCE_NONE, SOURCE_PRIMARY, headers, slotArea, unprotTlvSizes, primaryArea, secondaryArea } from '../boot/state';
import { swapTypeFromTrailers } from '../boot/decide';
import {
  bootAssert, copyRegion, eraseRegion, scrambleTrailerSectors, statusAssert, swapStatusInit, writeStatusAt,
} from './common';
import { Strategy } from './strategy';

export class SwapOffset extends Strategy {
  constructor() {
    super();
    this.bootstrapsImageOnly = true;
    this.statusStates = 2;
    this.trailerHasUnprotTlvSizes = true;
    this.headersFollowStatus = true;
    this.revertRequestedBySecondary = true;
  }

  /** boot_slots_compatible: N_sec == N_pri or N_pri + 1, same sector sizes side by side. */
  slotsCompatible(maxSectors: u32): bool {
    const np = areaSectorCount(primaryArea());
    const ns = areaSectorCount(secondaryArea());
    if (np != ns && np + 1 != ns) return false;
    if (np > maxSectors) return false;
    for (let i: u32 = 0; i + 1 < ns; i++) {
      if (areaSectorSize(primaryArea(), i) != areaSectorSize(secondaryArea(), i)) return false;
    }
    return true;
  }

  /**
   * bootutil_max_image_size: the primary minus its trailer sectors, and the secondary minus
   * its trailer sectors and the spare sector the upload skips; the smaller of the two.
   */
  maxImageSize(slot: i32): u32 {
    const sector = sectorSz();
    const t = trailerSectors();
    const pri = (areaSectorCount(primaryArea()) - t) * sector;
    const sec = (areaSectorCount(secondaryArea()) - t - 1) * sector;
    return min<u32>(pri, sec);
  }

  /** Where the slot's image starts: the secondary's as last located, the primary's at 0. */
  imageBase(slot: i32): u32 {
    return imageOffset(slot);
  }

  /**
   * boot_read_image_header, swap-offset flavour (0 ok, -1 when a status-aware read finds no
   * image magic).
   * - Without a status: the secondary's header is one sector in, unless a revert is due (then
   *   the old image sits at 0); if the magic is not there, the other offset is tried.
   * - With a status and no progress: the same, with the status' swap type counting too.
   * - Mid-swap: where each header is now, from the progress and the last index of the
   *   recorded swap size. For a non-revert swap this compares the 1-based status index with the
   *   0-based last index, as MCUboot does: resuming at the last index reads the primary header
   *   from the primary slot, which already holds the new image (the nrf52840 k = 309 case).
   */
  readImageHeader(slot: i32, hdr: ImageHeader, bs: BootStatus | null): i32 {
    let off: u32 = 0;
    let checkOther = true;
    if (bs === null) {
      if (slot == SLOT_SECONDARY && swapTypeFromTrailers() != SWAP_REVERT) off = areaSectorSize(secondaryArea(), 0);
    } else if (!bs.isReset()) {
      checkOther = false;
      // boot_find_status: the primary trailer must be GOOD to hold a swap size.
      if (primaryMagic() != MAGIC_GOOD) return -1;
      const last = findLastIdx(readSwapSize(primaryArea()));
      const sz = sectorSz();
      const step = bs.idx - 1; // 0-based index of the next step
      if (isRevert(bs)) {
        if (slot == SLOT_PRIMARY) {
          if (step > last || (step == last && bs.state == 2)) {
            slot = SLOT_SECONDARY;
            off = sz;
          }
        } else if (step > last) {
          // (MCUboot also tests state 3, which swap-offset never records.)
          slot = SLOT_PRIMARY;
        }
      } else {
        if (slot == SLOT_PRIMARY) {
          if ((bs.idx > 1 || bs.state == 2) && bs.idx <= last) slot = SLOT_SECONDARY;
        } else if (bs.idx > 1) {
          slot = SLOT_PRIMARY;
        } else {
          off = sz;
        }
      }
    } else if (isRevert(bs)) {
      off = 0;
    } else if (slot == SLOT_SECONDARY) {
      off = areaSectorSize(secondaryArea(), 0);
    }

    const area = slotArea(slot);
    hdr.read(area, off);
    if (checkOther && hdr.magic != IMAGE_MAGIC && slot == SLOT_SECONDARY) {
      off = swapTypeFromTrailers() != SWAP_REVERT ? 0 : areaSectorSize(secondaryArea(), 0);
      hdr.read(area, off);
    }
    if (bs !== null && hdr.magic == IMAGE_MAGIC && slot == SLOT_SECONDARY) secondaryOffset = off;
    if (bs !== null && hdr.magic != IMAGE_MAGIC) return -1;
    return 0;
  }

  /** swap_status_source: the primary holds the status while it is GOOD, not done, and no new request waits. */
  statusSource(): u8 {
    readSwapState(primaryArea(), primaryState);
    readSwapState(secondaryArea(), secondaryState);
    if (primaryState.magic == MAGIC_GOOD && primaryState.copyDone == FLAG_UNSET && secondaryState.magic != MAGIC_GOOD) {
      return SOURCE_PRIMARY;
    }
    return SOURCE_NONE;
  }

  /**
   * swap_read_status_bytes: scanning backwards, the last written record says where the swap
   * stands; the next step is the record after it.
   */
  readStatusBytes(area: u32, bs: BootStatus): void {
    const off = statusOff(area);
    const w = bootWriteSz();
    let found: i32 = -1;
    for (let i = <i32>statusEntries(area); i > 0; i--) {
      if (!isErased(area, off + <u32>(i - 1) * w, 1)) {
        found = i;
        break;
      }
    }
    if (found < 0) return;
    const count = <i32>stateCount();
    bs.op = OP_SWAP;
    bs.idx = <u32>(found / count) + 1;
    bs.state = <u8>(found % count) + 1;
  }

  /**
   * "Wrong upload address": a TEST or PERM request whose image header is at the start of the
   * secondary slot instead of one sector in.
   */
  misplacedUpload(): bool {
    const requested = swapTypeFromTrailers();
    if (requested == SWAP_REVERT || requested == SWAP_NONE) return false;
    const h = headers[SLOT_SECONDARY];
    return h.magic == IMAGE_MAGIC && secondaryOffset == 0;
  }

  /** swap_run. `copySize` is the swap size (from the headers, or from the trailer on resume). */
  run(bs: BootStatus, copySize: u32): void {
    loadUnprotTlvSizes(bs);
    const last = findLastIdx(copySize);
    if (bs.isReset()) {
      // A new swap needs every index below the first trailer sector.
      const firstTrailerIdx = areaSectorCount(primaryArea()) - trailerSectors();
      if (last >= firstTrailerIdx) {
        bs.swapType = SWAP_NONE;
        return;
      }
    }

    fixupRevert(bs);
    if (bs.idx == 1) {
      if (bs.source != SOURCE_PRIMARY) {
        bootAssert(scrambleTrailerSectors(primaryArea()) == 0);
        swapStatusInit(primaryArea(), bs);
      }
      bootAssert(scrambleTrailerSectors(secondaryArea()) == 0);
    }

    bs.op = OP_SWAP;
    const usedPri = usedSectors(SLOT_PRIMARY);
    const usedSec = usedSectors(SLOT_SECONDARY);
    if (isRevert(bs)) {
      for (let idx: u32 = 0; idx <= last; idx++) {
        if (idx >= bs.idx - 1) {
          const mirror = last - idx;
          swapSectorsRevert(mirror, bs, mirror > usedPri, mirror > usedSec);
        }
      }
      // The new image's sector 0 copy would read as a header, and the trailer as a request:
      // leave the secondary as it was uploaded.
      bootAssert(eraseRegion(secondaryArea(), areaSectorOff(secondaryArea(), 0), sectorSz(), false) == 0);
      bootAssert(scrambleTrailerSectors(secondaryArea()) == 0);
    } else {
      for (let idx: u32 = 0; idx <= last; idx++) {
        if (idx >= bs.idx - 1) swapSectors(idx, bs, idx > usedPri, idx > usedSec);
      }
    }
  }
}

/** Offset of the secondary's image in its slot, as the last status-aware header read found it. */
let secondaryOffset: u32 = 0;

@inline function sectorSz(): u32 {
  // MCUboot assumes uniform sectors here and takes the size of the primary's sector 0.
  return areaSectorSize(primaryArea(), 0);
}

/** Sectors the trailer occupies, counted whole from the slot end. */
function trailerSectors(): u32 {
  const sector = sectorSz();
  const tsz = trailerSz(bootWriteSz());
  let n: u32 = 1;
  while (n * sector < tsz) n++;
  return n;
}

const primaryState = new SwapState();
const secondaryState = new SwapState();

/**
 * find_last_idx: the 0-based index of the last sector that `swapSize` reaches. Before
 * 7330df7c (the test-only variant) it returned the number of those sectors, one more: the
 * free-space check then refuses an image that needs every sector below the trailer, and
 * every loop and the resume-time header lookup go one sector further.
 */
function findLastIdx(swapSize: u32): u32 {
  const sector = sectorSz();
  let sz: u32 = 0;
  let last: u32 = 0;
  while (true) {
    sz += sector;
    if (sz >= swapSize) break;
    last++;
  }
  return bug(BUG_PR2214) ? last + 1 : last;
}

function isRevert(bs: BootStatus): bool {
  return bs.swapType == SWAP_REVERT || swapTypeFromTrailers() == SWAP_REVERT;
}

const magicState = new SwapState();

function primaryMagic(): u8 {
  readSwapState(primaryArea(), magicState);
  return magicState.magic;
}

/** Where the image of a slot starts: the secondary's as the last status-aware header read found it. */
function imageOffset(slot: i32): u32 {
  return slot == SLOT_SECONDARY ? secondaryOffset : 0;
}

/** Sectors an image covers: header, payload and both TLV blocks (the unprotected size as recorded). */
function usedSectors(slot: i32): u32 {
  const h = headers[slot];
  const size = h.hdrSize + h.protTlvSize + h.imgSize + unprotTlvSizes[slot];
  const sector = sectorSz();
  return (size + sector - 1) / sector;
}

function writeStatus(bs: BootStatus): i32 {
  const w = bootWriteSz();
  return writeStatusAt(primaryArea(), (bs.idx - 1) * stateCount() * w + (<u32>bs.state - 1) * w, bs.state);
}

/**
 * One step pair, resuming at bs.state: state 1 copies primary `priOff` to secondary
 * `secDst`, state 2 copies secondary `secSrc` to primary `priOff`; each erases its
 * destination first, and either copy is skipped past the end of the image it moves.
 */
function swapStepPair(bs: BootStatus, priOff: u32, secDst: u32, secSrc: u32, skipPrimary: bool, skipSecondary: bool): void {
  const sz = sectorSz();
  if (bs.state == 1) {
    if (!skipPrimary) {
      bootAssert(eraseRegion(secondaryArea(), secDst, sz, false) == 0);
      bootAssert(copyRegion(primaryArea(), secondaryArea(), priOff, secDst, sz) == 0);
    }
    const rc = writeStatus(bs);
    bs.state = 2;
    statusAssert(rc == 0);
  }
  if (bs.state == 2) {
    if (!skipSecondary) {
      bootAssert(eraseRegion(primaryArea(), priOff, sz, false) == 0);
      bootAssert(copyRegion(secondaryArea(), primaryArea(), secSrc, priOff, sz) == 0);
    }
    const rc = writeStatus(bs);
    bs.idx++;
    bs.state = 1;
    statusAssert(rc == 0);
  }
}

/** Upgrade step pair at index `idx`: primary idx → secondary idx, then secondary idx+1 → primary idx. */
function swapSectors(idx: u32, bs: BootStatus, skipPrimary: bool, skipSecondary: bool): void {
  swapStepPair(bs, areaSectorOff(primaryArea(), idx), areaSectorOff(secondaryArea(), idx), areaSectorOff(primaryArea(), idx + 1), skipPrimary, skipSecondary);
}

/** Revert step pair at sector `idx` (walked top down): primary idx → secondary idx+1, then secondary idx → primary idx. */
function swapSectorsRevert(idx: u32, bs: BootStatus, skipPrimary: bool, skipSecondary: bool): void {
  swapStepPair(bs, areaSectorOff(primaryArea(), idx), areaSectorOff(secondaryArea(), idx + 1), areaSectorOff(primaryArea(), idx), skipPrimary, skipSecondary);
}

const fixupState = new SwapState();

/**
 * fixup_revert: before a revert rebuilds the primary trailer, make the secondary look like a
 * revert request of its own (GOOD magic, copy_done SET, image_ok UNSET: §4.1 row 0), so that a
 * reset in between still finds the intent somewhere.
 */
function fixupRevert(bs: BootStatus): void {
  if (bs.swapType != SWAP_REVERT || bs.idx != 1) return;
  readSwapState(secondaryArea(), fixupState);
  if (fixupState.magic != MAGIC_UNSET) return;
  bootAssert(scrambleTrailerSectors(secondaryArea()) == 0);
  bootAssert(writeCopyDone(secondaryArea()) == 0);
  swapStatusInit(secondaryArea(), bs);
}

/**
 * The unprotected TLV sizes (imgs[][].unprotected_tlv_size): measured from the images for a
 * new swap (boot_read_image_size), read back from the primary trailer on resume, because
 * mid-swap the TLV areas may be half moved.
 */
function loadUnprotTlvSizes(bs: BootStatus): void {
  if (bs.isReset()) {
    for (let slot = 0; slot < 2; slot++) {
      const h = headers[slot];
      unprotTlvSizes[slot] = h.magic == IMAGE_MAGIC ? unprotTlvSize(slotArea(slot), imageOffset(slot), h) : 0;
    }
  } else {
    const both = readUnprotTlvSizes(primaryArea());
    unprotTlvSizes[SLOT_PRIMARY] = both & 0xffff;
    unprotTlvSizes[SLOT_SECONDARY] = both >>> 16;
  }
}


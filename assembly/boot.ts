// One power-on of the bootloader (MCUboot's boot_go for swap and overwrite builds, single
// image): decide (reference/mcuboot.md §4), resume or perform the upgrade with the
// configured strategy (§5), validate the primary slot, and report which image to jump to.
// All state here is RAM: it starts fresh at every power-on, as on a real device.

import {
  BUG_PR2100, BUG_PR2109, BUG_PR2199, BUG_PR485, CTRL_BOOT_BUGS, CTRL_BOOT_MAX_SECTORS, CTRL_BOOT_OPTIONS, CTRL_BOOT_RC, CTRL_BOOT_REQUESTED, CTRL_BOOT_RESUMED, CTRL_BOOT_SLOT,
  CTRL_BOOT_BUILD, CTRL_BOOT_IMAGE_OFF, CTRL_BOOT_STRATEGY, CTRL_BOOT_SWAP_TYPE, CTRL_BOOT_VERSION, OPT_DOWNGRADE_PREVENTION,
  OPT_VALIDATE_PRIMARY, STRATEGY_MOVE, STRATEGY_OFFSET, STRATEGY_OVERWRITE, STRATEGY_SCRATCH, ctrl, setCtrl,
} from './ctrl';
import { areaSectorCount, areaSize } from './flash';
import { F_NON_BOOTABLE, IMAGE_MAGIC, ImageHeader, VALID, compareVersion, headerValid, imageTotalSize, validateImage } from './image';
import {
  FLAG_SET, FLAG_UNSET, MAGIC_GOOD, MAGIC_UNSET, SWAP_FAIL, SWAP_NONE, SWAP_PANIC, SWAP_PERM, SWAP_REVERT, SWAP_TEST,
  SwapState, readSwapSize, readSwapState, writeCopyDone, writeImageOk,
} from './trailer';
import {
  AREA_PRIMARY, AREA_SCRATCH, AREA_SECONDARY, BootStatus, SLOT_PRIMARY, SLOT_SECONDARY, SOURCE_NONE,
  SOURCE_SCRATCH, bootAssert, headers, scrambleSlot, scrambleTrailerSectors, slotArea, sourceSwapType,
} from './swap/common';
import * as overwrite from './swap/overwrite';
import * as scratch from './swap/scratch';
import * as move from './swap/move';
import * as offset from './swap/offset';

export const BOOT_OK: i32 = 0;
export const BOOT_NO_IMAGE: i32 = 1; // no valid image in the primary slot: the device does not boot
export const BOOT_PANIC: i32 = 2; // MCUboot hangs on purpose

const bs = new BootStatus();
let swapType: u8 = SWAP_NONE;

@inline function strategy(): u32 {
  return ctrl(CTRL_BOOT_STRATEGY);
}

/** A test-only historical variant is selected (src/campaign/variants.ts). */
@inline export function bug(bit: u32): bool {
  return (ctrl(CTRL_BOOT_BUGS) & bit) != 0;
}

// ---- strategy dispatch (one small interface, chosen once; MCUboot's swap_*.c) ------------

function slotsCompatible(): bool {
  const max = ctrl(CTRL_BOOT_MAX_SECTORS);
  const s = strategy();
  if (s == STRATEGY_SCRATCH) return scratch.slotsCompatible(max);
  if (s == STRATEGY_MOVE) return move.slotsCompatible(max);
  if (s == STRATEGY_OFFSET) return offset.slotsCompatible(max);
  return areaSectorCount(AREA_PRIMARY) <= max && areaSectorCount(AREA_SECONDARY) <= max;
}

/** bootutil_max_image_size for the slot being validated. */
export function maxImageSize(slot: i32): u32 {
  const s = strategy();
  if (s == STRATEGY_SCRATCH) return scratch.maxImageSize();
  if (s == STRATEGY_MOVE) return move.maxImageSize();
  if (s == STRATEGY_OFFSET) return offset.maxImageSize();
  return overwrite.maxImageSize(slotArea(slot));
}

/** Where the image of a slot starts (swap-offset places the update one sector in). */
export function imageBase(slot: i32): u32 {
  if (strategy() == STRATEGY_OFFSET) return offset.imageBase(slot, bs);
  return 0;
}

/** boot_read_image_header, status-aware where the strategy needs it. 0 ok, else -1. */
function readImageHeader(slot: i32, useStatus: bool): i32 {
  const s = strategy();
  if (s == STRATEGY_MOVE) return move.readImageHeader(slot, headers[slot], useStatus ? bs : null);
  if (s == STRATEGY_OFFSET) return offset.readImageHeader(slot, headers[slot], useStatus ? bs : null);
  headers[slot].read(slotArea(slot), 0);
  return 0;
}

/** boot_read_image_headers: a failing secondary is tolerated unless `requireAll`. */
function readImageHeaders(requireAll: bool, useStatus: bool): i32 {
  for (let i = 0; i < 2; i++) {
    const rc = readImageHeader(i, useStatus);
    if (rc != 0) {
      if (i > 0 && !requireAll) return 0;
      return rc;
    }
  }
  return 0;
}

function statusSource(): u8 {
  const s = strategy();
  if (s == STRATEGY_SCRATCH) return scratch.statusSource();
  if (s == STRATEGY_MOVE) return move.statusSource();
  if (s == STRATEGY_OFFSET) return offset.statusSource();
  return SOURCE_NONE;
}

/** swap_read_status: find where the status lives, parse it, and read that area's swap_info. */
function readStatus(): void {
  bs.source = statusSource();
  if (bs.source == SOURCE_NONE) return;
  const area = bs.source == SOURCE_SCRATCH ? AREA_SCRATCH : AREA_PRIMARY;
  const s = strategy();
  if (s == STRATEGY_SCRATCH) scratch.readStatusBytes(area, bs);
  else if (s == STRATEGY_MOVE) move.readStatusBytes(area, bs);
  else if (s == STRATEGY_OFFSET) offset.readStatusBytes(area, bs);
  bs.swapType = sourceSwapType(area);
}

function swapRun(copySize: u32): void {
  const s = strategy();
  if (s == STRATEGY_SCRATCH) scratch.swapRun(bs, copySize);
  else if (s == STRATEGY_MOVE) move.swapRun(bs, copySize);
  else if (s == STRATEGY_OFFSET) offset.swapRun(bs, copySize);
}

// ---- the decision (§4) --------------------------------------------------------------------

const primaryState = new SwapState();
const secondaryState = new SwapState();

/** boot_swap_type_multi: the first matching row of §4.1's table. */
export function swapTypeFromTrailers(): u8 {
  readSwapState(AREA_PRIMARY, primaryState);
  readSwapState(AREA_SECONDARY, secondaryState);
  const p = primaryState, s = secondaryState;
  if (strategy() == STRATEGY_OFFSET && s.magic == MAGIC_GOOD && s.imageOk == FLAG_UNSET && s.copyDone == FLAG_SET) return SWAP_REVERT;
  if (s.magic == MAGIC_GOOD && s.imageOk == FLAG_UNSET) return SWAP_TEST;
  if (s.magic == MAGIC_GOOD && s.imageOk == FLAG_SET) return SWAP_PERM;
  if (p.magic == MAGIC_GOOD && p.imageOk == FLAG_UNSET && p.copyDone == FLAG_SET) {
    // Before MCUboot 4f393563 (#1966) this row also wanted the secondary magic UNSET, so a
    // magic torn by fixup_revert (BAD) matched no row and the revert was lost.
    if (!bug(BUG_PR2100) || s.magic == MAGIC_UNSET) return SWAP_REVERT;
  }
  return SWAP_NONE;
}

const VALIDATE_OK: i32 = 0;
const VALIDATE_NO_IMAGE: i32 = 1;

/**
 * boot_validate_slot: an empty or non-bootable slot, a downgrade, an invalid header or
 * image. An invalid secondary is erased so that it is not tried again.
 */
function validateSlot(slot: i32, withStatus: bool): i32 {
  const area = slotArea(slot);
  const h = headers[slot];
  if (h.erased || (h.flags & F_NON_BOOTABLE) != 0) {
    if (slot != SLOT_PRIMARY && strategy() != STRATEGY_OVERWRITE) {
      // A reset while erasing an invalid secondary can leave its trailer behind: clear it.
      scrambleTrailerSectors(area);
      if (strategy() == STRATEGY_MOVE && !bug(BUG_PR2199) && ((withStatus && bs.swapType == SWAP_REVERT) || swapTypeFromTrailers() == SWAP_REVERT)) {
        // "Stuck revert" (MCUboot 33094fc5; the test-only variant leaves it as it was before):
        // a revert with nothing to revert to.
        scrambleTrailerSectors(AREA_PRIMARY);
      }
    }
    return VALIDATE_NO_IMAGE;
  }
  if (slot != SLOT_PRIMARY && strategy() == STRATEGY_OFFSET && offset.misplacedUpload(swapTypeFromTrailers())) {
    // Swap-offset: a new image must be uploaded one sector in ("wrong upload address").
    scrambleSlot(area);
    return VALIDATE_NO_IMAGE;
  }
  if (slot != SLOT_PRIMARY && (ctrl(CTRL_BOOT_OPTIONS) & OPT_DOWNGRADE_PREVENTION) != 0 && !headers[SLOT_PRIMARY].erased) {
    if (compareVersion(h, headers[SLOT_PRIMARY]) < 0) {
      scrambleSlot(area);
      return VALIDATE_NO_IMAGE;
    }
  }
  let ok = headerValid(h, areaSize(area));
  if (ok) ok = validateImage(area, imageBase(slot), h, maxImageSize(slot)) == VALID;
  if (!ok) {
    if (slot != SLOT_PRIMARY) scrambleSlot(area);
    return VALIDATE_NO_IMAGE;
  }
  return VALIDATE_OK;
}

/** boot_validated_swap_type: the table's answer, if the secondary image is valid. */
function validatedSwapType(): u8 {
  let t = swapTypeFromTrailers();
  if (t == SWAP_TEST || t == SWAP_PERM || t == SWAP_REVERT) {
    if (validateSlot(SLOT_SECONDARY, true) != VALIDATE_OK) t = SWAP_NONE;
  }
  return t;
}

function isUpgrade(t: u8): bool {
  return t == SWAP_TEST || t == SWAP_PERM || t == SWAP_REVERT;
}

// ---- performing (§4.3) --------------------------------------------------------------------

/** boot_swap_image: the swap size from the headers for a new swap, from the trailer on resume. */
function swapImage(): void {
  let copySize: u32 = 0;
  if (bs.isReset()) {
    if (headers[SLOT_PRIMARY].magic == IMAGE_MAGIC) {
      copySize = imageTotalSize(AREA_PRIMARY, imageBase(SLOT_PRIMARY), headers[SLOT_PRIMARY]);
      bootAssert(copySize != 0);
    }
    if (headers[SLOT_SECONDARY].magic == IMAGE_MAGIC) {
      const size = imageTotalSize(AREA_SECONDARY, imageBase(SLOT_SECONDARY), headers[SLOT_SECONDARY]);
      bootAssert(size != 0);
      if (size > copySize) copySize = size;
    }
    bs.swapSize = copySize;
  } else {
    const area = bs.source == SOURCE_SCRATCH ? AREA_SCRATCH : AREA_PRIMARY;
    bs.swapSize = readSwapSize(area);
    copySize = bs.swapSize;
  }
  swapRun(copySize);
}

/** swap_set_image_ok: only when still unset. */
function setImageOk(): i32 {
  readSwapState(AREA_PRIMARY, primaryState);
  if (primaryState.imageOk == FLAG_UNSET) return writeImageOk(AREA_PRIMARY);
  return 0;
}

/** After a swap: PERM and REVERT confirm the primary; any upgrade sets copy_done. */
function finishSwap(t: u8): u8 {
  if (t == SWAP_REVERT || t == SWAP_PERM) {
    if (setImageOk() != 0) return SWAP_PANIC;
  }
  if (isUpgrade(t)) {
    if (writeCopyDone(AREA_PRIMARY) != 0) return SWAP_PANIC;
  }
  return t;
}

function performUpdate(): void {
  if (strategy() == STRATEGY_OVERWRITE) {
    const size = imageTotalSize(AREA_SECONDARY, 0, headers[SLOT_SECONDARY]);
    overwrite.copyImage(size);
    return;
  }
  swapImage();
  // Goes by the type decided before the swap, even when the strategy gave up on it
  // (swap-move's "not enough free space" only clears bs.swapType), as boot_perform_update does.
  swapType = finishSwap(swapType);
}

/** boot_prepare_image_for_update. */
function prepareImageForUpdate(): void {
  const max = ctrl(CTRL_BOOT_MAX_SECTORS);
  if (areaSectorCount(AREA_PRIMARY) > max || areaSectorCount(AREA_SECONDARY) > max) {
    swapType = SWAP_NONE;
    return;
  }
  readImageHeaders(false, false);
  if (!slotsCompatible()) {
    swapType = SWAP_NONE;
    return;
  }
  bs.reset();
  if (strategy() != STRATEGY_OVERWRITE) readStatus();
  if (strategy() == STRATEGY_MOVE || strategy() == STRATEGY_OFFSET) {
    // The status may say the headers have moved.
    if (readImageHeaders(!bs.isReset(), true) != 0) {
      swapType = SWAP_NONE;
      return;
    }
  }
  if (!bs.isReset()) {
    // A previous swap was interrupted: finish it with the type stored in swap_info.
    setCtrl(CTRL_BOOT_RESUMED, 1);
    swapImage();
    let t = bs.swapType;
    if (bug(BUG_PR485)) {
      // Before #485 no swap type was stored: it was guessed from the finished trailers
      // (NONE meant a permanent upgrade, REVERT a test one), and only copy_done written.
      const table = swapTypeFromTrailers();
      t = table == SWAP_NONE ? SWAP_PERM : table == SWAP_REVERT ? SWAP_TEST : table;
      if (writeCopyDone(AREA_PRIMARY) != 0) t = SWAP_PANIC;
    } else {
      t = finishSwap(t);
    }
    if (t == SWAP_PANIC) {
      swapType = SWAP_PANIC;
      return;
    }
    if (bug(BUG_PR2109)) {
      // The status-aware lookup of 4cab08e3: "every region is swapped, so each header now
      // lives in the other slot".
      headers[SLOT_PRIMARY].read(AREA_SECONDARY, 0);
      headers[SLOT_SECONDARY].read(AREA_PRIMARY, 0);
    } else {
      readImageHeaders(false, false);
    }
    swapType = SWAP_NONE;
  } else if (bs.swapType == SWAP_NONE) {
    swapType = validatedSwapType();
  } else if (validateSlot(SLOT_SECONDARY, true) != VALIDATE_OK) {
    swapType = SWAP_FAIL;
  } else {
    swapType = bs.swapType;
  }
}

/** One power-on. Results go to the control block (CTRL_BOOT_*); returns CTRL_BOOT_RC. */
export function boot(): i32 {
  setCtrl(CTRL_BOOT_RESUMED, 0);
  setCtrl(CTRL_BOOT_REQUESTED, swapTypeFromTrailers());
  swapType = SWAP_NONE;
  prepareImageForUpdate();

  if (swapType != SWAP_PANIC) {
    const t = swapType;
    // Single-image MCUboot does not reset the status between preparing and performing: a
    // new swap still knows its status source (swap-move skips rebuilding a primary trailer
    // that already describes it). Only a resumed swap advanced bs, and it leaves type NONE.
    bs.swapType = t;
    if (isUpgrade(t)) {
      performUpdate();
      // The update moved images: read the headers where they now are.
      readImageHeaders(false, false);
    } else if (t == SWAP_FAIL) {
      // The staged image was invalid and is erased: make the state look like a finished
      // revert so it is not retried.
      if (strategy() != STRATEGY_OVERWRITE && setImageOk() != 0) swapType = SWAP_PANIC;
    } else if (t != SWAP_NONE) {
      swapType = SWAP_PANIC;
    }
  }
  setCtrl(CTRL_BOOT_SWAP_TYPE, swapType);
  if (swapType == SWAP_PANIC) return result(BOOT_PANIC);

  const h = headers[SLOT_PRIMARY];
  if (ctrl(CTRL_BOOT_OPTIONS) & OPT_VALIDATE_PRIMARY) {
    if (validateSlot(SLOT_PRIMARY, false) != VALIDATE_OK) return result(BOOT_NO_IMAGE);
  } else if (h.magic != IMAGE_MAGIC) {
    return result(BOOT_NO_IMAGE);
  }
  setCtrl(CTRL_BOOT_SLOT, AREA_PRIMARY);
  setCtrl(CTRL_BOOT_IMAGE_OFF, 0);
  setCtrl(CTRL_BOOT_VERSION, <u32>h.major | (<u32>h.minor << 8) | (<u32>h.revision << 16));
  setCtrl(CTRL_BOOT_BUILD, h.build);
  return result(BOOT_OK);
}

function result(rc: i32): i32 {
  setCtrl(CTRL_BOOT_RC, rc);
  if (rc != BOOT_OK) setCtrl(CTRL_BOOT_SLOT, 0);
  return rc;
}


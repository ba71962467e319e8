// One power-on of the bootloader (MCUboot's boot_go for swap and overwrite builds, single
// image): choose the strategy, decide (reference/mcuboot.md §4), resume or perform the
// upgrade with it (§5), validate the primary slot, and report which image to jump to.
// All state here is RAM: it starts fresh at every power-on, as on a real device.

import {
  AREA_SCRATCH, BUG_PR2109, BUG_PR485, CTRL_BOOT_BUILD, CTRL_BOOT_IMAGE_OFF, CTRL_BOOT_IMAGE_RESULTS, CTRL_BOOT_MAX_SECTORS,
  CTRL_BOOT_OPTIONS, CTRL_BOOT_RC, CTRL_BOOT_REQUESTED, CTRL_BOOT_RESUMED, CTRL_BOOT_SLOT, CTRL_BOOT_SWAP_TYPE, CTRL_BOOT_VERSION,
  OPT_BOOTSTRAP, OPT_HW_ROLLBACK, OPT_VALIDATE_PRIMARY, OUTCOME_NO_IMAGE, OUTCOME_OK, OUTCOME_PANIC, SWAP_FAIL, SWAP_NONE, SWAP_PANIC, SWAP_PERM, SWAP_REVERT,
  SWAP_TEST, bug, ctrl, setCtrl,
} from '../ctrl';
import { areaSectorCount } from '../flash';
import { IMAGE_MAGIC, imageTotalSize } from '../image';
import { raiseSecurityCounter } from '../nv';
import { FLAG_SET, FLAG_UNSET, MAGIC_GOOD, SwapState, readSwapSize, readSwapState, writeCopyDone, writeImageOk } from '../trailer';
import { bootAssert, sourceSwapType } from '../swap/common';
import { strategy } from '../swap/strategy';
import { copyImage } from '../swap/overwrite';
import { BootStatus, SLOT_PRIMARY, SLOT_SECONDARY, SOURCE_NONE, SOURCE_SCRATCH, headers, primaryArea, secondaryArea } from './state';
import { isUpgrade, swapTypeFromTrailers } from './decide';
import { VALIDATE_OK, validateSlot, validatedSwapType } from './validate';

const bs = new BootStatus();
let swapType: u8 = SWAP_NONE;

/** boot_read_image_headers: a failing secondary is tolerated unless `requireAll`. */
function readImageHeaders(requireAll: bool, useStatus: bool): i32 {
  for (let i = 0; i < 2; i++) {
    const rc = strategy().readImageHeader(i, headers[i], useStatus ? bs : null);
    if (rc != 0) {
      if (i > 0 && !requireAll) return 0;
      return rc;
    }
  }
  return 0;
}

/** swap_read_status: find where the status lives, parse it, and read that area's swap_info. */
function readStatus(): void {
  bs.source = strategy().statusSource();
  if (bs.source == SOURCE_NONE) return;
  const area = bs.source == SOURCE_SCRATCH ? AREA_SCRATCH : primaryArea();
  strategy().readStatusBytes(area, bs);
  bs.swapType = sourceSwapType(area);
}

// ---- performing (§4.3) --------------------------------------------------------------------

/** boot_swap_image: the swap size from the headers for a new swap, from the trailer on resume. */
function swapImage(): void {
  const s = strategy();
  let copySize: u32 = 0;
  if (bs.isReset()) {
    if (headers[SLOT_PRIMARY].magic == IMAGE_MAGIC) {
      copySize = imageTotalSize(primaryArea(), s.imageBase(SLOT_PRIMARY), headers[SLOT_PRIMARY]);
      bootAssert(copySize != 0);
    }
    if (headers[SLOT_SECONDARY].magic == IMAGE_MAGIC) {
      const size = imageTotalSize(secondaryArea(), s.imageBase(SLOT_SECONDARY), headers[SLOT_SECONDARY]);
      bootAssert(size != 0);
      if (size > copySize) copySize = size;
    }
    bs.swapSize = copySize;
  } else {
    const area = bs.source == SOURCE_SCRATCH ? AREA_SCRATCH : primaryArea();
    bs.swapSize = readSwapSize(area);
    copySize = bs.swapSize;
  }
  s.run(bs, copySize);
}

const primaryState = new SwapState();

/** swap_set_image_ok: only when still unset. */
function setImageOk(): i32 {
  readSwapState(primaryArea(), primaryState);
  if (primaryState.imageOk == FLAG_UNSET) return writeImageOk(primaryArea());
  return 0;
}

/** After a swap: PERM and REVERT confirm the primary; any upgrade sets copy_done. */
function finishSwap(t: u8): u8 {
  if (t == SWAP_REVERT || t == SWAP_PERM) {
    if (setImageOk() != 0) return SWAP_PANIC;
  }
  if (isUpgrade(t)) {
    if (writeCopyDone(primaryArea()) != 0) return SWAP_PANIC;
  }
  return t;
}

/** boot_perform_update. */
function performUpdate(): void {
  if (!strategy().swaps) {
    // boot_copy_image: the secondary's image over the primary.
    // (It raises the security counter itself, before it erases the secondary: §5.1.)
    strategy().run(bs, imageTotalSize(secondaryArea(), 0, headers[SLOT_SECONDARY]));
    return;
  }
  const t = swapType;
  swapImage();
  // Goes by the type decided before the swap, even when the strategy gave up on it
  // (swap-move's "not enough free space" only clears bs.swapType), as boot_perform_update does.
  swapType = finishSwap(swapType);
  // §6: a permanent swap raises the counter in the upgrade boot; a test swap only once the
  // application has confirmed it (see swapBoot), a revert never by itself.
  if (t == SWAP_PERM) raiseSecurityCounter(0, primaryArea());
}

// ---- deciding (§4) ------------------------------------------------------------------------

/** boot_prepare_image_for_update. */
function prepareImageForUpdate(): void {
  const s = strategy();
  const max = ctrl(CTRL_BOOT_MAX_SECTORS);
  if (areaSectorCount(primaryArea()) > max || areaSectorCount(secondaryArea()) > max) {
    swapType = SWAP_NONE;
    return;
  }
  readImageHeaders(false, false);
  if (!s.slotsCompatible(max)) {
    swapType = SWAP_NONE;
    return;
  }
  bs.reset();
  if (s.swaps) readStatus();
  if (s.headersFollowStatus) {
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
      if (writeCopyDone(primaryArea()) != 0) t = SWAP_PANIC;
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
      headers[SLOT_PRIMARY].read(secondaryArea(), 0);
      headers[SLOT_SECONDARY].read(primaryArea(), 0);
    } else {
      readImageHeaders(false, false);
    }
    swapType = SWAP_NONE;
  } else if (bs.swapType == SWAP_NONE) {
    swapType = validatedSwapType(bs);
  } else if (validateSlot(SLOT_SECONDARY, bs) != VALIDATE_OK) {
    swapType = SWAP_FAIL;
  } else {
    swapType = bs.swapType;
  }
}

/** This boot installed the secondary's image into an empty primary (MCUBOOT_BOOTSTRAP). */
let bootstrapped = false;

/**
 * MCUBOOT_BOOTSTRAP: with nothing requested and no valid image in the primary, a valid image
 * in the secondary is copied over (not swapped: there is nothing to swap back), and the boot
 * finishes as after a revert — image_ok and copy_done in the primary, swap type REVERT, as
 * the recordings show. A secondary that fails validation is erased as for any request.
 */
function bootstrap(): void {
  // The status-aware header read gave up at the empty primary: read both again (the
  // secondary's status-aware, so that swap-offset finds its image one sector in).
  const s0 = strategy();
  s0.readImageHeader(SLOT_PRIMARY, headers[SLOT_PRIMARY], null);
  s0.readImageHeader(SLOT_SECONDARY, headers[SLOT_SECONDARY], bs);
  if (validateSlot(SLOT_PRIMARY, null) == VALIDATE_OK) return;
  if (validateSlot(SLOT_SECONDARY, bs) != VALIDATE_OK) return;
  const s = strategy();
  const base = s.imageBase(SLOT_SECONDARY);
  copyImage(imageTotalSize(secondaryArea(), base, headers[SLOT_SECONDARY]), s.bootstrapsImageOnly, base);
  readImageHeaders(false, false);
  bootstrapped = true;
  swapType = finishSwap(SWAP_REVERT);
}

/** One power-on of a swap or overwrite build. Results go to the control block (CTRL_BOOT_*); returns CTRL_BOOT_RC. */
export function swapBoot(): i32 {
  const s = strategy();
  setCtrl(CTRL_BOOT_RESUMED, 0);
  setCtrl(CTRL_BOOT_REQUESTED, swapTypeFromTrailers());
  swapType = SWAP_NONE;
  bootstrapped = false;
  prepareImageForUpdate();
  if (swapType == SWAP_NONE && (ctrl(CTRL_BOOT_OPTIONS) & OPT_BOOTSTRAP) != 0 && ctrl(CTRL_BOOT_REQUESTED) == SWAP_NONE && ctrl(CTRL_BOOT_RESUMED) == 0) bootstrap();

  if (swapType != SWAP_PANIC) {
    const t = swapType;
    // Single-image MCUboot does not reset the status between preparing and performing: a
    // new swap still knows its status source (swap-move skips rebuilding a primary trailer
    // that already describes it). Only a resumed swap advanced bs, and it leaves type NONE.
    bs.swapType = t;
    if (isUpgrade(t) && !bootstrapped) {
      performUpdate();
      // The update moved images: read the headers where they now are.
      readImageHeaders(false, false);
    } else if (t == SWAP_FAIL) {
      // The staged image was invalid and is erased: make the state look like a finished
      // revert so it is not retried.
      if (s.swaps && setImageOk() != 0) swapType = SWAP_PANIC;
    } else if (t != SWAP_NONE && !bootstrapped) {
      swapType = SWAP_PANIC;
    }
  }
  setCtrl(CTRL_BOOT_SWAP_TYPE, swapType);
  setCtrl(CTRL_BOOT_IMAGE_RESULTS, ctrl(CTRL_BOOT_REQUESTED) | (<u32>swapType << 8));
  if (swapType == SWAP_PANIC) return result(OUTCOME_PANIC);

  const h = headers[SLOT_PRIMARY];
  if (ctrl(CTRL_BOOT_OPTIONS) & OPT_VALIDATE_PRIMARY) {
    if (validateSlot(SLOT_PRIMARY, null) != VALIDATE_OK) return result(OUTCOME_NO_IMAGE);
  } else if (h.magic != IMAGE_MAGIC) {
    return result(OUTCOME_NO_IMAGE);
  }
  if (ctrl(CTRL_BOOT_OPTIONS) & OPT_HW_ROLLBACK) {
    // A confirmed image (or one without a trailer, implicitly permanent) can no longer be
    // reverted: from now on nothing older may run.
    readSwapState(primaryArea(), primaryState);
    if (primaryState.imageOk == FLAG_SET || primaryState.magic != MAGIC_GOOD) raiseSecurityCounter(0, primaryArea());
  }
  setCtrl(CTRL_BOOT_SLOT, primaryArea());
  setCtrl(CTRL_BOOT_IMAGE_OFF, 0);
  setCtrl(CTRL_BOOT_VERSION, <u32>h.major | (<u32>h.minor << 8) | (<u32>h.revision << 16));
  setCtrl(CTRL_BOOT_BUILD, h.build);
  return result(OUTCOME_OK);
}

function result(rc: i32): i32 {
  setCtrl(CTRL_BOOT_RC, rc);
  if (rc != OUTCOME_OK) setCtrl(CTRL_BOOT_SLOT, 0);
  return rc;
}

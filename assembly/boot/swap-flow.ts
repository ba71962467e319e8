// One power-on of the bootloader (MCUboot's boot_go for swap and overwrite builds, single
// image): choose the strategy, decide (reference/mcuboot.md §4), resume or perform the
// upgrade with it (§5), validate the primary slot, and report which image to jump to.
// All state here is RAM: it starts fresh at every power-on, as on a real device.

import {
  AREA_SCRATCH, BUG_PR2109, BUG_PR485, CTRL_BOOT_BUILD, CTRL_BOOT_IMAGE_OFF, CTRL_BOOT_IMAGE_RESULTS, CTRL_BOOT_MAX_SECTORS,
  CTRL_BOOT_OPTIONS, CTRL_BOOT_RC, CTRL_BOOT_REQUESTED, CTRL_BOOT_RESUMED, CTRL_BOOT_SLOT, CTRL_BOOT_SWAP_TYPE, CTRL_BOOT_VERSION,
  OPT_BOOTSTRAP, OPT_HW_ROLLBACK, OPT_VALIDATE_PRIMARY, OUTCOME_NO_IMAGE, OUTCOME_OK, OUTCOME_PANIC, SWAP_FAIL, SWAP_NONE, SWAP_PANIC, SWAP_PERM, SWAP_REVERT,
  SWAP_TEST, CTRL_BOOT_IMAGES, IMAGE_RESULT_SIZE, MAX_IMAGES, bug, ctrl, setCtrl,
} from '../ctrl';
import { areaSectorCount } from '../flash';
import { IMAGE_MAGIC, ImageHeader, TLV_DEPENDENCY, TlvIter, compareVersion, imageTotalSize } from '../image';
import { raiseSecurityCounter } from '../nv';
import { encClear, encEnabled, encLoad, encReadKeys, encSetImage, isEncrypted } from '../enc';
import { FLAG_SET, FLAG_UNSET, MAGIC_GOOD, SwapState, readSwapSize, readSwapState, writeCopyDone, writeImageOk } from '../trailer';
import { bootAssert, sourceSwapType } from '../swap/common';
import { strategy } from '../swap/strategy';
import { copyImage } from '../swap/overwrite';
import {
  BootStatus, SLOT_PRIMARY, SLOT_SECONDARY, SOURCE_NONE, SOURCE_SCRATCH, currentImage, headers, primaryArea, secondaryArea, selectImage, slotArea,
} from './state';
import { isUpgrade, swapTypeFromTrailers } from './decide';
import { VALIDATE_OK, validateSlot, validatedSwapType } from './validate';

/** The status of each image's swap; `bs` is the current image's. */
const statusOf: StaticArray<BootStatus> = [new BootStatus(), new BootStatus(), new BootStatus(), new BootStatus()];
let bs: BootStatus = statusOf[0];
/** The current image's preparation finished an interrupted swap. */
let resumed = false;
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
    if (encEnabled()) loadImageKeys();
  } else {
    const area = bs.source == SOURCE_SCRATCH ? AREA_SCRATCH : primaryArea();
    bs.swapSize = readSwapSize(area);
    copySize = bs.swapSize;
    // A resumed swap has the keys it saved; which bytes they cover, the strategy finds out.
    if (encEnabled()) encReadKeys(area);
  }
  s.run(bs, copySize);
}

/** boot_enc_load for both slots at the start of a swap: the key of each encrypted image, from its ENC TLV. */
function loadImageKeys(): void {
  const s = strategy();
  for (let slot = SLOT_PRIMARY; slot <= SLOT_SECONDARY; slot++) {
    const h = headers[slot];
    if (h.magic == IMAGE_MAGIC && isEncrypted(h)) {
      encLoad(slot, slotArea(slot), s.imageBase(slot), h);
    } else {
      encClear(slot);
      encSetImage(slot, h);
    }
  }
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
  if (t == SWAP_PERM) raiseSecurityCounter(currentImage(), primaryArea());
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
    // A previous swap was interrupted: finish it with the type stored in swap_info (kept
    // beside the flag: the loader state says NONE once it is finished, which tells a reader
    // of the boot nothing about what was resumed).
    setCtrl(CTRL_BOOT_RESUMED, 1 | (<u32>bs.swapType << 8));
    resumed = true;
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

/** Per image (multi-image builds): what its trailers asked for, the swap type, whether it resumed a swap. */
const requestedOf = new StaticArray<u8>(<i32>MAX_IMAGES);
const swapTypeOf = new StaticArray<u8>(<i32>MAX_IMAGES);
const resumedOf = new StaticArray<bool>(<i32>MAX_IMAGES);
const bootstrappedOf = new StaticArray<bool>(<i32>MAX_IMAGES);

/** Makes image `i` current: its slots, its status. */
function enterImage(i: u32): void {
  selectImage(i);
  bs = statusOf[i];
}

/** Loop 1 for the current image: what its trailers ask, and resume or decide (§4.3). */
function prepareImage(i: u32): void {
  requestedOf[i] = swapTypeFromTrailers();
  swapType = SWAP_NONE;
  bootstrapped = false;
  resumed = false;
  prepareImageForUpdate();
  if (swapType == SWAP_NONE && (ctrl(CTRL_BOOT_OPTIONS) & OPT_BOOTSTRAP) != 0 && requestedOf[i] == SWAP_NONE && !resumed) bootstrap();
  swapTypeOf[i] = swapType;
  resumedOf[i] = resumed;
  bootstrappedOf[i] = bootstrapped;
}

/** Loop 3 for the current image: perform what was decided (§4.3). */
function performImage(i: u32): void {
  const s = strategy();
  swapType = swapTypeOf[i];
  bootstrapped = bootstrappedOf[i];
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
  swapTypeOf[i] = swapType;
  setCtrl(CTRL_BOOT_IMAGE_RESULTS + i * IMAGE_RESULT_SIZE, <u32>requestedOf[i] | (<u32>swapType << 8));
}

/**
 * boot_review_image_swap_types (§5.7): after a cut between two images' swaps, an image
 * already swapped as a test (copy_done set, image_ok not) reads as a revert. While a later
 * image is still being upgraded (or was resumed), such an earlier revert is not one.
 */
function reviewSwapTypes(n: u32): void {
  for (let i: u32 = 1; i < n; i++) {
    const t = swapTypeOf[i];
    if (resumedOf[i] || t == SWAP_TEST || t == SWAP_PERM || t == SWAP_FAIL) {
      for (let j: u32 = 0; j < i; j++) if (swapTypeOf[j] == SWAP_REVERT) swapTypeOf[j] = SWAP_NONE;
    }
  }
}

/**
 * boot_verify_dependencies (§5.7): every image's DEPENDENCY TLVs (of the image that will run:
 * the secondary's when it is to be swapped in, else the primary's) against the version each
 * named image will have. One unmet dependency, or one on an image that does not exist,
 * holds every image back: nothing is swapped.
 */
function verifyDependencies(n: u32): void {
  let ok = true;
  for (let i: u32 = 0; i < n && ok; i++) {
    enterImage(i);
    readImageHeaders(false, false);
    const slot = isUpgrade(swapTypeOf[i]) ? SLOT_SECONDARY : SLOT_PRIMARY;
    const h = headers[slot];
    if (h.magic != IMAGE_MAGIC) continue;
    const it = new TlvIter();
    if (!it.begin(slotArea(slot), strategy().imageBase(slot), h)) continue;
    while (ok) {
      const rc = it.next();
      if (rc != 0) break;
      if (it.type != TLV_DEPENDENCY || !it.isProtected() || it.len != 12) continue;
      const p = it.ptr + <usize>it.dataOff;
      const dep = <u32>load<u8>(p);
      if (dep >= n) {
        ok = false;
        break;
      }
      dependencyVersion(dep);
      wanted.major = load<u8>(p, 4);
      wanted.minor = load<u8>(p, 5);
      wanted.revision = load<u16>(p, 6);
      if (compareVersion(dependee, wanted) < 0) ok = false;
    }
  }
  if (!ok) for (let i: u32 = 0; i < n; i++) swapTypeOf[i] = SWAP_NONE;
}

const dependee = new ImageHeader();
const wanted = new ImageHeader();

/** The version image `i` will have after this boot: its secondary's if that is to be swapped in, else its primary's. */
function dependencyVersion(i: u32): void {
  const cur = currentImage();
  enterImage(i);
  const slot = isUpgrade(swapTypeOf[i]) ? SLOT_SECONDARY : SLOT_PRIMARY;
  strategy().readImageHeader(slot, dependee, null);
  enterImage(cur);
}

/** One power-on of a swap or overwrite build. Results go to the control block (CTRL_BOOT_*); returns CTRL_BOOT_RC. */
export function swapBoot(): i32 {
  const n = ctrl(CTRL_BOOT_IMAGES);
  setCtrl(CTRL_BOOT_RESUMED, 0);
  for (let i: u32 = 0; i < n; i++) {
    enterImage(i);
    prepareImage(i);
  }
  setCtrl(CTRL_BOOT_REQUESTED, requestedOf[0]);
  if (n > 1) {
    reviewSwapTypes(n);
    verifyDependencies(n);
  }
  let panic = false;
  for (let i: u32 = 0; i < n; i++) {
    enterImage(i);
    // (A single image keeps the headers its preparation read, as MCUboot does.)
    if (n > 1) readImageHeaders(false, false);
    performImage(i);
    if (swapTypeOf[i] == SWAP_PANIC) panic = true;
  }
  setCtrl(CTRL_BOOT_SWAP_TYPE, swapTypeOf[0]);
  if (panic) return result(OUTCOME_PANIC);

  for (let i = <i32>n - 1; i >= 0; i--) {
    enterImage(<u32>i);
    if (n > 1) readImageHeaders(false, false);
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
      if (primaryState.imageOk == FLAG_SET || primaryState.magic != MAGIC_GOOD) raiseSecurityCounter(<u32>i, primaryArea());
    }
  }
  // Image 0's primary is booted (the others are chain-loaded by it).
  const h = headers[SLOT_PRIMARY];
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

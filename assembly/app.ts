// The application's side of MCUboot's API (bootutil_public.c, reference/mcuboot.md §4.2):
// what firmware calls to request an upgrade or confirm the running image. It only writes
// trailers; it never decides how boot happens.

import { AREA_PRIMARY, AREA_SECONDARY, SWAP_PERM, SWAP_TEST } from './ctrl';
import { FLAG_UNSET, MAGIC_BAD, MAGIC_GOOD, MAGIC_UNSET, SwapState, readSwapState, writeImageOk, writeMagic, writeSwapInfo } from './trailer';
import { chooseStrategy } from './swap/registry';

export const APP_OK: i32 = 0;
export const APP_EBADIMAGE: i32 = 3; // BOOT_EBADIMAGE
export const APP_EBADVECT: i32 = 4; // BOOT_EBADVECT
export const APP_EFLASH: i32 = 1;

const st = new SwapState();

/** boot_set_pending(permanent) = boot_set_next(secondary, inactive, permanent). */
export function appSetPending(permanent: bool): i32 {
  return appSetNext(AREA_SECONDARY, false, permanent);
}

/** boot_set_confirmed = boot_set_next(primary, active, confirm). */
export function appSetConfirmed(): i32 {
  return appSetNext(AREA_PRIMARY, true, true);
}

/**
 * boot_set_next(area, active, confirm), the generic variant (reference/mcuboot.md §4.2):
 * - the running slot (active): image_ok written when its magic is GOOD and image_ok unset;
 *   a slot without a trailer is implicitly permanent;
 * - another slot: a request — magic first, then image_ok if permanent, then swap_info with
 *   the slot's image number — unless its trailer already holds one.
 */
export function appSetNext(area: u32, active: bool, confirm: bool): i32 {
  chooseStrategy(); // trailer offsets depend on the strategy the bootloader is built with
  readSwapState(area, st);
  if (active) {
    if (st.magic == MAGIC_UNSET) return APP_OK;
    if (st.magic == MAGIC_BAD) return APP_EBADVECT;
    if (confirm && st.imageOk == FLAG_UNSET && writeImageOk(area) != 0) return APP_EFLASH;
    return APP_OK;
  }
  if (st.magic == MAGIC_GOOD) return APP_OK; // already scheduled
  if (st.magic == MAGIC_BAD) return APP_EBADIMAGE;
  if (writeMagic(area) != 0) return APP_EFLASH;
  if (confirm && writeImageOk(area) != 0) return APP_EFLASH;
  if (writeSwapInfo(area, confirm ? SWAP_PERM : SWAP_TEST, <u8>imageOfArea(area)) != 0) return APP_EFLASH;
  return APP_OK;
}

/** The image index a slot's area belongs to (areas 1/2 image 0, then two per image). */
function imageOfArea(area: u32): u32 {
  return area <= AREA_SECONDARY ? 0 : (area - 2) >> 1;
}

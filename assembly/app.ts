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

/** boot_set_pending(permanent): magic first, then image_ok if permanent, then swap_info. */
export function appSetPending(permanent: bool): i32 {
  chooseStrategy(); // trailer offsets depend on the strategy the bootloader is built with
  readSwapState(AREA_SECONDARY, st);
  if (st.magic == MAGIC_GOOD) return APP_OK; // already scheduled
  if (st.magic == MAGIC_BAD) return APP_EBADIMAGE;
  if (writeMagic(AREA_SECONDARY) != 0) return APP_EFLASH;
  if (permanent && writeImageOk(AREA_SECONDARY) != 0) return APP_EFLASH;
  if (writeSwapInfo(AREA_SECONDARY, permanent ? SWAP_PERM : SWAP_TEST, 0) != 0) return APP_EFLASH;
  return APP_OK;
}

/** boot_set_confirmed: image_ok in the primary, when its magic is GOOD and image_ok unset. */
export function appSetConfirmed(): i32 {
  chooseStrategy();
  readSwapState(AREA_PRIMARY, st);
  if (st.magic == MAGIC_UNSET) return APP_OK; // an image without a trailer is permanent
  if (st.magic == MAGIC_BAD) return APP_EBADVECT;
  if (st.imageOk == FLAG_UNSET && writeImageOk(AREA_PRIMARY) != 0) return APP_EFLASH;
  return APP_OK;
}

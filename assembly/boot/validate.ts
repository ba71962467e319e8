// Validation of a slot before it is swapped in or booted (MCUboot's boot_validate_slot,
// reference/mcuboot.md §2.5, §4.3): the header, then the image itself (assembly/image.ts).
// A secondary that fails is erased so that it is not tried again.

import { BUG_PR2199, CTRL_BOOT_OPTIONS, OPT_DOWNGRADE_PREVENTION, SWAP_NONE, SWAP_REVERT, bug, ctrl } from '../ctrl';
import { areaSize } from '../flash';
import { F_NON_BOOTABLE, VALID, compareVersion, headerValid, validateImage } from '../image';
import { scrambleSlot, scrambleTrailerSectors } from '../swap/common';
import { strategy } from '../swap/strategy';
import { BootStatus, SLOT_PRIMARY, SLOT_SECONDARY, currentImage, headers, slotArea, primaryArea } from './state';
import { isUpgrade, swapTypeFromTrailers } from './decide';
import { encEnabled, encKey, encLoad, isEncrypted } from '../enc';

export const VALIDATE_OK: i32 = 0;
export const VALIDATE_NO_IMAGE: i32 = 1;

/**
 * boot_validate_slot: an empty or non-bootable slot, a downgrade, an invalid header or
 * image. `bs` is the status of this boot when the caller has read it (its swap type counts).
 */
export function validateSlot(slot: i32, bs: BootStatus | null): i32 {
  const s = strategy();
  const area = slotArea(slot);
  const h = headers[slot];
  if (h.erased || (h.flags & F_NON_BOOTABLE) != 0) {
    if (slot != SLOT_PRIMARY && s.swaps) {
      // A reset while erasing an invalid secondary can leave its trailer behind: clear it.
      scrambleTrailerSectors(area);
      if (s.clearsStuckRevert && !bug(BUG_PR2199) && ((bs !== null && bs.swapType == SWAP_REVERT) || swapTypeFromTrailers() == SWAP_REVERT)) {
        // "Stuck revert" (MCUboot 33094fc5; the test-only variant leaves it as it was before):
        // a revert with nothing to revert to.
        scrambleTrailerSectors(primaryArea());
      }
    }
    return VALIDATE_NO_IMAGE;
  }
  if (slot != SLOT_PRIMARY && s.misplacedUpload()) {
    scrambleSlot(area);
    return VALIDATE_NO_IMAGE;
  }
  if (slot != SLOT_PRIMARY && (ctrl(CTRL_BOOT_OPTIONS) & OPT_DOWNGRADE_PREVENTION) != 0 && !headers[SLOT_PRIMARY].erased) {
    // §6: an upgrade (TEST or PERM) may not go down; a revert back to the older image may.
    const t = bs !== null && bs.swapType != SWAP_NONE ? bs.swapType : swapTypeFromTrailers();
    if (t != SWAP_REVERT && compareVersion(h, headers[SLOT_PRIMARY]) < 0) {
      scrambleSlot(area);
      return VALIDATE_NO_IMAGE;
    }
  }
  let ok = headerValid(h, areaSize(area));
  // An encrypted image is hashed as plaintext (§2.3): a secondary's body is decrypted on the
  // way, with the key its ENC TLV gives; a key that does not unwrap makes it invalid.
  let key: usize = 0;
  if (ok && encEnabled() && slot == SLOT_SECONDARY && isEncrypted(h)) {
    ok = encLoad(SLOT_SECONDARY, area, s.imageBase(slot), h);
    key = encKey(SLOT_SECONDARY);
  }
  if (ok) ok = validateImage(area, s.imageBase(slot), h, s.maxImageSize(slot), currentImage(), key) == VALID;
  if (!ok) {
    if (slot != SLOT_PRIMARY) scrambleSlot(area);
    return VALIDATE_NO_IMAGE;
  }
  return VALIDATE_OK;
}

/** boot_validated_swap_type: the table's answer, if the secondary image is valid. */
export function validatedSwapType(bs: BootStatus): u8 {
  let t = swapTypeFromTrailers();
  if (isUpgrade(t) && validateSlot(SLOT_SECONDARY, bs) != VALIDATE_OK) t = SWAP_NONE;
  return t;
}

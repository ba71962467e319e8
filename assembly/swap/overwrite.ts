// Overwrite-only (reference/mcuboot.md §5.1): erase the primary, copy the secondary over it,
// then erase the secondary's header and trailer sectors. No status records, no revert:
// an interrupted copy simply starts again at the next boot because the secondary's
// trailer still asks for it.

import { AREA_PRIMARY, AREA_SECONDARY, CTRL_BOOT_OPTIONS, OPT_OVERWRITE_FAST, ctrl } from '../ctrl';
import { areaSectorCount, areaSectorOff, areaSectorSize } from '../flash';
import { bootWriteSz, swapInfoOff, trailerSz, writeMagic } from '../trailer';
import { BootStatus, slotArea } from '../boot/state';
import { raiseSecurityCounter } from '../nv';
import { bootAssert, copyRegion, eraseRegion } from './common';
import { Strategy } from './strategy';

export class OverwriteOnly extends Strategy {
  constructor() {
    super();
    this.swaps = false;
  }

  slotsCompatible(maxSectors: u32): bool {
    return areaSectorCount(AREA_PRIMARY) <= maxSectors && areaSectorCount(AREA_SECONDARY) <= maxSectors;
  }

  /** Largest image (header + payload + TLVs) the build accepts: up to swap_info. */
  maxImageSize(slot: i32): u32 {
    return swapInfoOff(slotArea(slot));
  }

  run(bs: BootStatus, copySize: u32): void {
    copyImage(copySize);
  }
}

/** boot_copy_image. `srcSize` is the secondary image's total size (used by the fast variant). */
function copyImage(srcSize: u32): void {
  const fast = (ctrl(CTRL_BOOT_OPTIONS) & OPT_OVERWRITE_FAST) != 0;
  const n = areaSectorCount(AREA_PRIMARY);
  let size: u32 = 0;
  for (let s: u32 = 0; s < n; s++) {
    const thisSize = areaSectorSize(AREA_PRIMARY, s);
    bootAssert(eraseRegion(AREA_PRIMARY, size, thisSize, false) == 0);
    if (fast && size + thisSize >= srcSize) {
      size += srcSize - size;
      // MCUboot adds a whole write unit even when the size is already aligned (§5.1 quirk).
      const w = bootWriteSz();
      size += w - (size % w);
      break;
    }
    size += thisSize;
  }
  if (fast) {
    const tsz = trailerSz(bootWriteSz());
    let sector = <i32>n - 1;
    let sz: u32 = 0;
    let off: u32 = 0;
    do {
      sz += areaSectorSize(AREA_PRIMARY, <u32>sector);
      off = areaSectorOff(AREA_PRIMARY, <u32>sector);
      sector--;
    } while (sz < tsz && sector >= 0);
    bootAssert(eraseRegion(AREA_PRIMARY, off, sz, false) == 0);
  }
  if (copyRegion(AREA_SECONDARY, AREA_PRIMARY, 0, 0, size) != 0) return;
  if (fast && writeMagic(AREA_PRIMARY) != 0) return;
  // §5.1 step 3: the copy cannot be undone, so the counter follows the new image at once —
  // before the secondary's request is erased, so that a cut never leaves it behind.
  raiseSecurityCounter(0, AREA_PRIMARY);
  // Erase the secondary's header and trailer, so that a later image written without a
  // trailer does not inherit a pending request.
  bootAssert(eraseRegion(AREA_SECONDARY, areaSectorOff(AREA_SECONDARY, 0), areaSectorSize(AREA_SECONDARY, 0), false) == 0);
  const last = areaSectorCount(AREA_SECONDARY) - 1;
  bootAssert(eraseRegion(AREA_SECONDARY, areaSectorOff(AREA_SECONDARY, last), areaSectorSize(AREA_SECONDARY, last), false) == 0);
}

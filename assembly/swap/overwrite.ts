// Overwrite-only (reference/mcuboot.md §5.1): erase the primary, copy the secondary over it,
// then erase the secondary's header and trailer sectors. No status records, no revert:
// an interrupted copy simply starts again at the next boot because the secondary's
// trailer still asks for it.

import { CTRL_BOOT_OPTIONS, CTRL_BOOT_STRATEGY, OPT_OVERWRITE_FAST, STRATEGY_OVERWRITE_ONLY, ctrl } from '../ctrl';
import { areaSectorCount, areaSectorOff, areaSectorSize } from '../flash';
import { bootWriteSz, swapInfoOff, trailerSz, writeMagic } from '../trailer';
import { BootStatus, slotArea, primaryArea, secondaryArea } from '../boot/state';
import { raiseSecurityCounter } from '../nv';
import { bootAssert, copyRegion, eraseRegion } from './common';
import { Strategy } from './strategy';

export class OverwriteOnly extends Strategy {
  constructor() {
    super();
    this.swaps = false;
  }

  slotsCompatible(maxSectors: u32): bool {
    return areaSectorCount(primaryArea()) <= maxSectors && areaSectorCount(secondaryArea()) <= maxSectors;
  }

  /** Largest image (header + payload + TLVs) the build accepts: up to swap_info. */
  maxImageSize(slot: i32): u32 {
    return swapInfoOff(slotArea(slot));
  }

  run(bs: BootStatus, copySize: u32): void {
    copyImage(copySize, (ctrl(CTRL_BOOT_OPTIONS) & OPT_OVERWRITE_FAST) != 0, 0);
  }
}

/**
 * boot_copy_image: the secondary's image over the primary. `srcSize` is the secondary image's
 * total size (used by the fast variant), `srcOff` where it starts in the secondary. The fast
 * variant erases only the image's sectors and the trailer's, copies the image alone and writes
 * the magic; it leaves the secondary's header sector, erasing only its trailer. (Bootstrap
 * installs with it on swap-move and swap-offset, §5.3–5.4 builds: see Strategy.)
 */
export function copyImage(srcSize: u32, fast: bool, srcOff: u32): void {
  const n = areaSectorCount(primaryArea());
  let size: u32 = 0;
  for (let s: u32 = 0; s < n; s++) {
    const thisSize = areaSectorSize(primaryArea(), s);
    bootAssert(eraseRegion(primaryArea(), size, thisSize, false) == 0);
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
      sz += areaSectorSize(primaryArea(), <u32>sector);
      off = areaSectorOff(primaryArea(), <u32>sector);
      sector--;
    } while (sz < tsz && sector >= 0);
    bootAssert(eraseRegion(primaryArea(), off, sz, false) == 0);
  }
  if (copyRegion(secondaryArea(), primaryArea(), srcOff, 0, size) != 0) return;
  if (fast && writeMagic(primaryArea()) != 0) return;
  // §5.1 step 3: the copy cannot be undone, so the counter follows the new image at once —
  // before the secondary's request is erased, so that a cut never leaves it behind.
  raiseSecurityCounter(0, primaryArea());
  // Erase the secondary's header and trailer, so that a later image written without a
  // trailer does not inherit a pending request.
  if (!fast || ctrl(CTRL_BOOT_STRATEGY) == STRATEGY_OVERWRITE_ONLY) {
    bootAssert(eraseRegion(secondaryArea(), areaSectorOff(secondaryArea(), 0), areaSectorSize(secondaryArea(), 0), false) == 0);
  }
  const last = areaSectorCount(secondaryArea()) - 1;
  bootAssert(eraseRegion(secondaryArea(), areaSectorOff(secondaryArea(), last), areaSectorSize(secondaryArea(), last), false) == 0);
}

// Direct-xip (reference/mcuboot.md §5.5): nothing is copied; each slot runs where it is, and
// the boot picks the slot with the highest valid version (assembly/boot/select-flow.ts). The
// strategy only says so, and how large an image may be.

import { AREA_SECONDARY } from '../ctrl';
import { areaSectorCount } from '../flash';
import { swapInfoOff } from '../trailer';
import { BootStatus, slotArea, primaryArea, secondaryArea } from '../boot/state';
import { Strategy } from './strategy';

export class DirectXip extends Strategy {
  constructor(revert: bool) {
    super();
    this.swaps = false;
    this.selects = true;
    this.selectRevert = revert;
  }

  slotsCompatible(maxSectors: u32): bool {
    return areaSectorCount(primaryArea()) <= maxSectors && areaSectorCount(secondaryArea()) <= maxSectors;
  }

  /** bootutil_max_image_size: up to swap_info, as overwrite-only (the trailer holds no status). */
  maxImageSize(slot: i32): u32 {
    return swapInfoOff(slotArea(slot));
  }

  run(bs: BootStatus, copySize: u32): void {}
}

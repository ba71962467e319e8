// Ram-load (reference/mcuboot.md §5.6): the boot picks the slot with the highest valid
// version as direct-xip does, copies its whole image into the RAM window at the header's load
// address and validates the copy there (assembly/boot/select-flow.ts). Flash is only erased.

import { DirectXip } from './direct-xip';

export class RamLoad extends DirectXip {
  constructor(revert: bool) {
    super(revert);
    this.loadsToRam = true;
  }
}

// The loader's RAM state for the image being booted (MCUboot's boot_loader_state and
// boot_status): the two slots' headers and where an interrupted swap stands. The boot flow
// and every strategy share it; like all RAM it starts fresh at every power-on (a new instance).

import { AREA_PRIMARY, AREA_SECONDARY, SWAP_NONE } from '../ctrl';
import { ImageHeader } from '../image';

export const SLOT_PRIMARY: i32 = 0;
export const SLOT_SECONDARY: i32 = 1;

/** Where the status of an interrupted swap lives (swap_status_source). */
export const SOURCE_NONE: u8 = 0;
export const SOURCE_SCRATCH: u8 = 1;
export const SOURCE_PRIMARY: u8 = 2;

export const OP_MOVE: u8 = 1;
export const OP_SWAP: u8 = 2;

/** boot_status: where an interrupted swap stands, and what it is. */
export class BootStatus {
  idx: u32 = 1;
  state: u8 = 1;
  op: u8 = OP_MOVE;
  swapType: u8 = SWAP_NONE;
  source: u8 = SOURCE_NONE;
  useScratch: bool = false;
  swapSize: u32 = 0;

  reset(): void {
    this.idx = 1;
    this.state = 1;
    this.op = OP_MOVE;
    this.swapType = SWAP_NONE;
    this.source = SOURCE_NONE;
    this.useScratch = false;
    this.swapSize = 0;
  }

  /** boot_status_is_reset: no progress recorded. */
  isReset(): bool {
    return this.op == OP_MOVE && this.idx == 1 && this.state == 1;
  }
}

/** The headers of the image being booted (single image: image 0, slots in areas 1 and 2). */
export const headers: StaticArray<ImageHeader> = [new ImageHeader(), new ImageHeader()];

/** Swap-offset only (imgs[][].unprotected_tlv_size): each slot's unprotected TLV block size. */
export const unprotTlvSizes: StaticArray<u32> = [0, 0];

export function slotArea(slot: i32): u32 {
  return slot == SLOT_PRIMARY ? AREA_PRIMARY : AREA_SECONDARY;
}

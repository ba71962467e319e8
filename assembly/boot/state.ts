// The loader's RAM state for the image being booted (MCUboot's boot_loader_state and
// boot_status): the two slots' headers and where an interrupted swap stands. The boot flow
// and every strategy share it; like all RAM it starts fresh at every power-on (a new instance).

import { AREA_PRIMARY, AREA_PRIMARY_1, AREA_SECONDARY, SWAP_NONE } from '../ctrl';
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

// ---- the image being booted ---------------------------------------------------------------
//
// A multi-image bootloader (MCUBOOT_IMAGE_NUMBER > 1, reference/mcuboot.md §5.7) goes through
// its images one at a time; everything that touches "the primary" or "the secondary" asks
// which areas those are for the current image. Image 0's pair is areas 1/2, image n's areas
// 2n+2 / 2n+3 (assembly/ctrl.ts AREA_*).

let image: u32 = 0;
let imagePrimary: u32 = AREA_PRIMARY;
let imageSecondary: u32 = AREA_SECONDARY;

/** Makes image `i` the current one. */
export function selectImage(i: u32): void {
  image = i;
  imagePrimary = i == 0 ? AREA_PRIMARY : AREA_PRIMARY_1 + 2 * (i - 1);
  imageSecondary = imagePrimary + 1;
}

/** The index of the image being booted. */
@inline export function currentImage(): u32 {
  return image;
}

/** The current image's primary slot area. */
@inline export function primaryArea(): u32 {
  return imagePrimary;
}

/** The current image's secondary slot area. */
@inline export function secondaryArea(): u32 {
  return imageSecondary;
}

/** The headers of the image being booted (single image: image 0, slots in areas 1 and 2). */
export const headers: StaticArray<ImageHeader> = [new ImageHeader(), new ImageHeader()];

/** Swap-offset only (imgs[][].unprotected_tlv_size): each slot's unprotected TLV block size. */
export const unprotTlvSizes: StaticArray<u32> = [0, 0];

export function slotArea(slot: i32): u32 {
  return slot == SLOT_PRIMARY ? imagePrimary : imageSecondary;
}

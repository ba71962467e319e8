// Swap using move (reference/mcuboot.md §5.3): NOT IMPLEMENTED YET.
// Until it is, the slots are reported incompatible, so a build with this strategy never
// swaps (MCUboot's behaviour for incompatible slots) — brickproof refuses the strategy
// on the TypeScript side before a boot runs.

import { ImageHeader } from '../image';
import { BootStatus, slotArea } from './common';

export function slotsCompatible(maxSectors: u32): bool {
  return false;
}

export function maxImageSize(): u32 {
  return 0;
}

export function statusSource(): u8 {
  return 0;
}

export function readStatusBytes(area: u32, bs: BootStatus): void {}

export function readImageHeader(slot: i32, hdr: ImageHeader, bs: BootStatus | null): i32 {
  hdr.read(slotArea(slot), 0);
  return 0;
}

export function imageBase(slot: i32, bs: BootStatus): u32 {
  return 0;
}

export function swapRun(bs: BootStatus, copySize: u32): void {}

// What the boot flow (assembly/boot/) asks of an upgrade strategy — MCUboot's swap_*.c
// interface and the few build-time differences (#if MCUBOOT_SWAP_USING_*) its common code
// has — as one small class. Each strategy is one file in this folder with a subclass,
// listed once in ./registry.ts under its STRATEGY_* id; a boot chooses one at power-on and
// everything that depends on the strategy asks it, through `strategy()`.
//
// The operations are virtual calls, a handful per boot; the attributes are plain field
// loads.

import { ImageHeader } from '../image';
import { BootStatus, SOURCE_NONE, slotArea } from '../boot/state';

export abstract class Strategy {
  // ---- attributes (set by each subclass's constructor) ---------------------------------

  /**
   * Swaps the slots (boot_swap_image, with status records, revert and copy_done), rather
   * than copying the secondary over the primary (overwrite-only's boot_copy_image).
   */
  swaps: bool = true;
  /** BOOT_STATUS_STATE_COUNT: status records per sector index. */
  statusStates: u32 = 3;
  /** Swaps through the scratch area: BOOT_WRITE_SZ is the larger of its and the primary's write size. */
  usesScratch: bool = false;
  /** The trailer holds the unprotected TLV sizes (one BOOT_MAX_ALIGN field below swap_info). */
  trailerHasUnprotTlvSizes: bool = false;
  /** The status tells where the headers are mid-swap: they are read again with it. */
  headersFollowStatus: bool = false;
  /** §4.1 row 0: a GOOD secondary with image_ok UNSET and copy_done SET asks for a revert. */
  revertRequestedBySecondary: bool = false;
  /** A revert with an empty secondary is cleared from the primary trailer (MCUboot 33094fc5). */
  clearsStuckRevert: bool = false;
  /**
   * Not a swap at all: the boot picks the slot with the highest valid version and runs it
   * where it is (direct-xip) or from RAM (ram-load) — assembly/boot/select-flow.ts.
   */
  selects: bool = false;
  /** MCUBOOT_DIRECT_XIP_REVERT / MCUBOOT_RAM_LOAD_REVERT: a slot tried once and never confirmed is erased. */
  selectRevert: bool = false;
  /** Ram-load: the chosen image is copied into the RAM window and validated there. */
  loadsToRam: bool = false;
  /**
   * MCUBOOT_BOOTSTRAP installs with the fast copy (the image's sectors only, then the magic)
   * rather than the whole slot: as MCUboot's swap-move and swap-offset builds do.
   */
  bootstrapsImageOnly: bool = false;

  // ---- operations -------------------------------------------------------------------------

  /** boot_slots_compatible, given MCUBOOT_MAX_IMG_SECTORS. */
  abstract slotsCompatible(maxSectors: u32): bool;

  /** bootutil_max_image_size for a slot (0 primary, 1 secondary). */
  abstract maxImageSize(slot: i32): u32;

  /** Where the image of a slot starts in its area. */
  imageBase(slot: i32): u32 {
    return 0;
  }

  /**
   * boot_read_image_header into `hdr`; with `bs`, where the status says the header is now.
   * 0 ok, -1 when a status-aware read finds no image.
   */
  readImageHeader(slot: i32, hdr: ImageHeader, bs: BootStatus | null): i32 {
    hdr.read(slotArea(slot), 0);
    return 0;
  }

  /** swap_status_source: which area holds the status of an interrupted swap, if any. */
  statusSource(): u8 {
    return SOURCE_NONE;
  }

  /** swap_read_status_bytes: the progress recorded in `area`'s status, into `bs`. */
  readStatusBytes(area: u32, bs: BootStatus): void {}

  /** The staged secondary sits where this strategy never expects an upload (erase it). */
  misplacedUpload(): bool {
    return false;
  }

  /**
   * Performs the update: swap_run for a swapping strategy (`copySize` from the headers, or
   * from the trailer on resume), boot_copy_image otherwise (`copySize` = the secondary image).
   */
  abstract run(bs: BootStatus, copySize: u32): void;
}

let chosen: Strategy | null = null;

/** The strategy of this power-on (chosen by ./registry.ts chooseStrategy). */
@inline export function strategy(): Strategy {
  return chosen!;
}

export function setStrategy(s: Strategy): void {
  chosen = s;
}

// The NV security counters of MCUBOOT_HW_ROLLBACK_PROT (reference/mcuboot.md §6): one u32 per
// image index, in hardware that keeps its value across power cuts and is not flash (the
// recordings keep it outside the flash dump, as MCUboot's simulator does). They live in the
// control block, which survives reboots. Reads and updates are counted per boot.

import { CTRL_BOOT_OPTIONS, CTRL_NV_COUNTERS, CTRL_NV_READS, CTRL_NV_UPDATES, OPT_HW_ROLLBACK, ctrl, setCtrl } from './ctrl';
import { ImageHeader, securityCounter } from './image';

/** boot_nv_security_counter_get. */
export function nvCounterRead(image: u32): u32 {
  setCtrl(CTRL_NV_READS, ctrl(CTRL_NV_READS) + 1);
  return ctrl(CTRL_NV_COUNTERS + 4 * image);
}

/**
 * boot_nv_security_counter_update: stores `value`, or refuses (-2, nothing changes) when it is
 * lower than the stored one — a counter never goes down.
 */
export function nvCounterUpdate(image: u32, value: u32): i32 {
  setCtrl(CTRL_NV_UPDATES, ctrl(CTRL_NV_UPDATES) + 1);
  const at = CTRL_NV_COUNTERS + 4 * image;
  if (value < ctrl(at)) return -2;
  setCtrl(at, value);
  return 0;
}

const header = new ImageHeader();

/**
 * boot_update_security_counter (MCUBOOT_HW_ROLLBACK_PROT only): image `image`'s NV counter to
 * the security counter of the image at the start of `area`, if it has one.
 */
export function raiseSecurityCounter(image: u32, area: u32): void {
  if ((ctrl(CTRL_BOOT_OPTIONS) & OPT_HW_ROLLBACK) == 0) return;
  header.read(area, 0);
  const c = securityCounter(area, 0, header);
  if (c >= 0) nvCounterUpdate(image, <u32>c);
}

// One power-on of a direct-xip or ram-load bootloader (reference/mcuboot.md §5.5–5.6): no
// swap, no status. Of the slots holding an image, the one with the highest version is tried
// first (a tie goes to the primary); a slot that fails is dropped — erased when it fails its
// trailer check (revert builds), the RAM load or validation, only skipped when it is linked
// for another flash address — and the next one is tried. All state here is RAM.

import {
  CTRL_BOOT_ACTIVE_SLOT, CTRL_BOOT_BUILD, CTRL_BOOT_IMAGE_OFF, CTRL_BOOT_OPTIONS, CTRL_BOOT_RAM_DST, CTRL_BOOT_RAM_SIZE, CTRL_BOOT_RC,
  CTRL_BOOT_SLOT, CTRL_BOOT_VERSION, CTRL_RAM_BASE, CTRL_RAM_PTR, CTRL_RAM_SIZE, OPT_HW_ROLLBACK, OUTCOME_NO_IMAGE, OUTCOME_OK, ctrl, setCtrl,
} from '../ctrl';
import { areaDeviceAddress, areaPtr, areaSize } from '../flash';
import {
  F_NON_BOOTABLE, F_RAM_LOAD, F_ROM_FIXED, IMAGE_MAGIC, ImageHeader, VALID, compareVersion, headerValid, imageTotalSize, securityCounter,
  validateImage, validateImageAt,
} from '../image';
import { nvCounterUpdate } from '../nv';
import { FLAG_SET, MAGIC_GOOD, SwapState, readSwapState, writeCopyDone } from '../trailer';
import { scrambleSlot } from '../swap/common';
import { strategy } from '../swap/strategy';
import { SLOT_PRIMARY, SLOT_SECONDARY, headers, slotArea } from './state';

const available: StaticArray<bool> = [false, false];
const trailer = new SwapState();

/** boot_find_slot_with_highest_version: -1 when no slot is left. */
function highestVersionSlot(): i32 {
  let best: i32 = -1;
  for (let slot = SLOT_PRIMARY; slot <= SLOT_SECONDARY; slot++) {
    if (!available[slot]) continue;
    if (best < 0 || compareVersion(headers[slot], headers[best]) > 0) best = slot;
  }
  return best;
}

/**
 * boot_select_or_erase (revert builds): a slot without a GOOD magic, or tried once (copy_done)
 * and never confirmed (image_ok), is erased; a slot tried for the first time is marked tried.
 */
function selectOrErase(slot: i32): bool {
  const area = slotArea(slot);
  readSwapState(area, trailer);
  if (trailer.magic != MAGIC_GOOD || (trailer.copyDone == FLAG_SET && trailer.imageOk != FLAG_SET)) {
    scrambleSlot(area);
    return false;
  }
  if (trailer.copyDone != FLAG_SET && writeCopyDone(area) != 0) return false;
  return true;
}

/** The RAM copy of the slot being tried: its device address and size (0 = none). */
let ramDst: u32 = 0;
let ramSize: u32 = 0;

/**
 * boot_load_image_to_sram: the whole image (header, body, TLVs) to its load address, which
 * must lie with the image inside the RAM window. False when it cannot be loaded.
 */
function loadToRam(slot: i32): bool {
  const area = slotArea(slot);
  const h = headers[slot];
  if ((h.flags & F_RAM_LOAD) == 0) return false;
  const size = imageTotalSize(area, 0, h);
  if (size == 0 || size > areaSize(area)) return false;
  const base = ctrl(CTRL_RAM_BASE);
  const end = <u64>base + <u64>ctrl(CTRL_RAM_SIZE);
  if (h.loadAddr < base || <u64>h.loadAddr + <u64>size > end) return false;
  memory.copy(ramAt(h.loadAddr), areaPtr(area), size);
  ramDst = h.loadAddr;
  ramSize = size;
  return true;
}

@inline function ramAt(addr: u32): usize {
  return <usize>ctrl(CTRL_RAM_PTR) + <usize>(addr - ctrl(CTRL_RAM_BASE));
}

/** boot_remove_image_from_sram: what a rejected image left in RAM is cleared. */
function clearRam(): void {
  if (ramSize != 0) memory.fill(ramAt(ramDst), 0, ramSize);
  ramDst = 0;
  ramSize = 0;
}

/** boot_validate_slot for these builds: header and image; a failing slot is erased, primary included. */
function validateSelected(slot: i32): bool {
  const s = strategy();
  const area = slotArea(slot);
  const h = headers[slot];
  let ok = headerValid(h, areaSize(area)) && (h.flags & F_NON_BOOTABLE) == 0;
  if (ok) {
    ok = s.loadsToRam
      ? validateImageAt(ramAt(ramDst), ramSize, h, s.maxImageSize(slot), 0) == VALID
      : validateImage(area, 0, h, s.maxImageSize(slot), 0) == VALID;
  }
  if (!ok) {
    if (s.loadsToRam) clearRam();
    scrambleSlot(area);
  }
  return ok;
}

/** One power-on. Results go to the control block (CTRL_BOOT_*); returns CTRL_BOOT_RC. */
export function selectBoot(): i32 {
  const s = strategy();
  setCtrl(CTRL_BOOT_ACTIVE_SLOT, 0xffffffff);
  setCtrl(CTRL_BOOT_RAM_DST, 0);
  setCtrl(CTRL_BOOT_RAM_SIZE, 0);
  for (let slot = SLOT_PRIMARY; slot <= SLOT_SECONDARY; slot++) {
    headers[slot].read(slotArea(slot), 0);
    available[slot] = headers[slot].magic == IMAGE_MAGIC;
  }
  let slot: i32 = -1;
  while (true) {
    slot = highestVersionSlot();
    if (slot < 0) break;
    const area = slotArea(slot);
    const h = headers[slot];
    available[slot] = false;
    // boot_rom_address_check: an image linked for another flash address is skipped, not erased.
    if (!s.loadsToRam && (h.flags & F_ROM_FIXED) != 0 && h.loadAddr != areaDeviceAddress(area)) continue;
    if (s.selectRevert && !selectOrErase(slot)) continue;
    if (s.loadsToRam && !loadToRam(slot)) {
      scrambleSlot(area);
      continue;
    }
    if (!validateSelected(slot)) continue;
    break;
  }
  if (slot < 0) return result(OUTCOME_NO_IMAGE);

  const area = slotArea(slot);
  const h = headers[slot];
  if (ctrl(CTRL_BOOT_OPTIONS) & OPT_HW_ROLLBACK) updateSecurityCounter(area, h);
  setCtrl(CTRL_BOOT_ACTIVE_SLOT, <u32>slot);
  setCtrl(CTRL_BOOT_RAM_DST, ramDst);
  setCtrl(CTRL_BOOT_RAM_SIZE, ramSize);
  setCtrl(CTRL_BOOT_SLOT, area);
  setCtrl(CTRL_BOOT_IMAGE_OFF, 0);
  setCtrl(CTRL_BOOT_VERSION, <u32>h.major | (<u32>h.minor << 8) | (<u32>h.revision << 16));
  setCtrl(CTRL_BOOT_BUILD, h.build);
  return result(OUTCOME_OK);
}

/**
 * §6: the NV counter follows the booted image — in revert builds only once the application
 * confirmed it (image_ok), so that a trial image cannot lock the old one out.
 */
function updateSecurityCounter(area: u32, h: ImageHeader): void {
  if (strategy().selectRevert) {
    readSwapState(area, trailer);
    if (trailer.imageOk != FLAG_SET) return;
  }
  const c = securityCounter(area, 0, h);
  if (c >= 0) nvCounterUpdate(0, <u32>c);
}

function result(rc: i32): i32 {
  setCtrl(CTRL_BOOT_RC, rc);
  if (rc != OUTCOME_OK) setCtrl(CTRL_BOOT_SLOT, 0);
  return rc;
}

// The swap-type decision (reference/mcuboot.md §4.1, MCUboot's boot_swap_type_multi): what
// the two slot trailers ask for, by the first matching row of the table. Only the trailers
// are read; swap_info counts only when a swap is resumed.

import { BUG_PR2100, SWAP_NONE, SWAP_PERM, SWAP_REVERT, SWAP_TEST, bug } from '../ctrl';
import { FLAG_SET, FLAG_UNSET, MAGIC_GOOD, MAGIC_UNSET, SwapState, readSwapState } from '../trailer';
import { strategy } from '../swap/strategy';
import { primaryArea, secondaryArea } from './state';

const primaryState = new SwapState();
const secondaryState = new SwapState();

/** boot_swap_type_multi: the first matching row of §4.1's table. */
export function swapTypeFromTrailers(): u8 {
  readSwapState(primaryArea(), primaryState);
  readSwapState(secondaryArea(), secondaryState);
  const p = primaryState, s = secondaryState;
  // Row 0 (swap-offset builds): a revert request left in the secondary by fixup_revert.
  if (strategy().revertRequestedBySecondary && s.magic == MAGIC_GOOD && s.imageOk == FLAG_UNSET && s.copyDone == FLAG_SET) return SWAP_REVERT;
  if (s.magic == MAGIC_GOOD && s.imageOk == FLAG_UNSET) return SWAP_TEST;
  if (s.magic == MAGIC_GOOD && s.imageOk == FLAG_SET) return SWAP_PERM;
  if (p.magic == MAGIC_GOOD && p.imageOk == FLAG_UNSET && p.copyDone == FLAG_SET) {
    // Before MCUboot 4f393563 (#1966) this row also wanted the secondary magic UNSET, so a
    // magic torn by fixup_revert (BAD) matched no row and the revert was lost.
    if (!bug(BUG_PR2100) || s.magic == MAGIC_UNSET) return SWAP_REVERT;
  }
  return SWAP_NONE;
}

/** The swap types that move images: an upgrade, or a revert of one. */
export function isUpgrade(t: u8): bool {
  return t == SWAP_TEST || t == SWAP_PERM || t == SWAP_REVERT;
}

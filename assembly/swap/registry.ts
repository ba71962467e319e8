// The strategies the core is built with. Adding one: its file in this folder (a subclass of
// Strategy, ./strategy.ts), its STRATEGY_* id in assembly/ctrl.ts (which names it for
// TypeScript too), and one line in `create` below.

import {
  CTRL_BOOT_STRATEGY, STRATEGY_DIRECT_XIP, STRATEGY_DIRECT_XIP_REVERT, STRATEGY_OVERWRITE_ONLY, STRATEGY_RAM_LOAD, STRATEGY_RAM_LOAD_REVERT,
  STRATEGY_SWAP_MOVE, STRATEGY_SWAP_OFFSET, STRATEGY_SWAP_SCRATCH, ctrl,
} from '../ctrl';
import { Strategy, setStrategy } from './strategy';
import { OverwriteOnly } from './overwrite';
import { SwapScratch } from './scratch';
import { SwapMove } from './move';
import { SwapOffset } from './offset';
import { DirectXip } from './direct-xip';
import { RamLoad } from './ram-load';

/**
 * Made when chosen rather than all at start-up: every reboot is a new instance, and its
 * start-up allocations are paid at every power-on of a campaign.
 */
function create(id: u32): Strategy {
  switch (id) {
    case STRATEGY_OVERWRITE_ONLY: return new OverwriteOnly();
    case STRATEGY_SWAP_SCRATCH: return new SwapScratch();
    case STRATEGY_SWAP_MOVE: return new SwapMove();
    case STRATEGY_SWAP_OFFSET: return new SwapOffset();
    case STRATEGY_DIRECT_XIP: return new DirectXip(false);
    case STRATEGY_DIRECT_XIP_REVERT: return new DirectXip(true);
    case STRATEGY_RAM_LOAD: return new RamLoad(false);
    case STRATEGY_RAM_LOAD_REVERT: return new RamLoad(true);
  }
  throw new Error('unknown strategy id');
}

/** Selects the strategy the host asked for (CTRL_BOOT_STRATEGY) for this power-on. */
export function chooseStrategy(): Strategy {
  const s = create(ctrl(CTRL_BOOT_STRATEGY));
  setStrategy(s);
  return s;
}

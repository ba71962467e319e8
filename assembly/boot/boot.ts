// One power-on of the bootloader: the strategy the host chose for this build, then its flow —
// the swap flow (./swap-flow.ts) or, for direct-xip and ram-load, the selection flow
// (./select-flow.ts).

import { chooseStrategy } from '../swap/registry';
import { swapBoot } from './swap-flow';
import { selectBoot } from './select-flow';

export function boot(): i32 {
  return chooseStrategy().selects ? selectBoot() : swapBoot();
}

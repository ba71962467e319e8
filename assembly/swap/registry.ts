// The strategies the core is built with. Adding one: its file in this folder (a subclass of
// Strategy, ./strategy.ts), its STRATEGY_* id in assembly/ctrl.ts (which names it for
// TypeScript too), and one line in the list below.

import { CTRL_BOOT_STRATEGY, ctrl } from '../ctrl';
import { Strategy, setStrategy } from './strategy';
import { OverwriteOnly } from './overwrite';
import { SwapScratch } from './scratch';
import { SwapMove } from './move';
import { SwapOffset } from './offset';

const STRATEGIES: StaticArray<Strategy> = [
  new OverwriteOnly(),
  new SwapScratch(),
  new SwapMove(),
  new SwapOffset(),
];

/** Selects the strategy the host asked for (CTRL_BOOT_STRATEGY) for this power-on. */
export function chooseStrategy(): Strategy {
  const id = ctrl(CTRL_BOOT_STRATEGY);
  for (let i = 0; i < STRATEGIES.length; i++) {
    const s = unchecked(STRATEGIES[i]);
    if (s.id == id) {
      setStrategy(s);
      return s;
    }
  }
  throw new Error('unknown strategy id');
}

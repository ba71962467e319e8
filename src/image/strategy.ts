/**
 * MCUboot's upgrade strategies (reference mcuboot.md §5.1–§5.6): the one list, with what
 * tells them apart for a firmware engineer choosing one and for the code that sizes slots
 * and stages images. Everything else asks this table; nothing else lists strategies.
 *
 * Which of them the simulated bootloader runs is the core's to say: those it gives a
 * STRATEGY_* id (assembly/ctrl.ts, generated into src/ctrl-layout.ts). Adding one there (see
 * the README's "Layout") makes it a BootStrategy here.
 */
import { UsageError } from '../errors.js';
import { STRATEGY_IDS } from '../ctrl-layout.js';

export interface StrategyInfo {
  /**
   * How a boot runs it: the swap flow (the update is copied or swapped into the primary,
   * reference §4.3), or the selection flow of direct-xip and ram-load (the highest valid
   * version runs where it is, or from a RAM copy, §5.5–5.6).
   */
  flow: 'swap' | 'select';
  /**
   * Whether the update is copied (or swapped) into the primary slot, or run where it was
   * uploaded (direct-xip from flash, ram-load from a RAM copy: no slot-to-slot copy).
   */
  copiesBetweenSlots: boolean;
  /** Whether an unconfirmed update goes back to the old image: always, never, or with a build option. */
  revert: 'always' | 'never' | 'MCUBOOT_DIRECT_XIP_REVERT' | 'MCUBOOT_RAM_LOAD_REVERT';
  /** Copies the chosen image into a RAM window before validating and running it (ram-load). */
  loadsToRam: boolean;
  /**
   * What the slot gives up besides the image (§3.8): the trailer's fields only; the whole
   * trailer with its status area (plus scratch-trailer padding); or the status trailer
   * rounded up to whole sectors plus one spare sector in the primary (swap-move) or the
   * secondary (swap-offset).
   */
  slotOverhead: 'trailer-fields' | 'trailer' | 'trailer-sectors+primary-sector' | 'trailer-sectors+secondary-sector';
  /** BOOT_STATUS_STATE_COUNT: status records per sector index (§3.1). */
  statusStates: 2 | 3;
  /** Where the update's image starts in the secondary slot: swap-offset's one sector in (§5.4). */
  updateOffset: 'slot-start' | 'one-sector';
}

export const STRATEGY_INFO = {
  'overwrite-only': { flow: 'swap', copiesBetweenSlots: true, revert: 'never', loadsToRam: false, slotOverhead: 'trailer-fields', statusStates: 3, updateOffset: 'slot-start' },
  'swap-scratch': { flow: 'swap', copiesBetweenSlots: true, revert: 'always', loadsToRam: false, slotOverhead: 'trailer', statusStates: 3, updateOffset: 'slot-start' },
  'swap-move': { flow: 'swap', copiesBetweenSlots: true, revert: 'always', loadsToRam: false, slotOverhead: 'trailer-sectors+primary-sector', statusStates: 3, updateOffset: 'slot-start' },
  'swap-offset': { flow: 'swap', copiesBetweenSlots: true, revert: 'always', loadsToRam: false, slotOverhead: 'trailer-sectors+secondary-sector', statusStates: 2, updateOffset: 'one-sector' },
  'direct-xip': { flow: 'select', copiesBetweenSlots: false, revert: 'never', loadsToRam: false, slotOverhead: 'trailer-fields', statusStates: 3, updateOffset: 'slot-start' },
  'direct-xip-revert': { flow: 'select', copiesBetweenSlots: false, revert: 'MCUBOOT_DIRECT_XIP_REVERT', loadsToRam: false, slotOverhead: 'trailer-fields', statusStates: 3, updateOffset: 'slot-start' },
  'ram-load': { flow: 'select', copiesBetweenSlots: false, revert: 'never', loadsToRam: true, slotOverhead: 'trailer-fields', statusStates: 3, updateOffset: 'slot-start' },
  'ram-load-revert': { flow: 'select', copiesBetweenSlots: false, revert: 'MCUBOOT_RAM_LOAD_REVERT', loadsToRam: true, slotOverhead: 'trailer-fields', statusStates: 3, updateOffset: 'slot-start' },
} as const satisfies Record<string, StrategyInfo>;

/** Every MCUboot upgrade strategy, as MCUboot's documentation names them. */
export type Strategy = keyof typeof STRATEGY_INFO;
export const STRATEGIES = Object.keys(STRATEGY_INFO) as Strategy[];

/** The strategies brickproof's simulated bootloader runs: those with a core id. */
export type BootStrategy = Extract<Strategy, keyof typeof STRATEGY_IDS>;
export const BOOT_STRATEGIES = STRATEGIES.filter((s): s is BootStrategy => Object.hasOwn(STRATEGY_IDS, s));

/**
 * The strategies of the swap flow (an update is copied into the primary slot): what campaigns,
 * benches and lifecycles run when no strategy is named. Direct-xip and ram-load are run when
 * asked for by name.
 */
export const SWAP_STRATEGIES = BOOT_STRATEGIES.filter((s) => STRATEGY_INFO[s].flow === 'swap');

export function strategyInfo(strategy: Strategy): StrategyInfo {
  return STRATEGY_INFO[strategy];
}

export function isStrategy(value: unknown): value is Strategy {
  return typeof value === 'string' && Object.hasOwn(STRATEGY_INFO, value);
}

export function isBootStrategy(value: unknown): value is BootStrategy {
  return typeof value === 'string' && (BOOT_STRATEGIES as readonly string[]).includes(value);
}

/** A strategy the bootloader runs, as a user types it (case-insensitive); anything else is a UsageError. */
export function parseStrategy(value: unknown): BootStrategy {
  const name = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (isBootStrategy(name)) return name;
  throw new UsageError(`unknown strategy ${JSON.stringify(value)} (expected one of: ${BOOT_STRATEGIES.join(', ')})`);
}

/**
 * A strategy a device's life runs (DeviceLife, `brickproof life`, the lifecycle plan, a
 * fleet's classes): one of the swap flow. Direct-xip and ram-load choose a slot at every boot,
 * and their application writes the update into whichever slot is not running and marks it —
 * an OTA side this simulation does not model — so they are refused, not lived wrongly.
 */
export function parseLifeStrategy(value: unknown): BootStrategy {
  const strategy = parseStrategy(value);
  if (!(SWAP_STRATEGIES as readonly string[]).includes(strategy)) {
    throw new UsageError(`strategy ${strategy} is not modelled in a device's life (its application would update the slot that is not running); use one of: ${SWAP_STRATEGIES.join(', ')}`);
  }
  return strategy;
}

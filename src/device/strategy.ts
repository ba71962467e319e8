/**
 * The upgrade strategies brickproof's bootloader implements, named as in MCUboot's
 * documentation (reference/mcuboot.md §5.1–5.4). Direct-XIP and RAM-load (§5.5, §5.6) copy
 * nothing between slots and are not among them.
 */
import { UsageError } from '../errors.js';

export const STRATEGIES = ['overwrite-only', 'swap-scratch', 'swap-move', 'swap-offset'] as const;

export type Strategy = (typeof STRATEGIES)[number];

export function isStrategy(value: unknown): value is Strategy {
  return typeof value === 'string' && (STRATEGIES as readonly string[]).includes(value);
}

/** A strategy name as a user types it (case-insensitive); anything else is a UsageError. */
export function parseStrategy(value: unknown): Strategy {
  const name = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (isStrategy(name)) return name;
  throw new UsageError(`unknown strategy ${JSON.stringify(value)} (expected one of: ${STRATEGIES.join(', ')})`);
}

/**
 * Test-only bootloader variants that behave as historical MCUboot releases did, so that a
 * campaign can be shown to find the power-loss bugs those releases had
 * (../shared/reference/mcuboot-known-bugs.md). Named `<strategy>@<bug>`; never offered as a
 * normal strategy.
 */
import { UsageError } from '../errors.js';
import { parseStrategy, type Strategy } from '../device/strategy.js';

export interface Variant {
  name: string;
  strategy: Strategy;
  /** BUG_* bit of assembly/ctrl.ts CTRL_BOOT_BUGS. */
  bit: number;
  summary: string;
}

export const VARIANTS: Variant[] = [];

export function baseStrategy(name: string): Strategy {
  return parseStrategy(name.split('@')[0]);
}

export function bugBits(name: string): number {
  if (!name.includes('@')) return 0;
  const v = VARIANTS.find((x) => x.name === name);
  if (!v) throw new UsageError(`unknown strategy variant '${name}' (known: ${VARIANTS.map((x) => x.name).join(', ') || 'none'})`);
  return v.bit;
}

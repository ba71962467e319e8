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
  /** The campaign that exposes it (what the reference describes), for tests and docs. */
  exposedBy: { upgrade: 'test' | 'perm' | 'revert'; device: string; fault: 'cut' | 'torn-write' | 'torn-erase' | 'bit-noise'; v1Size?: number };
  /** What the reference (mcuboot-known-bugs.md, tardigrade) reports for it. */
  reference: string;
}

/** Bits of CTRL_BOOT_BUGS (assembly/ctrl.ts BUG_*). */
export const VARIANTS: Variant[] = [
  {
    name: 'swap-scratch@pr485',
    strategy: 'swap-scratch',
    bit: 1,
    summary: 'MCUboot #480/#485 (2019): no swap type in the trailer; an interrupted revert resumes as a permanent upgrade and a second swap makes the rejected image permanent',
    exposedBy: { upgrade: 'revert', device: 'nrf52840', fault: 'cut' },
    reference: 'wrong image: any cut during the revert after status init (a wide window)',
  },
  {
    name: 'swap-scratch@pr2109',
    strategy: 'swap-scratch',
    bit: 2,
    summary: 'MCUboot PR #2109 (2024): after finishing an interrupted swap, headers are read from the swapped slots, primary validation fails, and the next boot reverts the upgrade',
    // Only images of different sizes show it: with equal sizes the wrong header validates.
    exposedBy: { upgrade: 'test', device: 'nrf52840', fault: 'cut', v1Size: 150000 },
    reference: 'tardigrade: 19 bricks of 57 points (33.3%), any cut after status recording started',
  },
  {
    name: 'swap-scratch@f76fba70',
    strategy: 'swap-scratch',
    bit: 4,
    summary: 'MCUboot f76fba70 (2025): the scratch area is erased forward after its trailer moved to the primary, so a reset mid-erase resumes from a half-erased scratch',
    // A multi-sector scratch (nrf52840: 13 sectors) gives the window between its erases.
    exposedBy: { upgrade: 'perm', device: 'nrf52840', fault: 'cut' },
    reference: 'mcuboot.md §8 item 11: a reset during the forward scratch erase wrote garbage into the primary',
  },
];

export function baseStrategy(name: string): Strategy {
  return parseStrategy(name.split('@')[0]);
}

export function bugBits(name: string): number {
  if (!name.includes('@')) return 0;
  const v = VARIANTS.find((x) => x.name === name);
  if (!v) throw new UsageError(`unknown strategy variant '${name}' (known: ${VARIANTS.map((x) => x.name).join(', ') || 'none'})`);
  return v.bit;
}

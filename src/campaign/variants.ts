/**
 * Test-only bootloader variants that behave as historical MCUboot releases did, so that a
 * campaign can be shown to find the power-loss bugs those releases had
 * (../shared/reference/mcuboot-known-bugs.md). Named `<strategy>@<bug>`; never offered as a
 * normal strategy.
 */
import { UsageError } from '../errors.js';
import { BUG_BITS } from '../ctrl-layout.js';
import type { FaultModel } from '../core.js';
import { parseStrategy, type Strategy } from '../device/strategy.js';
import type { CampaignSpec, Upgrade } from './spec.js';

export interface Variant {
  name: string;
  strategy: Strategy;
  /** Its CTRL_BOOT_BUGS bit: BUG_BITS of the name's `@` suffix (assembly/ctrl.ts BUG_*). */
  bit: number;
  summary: string;
  /**
   * The campaign that exposes it (what the reference describes), for tests and docs: the
   * spec's fields besides strategy, plan ('exhaustive'), image size ('max') and seed (1).
   */
  exposedBy: { upgrade: Upgrade; device: string; fault: FaultModel } & Pick<CampaignSpec, 'v1Size' | 'v1Trailer' | 'maxAlign' | 'maxSectors'>;
  /** The bug shows in the uninterrupted update itself: the campaign is its one scenario, `…@0`. */
  control?: boolean;
  /** What the reference (mcuboot-known-bugs.md, tardigrade) reports for it. */
  reference: string;
}

/** The variants, each with its core bit: BUG_BITS of its name's `@` suffix (`swap-move@pr2100` → BUG_BITS.pr2100). */
const DEFINED: Array<Omit<Variant, 'bit'>> = [
  {
    name: 'swap-scratch@pr485',
    strategy: 'swap-scratch',
    summary: 'MCUboot #480/#485 (2019): no swap type in the trailer; an interrupted revert resumes as a permanent upgrade and a second swap makes the rejected image permanent',
    exposedBy: { upgrade: 'revert', device: 'nrf52840', fault: 'cut' },
    reference: 'wrong image: any cut during the revert after status init (a wide window)',
  },
  {
    name: 'swap-scratch@pr2109',
    strategy: 'swap-scratch',
    summary: 'MCUboot PR #2109 (2024): after finishing an interrupted swap, headers are read from the swapped slots, primary validation fails, and the next boot reverts the upgrade',
    // Only images of different sizes show it: with equal sizes the wrong header validates.
    exposedBy: { upgrade: 'test', device: 'nrf52840', fault: 'cut', v1Size: 150000 },
    reference: 'tardigrade: 19 bricks of 57 points (33.3%), any cut after status recording started',
  },
  {
    name: 'swap-scratch@f76fba70',
    strategy: 'swap-scratch',
    summary: 'MCUboot f76fba70 (2025): the scratch area is erased forward after its trailer moved to the primary, so a reset mid-erase resumes from a half-erased scratch',
    // A multi-sector scratch (nrf52840: 13 sectors) gives the window between its erases.
    exposedBy: { upgrade: 'perm', device: 'nrf52840', fault: 'cut' },
    reference: 'mcuboot.md §8 item 11: a reset during the forward scratch erase wrote garbage into the primary',
  },
  {
    name: 'swap-move@pr2100',
    strategy: 'swap-move',
    summary: 'MCUboot #1966 / PR #2100 (2024): a revert torn inside the secondary magic write of fixup_revert leaves that magic BAD; the REVERT row wanted it UNSET, so no row matches and the unconfirmed image boots forever',
    // A torn program operation: nrf52840 writes 4 bytes at a time, so the 16-byte magic tears.
    exposedBy: { upgrade: 'revert', device: 'nrf52840', fault: 'torn-write' },
    reference: 'tardigrade: 3 bricks (9.7%, about 31 points), the cuts inside the 4-word magic write of fixup_revert. '
      + 'brickproof (nrf52840, revert): 1 of 1817 torn-write scenarios, wrong-end-state (the unconfirmed v2 boots for good); 2 of 1817 under bit-noise; '
      + '0 under atomic cuts, as in upstream\'s simulator; swap-move: 0 of 1817',
  },
  {
    name: 'swap-move@pr1597',
    strategy: 'swap-move',
    summary: 'MCUboot #1588 / PR #1597 (2023): after the last move record the header lookup still reads sector 0 (the last index it compares with was never computed on this boot), finds it erased, gives up the resume, and nothing boots again',
    exposedBy: { upgrade: 'test', device: 'nrf52840', fault: 'cut' },
    reference: 'issue #1588: about 1 in 50 resets during the swap bricked the device; tardigrade publishes no rate. '
      + 'brickproof (nrf52840, test): 1 of 907 cuts bricked (the first write into the erased primary sector 0); '
      + 'under torn-erase 2 of 907 (that erase, torn, and the same write); swap-move: 0 of 907',
  },
  {
    name: 'swap-move@pr855',
    strategy: 'swap-move',
    summary: 'MCUboot #829 / PR #855 (2020): an imgtool --pad --confirm primary is taken for the status source, the new swap never writes swap_size, and any resume reads 0xffffffff and bricks',
    exposedBy: { upgrade: 'test', device: 'nrf52840', fault: 'cut', v1Trailer: 'pad-confirm' },
    reference: 'issue #829: a brick for nearly every mid-swap cut (a wide window). '
      + 'brickproof (nrf52840, test, primary flashed with imgtool --pad --confirm): 893 of 902 cuts fail, 886 bricked and 7 wrong-end-state '
      + '(a cut before the first move leaves no trailer describing the swap: the upgrade is dropped); swap-move: 0 of 907',
  },
  {
    name: 'swap-move@pr2199',
    strategy: 'swap-move',
    summary: 'MCUboot PR #2199 (2025): after a test upgrade the application erases the secondary; the REVERT request in the primary trailer is never cleared, every boot erases the secondary trailer again, and uploads are refused',
    exposedBy: { upgrade: 'erase-secondary', device: 'nrf52840', fault: 'cut' },
    control: true,
    reference: 'tardigrade: 1 wrong_image of 1 (100%) on the control run; fixed: 0 issues under power_loss and interrupted_erase. '
      + 'brickproof (nrf52840): the uninterrupted update fails, 1 of 1, stuck-revert at power-on 2 (and every power-on erases the secondary trailer again); '
      + 'swap-move: 0 of 960 under cut, torn-erase and torn-write alike',
  },
  {
    name: 'swap-offset@pr2214',
    strategy: 'swap-offset',
    summary: 'MCUboot PR #2214 (2025): the last index is one too many, so an image needing every sector below the trailer is refused as "not enough free space" and never installed',
    // The optimal swap-offset layout (secondary one sector larger): the largest image needs
    // exactly first-trailer-index sectors.
    exposedBy: { upgrade: 'test', device: 'nrf52840-unequal-slots-larger-slot1', fault: 'cut' },
    control: true,
    reference: 'tardigrade: not reproduced (0x75000 payload in 0x76000 slots, no issues); a silently refused maximum-size upgrade is expected in the control run. '
      + 'brickproof (nrf52840-unequal-slots-larger-slot1): the uninterrupted update fails, 1 of 1, no-convergence (v1 keeps running, copy_done programmed again at every power-on); '
      + 'swap-offset: 0 of 704. On equal nrf52840 slots the variant passes all 620 cuts',
  },
  {
    name: 'swap-scratch@pr2205',
    strategy: 'swap-scratch',
    summary: 'MCUboot PR #2205 (2025): with primary sectors larger than the secondary\'s, the last sector index counts secondary sectors and runs past the primary\'s sector list; the swap then works on offsets outside the slot',
    exposedBy: { upgrade: 'test', device: 'stm32f4-spi-flash', fault: 'cut' },
    control: true,
    reference: 'MCUboot simulator: an assert in the sector swap (stm32f4SpiFlash); tardigrade: not reproduced (uniform 4K layout). '
      + 'brickproof (stm32f4-spi-flash): the uninterrupted update fails, 1 of 1, crash (a copy to secondary offset 0x60000, outside the slot); swap-scratch: 0 of 447',
  },
  {
    name: 'swap-scratch@pr2206',
    strategy: 'swap-scratch',
    summary: 'MCUboot PR #2206 (2025): with a trailer larger than a sector the maximum image size keeps no padding, and the copy into scratch runs over the scratch trailer\'s status records',
    // MCUBOOT_MAX_IMG_SECTORS 1024 (tardigrade's geometry variant): a 7-sector trailer on k64f.
    exposedBy: { upgrade: 'test', device: 'k64f', fault: 'cut', maxSectors: 1024 },
    control: true,
    reference: 'tardigrade: not reproduced (its "broken" build already had fixes (a)-(c)); a failed upgrade or flash corruption is expected. '
      + 'brickproof (k64f, MCUBOOT_MAX_IMG_SECTORS 1024: a 7-sector trailer): the uninterrupted update bricks, 1 of 1 (status records programmed over the '
      + 'new image\'s last bytes in scratch); the same on nrf52840; swap-scratch: 0 of 490',
  },
];

export const VARIANTS: Variant[] = DEFINED.map((v) => {
  const bug = v.name.slice(v.name.indexOf('@') + 1);
  if (!Object.hasOwn(BUG_BITS, bug)) throw new Error(`variant ${v.name}: assembly/ctrl.ts has no BUG_${bug.toUpperCase()}`);
  return { ...v, bit: BUG_BITS[bug as keyof typeof BUG_BITS] };
});

export function baseStrategy(name: string): Strategy {
  return parseStrategy(name.split('@')[0]);
}

export function bugBits(name: string): number {
  if (!name.includes('@')) return 0;
  const v = VARIANTS.find((x) => x.name === name);
  if (!v) throw new UsageError(`unknown strategy variant '${name}' (known: ${VARIANTS.map((x) => x.name).join(', ') || 'none'})`);
  return v.bit;
}

/**
 * The ported tests have teeth: run against bootloaders that behave as historical MCUboot
 * releases did (src/campaign/variants.ts, ../shared/reference/mcuboot-known-bugs.md), they
 * fail, and on the same combination with today's bootloader they pass.
 */
import { describe, expect, it } from 'vitest';
import { bugBits } from '../../src/campaign/variants.js';
import { SLOT_PRIMARY, Sim, everyCutPoint, permWithFailAt, revertWithFailAt, strategies, sweep, type Combination } from './sim.js';

const cases: Array<{ variant: string; test: 'revert_with_fails' | 'perm_with_fails'; combo: Combination; what: string }> = [
  {
    variant: 'swap-scratch@pr485',
    test: 'revert_with_fails',
    combo: { profile: 'nrf52840', strategy: 'swap-scratch', align: 4, erased: 0xff },
    what: 'MCUboot #480/#485: without swap_info in the trailer an interrupted revert resumes as a permanent upgrade',
  },
  {
    variant: 'swap-scratch@f76fba70',
    test: 'perm_with_fails',
    combo: { profile: 'nrf52840', strategy: 'swap-scratch', align: 4, erased: 0xff },
    what: 'MCUboot f76fba70: a reset during a forward scratch erase resumes from a half-erased scratch',
  },
  {
    // MCUboot's own simulator missed this one: a C static kept its value across its resets.
    variant: 'swap-move@pr1597',
    test: 'revert_with_fails',
    combo: { profile: 'nrf52840', strategy: 'swap-move', align: 4, erased: 0xff },
    what: 'MCUboot #1588: a reset right after the last move record reads the header from the wrong sector',
  },
];

const run = { revert_with_fails: revertWithFailAt, perm_with_fails: permWithFailAt };

describe('the ported tests find the power-loss bugs of historical MCUboot releases', () => {
  for (const k of cases.filter((x) => strategies().includes(x.combo.strategy))) {
    it(`${k.test} finds ${k.what} (${k.variant}), and passes without it`, async () => {
      const permanent = k.test === 'perm_with_fails';
      const buggy = await Sim.makeImage(k.combo, permanent, { build: { bugs: bugBits(k.variant) } });
      expect((await sweep(buggy, everyCutPoint(buggy.totalCount), run[k.test])).length).toBeGreaterThan(0);
      const fixed = await Sim.makeImage(k.combo, permanent);
      expect(await sweep(fixed, everyCutPoint(fixed.totalCount), run[k.test])).toEqual([]);
    });
  }
});

/** Bugs that show without any power cut: `make_image`'s uninterrupted upgrade already fails. */
const controlCases: Array<{ variant: string; combo: Combination; what: string }> = [
  {
    variant: 'swap-scratch@pr2205',
    combo: { profile: 'stm32f4-spi-flash', strategy: 'swap-scratch', align: 1, erased: 0xff },
    what: 'MCUboot PR #2205: primary sectors larger than the secondary\'s send the swap outside the slot',
  },
  {
    variant: 'swap-offset@pr2214',
    combo: { profile: 'nrf52840-unequal-slots-larger-slot1', strategy: 'swap-offset', align: 4, erased: 0xff },
    what: 'MCUboot PR #2214: a last index one too many refuses an image of the maximal size',
  },
];

describe('the uninterrupted upgrade every fault test starts from finds the historical bugs that need no fault', () => {
  for (const k of controlCases.filter((x) => strategies().includes(x.combo.strategy))) {
    it(`finds ${k.what} (${k.variant}), and upgrades without it`, async () => {
      await expect(Sim.makeImage(k.combo, true, { build: { bugs: bugBits(k.variant) } })).rejects.toThrow();
      const sim = await Sim.makeImage(k.combo, true);
      expect(sim.verifyImage(SLOT_PRIMARY, 'upgrades')).toBe(true);
    });
  }
});

/**
 * MCUboot simulator tests of permanent upgrades under power loss (reference/mcuboot.md §7.5,
 * end states §4.4): perm_with_fails and perm_with_random_fails(5), for every built strategy.
 */
import { describe, expect, it } from 'vitest';
import { FULL, Sim, combinations, comboName, cutPoints, permWithFailAt, permWithRandomFails, seedOf, strategies, sweep } from './sim.js';

/** Seeded runs of perm_with_random_fails per combination (the simulator makes one unseeded run). */
const RANDOM_RUNS = FULL ? 20 : 5;
const RANDOM_FAILS = 5;

for (const strategy of strategies()) {
  describe(strategy, () => {
    for (const c of combinations(strategy)) {
      describe(comboName(c), () => {
        it('installs a permanent upgrade after a power cut at any of its operations (perm_with_fails)', async () => {
          const sim = await Sim.makeImage(c, true);
          const points = cutPoints(c, sim.totalCount);
          expect(points.length).toBeGreaterThan(0);
          expect(await sweep(sim, points, permWithFailAt)).toEqual([]);
        });

        it(`installs a permanent upgrade after up to ${RANDOM_FAILS} successive power cuts at random operations (perm_with_random_fails)`, async () => {
          const sim = await Sim.makeImage(c, true);
          const failures: string[] = [];
          for (let run = 0; run < RANDOM_RUNS; run++) {
            const seed = seedOf(`${comboName(c)}#${run}`);
            const { resets, problems } = permWithRandomFails(sim, RANDOM_FAILS, seed);
            if (problems.length) failures.push(`${comboName(c)} seed ${seed} cuts@${resets.join(',')}: ${problems.join('; ')}`);
          }
          expect(failures).toEqual([]);
        });
      });
    }
  });
}

/**
 * MCUboot simulator tests of test upgrades and their revert (reference/mcuboot.md §7.5,
 * end states §4.4): basic_revert, norevert and revert_with_fails. Swap strategies only:
 * overwrite-only keeps no old image to go back to (§5.1).
 */
import { describe, expect, it } from 'vitest';
import { SLOT_PRIMARY, SLOT_SECONDARY, Sim, TRAILER, bootProblem, combinations, comboName, cutPoints, isSwap, revertWithFailAt, strategies, sweep } from './sim.js';

for (const strategy of strategies(isSwap)) {
  describe(strategy, () => {
    for (const c of combinations(strategy)) {
      describe(comboName(c), () => {
        it('reverts a test image that was never confirmed, and stays reverted (basic_revert)', async () => {
          const sim = await Sim.makeImage(c, true);
          for (const boots of [2, 3, 4]) {
            sim.fresh();
            for (let i = 1; i <= boots; i++) {
              expect(bootProblem(sim.boot()), `boot ${i} of ${boots}`).toBeNull();
              // The first boot runs the test image (so that the test cannot pass without a
              // swap, the simulator's FIXME); from the second on the old one is back.
              expect(sim.verifyImage(SLOT_PRIMARY, i === 1 ? 'upgrades' : 'primaries'), `after boot ${i} of ${boots}`).toBe(true);
            }
          }
        });

        it('keeps a test image that the application confirms (norevert)', async () => {
          const sim = await Sim.makeImage(c, true);
          sim.fresh();
          expect(bootProblem(sim.boot())).toBeNull();
          expect(sim.verifyImage(SLOT_PRIMARY, 'upgrades')).toBe(true);
          expect(sim.trailerMismatch(SLOT_PRIMARY, TRAILER.testDone)).toBeNull();
          expect(sim.trailerMismatch(SLOT_SECONDARY, TRAILER.unset)).toBeNull();

          expect(sim.dev.setConfirmed()).toBe(0);
          expect(sim.trailerMismatch(SLOT_PRIMARY, TRAILER.confirmed)).toBeNull();

          expect(bootProblem(sim.boot())).toBeNull();
          expect(sim.trailerMismatch(SLOT_PRIMARY, TRAILER.confirmed)).toBeNull();
          expect(sim.verifyImage(SLOT_PRIMARY, 'upgrades')).toBe(true);
        });

        it('finishes a test swap and then its revert after a power cut at any operation of either (revert_with_fails)', async () => {
          const sim = await Sim.makeImage(c, false);
          const points = cutPoints(c, sim.totalCount);
          expect(points.length).toBeGreaterThan(0);
          expect(await sweep(sim, points, revertWithFailAt)).toEqual([]);
        });
      });
    }
  });
}

/**
 * MCUboot simulator tests of test upgrades and their revert (reference/mcuboot.md §7.5,
 * end states §4.4): basic_revert, norevert and revert_with_fails. Swap strategies only:
 * overwrite-only keeps no old image to go back to (§5.1).
 */
import { describe, expect, it } from 'vitest';
import { isPowerCut } from '../../src/core.js';
import { SLOT_PRIMARY, SLOT_SECONDARY, Sim, TRAILER, bootProblem, combinations, comboName, cutPoints, isSwap, strategies } from './sim.js';

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
              // The first boot runs the test image; from the second on the old one is back.
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
          const failures: string[] = [];
          const points = cutPoints(c, sim.totalCount);
          for (const stop of points) {
            const problems = tryRevertWithFailAt(sim, stop);
            if (problems.length) failures.push(`${comboName(c)} cut@${stop}: ${problems.join('; ')}`);
          }
          expect(points.length).toBeGreaterThan(0);
          expect(failures).toEqual([]);
        });
      });
    }
  });
}

/** `try_revert_with_fail_at`: every check of one cut point, as a list of what went wrong. */
function tryRevertWithFailAt(sim: Sim, stop: number): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const trailer = (slot: number, want: (typeof TRAILER)[keyof typeof TRAILER], when: string) => {
    const m = sim.trailerMismatch(slot, want);
    if (m) problems.push(`${m} ${when}`);
  };
  const boot = (when: string) => {
    const p = bootProblem(sim.boot());
    if (p) problems.push(`${when}: ${p}`);
  };

  sim.fresh();
  check(isPowerCut(sim.boot(stop)), 'the test swap was not cut');
  check(sim.trailer(SLOT_PRIMARY).copyDone === 'unset', 'primary copy_done is set after the cut test swap');

  boot('finishing the test swap');
  check(sim.verifyImage(SLOT_PRIMARY, 'upgrades'), 'primary does not hold the new image before the revert');
  check(sim.verifyImage(SLOT_SECONDARY, 'primaries'), 'secondary does not hold the old image before the revert');
  trailer(SLOT_PRIMARY, TRAILER.testDone, 'before the revert');
  trailer(SLOT_SECONDARY, TRAILER.unset, 'before the revert');

  check(isPowerCut(sim.boot(stop)), 'the revert was not cut');
  boot('finishing the revert');
  check(sim.verifyImage(SLOT_PRIMARY, 'primaries'), 'primary does not hold the old image after the revert');
  check(sim.verifyImage(SLOT_SECONDARY, 'upgrades'), 'secondary does not hold the new image after the revert');
  trailer(SLOT_PRIMARY, TRAILER.confirmed, 'after the revert');
  trailer(SLOT_SECONDARY, TRAILER.unset, 'after the revert');

  boot('the boot after the revert');
  check(sim.verifyImage(SLOT_PRIMARY, 'primaries'), 'primary does not hold the old image on the boot after the revert');
  check(sim.verifyImage(SLOT_SECONDARY, 'upgrades'), 'secondary does not hold the new image on the boot after the revert');
  return problems;
}

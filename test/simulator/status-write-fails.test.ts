/**
 * MCUboot simulator tests with a primary swap status area that fails writes (reference/
 * mcuboot.md §7.5): status_write_fails_complete and status_write_fails_with_reset.
 * A failed status write is a BOOT_STATUS_ASSERT: with MCUBOOT_VALIDATE_PRIMARY_SLOT it is
 * only counted (the primary's validation catches a bad swap), without it an assert.
 */
import { describe, expect, it } from 'vitest';
import { isPowerCut } from '../../src/core/index.js';
import { SLOT_PRIMARY, SLOT_SECONDARY, Sim, TRAILER, bootProblem, combinations, comboName, isSwap, seedOf, strategies } from './sim.js';

for (const strategy of strategies()) {
  describe(strategy, () => {
    for (const c of combinations(strategy)) {
      describe(comboName(c), () => {
        it('completes a permanent upgrade without an assert when every status write fails (status_write_fails_complete)', async () => {
          const sim = await Sim.makeImage(c, true);
          sim.fresh();
          sim.markPermanentUpgrade(SLOT_SECONDARY);
          sim.markBadStatus(1.0);

          expect(bootProblem(sim.boot())).toBeNull();
          // Overwrite-only keeps no status, so nothing is marked bad there (§7.5).
          if (isSwap(strategy)) expect(sim.dev.core.counters().failedWrites).toBeGreaterThan(0);
          expect(sim.trailerMismatch(SLOT_PRIMARY, TRAILER.confirmed)).toBeNull();
          expect(sim.verifyImage(SLOT_PRIMARY, 'upgrades')).toBe(true);

          // With primary validation on, the next boot just works.
          expect(bootProblem(sim.boot())).toBeNull();
          expect(sim.verifyImage(SLOT_PRIMARY, 'upgrades')).toBe(true);
        });

        if (!isSwap(strategy)) return;

        it('resumes a swap cut halfway through, whose status writes failed half the time, with at most one assert (status_write_fails_with_reset)', async () => {
          const sim = await Sim.makeImage(c, true);
          sim.fresh();
          sim.markPermanentUpgrade(SLOT_SECONDARY);
          sim.markBadStatus(0.5);
          const cut = sim.dev.boot({ at: Math.floor(sim.totalCount / 2), seed: BigInt(seedOf(comboName(c))) });
          expect(isPowerCut(cut)).toBe(true);
          // Failed writes to the bad region do not assert.
          expect(sim.dev.core.ctrl('CTRL_BOOT_ASSERTS')).toBe(0);

          // Then the region heals, and writes over written bytes are no longer refused: the
          // resumed swap may redo a step whose record failed (the simulator's
          // set_verify_writes(false)).
          sim.dev.core.setBadRegions([]);
          sim.dev.core.setStrict(false);
          const resumed = sim.boot();
          if (isPowerCut(resumed)) throw new Error('an unarmed boot was cut');
          // None for large sectors, where one failed record is as good as none; one for small
          // sectors that failed several times.
          expect(resumed.asserts).toBeLessThanOrEqual(1);
        });

        it('asserts when status writes fail in a build without primary validation (status_write_fails_with_reset)', async () => {
          const build = { validatePrimary: false };
          const sim = await Sim.makeImage(c, true, { build });
          sim.fresh();
          sim.markPermanentUpgrade(SLOT_SECONDARY);
          sim.markBadStatus(1.0);
          const r = sim.boot();
          if (isPowerCut(r)) throw new Error('an unarmed boot was cut');
          expect(r.asserts).toBeGreaterThanOrEqual(1);
        });
      });
    }
  });
}

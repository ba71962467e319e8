/**
 * MCUboot simulator tests in which no upgrade may happen (reference/mcuboot.md §7.5):
 * bad_secondary_slot, oversized_secondary_slot, secondary_trailer_leftover,
 * norevert_newimage and downgrade_prevention, on every combination of sim.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKey, type PrivateKey } from '../../src/image/index.js';
import { vectorsRoot } from '../helpers/vectors.js';
import { SLOT_PRIMARY, SLOT_SECONDARY, Sim, TRAILER, bootProblem, combinations, comboName, isSwap, strategies } from './sim.js';

/** The imgtool vectors' throwaway Ed25519 key. */
function ed25519Key(): PrivateKey {
  const key = parseKey(readFileSync(`${vectorsRoot}imgtool/keys/ed25519.pem`));
  if (key.kind !== 'private') throw new Error('ed25519.pem is not a private key');
  return key;
}

for (const strategy of strategies()) {
  describe(strategy, () => {
    for (const c of combinations(strategy)) {
      describe(comboName(c), () => {
        for (const build of ['hash-only', 'ed25519'] as const) {
          const what = build === 'hash-only' ? 'hash' : 'Ed25519 signature';
          it(`keeps the primary image and erases a staged secondary whose ${what} does not match (bad_secondary_slot, ${build} build)`, async () => {
            const sim = await Sim.makeBadSecondarySlotImage(c, { signedBy: build === 'ed25519' ? ed25519Key() : undefined });
            sim.markUpgrade(SLOT_PRIMARY);
            sim.markPermanentUpgrade(SLOT_PRIMARY);
            sim.markUpgrade(SLOT_SECONDARY);
            expect(sim.trailerMismatch(SLOT_PRIMARY, TRAILER.confirmedNoCopy)).toBeNull();

            expect(bootProblem(sim.boot())).toBeNull();
            expect(sim.verifyImage(SLOT_PRIMARY, 'primaries')).toBe(true);
            expect(sim.trailerMismatch(SLOT_PRIMARY, TRAILER.confirmedNoCopy)).toBeNull();
            // §4.3 step 5: an invalid staged image is scrambled, so that it is not tried again.
            expect(sim.slotErased(SLOT_SECONDARY)).toBe(true);
          });
        }

        it('keeps the primary image when the staged secondary is one write unit larger than the build accepts (oversized_secondary_slot)', async () => {
          const sim = await Sim.makeOversizedSecondarySlotImage(c);
          sim.markUpgrade(SLOT_PRIMARY);
          sim.markPermanentUpgrade(SLOT_PRIMARY);
          sim.markUpgrade(SLOT_SECONDARY);
          expect(sim.trailerMismatch(SLOT_PRIMARY, TRAILER.confirmedNoCopy)).toBeNull();

          expect(bootProblem(sim.boot())).toBeNull();
          expect(sim.verifyImage(SLOT_PRIMARY, 'primaries')).toBe(true);
          expect(sim.trailerMismatch(SLOT_PRIMARY, TRAILER.confirmedNoCopy)).toBeNull();
          // §3.8: a bigger image fails validation and is erased.
          expect(sim.slotErased(SLOT_SECONDARY)).toBe(true);
        });

        it('clears a trailer left behind in an otherwise empty secondary slot (secondary_trailer_leftover)', async () => {
          const sim = await Sim.makeErasedSecondaryImage(c);
          sim.markPermanentUpgrade(SLOT_SECONDARY);
          sim.markUpgrade(SLOT_SECONDARY);

          expect(bootProblem(sim.boot())).toBeNull();
          expect(sim.verifyImage(SLOT_PRIMARY, 'primaries')).toBe(true);
          // Swap builds scramble it (MCUboot 260ec457); overwrite-only builds are not checked (§5.1).
          expect(sim.trailerMismatch(SLOT_SECONDARY, TRAILER.unset)).toBeNull();
        });

        it('boots an imgtool-padded primary as it is and leaves an unrequested secondary alone (norevert_newimage)', async () => {
          const sim = await Sim.makeNoUpgradeImage(c);
          sim.markUpgrade(SLOT_PRIMARY);
          expect(sim.trailerMismatch(SLOT_PRIMARY, TRAILER.magicOnly)).toBeNull();

          const r = sim.boot();
          expect(bootProblem(r)).toBeNull();
          expect(sim.verifyImage(SLOT_PRIMARY, 'primaries')).toBe(true);
          expect(sim.trailerMismatch(SLOT_PRIMARY, TRAILER.magicOnly)).toBeNull();
          expect(sim.trailerMismatch(SLOT_SECONDARY, TRAILER.unset)).toBeNull();
          // Nothing moves: the secondary still holds the image nobody asked for.
          expect(sim.verifyImage(SLOT_SECONDARY, 'upgrades')).toBe(true);
          expect(r).toMatchObject({ requested: 'none', ops: { erase: 0, write: 0 } });
        });

        // MCUboot's simulator builds downgrade prevention with overwrite-only only; the code
        // applies it to test and permanent swaps as well (§6, §9).
        it('refuses a staged image older than the running one when built with downgrade prevention (downgrade_prevention)', async () => {
          const sim = await Sim.makeImage(c, true, { build: { downgradePrevention: true }, downgrade: true, expectUpgrade: false });
          sim.fresh();
          expect(bootProblem(sim.boot())).toBeNull();
          expect(sim.verifyImage(SLOT_PRIMARY, 'primaries')).toBe(true);
          // §6: the older image is erased and the request dropped.
          expect(sim.slotErased(SLOT_SECONDARY)).toBe(true);
          expect(bootProblem(sim.boot())).toBeNull();
          expect(sim.verifyImage(SLOT_PRIMARY, 'primaries')).toBe(true);
        });

        it('installs the same older image when built without downgrade prevention', async () => {
          const sim = await Sim.makeImage(c, true, { downgrade: true });
          sim.fresh();
          expect(bootProblem(sim.boot())).toBeNull();
          expect(sim.verifyImage(SLOT_PRIMARY, 'upgrades')).toBe(true);
          if (isSwap(strategy)) expect(sim.verifyImage(SLOT_SECONDARY, 'primaries')).toBe(true);
        });
      });
    }
  });
}

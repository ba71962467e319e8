/**
 * MCUboot simulator tests of permanent upgrades under power loss (reference/mcuboot.md §7.5,
 * end states §4.4): perm_with_fails and perm_with_random_fails(5), for every built strategy.
 */
import { describe, expect, it } from 'vitest';
import { isPowerCut } from '../../src/core.js';
import { randomInt, seededRandom } from '../helpers/seeded.js';
import { FULL, SLOT_PRIMARY, SLOT_SECONDARY, Sim, TRAILER, bootProblem, combinations, comboName, cutPoints, isSwap, seedOf, strategies } from './sim.js';

/** Seeded runs of perm_with_random_fails per combination (the simulator makes one unseeded run). */
const RANDOM_RUNS = FULL ? 20 : 5;
const RANDOM_FAILS = 5;

for (const strategy of strategies()) {
  describe(strategy, () => {
    for (const c of combinations(strategy)) {
      describe(comboName(c), () => {
        it('installs a permanent upgrade after a power cut at any of its operations (perm_with_fails)', async () => {
          const sim = await Sim.makeImage(c, true);
          const failures: string[] = [];
          const points = cutPoints(c, sim.totalCount);
          for (const stop of points) {
            const { first, result } = sim.tryUpgrade(stop, true);
            const problems = [...(isPowerCut(first) ? [] : ['the upgrade was not cut']), ...endOfPermanentUpgrade(sim, result)];
            if (problems.length) failures.push(`${comboName(c)} cut@${stop}: ${problems.join('; ')}`);
          }
          expect(points.length).toBeGreaterThan(0);
          expect(failures).toEqual([]);
        });

        it(`installs a permanent upgrade after up to ${RANDOM_FAILS} successive power cuts at random operations (perm_with_random_fails)`, async () => {
          const sim = await Sim.makeImage(c, true);
          const failures: string[] = [];
          for (let run = 0; run < RANDOM_RUNS; run++) {
            const seed = seedOf(`${comboName(c)}#${run}`);
            const { resets, result } = tryRandomFails(sim, RANDOM_FAILS, seed);
            const problems = endOfPermanentUpgrade(sim, result);
            if (problems.length) failures.push(`${comboName(c)} seed ${seed} cuts@${resets.join(',')}: ${problems.join('; ')}`);
          }
          expect(failures).toEqual([]);
        });
      });
    }
  });
}

/** What the simulator checks once a permanent upgrade has settled. */
function endOfPermanentUpgrade(sim: Sim, result: ReturnType<Sim['boot']>): string[] {
  const problems: string[] = [];
  const p = bootProblem(result);
  if (p) problems.push(p);
  if (!sim.verifyImage(SLOT_PRIMARY, 'upgrades')) problems.push('primary does not hold the new image');
  for (const m of [sim.trailerMismatch(SLOT_PRIMARY, TRAILER.confirmed), sim.trailerMismatch(SLOT_SECONDARY, TRAILER.unset)]) if (m) problems.push(m);
  if (isSwap(sim.strategy) && !sim.verifyImage(SLOT_SECONDARY, 'primaries')) problems.push('secondary does not hold the old image');
  return problems;
}

/**
 * `try_random_fails`: from the staged permanent request, boots cut at a random operation in
 * 1..remaining/2, `count` times, then one clean boot. A boot that completes ends the cuts
 * early: past the commit point a boot may have no flash operation left to cut (MCUboot
 * a665c81b).
 */
function tryRandomFails(sim: Sim, count: number, seed: number) {
  const rng = seededRandom(seed);
  sim.fresh();
  sim.markPermanentUpgrade(SLOT_SECONDARY);
  const resets: number[] = [];
  let remaining = sim.totalCount;
  for (let i = 0; i < count && remaining >= 2; i++) {
    const at = randomInt(rng, 1, Math.floor(remaining / 2));
    resets.push(at);
    if (!isPowerCut(sim.boot(at))) break;
    remaining -= at;
  }
  return { resets, result: sim.boot() };
}

/**
 * Conformance with the real MCUboot C code across geometries (test/fixtures/vectors/mcuboot-matrix):
 * maximal images, write alignments 1–32, erased value 0x00, mixed sectors, large scratch.
 * Each case's steps give the same trace line for line, the same boot result or application
 * rc and the same device hash; each power-fail sweep point gives the same versions, the same
 * resume op count and the same device hash after both recovery boots — including the places
 * where real MCUboot's recovery is not byte-identical to an uninterrupted run.
 *
 * The default run checks every cut point listed as special in the manifest and a
 * deterministic sample of the others (harness.ts `matrixCutPoints`); BRICKPROOF_FULL=1
 * (npm run test:full) checks all.
 */
import { describe, expect, it } from 'vitest';
import type { MatrixSweep } from '../helpers/vectors.js';
import { allMatrixCases, caseDifferences, cutRange, deviceFor, flashBefore, inGroups, matrixCutPoints, matrixSweepDifferences, runSweepPoint } from './harness.js';

const cases = allMatrixCases();

describe('mcuboot-matrix cases replay exactly as the real MCUboot ran them', () => {
  for (const c of cases) {
    it(`${c.id}: same traces, results and device hashes at every step`, () => {
      expect(caseDifferences(c)).toEqual([]);
    });
  }
});

describe('mcuboot-matrix power-fail sweeps match the real MCUboot at every checked cut point', () => {
  for (const c of cases) {
    for (const [kind, sweep] of Object.entries(c.sweeps) as Array<[string, MatrixSweep | undefined]>) {
      if (!sweep) continue;
      const ks = matrixCutPoints(c, sweep);
      for (const group of inGroups(ks, 300)) {
        it(`${c.id} ${kind} boot, ${cutRange(group)}: ${group.length} of ${sweep.points} cut points`, () => {
          const start = flashBefore(c, sweep.bootStep);
          const dev = deviceFor(c, start);
          const mismatches: string[] = [];
          for (const k of group) for (const d of matrixSweepDifferences(runSweepPoint(dev, start, k), sweep)) mismatches.push(`k=${k}: ${d}`);
          expect(mismatches).toEqual([]);
        });
      }
    }
  }
});

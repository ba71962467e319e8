/**
 * Conformance with the real MCUboot C code, as recorded in test/fixtures/vectors/mcuboot-boot:
 * every scenario of every strategy gives the same erase/write trace line for line, the same
 * whole-device dump byte for byte and the same boot result (outcome, version, swap type) or
 * application rc; every power-fail sweep point is cut before the same operation and recovers
 * with the same images and swap types on both reboots. The sweeps are short: every run
 * checks every cut point.
 */
import { describe, expect, it } from 'vitest';
import { allBootCases, bootSweepDifferences, caseDifferences, deviceFor, runSweepPoint } from './harness.js';

const cases = allBootCases();

describe('mcuboot-boot scenarios replay exactly as the real MCUboot ran them', () => {
  for (const c of cases) {
    it(`${c.id}: same traces, dumps and results at every step`, () => {
      expect(caseDifferences(c)).toEqual([]);
    });
  }
});

describe('mcuboot-boot power-fail sweeps: the same cut op, then the same images and swap types at every cut point', () => {
  for (const c of cases) {
    for (const sweep of c.sweeps) {
      it(`${sweep.id}: ${sweep.rows.length} cut points`, () => {
        const start = sweep.start;
        const dev = deviceFor(c, start);
        const mismatches = sweep.rows.flatMap((row) => bootSweepDifferences(runSweepPoint(dev, start, row.k), row).map((d) => `k=${row.k}: ${d}`));
        expect(mismatches).toEqual([]);
      });
    }
  }
});

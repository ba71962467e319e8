/**
 * Conformance with the real MCUboot C code for the modes beside the four swaps, as recorded in
 * test/fixtures/vectors/mcuboot-modes: direct-xip(-revert), ram-load(-revert), multi-image with
 * dependencies, downgrade prevention, hardware rollback counters, bootstrap and encrypted
 * images. Every step gives the same erase/write trace line for line, the same whole-device
 * dump byte for byte, the same boot result (version, booted slot, per-image swap types or
 * active slot and RAM copy) or application rc, the same NV counters and the same RAM bytes;
 * every cut point of every power-fail sweep recovers with the same versions, op counts, device
 * bytes and counters on both reboots.
 */
import { describe, expect, it } from 'vitest';
import { allModesCases, modesCaseDifferences, modesDeviceFor, modesStateBefore, modesSweepPointDifferences } from './harness.js';

const cases = allModesCases();

it('the recordings hold 73 cases of 13 builds and 10 power-fail sweeps of 1 175 cut points, every one replayed below', () => {
  expect(cases).toHaveLength(73);
  expect(new Set(cases.map((c) => c.build.name)).size).toBe(13);
  const sweeps = cases.flatMap((c) => c.sweeps);
  expect(sweeps).toHaveLength(10);
  expect(sweeps.reduce((n, s) => n + s.points, 0)).toBe(1175);
});

describe('mcuboot-modes scenarios replay exactly as the real MCUboot ran them', () => {
  for (const c of cases) {
    it(`${c.id}: ${c.description}`, () => {
      expect(modesCaseDifferences(c)).toEqual([]);
    });
  }
});

/**
 * Cut points per test, to keep each test body to a second or two: the encrypted sweeps unwrap
 * an ECIES key at every recovery boot (0.2–0.35 s a cut point on the shared 2-core machine at
 * load 20, measured; the others 10–25 ms).
 */
const chunk = (c: (typeof cases)[number]) => (c.build.encKeyPath ? 6 : 24);

describe('mcuboot-modes power-fail sweeps: every cut point recovers as the real MCUboot did', () => {
  for (const c of cases) {
    for (const s of c.sweeps) {
      // The state before the sweep's boot, built once for all the sweep's chunks.
      let setup: { start: ReturnType<typeof modesStateBefore>; dev: ReturnType<typeof modesDeviceFor> } | undefined;
      const prepared = () => {
        if (!setup) {
          const start = modesStateBefore(c, s.bootStep);
          setup = { start, dev: modesDeviceFor(c, start.flash, start.nv) };
        }
        return setup;
      };
      for (let first = 1; first <= s.points; first += chunk(c)) {
        const last = Math.min(s.points, first + chunk(c) - 1);
        it(`${c.id} ${s.name}: cut points ${first}–${last} of ${s.points}`, () => {
          const { start, dev } = prepared();
          const mismatches: string[] = [];
          for (let k = first; k <= last; k++) {
            for (const d of modesSweepPointDifferences(dev, c, s, start, k)) mismatches.push(`k=${k}: ${d}`);
          }
          expect(mismatches).toEqual([]);
        });
      }
    }
  }
});

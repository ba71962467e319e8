/**
 * Conformance with the real MCUboot C code, as recorded in ../shared/vectors/mcuboot-boot:
 * every scenario of every strategy gives the same erase/write trace line for line, the same
 * whole-device dump byte for byte and the same boot result; every power-fail sweep point
 * recovers to the same images.
 */
import { describe, expect, it } from 'vitest';
import { isPowerCut } from '../../src/core.js';
import { loadBootCases, loadBootSweeps } from '../helpers/vectors.js';
import { IMPLEMENTED } from './implemented.js';
import { bootedVersion, firstDiff, makeDevice, runStep } from './harness.js';

const cases = loadBootCases().filter((c) => IMPLEMENTED.includes(c.strategy));

describe('mcuboot-boot scenarios replay exactly as the real MCUboot ran them', () => {
  for (const c of cases) {
    it(`${c.id}: same traces, dumps and results at every step`, () => {
      const dev = makeDevice(c.layout, c.strategy, { maxAlign: c.build.maxAlign, keys: c.build.keyNames });
      dev.core.loadDump(c.before);
      for (const step of c.steps) {
        const r = runStep(dev, step.action);
        const where = `${c.id} step ${step.step} (${step.action})`;
        if (step.action === 'boot') {
          expect(dev.trace(), `${where}: trace`).toEqual(step.traceLines);
          expect(typeof r === 'object' && r.outcome === 'ok', `${where}: boots`).toBe(step.expected.ok);
          if (step.expected.ok && typeof r === 'object') expect(bootedVersion(r), `${where}: version`).toBe(step.expected.version);
        } else {
          expect(r, `${where}: rc`).toBe(step.expected.rc);
          expect(dev.core.counters().writeOps + dev.core.counters().eraseOps, `${where}: ops`).toBe(step.expected.ops.total);
        }
        expect(firstDiff(dev.core.dump(), step.after), `${where}: first differing byte of the dump`).toBe(-1);
      }
    });
  }
});

describe('mcuboot-boot power-fail sweeps recover to the same images at every cut point', () => {
  for (const sweep of loadBootSweeps().filter((s) => IMPLEMENTED.includes(s.strategy))) {
    const c = cases.find((x) => x.id === sweep.caseId)!;
    it(`${sweep.id}: ${sweep.rows.length} cut points`, () => {
      const dev = makeDevice(c.layout, c.strategy, { maxAlign: c.build.maxAlign, keys: c.build.keyNames });
      const mismatches: string[] = [];
      for (const row of sweep.rows) {
        dev.core.loadDump(sweep.start);
        const cut = dev.boot({ at: row.k });
        expect(isPowerCut(cut), `k=${row.k}: the boot is cut`).toBe(row.interrupted);
        for (const [i, want] of row.reboots.entries()) {
          const r = dev.boot();
          if (isPowerCut(r)) throw new Error('unexpected cut');
          const got = bootedVersion(r);
          const expected = want.ok ? want.version : 'failed';
          if (got !== expected) mismatches.push(`k=${row.k} reboot ${i + 1}: ${got}, real MCUboot ${expected}`);
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});

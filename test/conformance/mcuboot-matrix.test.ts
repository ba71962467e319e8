/**
 * Conformance with the real MCUboot C code across geometries (../shared/vectors/mcuboot-matrix):
 * maximal images, write alignments 1–32, erased value 0x00, mixed sectors, large scratch.
 * Each case's steps give the same trace line for line and the same device hash; each
 * power-fail sweep point gives the same versions, the same resume op count and the same
 * device hash after both recovery boots — including the places where real MCUboot's
 * recovery is not byte-identical to an uninterrupted run.
 *
 * The default run checks every cut point listed as special in the manifest and a
 * deterministic sample of the others; BRICKPROOF_FULL=1 (npm run test:full) checks all.
 */
import { describe, expect, it } from 'vitest';
import { isPowerCut } from '../../src/core.js';
import { loadMatrixCases, type MatrixCase, type MatrixSweep } from '../helpers/vectors.js';
import { IMPLEMENTED } from './implemented.js';
import { bootedVersion, makeDevice, runStep, sha256hex } from './harness.js';

const FULL = process.env.BRICKPROOF_FULL === '1';
const cases = loadMatrixCases().filter((c) => IMPLEMENTED.includes(c.build.strategy));

const deviceFor = (c: MatrixCase) => makeDevice(c.layout, c.build.strategy, { maxAlign: c.build.maxAlign, keys: c.build.keyNames });

describe('mcuboot-matrix cases replay exactly as the real MCUboot ran them', () => {
  for (const c of cases) {
    it(`${c.id}: same traces and device hashes at every step`, () => {
      const dev = deviceFor(c);
      dev.core.loadDump(c.before);
      for (const step of c.steps) {
        const r = runStep(dev, step.action);
        const where = `${c.id} step ${step.step} (${step.action})`;
        expect(dev.trace(), `${where}: trace`).toEqual(step.traceLines);
        if (step.action === 'boot' && typeof r === 'object') {
          expect(r.outcome === 'ok', `${where}: boots`).toBe(step.expected.ok);
          if (step.expected.ok) expect(bootedVersion(r), `${where}: version`).toBe(step.expected.version);
        }
        expect(sha256hex(dev.core.dump()), `${where}: device hash`).toBe(step.sha256After);
      }
    });
  }
});

/** The cut points to check: all with FULL, else every special one plus every 17th. */
function points(s: MatrixSweep): number[] {
  if (FULL) return Array.from({ length: s.points }, (_, i) => i + 1);
  const special = new Set([1, s.points, ...s.kReboot1FlashDiffersFromCleanStep, ...s.kReboot2FlashDiffersFromCleanNextStep, ...s.kNotMatchingExpected]);
  for (let k = 1; k <= s.points; k += 17) special.add(k);
  return [...special].sort((a, b) => a - b);
}

describe('mcuboot-matrix power-fail sweeps match the real MCUboot at every checked cut point', () => {
  for (const c of cases) {
    for (const [kind, sweep] of Object.entries(c.sweeps) as Array<[string, MatrixSweep | undefined]>) {
      if (!sweep) continue;
      const ks = points(sweep);
      it(`${c.id} ${kind} boot: ${ks.length} of ${sweep.points} cut points`, async () => {
        const dev = deviceFor(c);
        const start = sweep.bootStep === 1 ? c.before : c.steps[sweep.bootStep - 2].after;
        const mismatches: string[] = [];
        for (const [n, k] of ks.entries()) {
          // Long sweeps yield now and then so the test runner's worker stays responsive.
          if (n % 64 === 63) await new Promise((r) => setImmediate(r));
          dev.core.loadDump(start);
          expect(isPowerCut(dev.boot({ at: k })), `k=${k}: the boot is cut`).toBe(true);
          const r1 = dev.boot();
          if (isPowerCut(r1)) throw new Error('unexpected cut');
          const ops1 = r1.ops.erase + r1.ops.write;
          const sha1 = sha256hex(dev.core.dump());
          const r2 = dev.boot();
          if (isPowerCut(r2)) throw new Error('unexpected cut');
          const sha2 = sha256hex(dev.core.dump());
          const i = k - 1;
          if (bootedVersion(r1) !== sweep.reboot1Versions[i]) mismatches.push(`k=${k}: reboot 1 booted ${bootedVersion(r1)}, real ${sweep.reboot1Versions[i]}`);
          if (bootedVersion(r2) !== sweep.reboot2Versions[i]) mismatches.push(`k=${k}: reboot 2 booted ${bootedVersion(r2)}, real ${sweep.reboot2Versions[i]}`);
          if (ops1 !== sweep.reboot1Ops[i]) mismatches.push(`k=${k}: resume took ${ops1} ops, real ${sweep.reboot1Ops[i]}`);
          if (sha1 !== sweep.reboot1FlashSha256[i]) mismatches.push(`k=${k}: device after reboot 1 differs`);
          if (sha2 !== sweep.reboot2FlashSha256[i]) mismatches.push(`k=${k}: device after reboot 2 differs`);
        }
        expect(mismatches).toEqual([]);
      });
    }
  }
});

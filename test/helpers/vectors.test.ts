/**
 * The vector loaders find every recorded case and hand back dumps, traces and sweeps that
 * agree with each other and with the manifests (READMEs of test/fixtures/vectors/mcuboot-boot
 * and test/fixtures/vectors/mcuboot-matrix).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveGeometry } from '../../src/device/geometry.js';
import {
  bootManifest,
  formatTraceOp,
  loadBootCases,
  loadBootSweeps,
  loadMatrixCases,
  parseTraceLine,
  type BootCase,
  type MatrixCase,
  type VectorStep,
} from './vectors.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The trace of a boot must account for exactly the ops the real code counted. */
function expectTraceMatchesOps(step: VectorStep) {
  const lines = step.traceLines;
  if (!lines) throw new Error(`step ${step.step} has no trace`);
  const ops = lines.map(parseTraceLine);
  for (const [i, op] of ops.entries()) expect(formatTraceOp(op)).toBe(lines[i]);
  const { erase, write, total, bytesErased, bytesWritten } = step.expected.ops;
  const sum = (kind: 'E' | 'W') => ops.filter((o) => o.kind === kind).reduce((s, o) => s + o.length, 0);
  expect({ erase: ops.filter((o) => o.kind === 'E').length, write: ops.filter((o) => o.kind === 'W').length, total: ops.length, bytesErased: sum('E'), bytesWritten: sum('W') }).toEqual({
    erase,
    write,
    total,
    bytesErased,
    bytesWritten,
  });
}

describe('mcuboot-boot vectors', () => {
  const cases = loadBootCases();
  // README "Scenarios" and "Builds": one build per strategy, the same ten scenarios each.
  const strategies = ['swap-scratch', 'swap-move', 'swap-offset', 'overwrite-only'];
  const scenarios = ['test-revert', 'test-confirm', 'perm', 'pending-api', 'pending-api-perm', 'bad-body', 'wrong-key', 'no-upgrade', 'empty', 'secondary-only'];

  it('has every strategy × scenario: 4 × 10 cases', () => {
    expect(cases).toHaveLength(40);
    const found = new Set(cases.map((c) => `${c.strategy} ${c.scenario}`));
    for (const s of strategies) for (const sc of scenarios) expect(found).toContain(`${s} ${sc}`);
  });

  it('builds the layout the manifest describes', () => {
    const fl = bootManifest().flash_layout;
    const g = resolveGeometry(cases[0].layout);
    expect(g.size).toBe(fl.device_size);
    expect(new Set(g.sectors.map((s) => s.size))).toEqual(new Set([fl.sector_size]));
    expect(g.devices.map((d) => [d.writeAlign, d.erasedValue])).toEqual([[fl.write_alignment, Number(fl.erased_value)]]);
    expect(g.areas.map((a) => [a.id, a.start, a.size])).toEqual(fl.areas.map((a) => [a.id, a.offset, a.size]));
  });

  it('gives every build BOOT_MAX_ALIGN 8, 128 sectors and the one trusted key ecdsa-p256', () => {
    for (const c of cases) {
      expect([c.build.strategy, c.build.maxAlign, c.build.maxSectors, c.build.keyNames]).toEqual([c.strategy, 8, 128, ['ecdsa-p256']]);
      expect(c.build.keys[0]).toMatch(/imgtool\/keys\/ecdsa-p256\.pub\.pem$/);
    }
  });

  it.each(cases.map((c): [string, BootCase] => [c.id, c]))('%s: every dump is one whole device and every boot has its trace', (_id, c) => {
    const size = resolveGeometry(c.layout).size;
    expect(c.before.length).toBe(size);
    expect(c.steps.map((s) => s.step)).toEqual(c.steps.map((_, i) => i + 1));
    for (const s of c.steps) {
      expect(s.after.length).toBe(size);
      if (s.action === 'boot') {
        expectTraceMatchesOps(s);
        expect(s.expected.ok).toBe(s.expected.version !== null);
      } else {
        // The application's calls were recorded without traces, only with their op counts.
        expect(s.traceLines).toBeUndefined();
        expect(s.expected.ops.erase).toBe(0);
      }
    }
  });

  it('returns a fresh copy of a dump on every read', () => {
    const step = cases[0].steps[0];
    const a = step.after;
    a[0] ^= 0xff;
    expect(step.after[0]).toBe(a[0] ^ 0xff);
  });

  describe('power-fail sweeps', () => {
    const sweeps = loadBootSweeps();

    it('has the upgrade sweeps of every strategy and the revert sweeps of the swap strategies', () => {
      // README: sweeps/<strategy>-<boot>.json for the test and perm upgrade boots and the revert boot.
      const named = ['scratch', 'move', 'offset', 'overwrite'];
      const expected = named.flatMap((s) => ['test-upgrade-boot', 'perm-upgrade-boot', ...(s === 'overwrite' ? [] : ['revert-boot'])].map((k) => `${s}-${k}`));
      expect(sweeps.map((s) => s.id).sort()).toEqual(expected.sort());
    });

    it.each(sweeps.map((s) => [s.id, s] as const))('%s: one row per op of the clean boot, each naming that op', (_id, sweep) => {
      const c = cases.find((x) => x.id === sweep.caseId)!;
      const step = c.steps[sweep.step - 1];
      expect(step.action).toBe('boot');
      expect(sha256(sweep.start)).toBe(sha256(sweep.step === 1 ? c.before : c.steps[sweep.step - 2].after));
      expect(sweep.rows.map((r) => r.k)).toEqual(step.traceLines!.map((_, i) => i + 1));
      expect(sweep.rows.map((r) => r.op)).toEqual(step.traceLines);
      expect(sweep.uninterruptedOps).toBe(step.expected.ops.total);
      const histogram: Record<string, number> = {};
      for (const r of sweep.rows) {
        const [a, b] = r.reboots;
        const key = `recovery boot -> ${a.version} (${a.swapType}); next boot -> ${b.version} (${b.swapType})`;
        histogram[key] = (histogram[key] ?? 0) + 1;
      }
      expect(histogram).toEqual(sweep.outcomeHistogram);
      const mismatched = sweep.rows.filter((r) => r.reboots[0].version !== sweep.expectedAfterRecovery[0] || r.reboots[1].version !== sweep.expectedAfterRecovery[1]).map((r) => r.k);
      expect(mismatched).toEqual(sweep.kNotMatchingExpected);
    });
  });
});

describe('mcuboot-matrix vectors', () => {
  const cases = loadMatrixCases();

  it('has all 68 cases, each id once', () => {
    expect(cases).toHaveLength(68);
    expect(new Set(cases.map((c) => c.id)).size).toBe(68);
    for (const c of cases) expect(c.id).toBe(`${c.config}/${c.scenario}`);
  });

  it('has a revert sweep exactly for the test-revert cases of the swap strategies', () => {
    for (const c of cases) {
      expect([c.id, c.sweeps.revert !== undefined]).toEqual([c.id, c.scenario === 'test-revert' && c.build.strategy !== 'overwrite-only']);
    }
  });

  it('names each configuration after its layout, strategy, alignment, erased value and signature', () => {
    for (const c of cases) {
      const erased = c.matrixLayout.erased_value === 0 ? '00' : 'ff';
      const ma = c.build.maxAlign === 8 ? '' : `-ma${c.build.maxAlign}`;
      const layoutPart = c.config.split(`-${c.build.vectorStrategy}-`)[0];
      expect(c.config).toBe(`${layoutPart}-${c.build.vectorStrategy}-w${c.matrixLayout.write_alignment}-e${erased}-${c.build.signature}${ma}`);
      expect(c.build.keys.length).toBe(c.build.signature === 'ecdsa' ? 1 : 0);
      expect(c.oversize).toBeDefined();
    }
  });

  it.each(cases.map((c): [string, MatrixCase] => [c.id, c]))('%s: dumps fit the layout, hash to sha256_after and match their traces', (_id, c) => {
    const size = resolveGeometry(c.layout).size;
    expect(size).toBe(c.matrixLayout.device_size);
    expect(c.before.length).toBe(size);
    for (const s of c.steps) {
      const after = s.after;
      expect(after.length).toBe(size);
      expect(sha256(after)).toBe(s.sha256After);
      expect(s.traceLines.length).toBe(s.traceOps);
      expectTraceMatchesOps(s);
    }
    expect(c.steps[c.upgradeStep - 1].expected.ops.total).toBe(c.upgradeBootOps.total);
  });

  it.each(cases.map((c): [string, MatrixCase] => [c.id, c]))('%s: sweeps decode to one entry per cut point, consistent with the clean run', (_id, c) => {
    for (const sweep of [c.sweeps.upgrade, c.sweeps.revert]) {
      if (!sweep) continue;
      const step = c.steps[sweep.bootStep - 1];
      expect(step.action).toBe('boot');
      expect(sweep.points).toBe(step.expected.ops.total);
      for (const list of [sweep.reboot1Versions, sweep.reboot2Versions, sweep.reboot1Ops, sweep.reboot1FlashSha256, sweep.reboot2FlashSha256]) expect(list).toHaveLength(sweep.points);
      // The k lists are exactly where the decoded hashes leave the clean run's.
      const clean = step.sha256After;
      const next = c.steps[sweep.bootStep].sha256After;
      const ks = (hashes: string[], want: string) => hashes.flatMap((h, i) => (h === want ? [] : [i + 1]));
      expect(ks(sweep.reboot1FlashSha256, clean)).toEqual(sweep.kReboot1FlashDiffersFromCleanStep);
      expect(ks(sweep.reboot2FlashSha256, next)).toEqual(sweep.kReboot2FlashDiffersFromCleanNextStep);
      const mismatched = sweep.reboot1Versions.flatMap((v, i) => (v === sweep.expected[0] && sweep.reboot2Versions[i] === sweep.expected[1] ? [] : [i + 1]));
      expect(mismatched).toEqual(sweep.kNotMatchingExpected);
      expect(Object.values(sweep.reboot1SwapTypeHistogram).reduce((a, b) => a + (b ?? 0), 0)).toBe(sweep.points);
    }
  });
});

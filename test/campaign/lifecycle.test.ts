/**
 * The lifecycle plan: whole device lives, good and bad releases, random and aimed power
 * losses, over every strategy on two device profiles — and the oracle that judges them.
 * The default suite runs the first 1 000 lives; BRICKPROOF_FULL=1 (CI's longer suite) all
 * 10 000.
 */
import { describe, expect, it, vi } from 'vitest';
import { Device } from '../../src/device/device.js';
import { expectedEnd, isLifeId, LifecycleRunner, lifeId, parseLifeId, planLife, type LifecycleSpec } from '../../src/campaign/plans/lifecycle.js';
import { OtaTask } from '../../src/app/ota.js';
import { SWAP_STRATEGIES as STRATEGIES } from '../../src/image/strategy.js';
import { cli, expectRefused } from './cli-helpers.js';
import { turn } from '../helpers/turn.js';

const FULL = process.env.BRICKPROOF_FULL === '1';
const LIVES = FULL ? 10_000 : 1_000;
const BATCH = 100;
const spec: LifecycleSpec = { devices: ['nrf52840', 'k64f'], strategies: [...STRATEGIES], fault: 'cut', seed: 1, days: 7 };
const runner = new LifecycleRunner(spec);

describe(`a lifecycle campaign of ${LIVES} lives over every strategy on nrf52840 and k64f`, () => {
  for (let from = 0; from < LIVES; from += BATCH) {
    it(`lives ${from}–${from + BATCH - 1} end with 0 failures`, async () => {
      const failures: string[] = [];
      for (let i = from; i < from + BATCH; i++) {
        const r = await runner.run(i);
        if (i % 10 === 9) await turn(); // runner.run is synchronous work behind a promise
        if (!r.ok) failures.push(`${r.id} ${r.rule}: ${r.detail}`);
        for (const [redownloaded, bound] of r.cuts) expect(redownloaded).toBeLessThanOrEqual(bound);
      }
      expect(failures).toEqual([]);
    });
  }
});

describe('boots answered from the boot memo', () => {
  const plain = new LifecycleRunner(spec, { memoBoots: false });
  const memo = new LifecycleRunner(spec);
  const live = async (r: LifecycleRunner, i: number) => {
    const { life } = await r.life(i);
    const before = life.bootMemo?.hits ?? 0;
    life.run({ days: spec.days });
    life.settle();
    return { report: life.report(), hits: (life.bootMemo?.hits ?? 0) - before };
  };
  // 300 seeded lives (every strategy on both profiles), a batch per test body.
  for (const from of [0, 100, 200]) {
    it(`live lives ${from}–${from + 99} exactly as when every boot is run: milestones, end state, books and charge`, async () => {
      const boots = vi.spyOn(Device.prototype, 'boot');
      let run = 0;
      let answered = 0;
      for (let i = from; i < from + 100; i++) {
        boots.mockClear();
        const a = await live(plain, i);
        run += boots.mock.calls.length;
        const b = await live(memo, i);
        answered += b.hits;
        expect(b.report, lifeId(spec, planLife(spec, i))).toEqual(a.report);
        if (i % 10 === 9) await turn();
      }
      boots.mockRestore();
      // Most power-ons of a week boot flash a power-on met before (power losses while sampling, reset loops).
      expect(answered).toBeGreaterThan(run / 2);
    });
  }
});

describe('lifecycle lives', () => {
  it('cover every strategy and both profiles, with every kind of release and of aimed power loss', () => {
    const plans = Array.from({ length: 400 }, (_, i) => planLife(spec, i));
    expect(new Set(plans.map((p) => `${p.strategy}/${p.device}`)).size).toBe(8);
    expect(new Set(plans.map((p) => p.releases[0])).size).toBe(10);
    expect(new Set(plans.flatMap((p) => p.aimed.map((a) => a.phase))).size).toBe(7);
  });

  it('have replay ids that round-trip', () => {
    for (const i of [0, 7, 417]) {
      const id = lifeId({ ...spec, seed: 3, days: 2 }, planLife({ ...spec, seed: 3, days: 2 }, i));
      expect(isLifeId(id)).toBe(true);
      const back = parseLifeId(id);
      expect(back.index).toBe(i);
      expect(back.spec.seed).toBe(3);
      expect(back.spec.days).toBe(2);
    }
  });

  it('expect a bad release to be reverted, unless nothing can revert it', () => {
    const plan = (strategy: 'swap-move' | 'overwrite-only', upgrade: 'test' | 'permanent', releases: Parameters<typeof expectedEnd>[0]['releases']) =>
      expectedEnd({ index: 0, device: 'k64f', strategy, releases, upgrade, chunkSize: 1024, aimed: [] });
    expect(plan('swap-move', 'test', ['crash-at-boot', 'good'])).toEqual({ version: '3.0.0+0', confirmed: true });
    expect(plan('swap-move', 'permanent', ['crash-at-boot', 'good'])).toEqual({ version: '2.0.0+0', confirmed: true });
    expect(plan('swap-move', 'permanent', ['send-fails', 'good'])).toEqual({ version: '3.0.0+0', confirmed: true });
    expect(plan('overwrite-only', 'test', ['fail-health-check', 'good'])).toEqual({ version: '2.0.0+0', confirmed: false });
    expect(plan('swap-move', 'test', ['untrusted'])).toEqual({ version: '1.0.0+0', confirmed: true });
  });

  it('the oracle catches an OTA task that skips its checks before downloading', async () => {
    const proto = OtaTask.prototype as unknown as { checkTail(this: { download(): void }): void };
    const original = proto.checkTail;
    proto.checkTail = function () {
      this.download();
    };
    try {
      const lax = new LifecycleRunner(spec);
      const untrusted = Array.from({ length: 200 }, (_, i) => planLife(spec, i)).find((p) => p.releases[0] === 'untrusted' && p.strategy !== 'overwrite-only')!;
      const r = await lax.run(untrusted.index);
      expect(r.ok).toBe(false);
      expect(r.rule).toBe('wrote-incompatible-image');
    } finally {
      proto.checkTail = original;
    }
  });
});

describe('brickproof campaign --plan lifecycle', () => {
  it('runs lives on two workers and reports a row per strategy and device, exit 0', async () => {
    const { code, stdout } = await cli(['campaign', '--plan', 'lifecycle', '--lives', '40', '--device', 'nrf52840,k64f', '--workers', '2', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { summary: Array<{ strategy: string; device: string; lives: number; failures: number; bricked: number }>; failures: unknown[] };
    expect(report.summary).toHaveLength(8);
    expect(report.summary.reduce((n, r) => n + r.lives, 0)).toBe(40);
    expect(report.failures).toEqual([]);
  });

  it('lives the same lives with --no-memo, every boot run', async () => {
    const base = ['campaign', '--plan', 'lifecycle', '--lives', '24', '--device', 'nrf52840,k64f', '--workers', '1', '--json'];
    const memo = await cli(base);
    const plain = await cli([...base, '--no-memo']);
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout).summary).toEqual(JSON.parse(memo.stdout).summary);
  });

  it('replays one life by its id and prints its milestone log with --log', async () => {
    const { code, stdout } = await cli(['campaign', '--replay', 'swap-move/k64f/lifecycle/cut#5', '--log']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^life swap-move\/k64f\/lifecycle\/cut#5$/m);
    expect(stdout).toMatch(/update-available/);
    expect(stdout).toMatch(/image-confirmed/);
    expect(stdout).toMatch(/^result: ok$/m);
  });

  for (const [argv, message] of [
    [['--lives', '0'], /--lives: 0 is below the minimum 1/],
    [['--device', 'nrf99'], /unknown device 'nrf99'/],
    [['--strategy', 'swap-sideways'], /unknown strategy "swap-sideways"/],
    [['--days', '0'], /--days '0' must be a number > 0/],
    [['--strategy', 'ram-load'], /strategy ram-load is not modelled in a device's life/],
  ] as const) {
    it(`refuses ${argv.join(' ')} with one line and exit 2`, () => expectRefused(['--plan', 'lifecycle', ...argv], message));
  }

});

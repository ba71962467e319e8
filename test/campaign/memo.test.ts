/**
 * The memo of power-ons (src/campaign/memo.ts) must never change a verdict: a memoized
 * campaign gives, scenario for scenario, exactly what the same campaign gives with every
 * power-on run (`--no-memo`) — for every strategy on two profiles and every fault model,
 * under the double, random and triple plans, and in MCUboot's other build modes (two images,
 * direct-xip, ram-load, bootstrap, downgrade prevention, encrypted updates) — historical bugs are found with the same
 * failing ids, and a state that collides with another on the memo's lookup key is caught.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAULT_MODELS } from '../../src/core/index.js';
import { CampaignRunner, type RunEvent, type ScenarioResult } from '../../src/campaign/runner.js';
import { parseScenarioId, UPGRADES, type CampaignSpec } from '../../src/campaign/spec.js';
import { triple } from '../../src/campaign/plans/triple.js';
import { VARIANTS } from '../../src/campaign/variants.js';
import { SWAP_STRATEGIES } from '../../src/image/strategy.js';
import { campaignSpec } from '../helpers/modes-campaigns.js';
import { CampaignPool } from '../../src/node/pool.js';
import { cli, withoutTimes, expectRefused } from './cli-helpers.js';

const spec = (over: Partial<CampaignSpec>): CampaignSpec => ({
  device: 'k64f', strategy: 'swap-scratch', upgrade: 'perm', plan: 'double', fault: 'cut', imageSize: 'max', seed: 1, sample: 0, ...over,
});

/** Every `step`-th unit of a campaign, from `first`. */
const every = (units: number, step: number, first = 1) => Array.from({ length: units }, (_, i) => i + 1).filter((u) => u >= first && (u - first) % step === 0);

/** The same units run with the memo and without it. */
async function both(s: CampaignSpec, pick: (units: number) => number[]) {
  const memo = await CampaignRunner.create(s);
  const plain = await CampaignRunner.create(s, { memo: false });
  const units = pick(memo.units);
  return { memo, plain, withMemo: [...memo.run(units)], without: [...plain.run(units)] };
}

describe('a memoized campaign gives, scenario for scenario, what a memo-free run gives', () => {
  let n = 0;
  for (const device of ['nrf52840', 'k64f']) {
    for (const strategy of SWAP_STRATEGIES) {
      for (const fault of FAULT_MODELS) {
        const seed = ++n;
        const upgrade = UPGRADES[seed % UPGRADES.length];
        const what = `${strategy} on ${device}, ${upgrade} upgrade, ${fault}`;
        it(`${what}: double cuts`, async () => {
          const double = await both(spec({ device, strategy, upgrade, fault, sample: 3, seed }), (u) => every(u, 9, 1 + (seed % 9)));
          expect(double.withMemo.length).toBeGreaterThan(50);
          expect(double.withMemo).toEqual(double.without);
          // The memo did answer power-ons (the comparison is not between two memo-free runs).
          expect(double.memo.memoStats.hits).toBeGreaterThan(0);
          expect(double.plain.memoStats).toEqual({ states: 0, hits: 0, collisions: 0 });
        });

        it(`${what}: random cuts`, async () => {
          const random = await both(spec({ device, strategy, upgrade, fault, plan: 'random', sample: 12, seed }), (u) => every(u, 1));
          expect(random.withMemo).toHaveLength(12);
          expect(random.withMemo).toEqual(random.without);
          expect(random.memo.memoStats.hits).toBeGreaterThan(0);
        });

        if (fault !== 'cut') continue;
        it(`${what}: triple cuts`, async () => {
          const triple = await both(spec({ device, strategy, upgrade, fault, plan: 'triple', sample: 2, seed }), (u) => every(u, 40, 1 + (seed % 40)));
          expect(triple.withMemo.length).toBeGreaterThan(10);
          expect(triple.withMemo).toEqual(triple.without);
          expect(triple.memo.memoStats.hits).toBeGreaterThan(0);
        });
      }
    }
  }
});

const ENC_KEY = new URL('../fixtures/vectors/imgtool-enc/keys/enc-p256.pem', import.meta.url).pathname;

describe("in MCUboot's other build modes, a memoized campaign gives what a memo-free run gives", () => {
  // The memo keys a power-on by the flash alone: image 1's slots are flash too, direct-xip and
  // ram-load choose their slot from the flash, ram-load's RAM is zero at every power-on, and an
  // encrypted campaign's key is fixed (src/campaign/runner.ts). These prove it per scenario.
  const cases: Array<{ what: string; over: Partial<CampaignSpec>; step: number }> = [
    { what: 'two images on k64f-multi (swap-scratch, test)', over: { device: 'k64f-multi', images: 2, upgrade: 'test' }, step: 23 },
    { what: 'two images on k64f-multi (swap-move, revert)', over: { device: 'k64f-multi', images: 2, strategy: 'swap-move', upgrade: 'revert' }, step: 45 },
    { what: 'direct-xip with revert (revert)', over: { strategy: 'direct-xip-revert', upgrade: 'revert' }, step: 1 },
    { what: 'ram-load with revert (revert)', over: { strategy: 'ram-load-revert', upgrade: 'revert' }, step: 1 },
    { what: 'bootstrap (swap-scratch)', over: { bootstrap: true, upgrade: 'bootstrap' }, step: 11 },
    { what: 'downgrade prevention (overwrite-only, test)', over: { downgradePrevention: true, strategy: 'overwrite-only', upgrade: 'test' }, step: 11 },
    { what: 'an encrypted update (ECIES-P256, AES-128, perm)', over: { encKeyLen: 16, encKeyFile: ENC_KEY, upgrade: 'perm' }, step: 25 },
  ];
  for (const { what, over, step } of cases) {
    it(`${what}: double cuts`, async () => {
      const double = await both(campaignSpec({ ...over, plan: 'double', sample: 3 }), (u) => every(u, step));
      expect(double.withMemo.length).toBeGreaterThan(10);
      expect(double.withMemo).toEqual(double.without);
      expect(double.withMemo.filter((r) => !r.ok)).toEqual([]);
      expect(double.memo.memoStats.hits).toBeGreaterThan(0);
      expect(double.plain.memoStats).toEqual({ states: 0, hits: 0, collisions: 0 });
    });
  }

  it('two images on k64f-multi: random cuts', async () => {
    const random = await both(campaignSpec({ device: 'k64f-multi', images: 2, upgrade: 'perm', plan: 'random', sample: 12 }), (u) => every(u, 1));
    expect(random.withMemo).toHaveLength(12);
    expect(random.withMemo).toEqual(random.without);
    expect(random.memo.memoStats.hits).toBeGreaterThan(0);
  });

  it('direct-xip with revert: triple cuts', async () => {
    const triple = await both(campaignSpec({ strategy: 'direct-xip-revert', upgrade: 'revert', plan: 'triple', sample: 2 }), (u) => every(u, 3));
    expect(triple.withMemo.length).toBeGreaterThan(10);
    expect(triple.withMemo).toEqual(triple.without);
    expect(triple.memo.memoStats.hits).toBeGreaterThan(0);
  });

  // The NV security counters of --hw-rollback live outside the flash and decide boots: the memo
  // cannot name a power-on by the flash there, so such a campaign has none, even when asked.
  it('hardware rollback: no memo even when one is asked for, and the same results as a memo-free run', async () => {
    const s = campaignSpec({ hwRollback: true, upgrade: 'test' });
    const forced = await CampaignRunner.create(s, { memo: true });
    const plain = await CampaignRunner.create(s, { memo: false });
    const units = every(forced.units, 7);
    const a = [...forced.run(units)];
    expect(a).toEqual([...plain.run(units)]);
    expect(a.filter((r) => !r.ok)).toEqual([]);
    expect(forced.memo).toBeUndefined();
    expect(forced.memoStats).toEqual({ states: 0, hits: 0, collisions: 0 });
  });

  it('hardware rollback: the plans with a memo are refused, as the NV counters are replayed from power-on', async () => {
    for (const plan of ['double', 'triple', 'random'] as const) {
      await expect(CampaignRunner.create(campaignSpec({ hwRollback: true, plan }))).rejects.toThrow(/--hw-rollback campaigns run the exhaustive plan/);
    }
  });
});

/** Passing scenarios counted, failures named: what `run(units, { counted: true })` gives, as totals. */
function totals(events: RunEvent[]): { passed: number; failed: ScenarioResult[] } {
  let passed = 0;
  const failed: ScenarioResult[] = [];
  for (const e of events) {
    if ('id' in e) {
      if (e.ok) passed++;
      else failed.push(e);
    } else passed += e.passed;
  }
  return { passed, failed };
}

describe('the triple plan with every cut', () => {
  it('judges shared second recoveries again for each scenario: the same verdicts as running every one', async () => {
    // The end of the swap, and the application's erase of the secondary after it (a cut
    // there may end on the old image: a verdict that depends on the scenario).
    const s = spec({ strategy: 'swap-move', upgrade: 'erase-secondary', plan: 'triple' });
    const memo = await CampaignRunner.create(s);
    const plain = await CampaignRunner.create(s, { memo: false });
    const erase = memo.opCall.indexOf('erase') + 1;
    const units = [...every(erase - 1, 1, erase - 8), ...every(erase + 6, 1, erase + 1)];
    const named = [...memo.run(units)];
    const without = [...plain.run(units)];
    expect(named).toEqual(without);
    expect(named.length).toBeGreaterThan(100);
    expect(memo.tripleCache.hits).toBeGreaterThan(0);
    // Counted (what the command does without a results file): the same totals.
    const counted = await CampaignRunner.create(s);
    expect(totals([...counted.run(units, { counted: true })])).toEqual(totals(without));
  });

  it('finds a historical bug with a third cut, the failures named and counted alike', async () => {
    const v = VARIANTS.find((x) => x.name === 'swap-scratch@pr485')!;
    const s = spec({ strategy: v.strategy, variant: v.bug, ...v.exposedBy, plan: 'triple', sample: 0 });
    const memo = await CampaignRunner.create(s);
    const plain = await CampaignRunner.create(s, { memo: false });
    // A first cut late in the revert, where the variant's window is.
    const units = [memo.units - 3];
    const without = [...plain.run(units)];
    expect(without.filter((r) => !r.ok).length).toBeGreaterThan(0);
    expect([...memo.run(units)]).toEqual(without);
    const counted = await CampaignRunner.create(s);
    expect(totals([...counted.run(units, { counted: true })])).toEqual(totals(without));
  });

  it('names its scenarios …@g+k+j, and each id replays to its result', async () => {
    const s = spec({ strategy: 'overwrite-only', plan: 'triple', sample: 2 });
    const runner = await CampaignRunner.create(s);
    const results = [...runner.run([runner.units - 2])];
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      expect(r.id).toMatch(/@\d+\+\d+\+\d+$/);
      const { spec: again, ref } = parseScenarioId(r.id);
      expect(again).toEqual({ ...s, sample: 0 });
      expect((await CampaignRunner.create(again)).explain(ref).result).toEqual(r);
    }
  });
});

describe('historical MCUboot bugs under the memo: a double-cut campaign around a failing first cut fails the same scenarios with the memo as without', () => {
  for (const v of VARIANTS) {
    describe(v.name, () => {
      const base = { strategy: v.strategy, variant: v.bug, imageSize: 'max' as const, seed: 1, sample: 0, ...v.exposedBy };
      let first = 0;
      const failedIds: string[] = [];

      it('is found by the single-cut campaign (the uninterrupted update, for some)', async () => {
        const single = await CampaignRunner.create({ ...base, plan: 'exhaustive' });
        first = [...single.run(every(single.units, 1))].find((r) => !r.ok)?.unit ?? 0;
        expect(first).toBeGreaterThan(0);
      });

      // Every second cut after that first cut and its neighbours, one first cut per test.
      for (const d of [-1, 0, 1]) {
        it(`fails the same scenarios after first cut ${d < 0 ? 'g − 1' : d > 0 ? 'g + 1' : 'g'}`, async () => {
          const { withMemo, without } = await both({ ...base, plan: 'double' }, (u) => [first + d].filter((g) => g >= 1 && g <= u));
          expect(withMemo).toEqual(without);
          failedIds.push(...withMemo.filter((r) => !r.ok).map((r) => r.id));
        });
      }

      it('fails some of them', () => {
        expect(failedIds.length).toBeGreaterThan(0);
      });
    });
  }
});

describe('a collision on the memo key', () => {
  it('is caught by the second sum, and the power-on runs: the results stay those of a memo-free run', async () => {
    const s = spec({ strategy: 'swap-offset', upgrade: 'revert', sample: 4 });
    const memo = await CampaignRunner.create(s);
    // Test hook: look states up by 3 bits of the first sum, so that different states share a key.
    memo.memo!.narrowLookup(3);
    const plain = await CampaignRunner.create(s, { memo: false });
    const units = every(memo.units, 5);
    const withMemo = [...memo.run(units)];
    expect(withMemo).toEqual([...plain.run(units)]);
    expect(memo.memoStats.collisions).toBeGreaterThan(10);
    expect(memo.memoStats.hits).toBeGreaterThan(0);
  });
});

describe('the campaign command with a memo', () => {
  const base = ['campaign', '--device', 'k64f', '--strategy', 'overwrite-only,swap-offset', '--upgrade', 'perm', '--plan', 'double', '--sample', '4'];

  it('reports the memo in the summary: distinct power-on states, memo hits, scenarios per second', async () => {
    const r = await cli([...base, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { summary: Array<Record<string, unknown>> };
    for (const row of report.summary) {
      expect(row).toMatchObject({ plan: 'double', memo: true, bricked: 0, failures: 0 });
      expect(row.powerOnStates).toBeGreaterThan(0);
      expect(row.memoHits).toBeGreaterThan(0);
      expect(row.scenariosPerSecond).toBe(Math.round(((row.scenarios as number) * 1000) / (row.wallMs as number)));
    }
    const table = await cli(base);
    expect(table.stdout.split('\n')[0]).toMatch(/scen\/s\s+states\s+memo hits$/);
  });

  it('gives the same report with --no-memo, without memo figures', async () => {
    const memo = JSON.parse((await cli([...base, '--json'])).stdout);
    const plain = await cli([...base, '--json', '--no-memo']);
    expect(plain.code).toBe(0);
    const report = JSON.parse(plain.stdout);
    expect(report.summary.every((row: Record<string, unknown>) => row.memo === false && row.powerOnStates === 0 && row.memoHits === 0)).toBe(true);
    const strip = (x: typeof memo) => withoutTimes({ ...x, summary: x.summary.map(({ memo: _m, ...rest }: Record<string, unknown>) => rest) });
    expect(strip(report)).toEqual(strip(memo));
  });

  it('has no memo columns for the exhaustive plan', async () => {
    const r = await cli(['campaign', '--device', 'k64f', '--strategy', 'overwrite-only', '--upgrade', 'perm']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/scen\/s$/);
  });

  it('runs the triple plan, on threads that start when the work is worth it, as on this one', async () => {
    const s = spec({ strategy: 'overwrite-only', plan: 'triple', sample: 2 });
    const collect = async (pool: CampaignPool) => {
      const ids: string[] = [];
      let passed = 0;
      for await (const ev of pool.run(s, every((await pool.runner(s)).units, 1), { counted: true })) {
        if ('passed' in ev) passed += ev.passed;
        else if ('id' in ev) ids.push(ev.id);
      }
      await pool.close();
      return { passed, ids: ids.sort() };
    };
    const threads = await collect(new CampaignPool(2, { workersWorthMs: 0 }));
    const here = await collect(new CampaignPool(1));
    expect(threads).toEqual(here);
    expect(here.passed).toBeGreaterThan(100);
  });
});

describe('replaying a triple-cut id', () => {
  it('explains it: the first cut, both recovery boots up to their cuts, every power-on after them', async () => {
    const id = 'swap-scratch/k64f/perm/cut@5+3+2';
    const r = await cli(['campaign', '--replay', id, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ id, ok: true, recovery: { ops: 2 }, recovery2: { ops: 1 } });
    expect(j.calls.filter((c: { kind: string }) => c.kind === 'boot').length).toBeGreaterThanOrEqual(1);
    // The verdict the campaign's code path (memoized) gives the same scenario.
    const runner = await CampaignRunner.create(spec({ plan: 'triple' }));
    expect([...triple(runner, 5, { cut2: 3, cut3: 2 })]).toEqual([expect.objectContaining({ id, ok: true })]);
  });
});

describe('results files of a memoized plan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brickproof-memo-'));
  const file = (name: string) => join(dir, name);
  const base = ['campaign', '--device', 'k64f', '--strategy', 'swap-scratch', '--upgrade', 'perm', '--plan', 'triple', '--sample', '2', '--workers', '1', '--json'];
  const endLine = (name: string) => readFileSync(file(name), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.type === 'end');

  for (const [name, extra] of [['whole.jsonl', []], ['s1.jsonl', ['--shard', '1/2']], ['s2.jsonl', ['--shard', '2/2']]] as const) {
    it(`writes ${name} (${extra.join(' ') || 'unsharded'})`, async () => {
      const r = await cli([...base, ...extra, '--out', file(name)]);
      expect(r.code, r.stderr).toBe(0);
    });
  }

  it('merges the shards of a triple campaign into the unsharded report, the memo figures summed', async () => {
    const merged = await cli(['campaign', 'merge', file('s1.jsonl'), file('s2.jsonl'), '--json']);
    expect(merged.code, merged.stderr).toBe(0);
    const whole = await cli(['campaign', 'merge', file('whole.jsonl'), '--json']);
    expect(withoutTimes(JSON.parse(merged.stdout))).toEqual(withoutTimes(JSON.parse(whole.stdout)));
    const [e1, e2] = [endLine('s1.jsonl'), endLine('s2.jsonl')];
    expect(e1).toMatchObject({ memo: true });
    expect(JSON.parse(merged.stdout).summary[0]).toMatchObject({ plan: 'triple', memo: true, powerOnStates: e1.powerOnStates + e2.powerOnStates, memoHits: e1.memoHits + e2.memoHits });
  });

  it('refuses to merge a triple shard with a unit line whose scenarios are missing', async () => {
    const lines = readFileSync(file('s1.jsonl'), 'utf8').split('\n').filter(Boolean);
    const i = lines.findIndex((l) => l.includes('"type":"scenario"'));
    writeFileSync(file('s1-cut.jsonl'), `${lines.filter((_, j) => j !== i).join('\n')}\n`);
    const r = await cli(['campaign', 'merge', file('s1-cut.jsonl'), file('s2.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unit \d+ of swap-scratch\/k64f\/perm \(triple, cut\) has \d+ of its \d+ scenario results \(a line is missing\)/);
  });
});

describe('bad input', () => {
  for (const [args, pattern] of [
    [['--plan', 'triple', '--fault', 'torn-write'], /--plan triple --fault torn-write needs --sample N/],
    [['--plan', 'exhaustive', '--no-memo'], /--no-memo does nothing in an exhaustive campaign/],
    [['--no-memo'], /--no-memo does nothing in an exhaustive campaign/],
    [['--plan', 'lifecycle', '--lives', '0', '--no-memo'], /--lives: 0 is below the minimum 1/],
    [['--replay', 'swap-move/k64f/lifecycle/cut#5', '--no-memo'], /--no-memo does nothing with --replay of a lifecycle id: the id names the whole life \(it is used with --plan double, triple, random or lifecycle\)/],
    [['--replay', 'swap-scratch/nrf52840/perm/cut@5+3', '--no-memo'], /--no-memo does nothing with --replay/],
    [['--sample', '5'], /--sample does nothing in an exhaustive campaign/],
    [['--plan', 'triple', '--sample', '0'], /--sample/],
  ] as Array<[string[], RegExp]>) {
    it(`refuses ${args.join(' ')} with one line and exit 2`, () => expectRefused(args, pattern));
  }
});

/**
 * The power-loss campaign: every built strategy survives a cut at every flash operation of
 * every kind of update, on two device profiles; results are deterministic; shards merge
 * into the whole run; a resumed run equals an uninterrupted one; every scenario id replays.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CampaignRunner } from '../../src/campaign/runner.js';
import { parseScenarioId, scenarioId, type CampaignSpec } from '../../src/campaign/spec.js';
import { SWAP_STRATEGIES as BOOT_STRATEGIES } from '../../src/image/strategy.js';
import { cli, withoutTimes, expectRefused } from './cli-helpers.js';
import { runCampaign } from '../helpers/run-campaign.js';

const spec = (over: Partial<CampaignSpec>): CampaignSpec => ({
  device: 'nrf52840', strategy: 'swap-scratch', upgrade: 'perm', plan: 'exhaustive', fault: 'cut', imageSize: 'max', seed: 1, sample: 0, ...over,
});

async function runAll(s: CampaignSpec) {
  const runner = await CampaignRunner.create(s);
  const results = await runCampaign(runner);
  return { runner, results, failed: results.filter((r) => !r.ok) };
}

describe('exhaustive single cuts', () => {
  for (const device of ['nrf52840', 'k64f']) {
    for (const strategy of BOOT_STRATEGIES) {
      for (const upgrade of ['test', 'perm', 'revert'] as const) {
        it(`${strategy} on ${device}: a ${upgrade} upgrade survives a power cut at every flash operation`, async () => {
          const { runner, results, failed } = await runAll(spec({ device, strategy, upgrade }));
          expect(results.length).toBe(runner.cutPoints);
          expect(runner.cutPoints).toBeGreaterThan(100);
          expect(failed).toEqual([]);
        });
      }
    }
  }
});

describe('double cuts', () => {
  for (const device of ['k64f', 'nrf52840']) {
    for (const strategy of BOOT_STRATEGIES) {
      it(`${strategy} on ${device}: a second cut in the recovery boot (a seeded sample per first cut) is survived too`, async () => {
        const sample = device === 'k64f' ? 2 : 1;
        const { runner, results, failed } = await runAll(spec({ strategy, device, plan: 'double', sample }));
        expect(results.length).toBeGreaterThan(runner.cutPoints * (sample - 0.5));
        expect(results.every((r) => /@\d+\+\d+$/.test(r.id))).toBe(true);
        expect(failed).toEqual([]);
      });
    }
  }
});

describe('random multi-cut runs', () => {
  it('swap-scratch survives 40 seeded runs of up to five cuts each', async () => {
    const { results, failed } = await runAll(spec({ plan: 'random', sample: 40, upgrade: 'revert' }));
    expect(results).toHaveLength(40);
    expect(failed).toEqual([]);
  });

  for (const strategy of BOOT_STRATEGIES) {
    it(`${strategy}: a test upgrade survives 100 seeded runs, an aimed power-on that finishes first being followed by the confirm`, async () => {
      const { results, failed } = await runAll(spec({ strategy, plan: 'random', sample: 100, upgrade: 'test' }));
      expect(results).toHaveLength(100);
      expect(failed).toEqual([]);
    });
  }

  it('replays a run whose aimed power-on finished first: the new image confirms itself before the next reset', async () => {
    const { code, stdout } = await cli(['campaign', '--replay', 'swap-move/nrf52840/test/cut#3']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/power-on 3: aimed at its op 151, but finished first: .*boots v2\.0\.0\+0; \d+ flash ops\napplication: boot_set_confirmed\(\); 1 flash ops\npower-on 4: requested none, swap type none; boots v2\.0\.0\+0 \(v2\); 0 flash ops\nresult: ok/);
  });
});

describe('the snapshot method', () => {
  for (const fault of ['cut', 'torn-write', 'torn-erase'] as const) {
    it(`gives, at every cut point, exactly what re-running the update from power-on gives (${fault})`, async () => {
      // The fast path (snapshot advanced in place, dirty sectors copied back, erased-from
      // marks, known-image digests) must be invisible: compare with the plain way.
      const runner = await CampaignRunner.create(spec({ device: 'k64f', upgrade: 'revert', fault, seed: 5 }));
      const points = Array.from({ length: Math.ceil(runner.cutPoints / 3) }, (_, i) => 1 + 3 * i);
      // All fast ones first, so each restores from the previous one's dirty sectors.
      const fast = points.map((g) => runner.single(g));
      const plain = points.map((g) => runner.singleFromPowerOn(g));
      expect(fast.length).toBeGreaterThan(300);
      expect(fast).toEqual(plain);
    });
  }
});

describe('determinism and replay', () => {
  it('gives the same results for the same seed, torn writes included', async () => {
    const s = spec({ fault: 'torn-write', device: 'k64f', seed: 7 });
    const a = await runAll(s);
    const b = await runAll(s);
    expect(b.results).toEqual(a.results);
  });

  it('parses every scenario id back into its campaign and cut points', () => {
    for (const ref of [{ cut: 417 }, { cut: 417, cut2: 38 }, { run: 9 }]) {
      const s = spec({ seed: 3, imageSize: 100000, plan: ref.run ? 'random' : ref.cut2 ? 'double' : 'exhaustive' });
      const parsed = parseScenarioId(scenarioId(s, ref));
      expect(parsed.ref).toEqual(ref);
      expect({ ...parsed.spec, sample: 0 }).toEqual({ ...s, sample: 0 });
    }
  });

  it('replays a scenario by its id with the operations around the cut and every boot decision', async () => {
    const { code, stdout } = await cli(['campaign', '--replay', 'swap-scratch/k64f/perm/cut@300', '--trace']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/op 300: [EW] \d /);
    expect(stdout).toMatch(/power fails here \(cut\)/);
    expect(stdout).toMatch(/power-on 1: requested none, resumed the interrupted perm swap/);
    expect(stdout).toMatch(/result: ok/);
  });
});

describe('shards, merge and resume', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brickproof-campaign-'));
  const base = ['campaign', '--device', 'k64f', '--strategy', 'swap-scratch', '--upgrade', 'test,revert', '--workers', '2'];

  it('merging the shards gives exactly the report of the unsharded run', async () => {
    const whole = await cli([...base, '--json', '--out', join(dir, 'whole.jsonl')]);
    expect(whole.code).toBe(0);
    const parts = [];
    for (let i = 1; i <= 3; i++) {
      const r = await cli([...base, '--json', '--shard', `${i}/3`, '--out', join(dir, `s${i}.jsonl`)]);
      expect(r.code).toBe(0);
      parts.push(join(dir, `s${i}.jsonl`));
    }
    const merged = await cli(['campaign', 'merge', ...parts, '--json']);
    expect(merged.code).toBe(0);
    const a = withoutTimes(JSON.parse(whole.stdout));
    expect(withoutTimes(JSON.parse(merged.stdout))).toEqual(a);
    const cutPoints = [];
    for (const upgrade of ['test', 'revert'] as const) cutPoints.push((await CampaignRunner.create(spec({ device: 'k64f', upgrade }))).cutPoints);
    expect(a.summary.map((r) => r.scenarios)).toEqual(cutPoints);
  });

  it('a run killed half-way and resumed gives the report of an uninterrupted run', async () => {
    const full = readFileSync(join(dir, 'whole.jsonl'), 'utf8').split('\n');
    // What a kill leaves: the first part of the stream and a torn last line.
    const cut = Math.floor(full.length * 0.45);
    writeFileSync(join(dir, 'killed.jsonl'), `${full.slice(0, cut).join('\n')}\n${full[cut].slice(0, 17)}`);
    const resumed = await cli([...base, '--json', '--resume', '--out', join(dir, 'killed.jsonl')]);
    expect(resumed.code).toBe(0);
    const whole = await cli(['campaign', 'merge', join(dir, 'whole.jsonl'), '--json']);
    expect(withoutTimes(JSON.parse(resumed.stdout))).toEqual(withoutTimes(JSON.parse(whole.stdout)));
  });
});

describe('a campaign on your own part', () => {
  it('runs on a JSON device file, and its ids replay with the same file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brickproof-board-'));
    const board = join(dir, 'board.json');
    writeFileSync(board, JSON.stringify({
      name: 'my-board',
      flash: [{ id: 0, sectors: [[16384, 4], [65536, 1], [131072, 3]], writeAlign: 8, erasedValue: 255 }],
      areas: { primary: { flash: 0, offset: 131072, size: 131072 }, secondary: { flash: 0, offset: 262144, size: 131072 }, scratch: { flash: 0, offset: 393216, size: 131072 } },
    }));
    const r = await cli(['campaign', '--device-file', board, '--strategy', 'swap-scratch,overwrite-only', '--upgrade', 'revert', '--workers', '2', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.summary.map((x: { device: string; scenarios: number }) => x.device)).toEqual(['my-board', 'my-board']);
    expect(report.summary.every((x: { scenarios: number; bricked: number; failures: number }) => x.scenarios > 50 && x.bricked + x.failures === 0)).toBe(true);
    const again = await cli(['campaign', '--replay', 'swap-scratch/my-board/revert/cut@40', '--device-file', board]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/op 40: /);
    const wrong = await cli(['campaign', '--replay', 'swap-scratch/nrf52840/revert/cut@40', '--device-file', board]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/names device 'nrf52840' but .*board.json describes 'my-board'/);
  });
});

describe('a campaign that finds a brick', () => {
  it('exits 1 after writing every result, failures named by their replay ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brickproof-brick-'));
    const out = join(dir, 'f76fba70.jsonl');
    const r = await cli(['campaign', '--strategy', 'swap-scratch@f76fba70', '--upgrade', 'perm', '--workers', '2', '--out', out, '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.summary[0].bricked).toBeGreaterThan(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const scenarios = lines.filter((l) => l.type === 'scenario');
    expect(scenarios).toHaveLength(report.summary[0].scenarios);
    expect(lines.at(-2).type).toBe('end');
    expect(lines.at(-1)).toEqual({ type: 'done', scenarios: report.summary[0].scenarios });
    expect(report.failures.map((f: { id: string }) => f.id)).toEqual(scenarios.filter((l) => !l.result.ok).map((l) => l.result.id).sort());
  });

  it('counts bricked, other failures and failed (their sum) in words that agree with the failure list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brickproof-words-'));
    // revert under cut: pr485 leaves wrong end states (other failures), no bricks.
    const args = ['campaign', '--strategy', 'swap-scratch@f76fba70,swap-scratch@pr485', '--upgrade', 'perm,revert', '--workers', '2', '--out', join(dir, 'r.jsonl')];
    const text = await cli(args);
    expect(text.code).toBe(1);
    const [head, , ...rows] = text.stdout.split('\n');
    expect(head).toMatch(/scenarios\s+bricked\s+other failures\s+failed\s+wall/);
    const json = JSON.parse((await cli(['campaign', 'merge', join(dir, 'r.jsonl'), '--json'])).stdout);
    for (const r of json.summary) expect(r.failed).toBe(r.bricked + r.failures);
    const bricked = json.summary.reduce((n: number, r: { bricked: number }) => n + r.bricked, 0);
    const other = json.summary.reduce((n: number, r: { failures: number }) => n + r.failures, 0);
    expect(bricked).toBeGreaterThan(0);
    expect(other).toBeGreaterThan(0);
    const failed = json.summary.reduce((n: number, r: { failed: number }) => n + r.failed, 0);
    expect(text.stdout).toContain(`\n${failed} scenario(s) failed`);
    expect(json.failures).toHaveLength(failed);
    const row = rows.find((l) => l.startsWith('swap-scratch@f76fba70') && / perm /.test(l))!;
    const f76 = json.summary.find((r: { strategy: string; upgrade: string }) => r.strategy === 'swap-scratch@f76fba70' && r.upgrade === 'perm');
    expect(row.split(/\s+/).slice(5, 9)).toEqual([f76.scenarios, f76.bricked, f76.failures, f76.failed].map(String));
  });
});

describe('bad input', () => {
  for (const [args, pattern] of [
    [['--strategy', 'swap-sideways'], /unknown strategy "swap-sideways"/],
    [['--device', 'nrf99'], /unknown device 'nrf99'/],
    [['--fault', 'lightning'], /unknown fault model 'lightning'/],
    [['--shard', '3/2'], /--shard '3\/2'/],
    [['--replay', 'swap-scratch/nrf52840/perm/zap'], /replay id 'swap-scratch\/nrf52840\/perm\/zap' does not parse/],
    [['--replay', 'swap-move/k64f/lifecycle/cutX5', '--log'], /replay id 'swap-move\/k64f\/lifecycle\/cutX5' does not parse/],
    [['--plan', 'quadruple'], /unknown plan 'quadruple' \(expected one of: exhaustive, double, triple, random, lifecycle\)/],
    [['--strategy', 'swap-scratch', '--image-size', '999999999'], /--image-size 999999999 is larger than swap-scratch allows/],
  ] as Array<[string[], RegExp]>) {
    it(`refuses ${args.join(' ')} with one line and exit 2`, () => expectRefused(args, pattern));
  }
});

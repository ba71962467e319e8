/**
 * `campaign merge` proves completeness: a merged report is green only when every unit of
 * every campaign of the run is there, once. A lost CI artifact, a shard of another run, a
 * file cut short or edited is refused in one line naming what is missing (exit 2), or — with
 * --allow-partial — merged and labelled PARTIAL with the missing units (exit 1).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, withoutTimes } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'brickproof-merge-'));
const path = (name: string) => join(dir, name);
const base = ['campaign', '--device', 'k64f', '--strategy', 'swap-scratch', '--upgrade', 'test,perm', '--workers', '1'];

async function run(name: string, ...extra: string[]): Promise<void> {
  const r = await cli([...base, ...extra, '--json', '--out', path(name)]);
  expect(r.code, r.stderr).toBe(0);
}

async function merge(...args: string[]) {
  return cli(['campaign', 'merge', ...args.map((a) => (a.endsWith('.jsonl') ? path(a) : a))]);
}

const lines = (name: string) => readFileSync(path(name), 'utf8').split('\n').filter(Boolean);

beforeAll(async () => {
  await run('whole.jsonl');
  await run('s1of2.jsonl', '--shard', '1/2');
  await run('s2of2.jsonl', '--shard', '2/2');
  await run('s2of3.jsonl', '--shard', '2/3');
  await run('s2of2-seed2.jsonl', '--shard', '2/2', '--seed', '2');
  const other = await cli(['campaign', '--device', 'k64f', '--strategy', 'swap-scratch', '--upgrade', 'revert', '--workers', '1', '--shard', '2/2', '--json', '--out', path('other.jsonl')]);
  expect(other.code).toBe(0);
});

describe('a complete set of shards', () => {
  it('merges into exactly the report of the unsharded run, exit 0', async () => {
    const merged = await merge('s1of2.jsonl', 's2of2.jsonl', '--json');
    expect(merged.code, merged.stderr).toBe(0);
    const whole = await merge('whole.jsonl', '--json');
    expect(whole.code).toBe(0);
    expect(withoutTimes(JSON.parse(merged.stdout))).toEqual(withoutTimes(JSON.parse(whole.stdout)));
    expect(JSON.parse(merged.stdout).partial).toBeUndefined();
  });

  it('records in every file the run it belongs to: campaigns, seed, shard and unit counts', () => {
    const [run, ...rest] = lines('s2of2.jsonl').map((l) => JSON.parse(l));
    expect(run).toMatchObject({ type: 'run', format: 2, seed: 1, shard: { index: 2, count: 2 } });
    expect(run.keys).toHaveLength(2);
    const heads = rest.filter((l) => l.type === 'campaign');
    expect(heads.map((h) => h.key)).toEqual(run.keys);
    for (const h of heads) expect(h.shardUnits).toBe(Math.floor(h.units / 2));
    expect(rest.filter((l) => l.type === 'unit').every((u) => u.scenarios === 1 && u.unit % 2 === 0)).toBe(true);
  });
});

describe('incomplete or mismatched input is refused in one line, exit 2', () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    ['only shard 1 of 2', () => ['s1of2.jsonl'], /shard 2\/2 is missing/],
    ['shards of different counts (1/2 with 2/3)', () => ['s1of2.jsonl', 's2of3.jsonl'], /different shard counts: .*s1of2.jsonl is shard 1\/2, .*s2of3.jsonl is shard 2\/3/],
    ['the same shard twice', () => ['s1of2.jsonl', 's2of2.jsonl', 's2of2.jsonl'], /shard 2\/2 is given twice/],
    ['shards of two seeds', () => ['s1of2.jsonl', 's2of2-seed2.jsonl'], /different seeds: .*seed 1, .*seed 2/],
    ['shards of different campaigns', () => ['s1of2.jsonl', 'other.jsonl'], /different campaigns: .*swap-scratch\/k64f\/test .* runs swap-scratch\/k64f\/revert/],
    [
      'a file cut mid-line',
      () => {
        const text = readFileSync(path('s2of2.jsonl'), 'utf8');
        writeFileSync(path('torn.jsonl'), text.slice(0, Math.floor(text.length * 0.6)));
        return ['s1of2.jsonl', 'torn.jsonl'];
      },
      /torn.jsonl is truncated: its last line is cut mid-line/,
    ],
    [
      'a file cut at a line boundary (its run killed between two writes)',
      () => {
        writeFileSync(path('short.jsonl'), `${lines('s2of2.jsonl').slice(0, -1).join('\n')}\n`);
        return ['s1of2.jsonl', 'short.jsonl'];
      },
      /short.jsonl is truncated: it ends before its run did/,
    ],
    [
      'a file with one scenario line deleted',
      () => {
        const all = lines('s2of2.jsonl');
        const i = all.findIndex((l) => l.includes('"type":"scenario"') && l.includes('"unit":100,'));
        writeFileSync(path('no-scenario.jsonl'), `${[...all.slice(0, i), ...all.slice(i + 1)].join('\n')}\n`);
        return ['s1of2.jsonl', 'no-scenario.jsonl'];
      },
      /unit 100 of swap-scratch\/k64f\/test \(exhaustive, cut\) has 0 of its 1 scenario result/,
    ],
    [
      'a file with one unit line deleted',
      () => {
        const all = lines('s2of2.jsonl');
        const i = all.findIndex((l) => l.includes('"type":"unit"') && l.includes('"unit":200,'));
        writeFileSync(path('no-unit.jsonl'), `${[...all.slice(0, i), ...all.slice(i + 1)].join('\n')}\n`);
        return ['s1of2.jsonl', 'no-unit.jsonl'];
      },
      /no-unit.jsonl is missing 1 unit of swap-scratch\/k64f\/test \(exhaustive, cut\) \(first cuts 200\)/,
    ],
    [
      'a file written without a run header (by an older brickproof)',
      () => {
        writeFileSync(path('old.jsonl'), `${lines('s2of2.jsonl').slice(1).join('\n')}\n`);
        return ['s1of2.jsonl', 'old.jsonl'];
      },
      /old.jsonl has no run header/,
    ],
  ];
  for (const [what, files, pattern] of cases) {
    it(`refuses ${what}`, async () => {
      const r = await merge(...files());
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});

describe('--allow-partial', () => {
  it('merges what is there, labels the report PARTIAL with the missing units, and exits 1', async () => {
    const text = await merge('s1of2.jsonl', '--allow-partial');
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^PARTIAL: \d+ units are missing/);
    expect(text.stdout).toMatch(/swap-scratch\/k64f\/test \(exhaustive, cut\): \d+ of \d+ units missing \(first cuts 2, 4, 6/);
    const r = await merge('s1of2.jsonl', '--allow-partial', '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const whole = JSON.parse((await merge('whole.jsonl', '--json')).stdout);
    for (const [i, m] of report.partial.missing.entries()) {
      const all = whole.summary[i].scenarios;
      expect(m.of).toBe(all);
      expect(m.units).toEqual(Array.from({ length: all }, (_, u) => u + 1).filter((u) => u % 2 === 0));
      expect(report.summary[i].scenarios).toBe(all - m.units.length);
    }
  });

  it('counts the units of a torn file up to its last whole unit', async () => {
    const r = await merge('s1of2.jsonl', 'torn.jsonl', '--allow-partial', '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const missing = report.partial.missing.flatMap((m: { units: number[] }) => m.units);
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.every((u: number) => u % 2 === 0)).toBe(true);
  });

  it('still refuses shards of another seed', async () => {
    const r = await merge('s1of2.jsonl', 's2of2-seed2.jsonl', '--allow-partial');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/different seeds/);
  });
});

describe('double-plan results', () => {
  it('merge with units that hold several scenarios each into the unsharded report', async () => {
    const double = ['campaign', '--device', 'k64f', '--strategy', 'swap-move', '--upgrade', 'perm', '--plan', 'double', '--sample', '2', '--workers', '2', '--json'];
    const whole = await cli([...double, '--out', path('d.jsonl')]);
    expect(whole.code, whole.stderr).toBe(0);
    for (const i of [1, 2]) expect((await cli([...double, '--shard', `${i}/2`, '--out', path(`d${i}.jsonl`)])).code).toBe(0);
    const merged = await merge('d1.jsonl', 'd2.jsonl', '--json');
    expect(merged.code, merged.stderr).toBe(0);
    expect(withoutTimes(JSON.parse(merged.stdout))).toEqual(withoutTimes(JSON.parse(whole.stdout)));
    expect(lines('d1.jsonl').map((l) => JSON.parse(l)).filter((l) => l.type === 'unit').some((u) => u.scenarios === 2)).toBe(true);
  });
});

describe('lifecycle results (--plan lifecycle)', () => {
  const life = ['campaign', '--plan', 'lifecycle', '--device', 'nrf52840', '--strategy', 'swap-move,swap-offset', '--lives', '12', '--days', '1', '--workers', '1', '--json'];

  it('merge into the report of the unsharded run, and are refused when a shard is missing', async () => {
    const whole = await cli([...life, '--out', path('l.jsonl')]);
    expect(whole.code, whole.stderr).toBe(0);
    for (const i of [1, 2]) expect((await cli([...life, '--shard', `${i}/2`, '--out', path(`l${i}.jsonl`)])).code).toBe(0);
    const merged = await merge('l1.jsonl', 'l2.jsonl', '--json');
    expect(merged.code, merged.stderr).toBe(0);
    const a = JSON.parse(merged.stdout);
    const b = JSON.parse(whole.stdout);
    expect(a.summary).toEqual(b.summary);
    expect(a.failures).toEqual(b.failures);

    const half = await merge('l1.jsonl');
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/shard 2\/2 is missing/);
    const partial = await merge('l1.jsonl', '--allow-partial', '--json');
    expect(partial.code).toBe(1);
    expect(JSON.parse(partial.stdout).partial.missingLives).toEqual([1, 3, 5, 7, 9, 11]);
  });

  it('are never merged with a campaign of single updates', async () => {
    const r = await merge('l1.jsonl', 's2of2.jsonl');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/different campaigns: .*lifecycle/);
  });
});

/**
 * Results files are safe: every option and the output path are checked before anything is
 * opened, an existing results file is never truncated without --force (or continued without
 * --resume), --resume drops a torn last line and runs its unit again, and single-shot
 * outputs are written whole or not at all.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signImage } from '../../src/image/index.js';
import { getDevice } from '../../src/device/device-file.js';
import { mergeResults } from '../../src/node/results.js';
import { cli, withoutTimes } from '../campaign/cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'brickproof-results-'));
const path = (name: string) => join(dir, name);

/** A small part, so that a campaign is a hundred scenarios and a resume a few milliseconds. */
const tiny = path('tiny.json');
writeFileSync(tiny, JSON.stringify({
  name: 'tiny',
  flash: [{ id: 0, sectors: [[1024, 16]], writeAlign: 4 }],
  areas: { primary: { flash: 0, offset: 0, size: 6144 }, secondary: { flash: 0, offset: 6144, size: 6144 }, scratch: { flash: 0, offset: 12288, size: 2048 } },
}));
const campaignWith = (strategy: string) => ['campaign', '--device-file', tiny, '--strategy', strategy, '--upgrade', 'revert', '--workers', '1', '--json'];
const campaign = campaignWith('swap-scratch');

let whole: string;
let wholeReport: unknown;

beforeAll(async () => {
  const r = await cli([...campaign, '--out', path('whole.jsonl')]);
  expect(r.code, r.stderr).toBe(0);
  whole = readFileSync(path('whole.jsonl'), 'utf8');
  wholeReport = withoutTimes(JSON.parse(r.stdout));
});

describe('an existing results file', () => {
  const invalid: string[][] = [
    ['--image-size', '999999999'],
    ['--strategy', 'swap-sideways'],
    ['--strategy', 'swap-scratch@pr0'],
    ['--seed', '-1'],
    ['--shard', '3/2'],
    ['--shard', '500/500'],
    ['--v1-trailer', 'padded'],
    ['--max-align', '12'],
    ['--workers', '0'],
    ['--plan', 'double', '--sample', '0'],
    ['--fault', 'lightning'],
    ['--upgrade', 'sideways'],
    ['--sample', '3'],
    ['--trace'],
  ];
  for (const bad of invalid) {
    it(`is left byte for byte as it was when another option is wrong (${bad.join(' ')}), even with --force`, async () => {
      const out = path('keep.jsonl');
      writeFileSync(out, whole);
      for (const force of [[], ['--force']]) {
        const args = bad[0] === '--strategy' ? [...campaignWith(bad[1]!), ...bad.slice(2)] : [...campaign, ...bad];
        const r = await cli([...args, '--out', out, ...force]);
        expect(r.code).toBe(2);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(readFileSync(out, 'utf8')).toBe(whole);
      }
    });
  }

  it('is not overwritten without --force or --resume', async () => {
    const out = path('exists.jsonl');
    writeFileSync(out, whole);
    const r = await cli([...campaign, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out '.*exists.jsonl' already exists: --resume continues it, --force overwrites it/);
    expect(readFileSync(out, 'utf8')).toBe(whole);
    const forced = await cli([...campaign, '--out', out, '--force']);
    expect(forced.code).toBe(0);
    expect(withoutTimes(JSON.parse((await cli(['campaign', 'merge', out, '--json'])).stdout))).toEqual(wholeReport);
  });

  it('of a lifecycle run, which cannot resume, is overwritten only with --force (and no --resume is suggested)', async () => {
    const out = path('lives-exist.jsonl');
    writeFileSync(out, whole);
    const r = await cli(['campaign', '--plan', 'lifecycle', '--lives', '2', '--workers', '1', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/--out '.*lives-exist.jsonl' already exists: --force overwrites it$/);
    expect(readFileSync(out, 'utf8')).toBe(whole);
  });

  it('of another run is not continued by --resume', async () => {
    const out = path('other-run.jsonl');
    writeFileSync(out, whole);
    const r = await cli([...campaign, '--out', out, '--resume', '--seed', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resume: .*other-run.jsonl records another run \(seed 1, not 2\)/);
    expect(readFileSync(out, 'utf8')).toBe(whole);
  });
});

describe('an output path that cannot be written', () => {
  it('is refused in one line before anything runs: a missing folder', async () => {
    const r = await cli([...campaign, '--out', path('no/such/folder/r.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toMatch(/^brickproof campaign: --out '.*r.jsonl': folder '.*folder' does not exist$/);
  });

  it('is refused in one line: a folder given as the file', async () => {
    mkdirSync(path('a-folder'), { recursive: true });
    const r = await cli([...campaign, '--out', path('a-folder')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a folder, not a results file/);
  });
});

describe('--resume after a kill', () => {
  /**
   * What a kill can leave: the stream up to some byte. For the last two lines of a run
   * killed after unit 40 (a scenario and its unit line) and of the finished file (its end
   * and final lines), resuming from every byte in them must give a file that merges into
   * exactly the report of the uninterrupted run.
   */
  const killedAt = (text: string, unit: number) => {
    const marker = `"type":"unit","key":`;
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.includes(marker) && l.includes(`"unit":${unit},`));
    return `${lines.slice(0, i + 1).join('\n')}\n`;
  };

  async function resumeFrom(prefix: string, name: string): Promise<void> {
    const out = path(name);
    writeFileSync(out, prefix);
    const r = await cli([...campaign, '--out', out, '--resume']);
    expect(r.code, `${r.stderr} (cut after ${prefix.length} bytes)`).toBe(0);
    expect(withoutTimes(JSON.parse(r.stdout))).toEqual(wholeReport);
    const text = readFileSync(out, 'utf8');
    // Never appended to a fragment: every line is whole JSON.
    for (const l of text.split('\n').filter(Boolean)) expect(() => JSON.parse(l)).not.toThrow();
    // What `campaign merge` reads: complete, with exactly the uninterrupted run's results.
    expect(withoutTimes(mergeResults([out]) as unknown as Parameters<typeof withoutTimes>[0]), `cut after ${prefix.length} bytes`).toEqual(wholeReport);
  }

  function lastTwoLines(text: string): { from: number; to: number } {
    const end = text.length; // ends with '\n'
    const last = text.lastIndexOf('\n', end - 2);
    const before = text.lastIndexOf('\n', last - 1);
    return { from: before + 1, to: end };
  }

  // Split into tests of about fifty cuts each, so that no test holds its worker for long.
  const chunks = (from: number, to: number, size = 50) => Array.from({ length: Math.ceil((to - from + 1) / size) }, (_, i) => [from + i * size, Math.min(to, from + (i + 1) * size - 1)] as const);

  describe('killed after unit 40 (its scenario line and unit line cut at every byte)', () => {
    // Known only once beforeAll ran: at most 450 bytes of two lines, 50 cuts a test.
    for (const [a, b] of chunks(0, 450)) {
      it(`resumes from cuts ${a}–${b} bytes into the two lines`, async () => {
        const killed = killedAt(whole, 40);
        const { from, to } = lastTwoLines(killed);
        for (let cut = from + a; cut <= Math.min(to, from + b); cut++) await resumeFrom(killed.slice(0, cut), 'killed.jsonl');
      });
    }
  });

  describe('killed while writing its last two lines (end and final line cut at every byte)', () => {
    for (const [a, b] of chunks(0, 250)) {
      it(`resumes from cuts ${a}–${b} bytes into the two lines`, async () => {
        const { from, to } = lastTwoLines(whole);
        for (let cut = from + a; cut <= Math.min(to, from + b); cut++) await resumeFrom(whole.slice(0, cut), 'end-killed.jsonl');
      });
    }
  });

  it('covers every byte of both pairs of lines (the chunks above reach their ends)', () => {
    const killed = lastTwoLines(killedAt(whole, 40));
    const end = lastTwoLines(whole);
    expect(killed.to - killed.from).toBeLessThanOrEqual(450);
    expect(end.to - end.from).toBeLessThanOrEqual(250);
  });

  it('runs the torn unit again: its result is in the file once more, whole', async () => {
    const killed = killedAt(whole, 40);
    const { from } = lastTwoLines(killed);
    const out = path('torn-unit.jsonl');
    writeFileSync(out, killed.slice(0, from + 30)); // inside unit 40's scenario line
    expect((await cli([...campaign, '--out', out, '--resume'])).code).toBe(0);
    const units = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((l) => l.type === 'unit').map((l) => l.unit);
    expect(units.filter((u) => u === 40)).toHaveLength(1);
    expect(units.filter((u) => u === 39)).toHaveLength(1);
  });
});

describe('single-shot outputs are written whole or not at all', () => {
  let v1: string;
  let v2: string;
  beforeAll(async () => {
    const body = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * seed + 7) & 0xff);
    v1 = path('v1.bin');
    v2 = path('v2.bin');
    writeFileSync(v1, await signImage(body(40000, 31), { headerSize: 0x200, padHeader: true, version: '1.0.0', align: 4 }));
    writeFileSync(v2, await signImage(body(50000, 17), { headerSize: 0x200, padHeader: true, version: '2.0.0', align: 4 }));
  });
  const simulate = () => ['simulate', '--device', 'nrf52840', '--strategy', 'swap-move', '--primary', v1, '--secondary', v2, '--boots', '2'];
  const litter = (folder: string) => readdirSync(folder).filter((f) => f.endsWith('.tmp'));

  it('simulate --dump-flash into a missing folder is refused before the simulation runs', async () => {
    const r = await cli([...simulate(), '--dump-flash', path('missing/after.bin')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(''); // no boot was printed: nothing ran
    expect(r.stderr.trim()).toMatch(/^brickproof simulate: --dump-flash '.*after.bin': folder '.*missing' does not exist$/);
  });

  it('simulate --dump-flash replaces an existing dump whole and leaves no temporary file', async () => {
    const out = path('dumps');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'after.bin'), 'old');
    const r = await cli([...simulate(), '--dump-flash', join(out, 'after.bin')]);
    expect(r.code).toBe(0);
    expect(statSync(join(out, 'after.bin')).size).toBe(getDevice('nrf52840').geometry.size);
    expect(litter(out)).toEqual([]);
  });

  it('boot --trace into a missing folder is refused before the dump is touched', async () => {
    const dump = path('unit.bin');
    await cli([...simulate(), '--dump-flash', dump]);
    const before = readFileSync(dump);
    const r = await cli(['boot', dump, '--device', 'nrf52840', '--strategy', 'swap-move', '--trace', path('missing/ops.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--trace '.*ops.txt': folder '.*missing' does not exist/);
    expect(Buffer.compare(readFileSync(dump), before)).toBe(0);
  });

  it('a folder in the way of an output is refused in one line, and nothing is left behind', async () => {
    const out = path('in-the-way');
    mkdirSync(join(out, 'after.bin'), { recursive: true });
    const r = await cli([...simulate(), '--dump-flash', join(out, 'after.bin')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--dump-flash '.*after.bin' is a folder/);
    expect(litter(out)).toEqual([]);
  });

  it('bench --out writes its chart whole, with no temporary file beside it', async () => {
    const out = path('charts');
    const r = await cli(['bench', '--strategies', 'swap-offset', '--device', 'nrf52840', '--sizes', '64K', '--repeat', '1', '--upgrades', 'permanent', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(['strategies-nrf52840.svg']);
    expect(readFileSync(join(out, 'strategies-nrf52840.svg'), 'utf8')).toMatch(/<\/svg>\s*$/);
    expect(existsSync(join(out, 'strategies-nrf52840.svg'))).toBe(true);
  });
});

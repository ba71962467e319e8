/**
 * `brickproof bench --strategies …`: the command-line contract of issue 12 — the table, the
 * `{ "results": [...] }` JSON with its field names, the SVG chart written whole under the
 * output folder, and one-line errors with exit code 2.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../campaign/cli-helpers.js';
import { rowCells, COLUMNS } from '../../src/bench/table.js';
import type { StrategyResult } from '../../src/bench/strategies.js';

const dir = mkdtempSync(join(tmpdir(), 'brickproof-bench-'));
const CONTRACT = ['strategy', 'device', 'imageSize', 'upgrade', 'ops', 'bytesErased', 'bytesProgrammed', 'estimatedSeconds', 'maxSectorErases', 'updatesUntilWornOut', 'maxImageSize', 'canRevert', 'simMs'];

describe('brickproof bench --strategies', () => {
  it('prints { "results": [...] } with the fields of issue 12 for every strategy, size and upgrade of nrf52840', async () => {
    const out = join(dir, 'all');
    const r = await cli(['bench', '--strategies', 'all', '--device', 'nrf52840', '--json', '--repeat', '1', '--out', out]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { results: StrategyResult[] };
    expect(Object.keys(json)).toEqual(['results']);
    for (const res of json.results) {
      for (const key of CONTRACT) expect(res).toHaveProperty(key);
      expect(Object.keys(res.ops)).toEqual(['erase', 'write']);
      expect(res.device).toBe('nrf52840');
    }
    expect([...new Set(json.results.map((x) => x.strategy))]).toEqual(['overwrite-only', 'swap-scratch', 'swap-move', 'swap-offset']);
    for (const strategy of new Set(json.results.map((x) => x.strategy))) {
      const rows = json.results.filter((x) => x.strategy === strategy);
      const sizes = [...new Set(rows.map((x) => x.imageSize))];
      expect(sizes[0]).toBe(64 * 1024);
      expect(sizes.at(-1)).toBe(rows[0]!.maxImageSize);
      expect(rows.map((x) => x.upgrade)).toEqual(sizes.flatMap(() => ['permanent', 'test-revert']));
    }
    expect(r.stderr).toContain(join(out, 'strategies-nrf52840.svg'));
  });

  it('prints a table holding the same figures as the JSON', async () => {
    const argv = ['bench', '--strategies', 'swap-move,swap-offset', '--device', 'k64f', '--sizes', '64K,96K', '--repeat', '1', '--no-chart'];
    const table = await cli(argv);
    const json = await cli([...argv, '--json']);
    expect(table.code).toBe(0);
    const results = (JSON.parse(json.stdout) as { results: StrategyResult[] }).results;
    const lines = table.stdout.trimEnd().split('\n');
    const header = lines.findIndex((l) => l.startsWith('strategy'));
    expect(lines[header]!.split(/\s{2,}/)).toEqual([...COLUMNS]);
    const rows = lines.slice(header + 1).map((l) => l.trim().split(/\s{2,}/));
    expect(rows.length).toBe(results.length);
    rows.forEach((cells, i) => {
      const want = rowCells(results[i]!);
      // Everything but the wall-clock columns (sim ms, device/sim) comes from the accounting,
      // so two runs of the same cases print the same cells.
      expect(cells.slice(0, -2)).toEqual(want.slice(0, -2));
      expect(Number(cells[3])).toBe(results[i]!.ops.erase);
      expect(Number(cells[4])).toBe(results[i]!.ops.write);
      expect(Number(cells[7])).toBeCloseTo(results[i]!.estimatedSeconds!, 2);
    });
  });

  it('writes the chart whole: an SVG with both panels, axes with units and a legend, no temporary file left', async () => {
    const out = join(dir, 'chart');
    const r = await cli(['bench', '--device', 'nrf5340', '--sizes', '64K,128K', '--repeat', '1', '--out', out]);
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(['strategies-nrf5340.svg']);
    const svg = readFileSync(join(out, 'strategies-nrf5340.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const text of ['image size (KiB)', 'seconds (datasheet max)', 'erases of one sector per update', 'overwrite-only', 'swap-move', 'swap-offset', 'permanent', 'test-revert']) {
      expect(svg).toContain(text);
    }
    expect(svg).not.toContain('swap-scratch');
  });

  it.each([
    ['an unknown device', ['--device', 'nrf52833'], "'nrf52833'"],
    ['a strategy the device cannot run', ['--device', 'stm32f4', '--strategies', 'swap-move'], 'cannot run swap-move'],
    ['an unknown strategy', ['--strategies', 'xip-load'], '"xip-load"'],
    ['a strategy the bench does not compare (no copy to time)', ['--strategies', 'ram-load'], 'cannot run ram-load'],
    ['an empty item in a list', ['--strategies', 'swap-move,,swap-offset'], 'empty item'],
    ['a size that is not a number', ['--sizes', '64M'], "'64M'"],
    ['a size no strategy fits', ['--sizes', '4096K'], 'fits none'],
    ['an unknown upgrade', ['--upgrades', 'revert'], "unknown upgrade 'revert'"],
    ['a zero repeat', ['--repeat', '0'], '--repeat'],
    ['--sizes with --step', ['--sizes', '64K', '--step', '32K'], 'not both'],
    ['an unknown flag', ['--strategy', 'swap-move'], "unknown flag '--strategy'"],
  ])('refuses %s with one line and exit code 2', async (_what, flags, fragment) => {
    const r = await cli(['bench', '--no-chart', ...(flags.includes('--repeat') ? [] : ['--repeat', '1']), ...flags]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(fragment);
  });

  it('refuses an output folder it cannot write, and prints no results', async () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const r = await cli(['bench', '--device', 'nrf5340', '--sizes', '64K', '--repeat', '1', '--json', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('cannot write the chart');
    expect(existsSync(join(file, 'strategies-nrf5340.svg'))).toBe(false);
  });
});

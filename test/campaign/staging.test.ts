/**
 * What a campaign can be asked to start from and build with besides images — how the
 * running image was flashed (imgtool --pad, --pad --confirm), the bootloader's
 * BOOT_MAX_ALIGN and MCUBOOT_MAX_IMG_SECTORS, the erase-secondary upgrade — and the
 * scenario `…@0`, the uninterrupted update, which is how a bug that needs no power cut is
 * reported and replayed.
 */
import { describe, expect, it } from 'vitest';
import { campaignKey } from '../../src/campaign/report.js';
import { CampaignRunner } from '../../src/campaign/runner.js';
import { parseScenarioId, scenarioId, UPGRADES, type CampaignSpec } from '../../src/campaign/spec.js';
import { cli } from './cli-helpers.js';
import { runCampaign } from '../helpers/run-campaign.js';

const spec = (over: Partial<CampaignSpec>): CampaignSpec => ({
  device: 'nrf52840', strategy: 'swap-move', upgrade: 'test', plan: 'exhaustive', fault: 'cut', imageSize: 'max', seed: 1, sample: 0, ...over,
});

describe('replay ids and campaign keys', () => {
  it('carry the staging and build options, and read back to the same campaign', () => {
    const cases: Array<[Partial<CampaignSpec>, string]> = [
      [{ v1Trailer: 'pad-confirm' }, 'swap-move/nrf52840/test+pad-confirm/cut@12'],
      [{ v1Trailer: 'pad', v1Size: 150000, imageSize: 160000 }, 'swap-move/nrf52840/test+pad:160000,150000/cut@12'],
      [{ strategy: 'swap-scratch', device: 'k64f', maxSectors: 1024 }, 'swap-scratch+max-sectors=1024/k64f/test/cut@12'],
      [{ maxAlign: 32, maxSectors: 256, seed: 4 }, 'swap-move+max-align=32+max-sectors=256/nrf52840/test/cut@12~4'],
      [{ upgrade: 'erase-secondary', variant: 'pr2199' }, 'swap-move@pr2199/nrf52840/erase-secondary/cut@12'],
    ];
    for (const [over, id] of cases) {
      const s = spec(over);
      expect(scenarioId(s, { cut: 12 })).toBe(id);
      expect(parseScenarioId(id)).toEqual({ spec: s, ref: { cut: 12 } });
    }
  });

  it('read as before for campaigns without them, keys included (old results files still resume)', () => {
    const s = spec({ strategy: 'swap-scratch', upgrade: 'perm', imageSize: 100000, seed: 3 });
    expect(scenarioId(s, { cut: 417, cut2: 38 })).toBe('swap-scratch/nrf52840/perm:100000/cut@417+38~3');
    expect(campaignKey(s)).toBe('swap-scratch|nrf52840|perm|exhaustive|cut|100000||3|0');
    expect(campaignKey(spec({ v1Trailer: 'pad', maxSectors: 1024 }))).toBe('swap-move|nrf52840|test|exhaustive|cut|max||1|0|v1=pad|max-sectors=1024');
  });

  it('name the uninterrupted update @0, and refuse a second cut after it or unknown options', () => {
    expect(parseScenarioId('swap-move/nrf52840/test/cut@0').ref).toEqual({ cut: 0 });
    expect(() => parseScenarioId('swap-move/nrf52840/test/cut@0+3')).toThrow(/@0 alone is the uninterrupted update/);
    expect(() => parseScenarioId('swap-move+max-align=12/nrf52840/test/cut@3')).toThrow(/max-align 12 must be 8, 16 or 32/);
    expect(() => parseScenarioId('swap-move+max-speed=9/nrf52840/test/cut@3')).toThrow(/unknown bootloader option 'max-speed'/);
    expect(() => parseScenarioId('swap-move/nrf52840/test+pad-harder/cut@3')).toThrow(/unknown v1 trailer 'pad-harder'/);
    expect(() => parseScenarioId('swap-move/nrf52840/downgrade/cut@3')).toThrow(/unknown upgrade 'downgrade'/);
  });
});

describe('the uninterrupted update as scenario @0', () => {
  it('replays a passing update as ok, ending where every cut is judged against', async () => {
    const runner = await CampaignRunner.create(spec({}));
    const ex = runner.explain({ cut: 0 });
    expect(ex.result).toMatchObject({ id: 'swap-move/nrf52840/test/cut@0', ok: true });
    expect(ex.cut).toBeUndefined();
    expect(ex.life.end).toEqual(runner.expected);
    expect(ex.life.calls.flatMap((c) => c.ops.filter((o) => o.kind !== 'F'))).toHaveLength(runner.cutPoints);
    // The snapshot the cut scenarios use is untouched by it.
    expect(runner.single(300)).toEqual((await CampaignRunner.create(spec({}))).single(300));
  });

  it('is the whole campaign when the update fails uncut, under every plan', async () => {
    for (const plan of ['exhaustive', 'double', 'random'] as const) {
      const runner = await CampaignRunner.create(spec({ strategy: 'swap-scratch', upgrade: 'erase-secondary', plan, sample: plan === 'random' ? 5 : 0 }));
      expect(runner.expected).toBeUndefined();
      expect(runner.units).toBe(1);
      const results = [...runner.run([1])];
      expect(results).toEqual([expect.objectContaining({ id: 'swap-scratch/nrf52840/erase-secondary/cut@0', unit: 1, ok: false, rule: 'stuck-revert' })]);
    }
  });
});

describe('staging the running image as imgtool flashed it', () => {
  it('--pad puts the magic at the end of the primary; --confirm adds image_ok', async () => {
    for (const [v1Trailer, imageOk] of [['pad', 'unset'], ['pad-confirm', 'set']] as const) {
      const runner = await CampaignRunner.create(spec({ v1Trailer }));
      // The runner leaves the device as staged.
      expect(runner.device.readSwapState(1)).toMatchObject({ magic: 'good', imageOk, copyDone: 'unset', swapType: 'none' });
      expect(runner.device.readSwapState(2)).toMatchObject({ magic: 'good', swapType: 'test' });
    }
    const plain = await CampaignRunner.create(spec({}));
    expect(plain.device.readSwapState(1).magic).toBe('unset');
  });

  it('--pad with BOOT_MAX_ALIGN 16 writes that build\'s magic, which the bootloader recognises', async () => {
    const runner = await CampaignRunner.create(spec({ v1Trailer: 'pad-confirm', maxAlign: 16 }));
    expect(runner.device.options.maxAlign).toBe(16);
    expect(runner.device.readSwapState(1)).toMatchObject({ magic: 'good', imageOk: 'set' });
    expect(runner.expected).toMatchObject({ image: 'v2', imageOk: 'set' });
  });

  it('the current swap-move survives every cut of a test upgrade over a padded, confirmed primary', async () => {
    const runner = await CampaignRunner.create(spec({ v1Trailer: 'pad-confirm' }));
    const results = await runCampaign(runner);
    expect(results.length).toBeGreaterThan(800);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });
});

describe('erase-secondary: the application erases the secondary instead of confirming', () => {
  it('is not part of --upgrade all', () => {
    expect(UPGRADES).toEqual(['test', 'perm', 'revert']);
  });

  it('MCUboot 2.4.0 clears the stuck revert for swap-move only: swap-scratch and swap-offset keep it', async () => {
    for (const strategy of ['swap-scratch', 'swap-offset'] as const) {
      const runner = await CampaignRunner.create(spec({ strategy, upgrade: 'erase-secondary' }));
      expect(runner.controlFailure).toMatchObject({ rule: 'stuck-revert', detail: expect.stringMatching(/^power-on 2 of the uninterrupted update/) });
    }
    const move = await CampaignRunner.create(spec({ upgrade: 'erase-secondary' }));
    expect(move.controlFailure).toBeUndefined();
  });

  it('a cut during the application\'s erase may leave the secondary intact: the revert that follows is accepted', async () => {
    const runner = await CampaignRunner.create(spec({ upgrade: 'erase-secondary' }));
    const firstErase = runner.explain({ cut: 0 }).life.calls.findIndex((c) => c.kind === 'erase');
    expect(firstErase).toBe(1);
    const bootOps = runner.explain({ cut: 0 }).life.calls[0].ops.filter((o) => o.kind !== 'F').length;
    const ex = runner.explain({ cut: bootOps + 1 });
    expect(ex.cutCall).toBe('erase');
    expect(ex.result.ok).toBe(true);
    expect(ex.life.end).toMatchObject({ image: 'v1', imageOk: 'set' });
    // One erase later the header is gone: no revert, v2 stays.
    expect(runner.explain({ cut: bootOps + 2 }).life.end).toMatchObject({ image: 'v2' });
  });
});

describe('the campaign command', () => {
  it('reports a bug of the uninterrupted update as one failed scenario with its replay id', async () => {
    const r = await cli(['campaign', '--device', 'k64f', '--strategy', 'swap-scratch@pr2206', '--max-sectors', '1024', '--upgrade', 'test', '--workers', '1', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.summary).toEqual([expect.objectContaining({ strategy: 'swap-scratch@pr2206', scenarios: 1, bricked: 1, failures: 0 })]);
    expect(report.failures).toEqual([expect.objectContaining({ id: 'swap-scratch@pr2206+max-sectors=1024/k64f/test/cut@0', rule: 'bricked' })]);
  });

  it('replays @0 ids, saying the update fails without a cut', async () => {
    const r = await cli(['campaign', '--replay', 'swap-move@pr2199/nrf52840/erase-secondary/cut@0']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/update: fails uninterrupted \(stuck-revert\)/);
    expect(r.stdout).toMatch(/application: erases the secondary slot; \d+ flash ops/);
    expect(r.stdout).toMatch(/result: FAILED \(stuck-revert\)/);
  });

  it('takes --v1-trailer and refuses bad build options in one line', async () => {
    const ok = await cli(['campaign', '--strategy', 'swap-move', '--upgrade', 'test', '--v1-trailer', 'pad-confirm', '--shard', '1/40', '--workers', '1', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).summary[0].scenarios).toBeGreaterThan(20);
    for (const [args, pattern] of [
      [['--v1-trailer', 'glued'], /unknown v1 trailer 'glued'/],
      [['--max-align', '12'], /--max-align 12 must be 8, 16 or 32/],
      [['--max-sectors', '5000'], /--max-sectors 5000 must be an integer from 1 to 4096/],
    ] as Array<[string[], RegExp]>) {
      const r = await cli(['campaign', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

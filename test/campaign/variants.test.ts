/**
 * Real MCUboot power-loss bugs, reproduced by test-only variants that behave as the old
 * releases did: the campaign must find each one (and give an id that replays it), while
 * the current strategy passes the very same campaign.
 */
import { describe, expect, it } from 'vitest';
import { CampaignRunner, type ScenarioResult } from '../../src/campaign/runner.js';
import { parseScenarioId, type CampaignSpec } from '../../src/campaign/spec.js';
import type { Rule } from '../../src/campaign/oracle.js';
import { VARIANTS, type Variant } from '../../src/campaign/variants.js';
import { runCampaign } from '../helpers/run-campaign.js';

async function campaign(spec: CampaignSpec): Promise<{ runner: CampaignRunner; results: ScenarioResult[] }> {
  const runner = await CampaignRunner.create(spec);
  return { runner, results: await runCampaign(runner) };
}

function exposing(v: Variant, over: Partial<CampaignSpec> = {}): CampaignSpec {
  return { strategy: v.strategy, variant: v.bug, plan: 'exhaustive', imageSize: 'max', seed: 1, sample: 0, ...v.exposedBy, ...over };
}

const variant = (name: string) => VARIANTS.find((v) => v.name === name)!;

/** What each variant's campaign must report: every failure under one of these rules. */
const RULES: Record<string, Rule[]> = {
  'swap-scratch@pr485': ['wrong-end-state'],
  'swap-scratch@pr2109': ['wrong-end-state', 'bricked'],
  'swap-scratch@f76fba70': ['wrong-image', 'bricked', 'wrong-end-state'],
  // The unconfirmed image boots for good instead of the old one.
  'swap-move@pr2100': ['wrong-end-state'],
  'swap-move@pr1597': ['bricked'],
  // Bricks on a resume (swap_size 0xffffffff); a cut before the first move loses the upgrade.
  'swap-move@pr855': ['bricked', 'wrong-end-state'],
  'swap-move@pr2199': ['stuck-revert'],
  // The refused upgrade programs copy_done again at every power-on.
  'swap-offset@pr2214': ['no-convergence'],
  // The swap writes outside the secondary slot.
  'swap-scratch@pr2205': ['crash'],
  // The new image's tail is overwritten by status records: it no longer validates.
  'swap-scratch@pr2206': ['bricked'],
};

describe('historical MCUboot bugs are found by the campaign', () => {
  it('every variant says which rules its failures fall under', () => {
    expect(Object.keys(RULES).sort()).toEqual(VARIANTS.map((v) => v.name).sort());
    expect(new Set(VARIANTS.map((v) => v.bit)).size).toBe(VARIANTS.length);
  });

  for (const v of VARIANTS) {
    const spec = exposing(v);
    it(`${v.name}: found under ${v.exposedBy.fault}${v.control ? ' (in the uninterrupted update)' : ''}, replayable, and absent from ${v.strategy}`, async () => {
      const broken = await campaign(spec);
      const failed = broken.results.filter((r) => !r.ok);
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.filter((r) => !RULES[v.name].includes(r.rule!))).toEqual([]);
      if (v.control) {
        // No cut is needed: the campaign is the uninterrupted update, id …@0.
        expect(broken.results).toHaveLength(1);
        expect(failed[0].id).toMatch(/@0$/);
      } else {
        expect(broken.runner.expected).toBeDefined();
        expect(failed.every((r) => !/@0$/.test(r.id))).toBe(true);
      }

      // The first failure's id replays to the same failure.
      const { spec: again, ref } = parseScenarioId(failed[0].id);
      expect(again).toEqual(spec);
      const runner = await CampaignRunner.create(again);
      expect(runner.explain(ref).result).toEqual(failed[0]);

      const { variant: _, ...current } = spec;
      const fixed = await campaign(current);
      expect(fixed.runner.expected).toBeDefined();
      expect(fixed.results.length).toBeGreaterThan(100);
      expect(fixed.results.filter((r) => !r.ok)).toEqual([]);
    });
  }
});

describe('where each swap-move and geometry variant fails', () => {
  it('swap-move@pr2100: only the torn secondary magic of fixup_revert, in the revert boot, loses the revert', async () => {
    const v = variant('swap-move@pr2100');
    const { runner, results } = await campaign(exposing(v));
    const failed = results.filter((r) => !r.ok);
    expect(failed).toHaveLength(1);
    const ex = runner.explain(parseScenarioId(failed[0].id).ref);
    const slot = runner.device.geometry.areas.find((a) => a.id === 2)!.size;
    // A 16-byte write at the secondary's magic, torn after one to three of its four words.
    expect(ex.cut).toMatchObject({ kind: 'W', area: 2, offset: slot - 16, length: 16 });
    expect(ex.cutCall).toBe('boot');
    // Every later power-on boots the unconfirmed v2: no table row matches, nothing resumes.
    const boots = ex.life.calls.filter((c) => c.kind === 'boot');
    expect(boots.map((c) => c.image)).toEqual(boots.map(() => 'v2'));
    expect(boots.map((c) => c.boot!.requested)).toEqual(boots.map(() => 'none'));
    expect(failed[0].detail).toMatch(/settled on v2\.0\.0\+0 with image_ok unset; the uninterrupted update ends on v1\.0\.0\+0 with image_ok set/);
    // Cuts between whole operations never show it (upstream's simulator missed it that way).
    const atomic = await campaign(exposing(v, { fault: 'cut' }));
    expect(atomic.results.filter((r) => !r.ok)).toEqual([]);
  });

  for (const fault of ['cut', 'torn-erase'] as const) {
    it(`swap-move@pr1597 under ${fault}: the bricks sit between the last move record and the first bytes written back into primary sector 0`, async () => {
      const v = variant('swap-move@pr1597');
      const { runner, results } = await campaign(exposing(v, { fault }));
      const failed = results.filter((r) => !r.ok);
      const cuts = failed.map((r) => parseScenarioId(r.id).ref.cut!);
      // The op before sector 0's erase is the last move record (one status write in the primary trailer).
      const eraseSector0 = runner.ops.findIndex((o) => o.kind === 'E' && o.area === 1 && o.offset === 0) + 1;
      expect(runner.ops[eraseSector0 - 2]).toMatchObject({ kind: 'W', area: 1 });
      expect(runner.ops[eraseSector0]).toMatchObject({ kind: 'W', area: 1, offset: 0 });
      // A plain cut before the erase leaves the old header in sector 0 (harmless); a torn
      // erase of sector 0 takes its magic word; a cut after it leaves sector 0 erased.
      expect(cuts).toEqual(fault === 'cut' ? [eraseSector0 + 1] : [eraseSector0, eraseSector0 + 1]);
    });
  }

  it('swap-move@pr855: a padded, confirmed primary turns nearly every mid-swap cut into a brick', async () => {
    const v = variant('swap-move@pr855');
    const { results } = await campaign(exposing(v));
    const bricked = results.filter((r) => r.rule === 'bricked');
    expect(bricked.length / results.length).toBeGreaterThan(0.9);
    // Without the imgtool trailer the same variant is harmless: the bug needs that staging.
    const plain = await campaign(exposing(v, { v1Trailer: undefined }));
    expect(plain.results.filter((r) => !r.ok)).toEqual([]);
  });

  it('swap-move@pr2199: the second power-on finds the secondary erased and leaves the revert request; the fixed loader clears it and settles', async () => {
    const v = variant('swap-move@pr2199');
    const broken = await campaign(exposing(v));
    expect(broken.results[0].detail).toMatch(/^power-on 2 of the uninterrupted update found no image in the secondary slot/);
    const fixed = await CampaignRunner.create(exposing(v, { variant: undefined }));
    expect(fixed.expected).toEqual({ image: 'v2', version: '2.0.0+0', imageOk: 'unset' });
    const control = fixed.explain({ cut: 0 });
    expect(control.result.ok).toBe(true);
    expect(control.life.calls.map((c) => c.kind)).toEqual(['boot', 'erase', 'boot', 'boot']);
    // The revert request is gone: the primary trailer was erased (an image without one is permanent).
    expect(fixed.device.readSwapState(1)).toMatchObject({ magic: 'unset', copyDone: 'unset', imageOk: 'unset' });
    // Cutting the fixed loader's erase of the primary trailer, torn or not, is harmless too.
    for (const fault of ['torn-erase', 'torn-write'] as const) {
      const { results } = await campaign(exposing(v, { variant: undefined, fault }));
      expect(results.filter((r) => !r.ok)).toEqual([]);
    }
  });

  it('swap-offset@pr2214: only the maximum image on the optimal layout is refused; on equal slots the variant still upgrades', async () => {
    const v = variant('swap-offset@pr2214');
    const broken = await campaign(exposing(v));
    // "Not enough free space": v1 keeps running, and every power-on programs copy_done again.
    expect(broken.results[0].detail).toBe('still changing flash after 8 power-ons (the last booted v1.0.0+0)');
    const { results } = await campaign(exposing(v, { device: 'nrf52840' }));
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });
});

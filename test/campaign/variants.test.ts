/**
 * Real MCUboot power-loss bugs, reproduced by test-only variants that behave as the old
 * releases did: the campaign must find each one (and give an id that replays it), while
 * the current strategy passes the very same campaign.
 */
import { describe, expect, it } from 'vitest';
import { CampaignRunner, type ScenarioResult } from '../../src/campaign/runner.js';
import { parseScenarioId, type CampaignSpec } from '../../src/campaign/spec.js';
import { VARIANTS } from '../../src/campaign/variants.js';

async function campaign(spec: CampaignSpec): Promise<ScenarioResult[]> {
  const runner = await CampaignRunner.create(spec);
  return [...runner.run(Array.from({ length: runner.units }, (_, i) => i + 1))];
}

describe('historical MCUboot bugs are found by the campaign', () => {
  for (const v of VARIANTS) {
    const spec: CampaignSpec = {
      device: v.exposedBy.device, strategy: v.name as CampaignSpec['strategy'], upgrade: v.exposedBy.upgrade, plan: 'exhaustive',
      fault: v.exposedBy.fault, imageSize: 'max', ...(v.exposedBy.v1Size ? { v1Size: v.exposedBy.v1Size } : {}), seed: 1, sample: 0,
    };
    it(`${v.name}: found under ${v.exposedBy.fault}, replayable, and absent from ${v.strategy}`, async () => {
      const broken = await campaign(spec);
      const failed = broken.filter((r) => !r.ok);
      expect(failed.length).toBeGreaterThan(0);

      // The first failure's id replays to the same failure.
      const { spec: again, ref } = parseScenarioId(failed[0].id);
      const runner = await CampaignRunner.create(again);
      const replayed = runner.explain(ref).result;
      expect(replayed).toEqual(failed[0]);

      const fixed = await campaign({ ...spec, strategy: v.strategy });
      expect(fixed.length).toBeGreaterThan(100);
      expect(fixed.filter((r) => !r.ok)).toEqual([]);
    });
  }
});

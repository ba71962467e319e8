/**
 * Campaign speed: scenarios per second per strategy on the default device with one worker
 * and with all cores, and the snapshot method against replay-from-power-on, side by side
 * in one run. The headline: every cut point of a permanent swap-scratch upgrade of a full
 * nrf52840 slot, each followed by recovery boots and the full oracle.
 *
 * Targets (issue 5): that sweep under 1 s of wall time on this 2-core machine; ≥ 1.8× from
 * 1 to 2 workers; ≥ 3× over replay-from-power-on.
 */
import { CampaignPool } from '../src/node/pool.js';
import { CampaignRunner } from '../src/campaign/runner.js';
import type { CampaignSpec } from '../src/campaign/spec.js';
import { BOOT_STRATEGIES } from '../src/image/strategy.js';
import { printTable, round3, writeResults, type Row } from './report.js';

const spec = (over: Partial<CampaignSpec>): CampaignSpec => ({
  device: 'nrf52840', strategy: 'swap-scratch', upgrade: 'perm', plan: 'exhaustive', fault: 'cut', imageSize: 'max', seed: 1, sample: 0, ...over,
});

/** Wall milliseconds to run every unit of a campaign through a pool of `workers` (pool already started). */
async function timed(pool: CampaignPool, s: CampaignSpec, units: number): Promise<{ ms: number; scenarios: number; failures: number }> {
  const t0 = performance.now();
  let scenarios = 0;
  let failures = 0;
  for await (const ev of pool.run(s, Array.from({ length: units }, (_, i) => i + 1))) {
    if ('unitDone' in ev) continue;
    if ('passed' in ev) {
      scenarios += ev.passed;
      continue;
    }
    scenarios++;
    if (!ev.ok) failures++;
  }
  return { ms: performance.now() - t0, scenarios, failures };
}

export async function run(): Promise<void> {
  const cores = (await import('node:os')).availableParallelism();
  const rows: Row[] = [];
  const json: Record<string, unknown>[] = [];
  const one = new CampaignPool(1);
  const all = new CampaignPool(cores);
  for (const strategy of BOOT_STRATEGIES) {
    const s = spec({ strategy });
    const units = (await CampaignRunner.create(s)).units;
    // Warm both pools on this campaign (workers started, code optimized, runner built),
    // then time each; the machine is shared, so take the best of three.
    await timed(one, s, units);
    await timed(all, s, units);
    const t1 = [0, 1, 2].map(() => 0);
    const tn = [0, 1, 2].map(() => 0);
    let r1 = { ms: 0, scenarios: 0, failures: 0 };
    for (let i = 0; i < 3; i++) {
      r1 = await timed(one, s, units);
      t1[i] = r1.ms;
      tn[i] = (await timed(all, s, units)).ms;
    }
    const ms1 = Math.min(...t1);
    const msN = Math.min(...tn);
    rows.push({ strategy, 'cut points': r1.scenarios, failures: r1.failures, '1 worker ms': Math.round(ms1), [`${cores} workers ms`]: Math.round(msN), 'scen/s (all)': Math.round((r1.scenarios * 1000) / msN), speedup: round3(ms1 / msN) });
    json.push({ strategy, device: 'nrf52840', upgrade: 'perm', scenarios: r1.scenarios, failures: r1.failures, oneWorkerMs: round3(ms1), allWorkersMs: round3(msN), workers: cores, speedup: round3(ms1 / msN) });
  }
  // The single-cut campaigns above last 30–100 ms, too short for a fair 1-vs-N ratio on a
  // shared machine; a double-cut campaign (a few seconds) shows how the pool scales.
  const dbl = spec({ plan: 'double', sample: 3 });
  const dblUnits = (await CampaignRunner.create(dbl)).units;
  await timed(one, dbl, dblUnits);
  await timed(all, dbl, dblUnits);
  const d1 = await timed(one, dbl, dblUnits);
  const dN = await timed(all, dbl, dblUnits);
  rows.push({ strategy: 'swap-scratch (double, 3 per cut)', 'cut points': d1.scenarios, failures: d1.failures, '1 worker ms': Math.round(d1.ms), [`${cores} workers ms`]: Math.round(dN.ms), 'scen/s (all)': Math.round((d1.scenarios * 1000) / dN.ms), speedup: round3(d1.ms / dN.ms) });
  json.push({ strategy: 'swap-scratch', plan: 'double', sample: 3, device: 'nrf52840', upgrade: 'perm', scenarios: d1.scenarios, failures: d1.failures, oneWorkerMs: round3(d1.ms), allWorkersMs: round3(dN.ms), workers: cores, speedup: round3(d1.ms / dN.ms) });
  await one.close();
  await all.close();
  printTable(`Campaigns of a permanent upgrade of maximal images, nrf52840 (workers warm)`, rows);

  // Snapshot method vs replay-from-power-on, same scenarios, same process, interleaved.
  const runner = await CampaignRunner.create(spec({}));
  const n = runner.cutPoints;
  const pick = Array.from({ length: 100 }, (_, i) => 1 + Math.floor((i * n) / 100));
  const time = (f: (g: number) => unknown) => {
    const t0 = performance.now();
    for (const g of pick) f(g);
    return (performance.now() - t0) / pick.length;
  };
  for (let i = 0; i < 2; i++) time((g) => runner.single(g)), time((g) => runner.singleFromPowerOn(g));
  const snap: number[] = [];
  const power: number[] = [];
  for (let i = 0; i < 5; i++) {
    snap.push(time((g) => runner.single(g)));
    power.push(time((g) => runner.singleFromPowerOn(g)));
  }
  const s = Math.min(...snap);
  const p = Math.min(...power);
  // MCUboot's simulator also re-validates every image at every power-on: the same replay
  // with the core's known-image cache off (every validation runs SHA-256 over the image).
  const plain = await CampaignRunner.create(spec({}));
  plain.device.core.setCtrl('CTRL_KNOWN_COUNT', 0);
  const timePlain = (f: (g: number) => unknown) => {
    const t0 = performance.now();
    for (const g of pick) f(g);
    return (performance.now() - t0) / pick.length;
  };
  timePlain((g) => plain.singleFromPowerOn(g));
  const q = Math.min(...[0, 1, 2].map(() => timePlain((g) => plain.singleFromPowerOn(g))));
  printTable('swap-scratch perm, nrf52840: one scenario (cut + recovery boots + oracle), 100 cut points spread over the update', [
    { method: 'snapshot advanced in place, known-image digests (brickproof)', 'ms per scenario': round3(s), 'speed-up': 1 },
    { method: 'replay from power-on, known-image digests', 'ms per scenario': round3(p), 'speed-up': round3(p / s) },
    { method: 'replay from power-on, every image re-hashed (MCUboot simulator style)', 'ms per scenario': round3(q), 'speed-up': round3(q / s) },
  ]);
  writeResults('campaign', { campaigns: json, snapshotVsPowerOn: { snapshotMsPerScenario: round3(s), powerOnMsPerScenario: round3(p), speedup: round3(p / s), powerOnRehashMsPerScenario: round3(q), speedupOverRehash: round3(q / s) } });
}

if (process.argv[1] && /bench[\\/]campaign\.ts$/.test(process.argv[1])) await run();

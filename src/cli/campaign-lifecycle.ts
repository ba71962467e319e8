/**
 * `brickproof campaign --plan lifecycle --lives N`: N seeded device lives (src/campaign/
 * lifecycle.ts) over the chosen devices (comma-separated) and strategies, on all cores; a
 * table per (strategy, device), the failures with their replay ids, exit 1 if any.
 * `--replay ID --log` re-lives one and prints its milestone log.
 */
import { CheckFailed, UsageError } from '../errors.js';
import { findProfile } from '../device/profiles.js';
import { parseLifeStrategy, SWAP_STRATEGIES as STRATEGIES, type BootStrategy as Strategy } from '../image/strategy.js';
import { FAULT_MODELS, type FaultModel } from '../core/index.js';
import { formatMilestone } from '../app/milestones.js';
import { expectedEnd, LifecycleRunner, lifePairs, parseLifeId, type LifecycleSpec, type LifeResult } from '../campaign/plans/lifecycle.js';
import { defaultLifeWorkers, LifecyclePool } from '../node/lifecycle-pool.js';
import { parseShard } from '../campaign/spec.js';
import { formatLifecycleTable, lifecycleReport, type LifecycleRow } from '../campaign/report.js';
import { checkResultsPath, ResultsWriter, RESULTS_FORMAT, shardLives, type LifecycleHeader } from '../node/results.js';
import { parseInteger, type ParsedArgs } from './args.js';
import { printJson } from './image-io.js';

export async function runLifecycle(args: ParsedArgs): Promise<number> {
  const devices = (args.string('device') ?? 'nrf52840').split(',').map((d) => findProfile(d.trim()).name);
  const strategies: Strategy[] = args.string('strategy') === undefined || args.string('strategy') === 'all' ? [...STRATEGIES] : args.string('strategy')!.split(',').map((s) => parseLifeStrategy(s.trim()));
  const fault = (args.string('fault') ?? 'cut') as FaultModel;
  if (!(FAULT_MODELS as readonly string[]).includes(fault)) throw new UsageError(`unknown fault model '${fault}' (expected one of: ${FAULT_MODELS.join(', ')})`);
  const seed = args.string('seed') === undefined ? 1 : parseInteger(args.string('seed')!, '--seed', { min: 0, max: 2 ** 31 - 1 });
  const lives = args.string('lives') === undefined ? 1000 : parseInteger(args.string('lives')!, '--lives', { min: 1 });
  const daysText = args.string('days') ?? '7';
  const days = Number(daysText);
  if (!(days > 0) || !Number.isFinite(days)) throw new UsageError(`--days '${daysText}' must be a number > 0`);
  const workers = args.string('workers') === undefined ? defaultLifeWorkers() : parseInteger(args.string('workers')!, '--workers', { min: 1, max: 256 });
  const shard = args.string('shard') === undefined ? { index: 1, count: 1 } : parseShard(args.string('shard')!);
  const spec: LifecycleSpec = { devices, strategies, fault, seed, days };
  lifePairs(spec); // no pair at all is a usage error
  const units = shardLives(lives, shard);
  if (!units.length) throw new UsageError(`--shard ${shard.index}/${shard.count} holds no life of ${lives}: use at most ${lives} shards`);
  const outPath = args.string('out');
  if (outPath !== undefined) checkResultsPath(outPath, { resume: false, force: args.bool('force'), resumable: false });

  const out = outPath === undefined ? undefined : ResultsWriter.open(outPath);
  const results: LifeResult[] = [];
  const pool = new LifecyclePool(workers, args.bool('no-memo') ? { memoBoots: false } : {});
  const t0 = performance.now();
  let failed = 0;
  const tty = process.stderr.isTTY && !args.bool('json');
  try {
    out?.line({ type: 'lifecycle', format: RESULTS_FORMAT, spec, lives, shard } satisfies LifecycleHeader);
    for await (const r of pool.run(spec, units)) {
      out?.line({ type: 'life', result: r });
      out?.flushSoon();
      results.push(r);
      if (!r.ok) failed++;
      if (tty && results.length % 50 === 0) process.stderr.write(`\r${results.length}/${units.length} lives · ${Math.round((results.length * 1000) / (performance.now() - t0))} lives/s · failures ${failed}  `);
    }
    out?.line({ type: 'done', lives: results.length, wallMs: Math.round(performance.now() - t0) });
  } finally {
    await pool.close();
    out?.close();
  }
  const wallMs = performance.now() - t0;
  if (tty) process.stderr.write('\r\x1b[2K');
  const { summary, failures } = lifecycleReport(results, fault);
  if (args.bool('json')) {
    printJson({ summary, failures, wallMs: Math.round(wallMs), livesPerSecond: Math.round((units.length * 1000) / wallMs) });
  } else {
    printLifecycleReport(summary, failures);
    process.stdout.write(`${units.length} lives in ${(wallMs / 1000).toFixed(2)} s (${Math.round((units.length * 1000) / wallMs)} lives/s on ${workers} worker${workers === 1 ? '' : 's'})\n`);
  }
  return failures.length ? 1 : 0;
}

/** The table of a lifecycle campaign and its failing lives with their replay ids. */
export function printLifecycleReport(summary: LifecycleRow[], failures: Array<{ id: string; rule: string; detail: string }>): void {
  process.stdout.write(`${formatLifecycleTable(summary)}\n`);
  if (failures.length) {
    process.stdout.write(`\n${failures.length} li${failures.length === 1 ? 'fe' : 'ves'} failed; replay one with: brickproof campaign --replay ID --log\n`);
    for (const f of failures.slice(0, 20)) process.stdout.write(`  ${f.id}  ${f.rule}: ${f.detail}\n`);
  }
}

/** Re-lives one life by its id; with `log`, prints its milestones. Exit 1 when it fails. */
export async function replayLife(id: string, log: boolean, json: boolean): Promise<number> {
  const { spec, index } = parseLifeId(id);
  const runner = new LifecycleRunner(spec);
  // The id holds all a life depends on (pair, fault, seed, days, index): it replays alone.
  const result = await runner.run(index);
  const { plan, life } = await runner.life(index);
  life.run({ days: spec.days });
  life.settle();
  const report = life.report();
  if (json) {
    printJson({ ...result, plan, expected: expectedEnd(plan), milestones: log ? report.milestones : undefined, final: report.final, energy: report.energy });
    return result.ok ? 0 : 1;
  }
  const w = (s: string) => process.stdout.write(`${s}\n`);
  w(`life ${result.id}`);
  w(`plan: releases ${plan.releases.join(' then ')} (${plan.upgrade}), ${plan.chunkSize}-byte chunks, power loss ${plan.aimed.length ? plan.aimed.map((a) => `at ${a.phase} ${a.fraction.toFixed(3)}`).join(', ') : 'at random only'}`);
  if (log) for (const m of report.milestones) w(formatMilestone(m));
  const want = expectedEnd(plan);
  w(`end: ${report.final.version} (${report.final.confirmed ? 'confirmed' : 'unconfirmed'}); expected ${want.version} (${want.confirmed ? 'confirmed' : 'unconfirmed'})`);
  for (const c of report.stats.cuts) w(`power loss mid-download at ${Math.round(c.tMs)} ms (${c.during}): ${c.redownloadedBytes} bytes downloaded again, at most ${c.boundBytes} could be damaged`);
  w(result.ok ? 'result: ok' : `result: FAILED (${result.rule}) ${result.detail}`);
  if (!result.ok) throw new CheckFailed(`${result.id}: ${result.rule}`);
  return 0;
}

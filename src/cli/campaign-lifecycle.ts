/**
 * `brickproof campaign --plan lifecycle --lives N`: N seeded device lives (src/campaign/
 * lifecycle.ts) over the chosen devices (comma-separated) and strategies, on all cores; a
 * table per (strategy, device), the failures with their replay ids, exit 1 if any.
 * `--replay ID --log` re-lives one and prints its milestone log.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { CheckFailed, UsageError } from '../errors.js';
import { findProfile } from '../device/profiles.js';
import { parseStrategy, SWAP_STRATEGIES as STRATEGIES, type BootStrategy as Strategy } from '../image/strategy.js';
import { FAULT_MODELS, type FaultModel } from '../core/index.js';
import { formatMilestone } from '../app/milestones.js';
import { expectedEnd, LifecycleRunner, lifePairs, parseLifeId, type LifecycleSpec, type LifeResult } from '../campaign/plans/lifecycle.js';
import { defaultLifeWorkers, LifecyclePool } from '../node/lifecycle-pool.js';
import { parseShard } from '../campaign/spec.js';
import { parseInteger, type ParsedArgs } from './args.js';
import { printJson } from './image-io.js';

export interface LifecycleRow {
  strategy: string;
  device: string;
  fault: string;
  lives: number;
  bricked: number;
  failures: number;
  /** Power losses that interrupted a download, and the most any of them cost in re-downloaded bytes. */
  cutsMidDownload: number;
  maxRedownloadBytes: number;
  meanMah: number;
  meanOtaMah: number;
}

export async function runLifecycle(args: ParsedArgs): Promise<number> {
  const devices = (args.string('device') ?? 'nrf52840').split(',').map((d) => findProfile(d.trim()).name);
  const strategies: Strategy[] = args.string('strategy') === undefined || args.string('strategy') === 'all' ? [...STRATEGIES] : args.string('strategy')!.split(',').map((s) => parseStrategy(s.trim()));
  const fault = (args.string('fault') ?? 'cut') as FaultModel;
  if (!(FAULT_MODELS as readonly string[]).includes(fault)) throw new UsageError(`unknown fault model '${fault}' (expected one of: ${FAULT_MODELS.join(', ')})`);
  const seed = args.string('seed') === undefined ? 1 : parseInteger(args.string('seed')!, '--seed', { min: 0, max: 2 ** 31 - 1 });
  const lives = args.string('lives') === undefined ? 1000 : parseInteger(args.string('lives')!, '--lives', { min: 1 });
  const daysText = args.string('days') ?? '7';
  const days = Number(daysText);
  if (!(days > 0)) throw new UsageError(`--days '${daysText}' must be a number > 0`);
  const workers = args.string('workers') === undefined ? defaultLifeWorkers() : parseInteger(args.string('workers')!, '--workers', { min: 1, max: 256 });
  const shard = args.string('shard') === undefined ? { index: 1, count: 1 } : parseShard(args.string('shard')!);
  if (args.bool('resume')) throw new UsageError('--resume is not supported with --plan lifecycle (a life is seconds at most: run the shard again)');
  const spec: LifecycleSpec = { devices, strategies, fault, seed, days };
  lifePairs(spec); // no pair at all is a usage error
  const units = Array.from({ length: lives }, (_, i) => i).filter((u) => u % shard.count === shard.index - 1);

  let out: WriteStream | undefined;
  if (args.string('out')) out = createWriteStream(args.string('out')!);
  out?.write(`${JSON.stringify({ type: 'lifecycle', spec, lives, shard })}\n`);
  const rows = new Map<string, LifecycleRow>();
  const failed: LifeResult[] = [];
  const pool = new LifecyclePool(workers);
  const t0 = performance.now();
  let done = 0;
  const tty = process.stderr.isTTY && !args.bool('json');
  for await (const r of pool.run(spec, units)) {
    out?.write(`${JSON.stringify({ type: 'life', result: r })}\n`);
    const key = `${r.strategy}/${r.device}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { strategy: r.strategy, device: r.device, fault, lives: 0, bricked: 0, failures: 0, cutsMidDownload: 0, maxRedownloadBytes: 0, meanMah: 0, meanOtaMah: 0 }));
    row.lives++;
    row.meanMah += (r.totalMah - row.meanMah) / row.lives;
    row.meanOtaMah += (r.otaMah - row.meanOtaMah) / row.lives;
    row.cutsMidDownload += r.cuts.length;
    for (const [re] of r.cuts) row.maxRedownloadBytes = Math.max(row.maxRedownloadBytes, re);
    if (!r.ok) {
      if (r.rule === 'bricked') row.bricked++;
      else row.failures++;
      failed.push(r);
    }
    if (tty && ++done % 50 === 0) process.stderr.write(`\r${done}/${units.length} lives · ${Math.round((done * 1000) / (performance.now() - t0))} lives/s · failures ${failed.length}  `);
  }
  const wallMs = performance.now() - t0;
  if (tty) process.stderr.write('\r\x1b[2K');
  await pool.close();
  if (out) await new Promise<void>((r) => out!.end(r));
  const summary = [...rows.values()].sort((a, b) => (a.device + a.strategy < b.device + b.strategy ? -1 : 1));
  const failures = failed.sort((a, b) => a.unit - b.unit).map((f) => ({ id: f.id, rule: f.rule!, detail: f.detail ?? '' }));
  if (args.bool('json')) {
    printJson({ summary, failures, wallMs: Math.round(wallMs), livesPerSecond: Math.round((units.length * 1000) / wallMs) });
  } else {
    process.stdout.write(`${formatRows(summary)}\n${units.length} lives in ${(wallMs / 1000).toFixed(2)} s (${Math.round((units.length * 1000) / wallMs)} lives/s on ${workers} worker${workers === 1 ? '' : 's'})\n`);
    if (failures.length) {
      process.stdout.write(`\n${failures.length} li${failures.length === 1 ? 'fe' : 'ves'} failed; replay one with: brickproof campaign --replay ID --log\n`);
      for (const f of failures.slice(0, 20)) process.stdout.write(`  ${f.id}  ${f.rule}: ${f.detail}\n`);
    }
  }
  return failures.length ? 1 : 0;
}

function formatRows(rows: LifecycleRow[]): string {
  const head = ['strategy', 'device', 'fault', 'lives', 'bricked', 'failures', 'cuts mid-download', 'max re-download', 'mean mAh', 'mean OTA mAh'];
  const body = rows.map((r) => [r.strategy, r.device, r.fault, String(r.lives), String(r.bricked), String(r.failures), String(r.cutsMidDownload), `${r.maxRedownloadBytes} B`, r.meanMah.toFixed(2), r.meanOtaMah.toFixed(3)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
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

/**
 * `brickproof campaign`: cut the power at every flash operation of an update (or twice, or
 * at random), on all cores, and check after each cut that the device still boots the right
 * image and ends where an uninterrupted update ends.
 *
 *   brickproof campaign --device nrf52840 --strategy swap-scratch --upgrade perm
 *   brickproof campaign --strategy all --upgrade all --plan double --sample 20 --out r.jsonl
 *   brickproof campaign --shard 3/8 --out shard3.jsonl …      (one slice of a larger run)
 *   brickproof campaign merge shard*.jsonl                      (the report of the whole run)
 *   brickproof campaign --replay swap-scratch/nrf52840/perm/cut@417 --trace
 */
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { traceLine } from '../core/index.js';
import { CheckFailed, UsageError } from '../errors.js';
import { versionString } from '../device/device.js';
import { getDevice } from '../device/device-file.js';
import { assertStrategyAllowed } from '../device/profiles.js';
import { BOOT_STRATEGIES } from '../image/strategy.js';
import { campaignKey, formatTable, makeReport, Tally, type Report } from '../campaign/report.js';
import { CampaignRunner, type ScenarioResult } from '../campaign/runner.js';
import {
  MEMO_PLANS, parseFault, parsePlan, parseScenarioId, parseShard, parseStrategyName, parseUpgrade, parseV1Trailer, strategyLabel, UPGRADES, type CampaignSpec, type Plan, type Upgrade,
} from '../campaign/spec.js';
import type { FaultModel } from '../core/index.js';
import { CampaignPool, defaultWorkers } from '../node/pool.js';
import { completedUnits, mergeResults } from '../node/results.js';
import { type FlagSpecs, helpText, parseArgs, parseInteger } from './args.js';
import { BUILD_FLAGS, buildFromArgs, DEVICE_FLAGS, deviceFromArgs } from './device-options.js';
import { printJson } from './output.js';

const SPECS: FlagSpecs = {
  ...DEVICE_FLAGS,
  strategy: { type: 'string', metavar: 'S[,S…]|all', help: 'strategies to test (default: all this device supports)' },
  upgrade: { type: 'string', metavar: 'U[,U…]|all', help: 'test (confirmed by the app), perm, revert (never confirmed); default all (these three); also erase-secondary (never confirmed: the app erases the secondary instead)' },
  plan: { type: 'string', metavar: 'PLAN', help: 'exhaustive (default): one cut at every op; double: a second cut in the recovery boot; triple: a third cut in the recovery boot after that; random: several cuts at random; lifecycle: whole device lives (--lives N)' },
  fault: { type: 'string', metavar: 'MODEL', help: 'cut (default), torn-write, torn-erase, bit-noise' },
  'image-size': { type: 'string', metavar: 'BYTES|max', help: 'total size of the images (default max: the largest the strategy allows)' },
  'v1-size': { type: 'string', metavar: 'BYTES', help: 'total size of the running image, when it differs from the update' },
  'v1-trailer': { type: 'string', metavar: 'pad|pad-confirm', help: 'the running image was flashed with imgtool --pad (magic) or --pad --confirm (magic, image_ok)' },
  ...BUILD_FLAGS,
  seed: { type: 'string', metavar: 'N', help: 'campaign seed (default 1)' },
  sample: { type: 'string', metavar: 'N', help: 'double: second cuts per first cut (default all); triple: second cuts per first cut and third cuts per second cut (default all); random: runs (default 100)' },
  'no-memo': { type: 'boolean', help: 'double, triple, random: run every power-on instead of taking it from the memo of power-on states (slower; same results)' },
  workers: { type: 'string', metavar: 'N', help: 'threads running scenarios, this one included (default: all cores, once the work is long enough to gain from them)' },
  shard: { type: 'string', metavar: 'i/N', help: 'run only the i-th of N deterministic slices' },
  out: { type: 'string', metavar: 'FILE.jsonl', help: 'stream every scenario result to this file' },
  resume: { type: 'boolean', help: 'continue the run recorded in --out, skipping what it already did' },
  replay: { type: 'string', metavar: 'ID', help: 're-run one scenario by its id and explain it' },
  trace: { type: 'boolean', help: 'with --replay: every flash operation after the cut' },
  lives: { type: 'string', metavar: 'N', help: 'with --plan lifecycle: device lives to run (default 1000)' },
  days: { type: 'string', metavar: 'N', help: 'with --plan lifecycle: virtual days per life (default 7)' },
  log: { type: 'boolean', help: 'with --replay of a lifecycle id: print the life\'s milestone log' },
  json: { type: 'boolean', help: 'print the report as JSON (no progress bar)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

function list<T>(value: string | undefined, all: readonly T[], parse: (v: string) => T): T[] {
  if (value === undefined || value === 'all') return [...all];
  return value.split(',').map((v) => parse(v.trim()));
}

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'merge') return merge(argv.slice(1));
  const args = parseArgs(argv, SPECS);
  if (args.bool('help')) {
    process.stdout.write(helpText('campaign', 'Cut the power at every flash operation of an update and check the device always boots.', SPECS));
    return 0;
  }
  // Whole lives (the application, the OTA task, signed releases) load only when asked for.
  const replayId = args.string('replay');
  if (replayId && (await import('../campaign/plans/lifecycle.js')).isLifeId(replayId)) return (await import('./campaign-lifecycle.js')).replayLife(replayId, args.bool('log'), args.bool('json'));
  if (args.string('plan') === 'lifecycle') {
    if (args.bool('no-memo')) throw new UsageError(`--no-memo does nothing with --plan lifecycle: only the ${MEMO_PLANS.join(', ')} plans memoize power-ons`);
    return (await import('./campaign-lifecycle.js')).runLifecycle(args);
  }
  if (args.string('replay')) return replay(args.string('replay')!, args.bool('trace'), args.bool('json'), args.string('device-file'));

  const deviceFile = args.string('device-file') === undefined ? undefined : resolve(args.string('device-file')!);
  const device = deviceFromArgs(args, deviceFile);
  const supported = BOOT_STRATEGIES.filter((s) => !device.excluded.includes(s)).map((strategy) => ({ strategy }));
  const strategies = list(args.string('strategy'), supported, (v) => {
    const named = parseStrategyName(v);
    assertStrategyAllowed(device, named.strategy);
    return named;
  });
  const upgrades = list<Upgrade>(args.string('upgrade'), UPGRADES, parseUpgrade);
  const plan = parsePlan(args.string('plan') ?? 'exhaustive');
  const fault = parseFault(args.string('fault') ?? 'cut');
  const sizeArg = args.string('image-size') ?? 'max';
  const imageSize = sizeArg === 'max' ? 'max' : parseInteger(sizeArg, '--image-size', { min: 1 });
  const v1Size = args.string('v1-size') === undefined ? undefined : parseInteger(args.string('v1-size')!, '--v1-size', { min: 1 });
  const staging: Pick<CampaignSpec, 'v1Trailer' | 'maxAlign' | 'maxSectors'> = { ...buildFromArgs(args) };
  if (args.string('v1-trailer') !== undefined) staging.v1Trailer = parseV1Trailer(args.string('v1-trailer')!);
  const seed = args.string('seed') === undefined ? 1 : parseInteger(args.string('seed')!, '--seed', { min: 0, max: 2 ** 31 - 1 });
  const sample = args.string('sample') === undefined ? (plan === 'random' ? 100 : 0) : parseInteger(args.string('sample')!, '--sample', { min: 1 });
  checkPlan(plan, fault, args.string('sample'), args.bool('no-memo'));
  const memo = !args.bool('no-memo');
  const workers = args.string('workers') === undefined ? defaultWorkers() : parseInteger(args.string('workers')!, '--workers', { min: 1, max: 256 });
  const shard = args.string('shard') === undefined ? { index: 1, count: 1 } : parseShard(args.string('shard')!);
  const outPath = args.string('out');
  if (args.bool('resume') && !outPath) throw new UsageError('--resume needs --out FILE.jsonl (the run to continue)');
  const json = args.bool('json');

  const done = args.bool('resume') && outPath ? completedUnits(outPath) : new Map();
  let out: WriteStream | undefined;
  if (outPath) out = createWriteStream(outPath, { flags: args.bool('resume') && existsSync(outPath) ? 'a' : 'w' });
  const write = (o: unknown) => out?.write(`${JSON.stringify(o)}\n`);

  const runs: Array<{ spec: CampaignSpec; tally: Tally }> = [];
  const pool = new CampaignPool(workers);
  const progress = process.stderr.isTTY && !json ? new Progress() : undefined;
  for (const named of strategies) {
    for (const upgrade of upgrades) {
      const spec: CampaignSpec = { device: device.name, ...(deviceFile ? { deviceFile } : {}), ...named, upgrade, plan, fault, imageSize, ...(v1Size !== undefined ? { v1Size } : {}), ...staging, seed, sample };
      const key = campaignKey(spec);
      const tally = new Tally();
      runs.push({ spec, tally });
      // This thread's runner gives the unit count (workers rebuild the same update themselves).
      const probe = await pool.runner(spec, memo ? {} : { memo: false });
      const all = Array.from({ length: probe.units }, (_, i) => i + 1).filter((u) => (u - 1) % shard.count === shard.index - 1);
      const prior = done.get(key);
      for (const r of prior?.results ?? []) tally.add(r);
      const units = all.filter((u) => !prior?.units.has(u));
      if (!prior) write({ type: 'campaign', key, spec, shard });
      progress?.start(`${strategyLabel(spec)} ${upgrade}`, all.length, all.length - units.length);
      const t0 = performance.now();
      const campaignsAfter = strategies.length * upgrades.length - runs.length;
      // Without a results file only failures need their ids: passing scenarios come counted.
      for await (const ev of pool.run(spec, units, { counted: !out, campaignsAfter, ...(memo ? {} : { memo: false }) })) {
        if ('unitDone' in ev) {
          write({ type: 'unit', key, unit: ev.unitDone });
          progress?.unit(tally);
        } else if ('passed' in ev) {
          tally.addPassed(ev.passed);
        } else {
          tally.add(ev);
          write({ type: 'scenario', key, result: ev });
        }
      }
      const wall = performance.now() - t0;
      tally.wallMs = wall + (prior?.wallMs ?? 0);
      const stats = pool.memoStats(spec);
      tally.memo = probe.memo !== undefined;
      tally.powerOnStates = stats.powerOnStates + (prior?.powerOnStates ?? 0);
      tally.memoHits = stats.memoHits + (prior?.memoHits ?? 0);
      write({ type: 'end', key, wallMs: Math.round(wall), ...(tally.memo ? { memo: true, powerOnStates: stats.powerOnStates, memoHits: stats.memoHits } : {}) });
      progress?.end();
    }
  }
  await pool.close();
  if (out) await new Promise<void>((r) => out!.end(r));
  const report = makeReport(runs);
  print(report, json);
  return report.summary.some((r) => r.bricked || r.failures) ? 1 : 0;
}

/**
 * Plan options that make no sense together: a triple-cut plan under a torn fault with every
 * cut taken (only under `cut` do its scenarios share their work: a torn cut leaves different
 * bytes in each), `--sample` for the exhaustive plan (it cuts every operation), `--no-memo`
 * for a plan without a memo.
 */
function checkPlan(plan: Plan, fault: FaultModel, sample: string | undefined, noMemo: boolean): void {
  if (plan === 'triple' && fault !== 'cut' && sample === undefined) {
    throw new UsageError(`--plan triple --fault ${fault} needs --sample N: every third cut of every second cut shares work only under --fault cut (a torn cut leaves different bytes in every scenario)`);
  }
  if (plan === 'exhaustive' && sample !== undefined) throw new UsageError(`--sample ${sample} does nothing with --plan exhaustive (one cut at every operation); it applies to the double, triple and random plans`);
  if (noMemo && !MEMO_PLANS.includes(plan)) {
    throw new UsageError(`--no-memo does nothing with --plan ${plan}: only the ${MEMO_PLANS.join(', ')} plans memoize power-ons (every scenario of the exhaustive plan powers on from a distinct state)`);
  }
}

function print(report: Report, json: boolean): void {
  if (json) {
    printJson(report);
    return;
  }
  process.stdout.write(`${formatTable(report.summary)}\n`);
  if (report.failures.length) {
    process.stdout.write(`\n${report.failures.length} scenario(s) failed; replay one with: brickproof campaign --replay ID --trace\n`);
    for (const f of report.failures.slice(0, 20)) process.stdout.write(`  ${f.id}  ${f.rule}: ${f.detail}\n`);
    if (report.failures.length > 20) process.stdout.write(`  … and ${report.failures.length - 20} more (--json or --out for all)\n`);
  }
}

async function merge(paths: string[]): Promise<number> {
  const json = paths.includes('--json');
  const files = paths.filter((p) => p !== '--json');
  if (!files.length) throw new UsageError('campaign merge needs result files: brickproof campaign merge a.jsonl b.jsonl …');
  const report = mergeResults(files);
  print(report, json);
  return report.summary.some((r) => r.bricked || r.failures) ? 1 : 0;
}

async function replay(id: string, trace: boolean, json: boolean, deviceFile?: string): Promise<number> {
  const { spec, ref } = parseScenarioId(id);
  if (deviceFile !== undefined) {
    spec.deviceFile = resolve(deviceFile);
    const device = getDevice(undefined, spec.deviceFile);
    if (device.name !== spec.device) throw new UsageError(`replay id names device '${spec.device}' but ${deviceFile} describes '${device.name}'`);
  } else {
    getDevice(spec.device);
  }
  const runner = await CampaignRunner.create(spec);
  const ex = runner.explain(ref);
  const r: ScenarioResult = ex.result;
  if (json) {
    printJson({ ...r, cut: ex.cut, calls: ex.life.calls.map((c) => ({ kind: c.kind, boot: c.boot, image: c.image, ops: trace ? c.ops.map(traceLine) : c.ops.length })) });
    return r.ok ? 0 : 1;
  }
  const w = (s: string) => process.stdout.write(`${s}\n`);
  w(`scenario ${r.id}`);
  if (runner.expected) w(`update: ${runner.cutPoints} flash operations uninterrupted; ends on v${runner.expected.version}, image_ok ${runner.expected.imageOk}`);
  else w(`update: fails uninterrupted (${runner.controlFailure!.rule}), after ${runner.cutPoints} flash operations`);
  if (ex.cut) {
    for (const [i, op] of ex.before.slice(-5).entries()) w(`  op ${ex.before.length - Math.min(5, ex.before.length) + i + 1}: ${traceLine(op)}`);
    const during = ex.cutCall === 'confirm' ? "application's confirm" : ex.cutCall === 'erase' ? "application's erase of the secondary" : 'bootloader';
    w(`  op ${ref.cut}: ${traceLine(ex.cut)}   <- power fails here (${spec.fault}) during the ${during}`);
    if (ref.cut2 !== undefined) w(`  then the first recovery boot is cut again before its op ${ref.cut2}`);
  }
  for (const [i, c] of ex.life.calls.entries()) {
    if (c.kind === 'boot' && c.boot) {
      const b = c.boot;
      w(`power-on ${i + 1}: requested ${b.requested}, ${b.resumed ? 'resumed the interrupted swap' : `swap type ${b.swapType}`}; ${b.outcome === 'ok' ? `boots v${versionString(b.version)} (${c.image ?? 'matches no installed image'})` : b.outcome}; ${c.ops.length} flash ops`);
    } else if (c.kind === 'boot') {
      w(`power-on ${i + 1}: crashed, after ${c.ops.length} flash ops`);
    } else if (c.kind === 'confirm') {
      w(`application: boot_set_confirmed(); ${c.ops.length} flash ops`);
    } else {
      w(`application: erases the secondary slot; ${c.ops.length} flash ops`);
    }
    if (trace) for (const op of c.ops) w(`    ${traceLine(op)}`);
  }
  w(r.ok ? 'result: ok — the device recovered to the uninterrupted end state' : `result: FAILED (${r.rule}) ${r.detail}`);
  if (!r.ok) throw new CheckFailed(`${r.id}: ${r.rule}`);
  return 0;
}


/** A progress bar on stderr: scenarios, rate, ETA, failures so far. */
class Progress {
  private label = '';
  private total = 0;
  private doneUnits = 0;
  private t0 = 0;
  private last = 0;

  start(label: string, total: number, already: number): void {
    this.label = label;
    this.total = total;
    this.doneUnits = already;
    this.t0 = performance.now();
  }

  unit(t: Tally): void {
    this.doneUnits++;
    const now = performance.now();
    if (now - this.last < 100 && this.doneUnits < this.total) return;
    this.last = now;
    const frac = this.total ? this.doneUnits / this.total : 1;
    const rate = t.scenarios / Math.max(0.001, (now - this.t0) / 1000);
    const eta = frac > 0 ? ((now - this.t0) / 1000) * (1 / frac - 1) : 0;
    const width = 24;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    process.stderr.write(`\r${this.label.padEnd(24)} [${bar}] ${this.doneUnits}/${this.total} · ${Math.round(rate)} scen/s · ETA ${eta.toFixed(1)} s · failures ${t.bricked + t.failures}  `);
  }

  end(): void {
    process.stderr.write('\r\x1b[2K');
  }
}

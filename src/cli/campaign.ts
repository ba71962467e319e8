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
import { resolve } from 'node:path';
import { traceLine, type PowerCut } from '../core/index.js';
import { CheckFailed, UsageError } from '../errors.js';
import { versionString, type BootResult } from '../device/device.js';
import { getDevice } from '../device/device-file.js';
import { assertStrategyAllowed } from '../device/profiles.js';
import { SWAP_STRATEGIES } from '../image/strategy.js';
import { campaignKey, formatTable, formatUnits, makeReport, Tally, type Report } from '../campaign/report.js';
import { CampaignRunner, type ScenarioResult } from '../campaign/runner.js';
import type { Call } from '../campaign/lifecycle.js';
import {
  MEMO_PLANS, parseFault, parsePlan, parseScenarioId, parseShard, parseStrategyName, parseUpgrade, parseV1Trailer, strategyLabel, UPGRADES, type CampaignSpec, type Plan, type Upgrade,
} from '../campaign/spec.js';
import type { FaultModel } from '../core/index.js';
import { CampaignPool, defaultWorkers } from '../node/pool.js';
import {
  checkResultsPath, mergeLifecycleResults, mergeResults, resultsKind, resumeState, ResultsWriter, RESULTS_FORMAT, shardUnits, type CampaignHeader, type RunHeader,
} from '../node/results.js';
import { type FlagSpecs, helpText, type ParsedArgs, parseArgs, parseInteger } from './args.js';
import { BUILD_FLAGS, buildFromArgs, DEVICE_FLAGS, deviceFromArgs, MODE_FLAGS } from './device-options.js';
import { printJson } from './output.js';
import { parseImageCount } from '../device/device.js';

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
  images: MODE_FLAGS.images,
  'hw-rollback': { type: 'boolean', help: 'MCUBOOT_HW_ROLLBACK_PROT: the images carry security counters 1 and 2; the NV counters must end as the uninterrupted update leaves them' },
  bootstrap: MODE_FLAGS.bootstrap,
  'downgrade-prevention': { type: 'boolean', help: 'MCUBOOT_DOWNGRADE_PREVENTION' },
  'enc-key': { type: 'string', metavar: 'FILE', help: 'MCUBOOT_ENC_IMAGES (swap-scratch): the update is encrypted for this private key (P-256 or X25519 PEM), which the bootloader holds; give it again with --replay' },
  'encrypt-keylen': MODE_FLAGS['encrypt-keylen'],
  seed: { type: 'string', metavar: 'N', help: 'campaign seed (default 1)' },
  sample: { type: 'string', metavar: 'N', help: 'double: second cuts per first cut (default all); triple: second cuts per first cut and third cuts per second cut (default all); random: runs (default 100)' },
  'no-memo': { type: 'boolean', help: 'double, triple, random: run every power-on instead of taking it from the memo of power-on states; lifecycle: run every boot instead of answering one that moves nothing from the boot memo (slower; same results)' },
  workers: { type: 'string', metavar: 'N', help: 'threads running scenarios, this one included (default: all cores, once the work is long enough to gain from them)' },
  shard: { type: 'string', metavar: 'i/N', help: 'run only the i-th of N deterministic slices' },
  out: { type: 'string', metavar: 'FILE.jsonl', help: 'stream every scenario result to this file (never over an existing one without --resume or --force)' },
  resume: { type: 'boolean', help: 'continue the run recorded in --out, skipping what it already did' },
  force: { type: 'boolean', help: 'overwrite an existing --out file' },
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

/** What the command line asks for: one scenario replayed, one life replayed, whole lives, or a campaign. */
type Mode = 'replay' | 'replay-life' | 'lifecycle' | 'campaign';

/** The flags each mode reads; any other flag given would do nothing, and is refused. */
const READS: Record<Mode, readonly string[]> = {
  replay: ['replay', 'trace', 'json', 'device-file', 'enc-key'],
  'replay-life': ['replay', 'log', 'json'],
  lifecycle: ['plan', 'device', 'strategy', 'fault', 'seed', 'no-memo', 'workers', 'shard', 'out', 'force', 'lives', 'days', 'json'],
  campaign: ['device', 'device-file', 'strategy', 'upgrade', 'plan', 'fault', 'image-size', 'v1-size', 'v1-trailer', 'max-align', 'max-sectors', 'images', 'hw-rollback', 'bootstrap', 'downgrade-prevention', 'enc-key', 'encrypt-keylen', 'seed', 'sample', 'no-memo', 'workers', 'shard', 'out', 'resume', 'force', 'json'],
};

/** Where a flag that only some modes read does something. */
const USED_WITH: Record<string, string> = {
  trace: 'with --replay of a scenario id',
  log: 'with --replay of a lifecycle id',
  lives: 'with --plan lifecycle',
  days: 'with --plan lifecycle',
  sample: 'with --plan double, triple or random',
  'no-memo': `with --plan ${MEMO_PLANS.join(', ')} or lifecycle`,
};

/** Refuses every flag the chosen mode would silently ignore (a no-op flag reads as a check that was made). */
function refuseUnused(args: ParsedArgs, mode: Mode, plan: string): void {
  const context: Record<Mode, string> = {
    replay: 'with --replay: the id names the whole campaign',
    'replay-life': 'with --replay of a lifecycle id: the id names the whole life',
    lifecycle: 'with --plan lifecycle',
    campaign: `in ${plan === 'exhaustive' ? 'an' : 'a'} ${plan} campaign`,
  };
  for (const flag of Object.keys(SPECS)) {
    if (flag === 'help' || !args.has(flag) || READS[mode].includes(flag)) continue;
    const where = USED_WITH[flag];
    throw new UsageError(`--${flag} does nothing ${context[mode]}${where ? ` (it is used ${where})` : ''}`);
  }
  if (mode === 'campaign' && plan === 'exhaustive' && args.has('sample')) throw new UsageError(`--sample does nothing in an exhaustive campaign (it is used ${USED_WITH.sample})`);
  if (mode === 'campaign' && args.has('no-memo') && !(MEMO_PLANS as readonly string[]).includes(plan)) {
    throw new UsageError(`--no-memo does nothing in ${plan === 'exhaustive' ? 'an' : 'a'} ${plan} campaign: only the ${MEMO_PLANS.join(', ')} plans memoize power-ons (every scenario of the exhaustive plan powers on from a distinct state)`);
  }
  for (const flag of ['resume', 'force']) {
    if (args.has(flag) && !args.has('out')) throw new UsageError(`--${flag} needs --out FILE.jsonl (the results file to ${flag === 'resume' ? 'continue' : 'overwrite'})`);
  }
}

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'merge') return merge(argv.slice(1));
  const args = parseArgs(argv, SPECS);
  if (args.bool('help')) {
    process.stdout.write(helpText('campaign', 'Cut the power at every flash operation of an update and check the device always boots.', SPECS));
    return 0;
  }
  const replayId = args.string('replay');
  if (replayId !== undefined && !replayId.trim()) throw new UsageError('--replay needs a scenario id (got an empty one), e.g. swap-scratch/nrf52840/perm/cut@417');
  const planName = args.string('plan') ?? 'exhaustive';
  // Whole lives (the application, the OTA task, signed releases) load only when asked for.
  const lifeId = replayId !== undefined && (await import('../campaign/plans/lifecycle.js')).isLifeId(replayId);
  const mode: Mode = replayId !== undefined ? (lifeId ? 'replay-life' : 'replay') : planName === 'lifecycle' ? 'lifecycle' : 'campaign';
  // An unknown plan or an id that does not parse is named before any flag is blamed.
  if (mode === 'campaign') parsePlan(planName);
  if (mode === 'replay') parseScenarioId(replayId!);
  refuseUnused(args, mode, planName);
  if (mode === 'replay-life') return (await import('./campaign-lifecycle.js')).replayLife(replayId!, args.bool('log'), args.bool('json'));
  if (mode === 'replay') return replay(replayId!, args.bool('trace'), args.bool('json'), args.string('device-file'), args.string('enc-key'));
  if (mode === 'lifecycle') return (await import('./campaign-lifecycle.js')).runLifecycle(args);

  const deviceFile = args.string('device-file') === undefined ? undefined : resolve(args.string('device-file')!);
  const device = deviceFromArgs(args, deviceFile);
  const supported = SWAP_STRATEGIES.filter((s) => !device.excluded.includes(s)).map((strategy) => ({ strategy }));
  const strategies = list(args.string('strategy'), supported, (v) => {
    const named = parseStrategyName(v);
    assertStrategyAllowed(device, named.strategy);
    return named;
  });
  const upgrades = list<Upgrade>(args.string('upgrade'), UPGRADES, parseUpgrade);
  const plan = parsePlan(planName);
  const fault = parseFault(args.string('fault') ?? 'cut');
  const sizeArg = args.string('image-size') ?? 'max';
  const imageSize = sizeArg === 'max' ? 'max' : parseInteger(sizeArg, '--image-size', { min: 1 });
  const v1Size = args.string('v1-size') === undefined ? undefined : parseInteger(args.string('v1-size')!, '--v1-size', { min: 1 });
  const staging: Partial<CampaignSpec> = { ...buildFromArgs(args), ...(await campaignModes(args)) };
  if (args.string('v1-trailer') !== undefined) staging.v1Trailer = parseV1Trailer(args.string('v1-trailer')!);
  const seed = args.string('seed') === undefined ? 1 : parseInteger(args.string('seed')!, '--seed', { min: 0, max: 2 ** 31 - 1 });
  const sample = args.string('sample') === undefined ? (plan === 'random' ? 100 : 0) : parseInteger(args.string('sample')!, '--sample', { min: 1 });
  checkTriple(plan, fault, args.string('sample'));
  const memo = !args.bool('no-memo');
  const runnerOptions = memo ? {} : { memo: false };
  const workers = args.string('workers') === undefined ? defaultWorkers() : parseInteger(args.string('workers')!, '--workers', { min: 1, max: 256 });
  const shard = args.string('shard') === undefined ? { index: 1, count: 1 } : parseShard(args.string('shard')!);
  const outPath = args.string('out');
  const resuming = args.bool('resume');
  if (outPath !== undefined) checkResultsPath(outPath, { resume: resuming, force: args.bool('force') });
  const json = args.bool('json');

  // Every campaign is built once before anything is opened: an image that does not fit, a
  // build the device cannot run, or a shard with nothing in it is refused with nothing written.
  const campaigns: Array<{ spec: CampaignSpec; key: string; units: number; mine: number[] }> = [];
  let firstRunner: CampaignRunner | undefined;
  for (const named of strategies) {
    for (const upgrade of upgrades) {
      const spec: CampaignSpec = { device: device.name, ...(deviceFile ? { deviceFile } : {}), ...named, upgrade, plan, fault, imageSize, ...(v1Size !== undefined ? { v1Size } : {}), ...staging, seed, sample };
      // Only the unit count is needed here; workers rebuild the same update themselves, and
      // the first campaign's runner serves a single-worker run (building one costs more than
      // a small campaign's scenarios).
      const runner = await CampaignRunner.create(spec, runnerOptions);
      firstRunner ??= runner;
      const units = runner.units;
      const mine = shardUnits(units, shard);
      if (!mine.length) throw new UsageError(`--shard ${shard.index}/${shard.count} holds no scenario of ${strategyLabel(spec)} ${upgrade}: it has ${units} unit${units === 1 ? '' : 's'}, so use at most ${units} shards`);
      campaigns.push({ spec, key: campaignKey(spec), units, mine });
    }
  }
  const header: RunHeader = { type: 'run', format: RESULTS_FORMAT, keys: campaigns.map((c) => c.key), seed, shard };
  const resume = outPath !== undefined && resuming ? resumeState(outPath, header) : undefined;
  const done = resume?.done ?? new Map();
  const out = outPath === undefined ? undefined : ResultsWriter.open(outPath, resume?.started ? resume.keep : undefined);

  const runs: Array<{ spec: CampaignSpec; tally: Tally }> = [];
  const pool = new CampaignPool(workers);
  if (firstRunner) pool.adopt(firstRunner, runnerOptions);
  firstRunner = undefined;
  const progress = process.stderr.isTTY && !json ? new Progress() : undefined;
  let scenarios = 0;
  try {
    if (!resume?.started) {
      out?.line(header);
      for (const c of campaigns) out?.line({ type: 'campaign', key: c.key, spec: c.spec, shard, units: c.units, shardUnits: c.mine.length } satisfies CampaignHeader);
    }
    for (const [i, { spec, key, mine }] of campaigns.entries()) {
      const tally = new Tally();
      runs.push({ spec, tally });
      const prior = done.get(key);
      for (const r of prior?.results ?? []) tally.add(r);
      const units = mine.filter((u) => !prior?.units.has(u));
      progress?.start(`${strategyLabel(spec)} ${spec.upgrade}`, mine.length, mine.length - units.length);
      const t0 = performance.now();
      // Without a results file only failures need their ids: passing scenarios come counted.
      for await (const ev of pool.run(spec, units, { counted: !out, campaignsAfter: campaigns.length - i - 1, ...runnerOptions })) {
        if ('unitDone' in ev) {
          out?.line({ type: 'unit', key, unit: ev.unitDone, scenarios: ev.scenarios });
          out?.flushSoon();
          progress?.unit(tally);
        } else if ('passed' in ev) {
          tally.addPassed(ev.passed);
        } else {
          tally.add(ev);
          out?.line({ type: 'scenario', key, result: ev });
        }
      }
      const wall = performance.now() - t0;
      tally.wallMs = wall + (prior?.wallMs ?? 0);
      scenarios += tally.scenarios;
      const stats = pool.memoStats(spec);
      tally.memo = memo && MEMO_PLANS.includes(plan);
      tally.powerOnStates = stats.powerOnStates + (prior?.powerOnStates ?? 0);
      tally.memoHits = stats.memoHits + (prior?.memoHits ?? 0);
      out?.line({ type: 'end', key, wallMs: Math.round(wall), ...(tally.memo ? { memo: true, powerOnStates: stats.powerOnStates, memoHits: stats.memoHits } : {}) });
      progress?.end();
    }
    out?.line({ type: 'done', scenarios });
  } finally {
    await pool.close();
    out?.close();
  }
  const report = makeReport(runs);
  print(report, json);
  const empty = report.summary.find((r) => r.scenarios === 0);
  if (empty) throw new UsageError(`${empty.strategy}/${empty.device}/${empty.upgrade} ran 0 scenarios: nothing was checked (no recovery boot made a flash operation to cut)`);
  return report.summary.some((r) => r.failed) ? 1 : 0;
}

/**
 * A triple-cut plan under a torn fault with every cut taken: only under `cut` do its
 * scenarios share their work (a torn cut leaves different bytes in each), so the exhaustive
 * triple plan of a torn fault is out of reach; with --sample N it is a seeded sample.
 */
function checkTriple(plan: Plan, fault: FaultModel, sample: string | undefined): void {
  if (plan === 'triple' && fault !== 'cut' && sample === undefined) {
    throw new UsageError(`--plan triple --fault ${fault} needs --sample N: every third cut of every second cut shares work only under --fault cut (a torn cut leaves different bytes in every scenario)`);
  }
}

function print(report: Report, json: boolean): void {
  if (json) {
    printJson(report);
    return;
  }
  if (report.partial) process.stdout.write(`${partialBanner(report)}\n\n`);
  process.stdout.write(`${formatTable(report.summary)}\n`);
  if (report.failures.length) {
    process.stdout.write(`\n${report.failures.length} scenario(s) failed; replay one with: brickproof campaign --replay ID --trace\n`);
    for (const f of report.failures.slice(0, 20)) process.stdout.write(`  ${f.id}  ${f.rule}: ${f.detail}\n`);
    if (report.failures.length > 20) process.stdout.write(`  … and ${report.failures.length - 20} more (--json or --out for all)\n`);
  }
}

function partialBanner(report: Report): string {
  const missing = report.partial!.missing;
  const units = missing.reduce((n, m) => n + m.units.length, 0);
  const lines = missing.map((m) => `  ${m.strategy}/${m.device}/${m.upgrade} (${m.plan}, ${m.fault}): ${m.units.length} of ${m.of} units missing (${m.plan === 'random' ? 'runs' : 'first cuts'} ${formatUnits(m.units)})`);
  return [`PARTIAL: ${units ? `${units} unit${units === 1 ? ' is' : 's are'} missing` : 'some results are missing'}; this report covers only what the files hold`, ...lines].join('\n');
}

const MERGE_SPECS: FlagSpecs = {
  json: { type: 'boolean', help: 'print the merged report as JSON' },
  'allow-partial': { type: 'boolean', help: 'merge incomplete results: the report is labelled PARTIAL, lists the missing units, and exits 1' },
};

async function merge(argv: string[]): Promise<number> {
  const positional = { min: 0, max: Number.MAX_SAFE_INTEGER, names: ['RESULTS.jsonl…'] };
  const args = parseArgs(argv, MERGE_SPECS, positional);
  if (args.bool('help')) {
    process.stdout.write(helpText('campaign merge', 'Merge the results files of a sharded run into the report of the whole run; refuse incomplete input.', MERGE_SPECS, positional));
    return 0;
  }
  const files = args.positionals;
  if (!files.length) throw new UsageError('campaign merge needs result files: brickproof campaign merge a.jsonl b.jsonl …');
  const options = { allowPartial: args.bool('allow-partial') };
  const json = args.bool('json');
  if (resultsKind(files[0]!) === 'lifecycle') {
    const m = mergeLifecycleResults(files, options);
    if (json) printJson(m);
    else {
      if (m.partial) process.stdout.write(`PARTIAL: ${m.partial.missingLives.length} li${m.partial.missingLives.length === 1 ? 'fe is' : 'ves are'} missing (lives ${formatUnits(m.partial.missingLives)}); this report covers only what the files hold\n\n`);
      (await import('./campaign-lifecycle.js')).printLifecycleReport(m.summary, m.failures);
    }
    return m.partial || m.failures.length ? 1 : 0;
  }
  const report = mergeResults(files, options);
  print(report, json);
  return report.partial || report.summary.some((r) => r.failed) ? 1 : 0;
}

/** The build modes of a campaign from its flags. */
async function campaignModes(args: ParsedArgs): Promise<Partial<CampaignSpec>> {
  const out: Partial<CampaignSpec> = {};
  const images = args.string('images');
  if (images !== undefined) out.images = parseImageCount(parseInteger(images, '--images'));
  if (args.bool('hw-rollback')) out.hwRollback = true;
  if (args.bool('bootstrap')) out.bootstrap = true;
  if (args.bool('downgrade-prevention')) out.downgradePrevention = true;
  const keylen = args.string('encrypt-keylen');
  if (keylen !== undefined && !args.has('enc-key')) throw new UsageError('--encrypt-keylen needs --enc-key');
  if (keylen !== undefined && keylen !== '128' && keylen !== '256') throw new UsageError(`--encrypt-keylen '${keylen}' must be 128 or 256`);
  if (args.has('enc-key')) {
    // A bad key file is refused here, in one line. (Loaded only when asked for: the key code
    // brings the curve libraries, which an unencrypted campaign's start does without.)
    (await import('./options.js')).readEncryptionKeyFile(args.string('enc-key')!);
    out.encKeyFile = resolve(args.string('enc-key')!);
    out.encKeyLen = keylen === '256' ? 32 : 16;
  }
  return out;
}

async function replay(id: string, trace: boolean, json: boolean, deviceFile?: string, encKey?: string): Promise<number> {
  const { spec, ref } = parseScenarioId(id);
  if (spec.encKeyLen !== undefined) {
    if (encKey === undefined) throw new UsageError(`replay id '${id}' is an encrypted campaign: give its --enc-key FILE again`);
    (await import('./options.js')).readEncryptionKeyFile(encKey);
    spec.encKeyFile = resolve(encKey);
  } else if (encKey !== undefined) {
    throw new UsageError(`--enc-key does nothing with --replay of an id without +enc: '${id}' was not an encrypted campaign`);
  }
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
  const calls = (list: Call[]) => list.map((c) => ({ kind: c.kind, boot: c.boot, image: c.image, ops: trace ? c.ops.map(traceLine) : c.ops.length }));
  if (json) {
    printJson({
      ...r,
      cut: ex.cut,
      ...(ex.recovery ? { recovery: { ops: trace ? ex.recovery.ops.map(traceLine) : ex.recovery.ops.length, cut: ex.recovery.cut, of: ex.recovery.of } } : {}),
      ...(ex.recovery2 ? { recovery2: { ops: trace ? ex.recovery2.ops.map(traceLine) : ex.recovery2.ops.length, cut: ex.recovery2.cut, of: ex.recovery2.of } } : {}),
      ...(ex.aimed ? { aimed: ex.aimed.map((a) => ({ at: a.at, ops: trace ? a.ops.map(traceLine) : a.ops.length, ...(a.cut ? { cut: cutLine(a.cut) } : {}), ...(a.boot ? { boot: a.boot } : {}) })) } : {}),
      calls: calls(ex.life.calls),
    });
    return r.ok ? 0 : 1;
  }
  const w = (s: string) => process.stdout.write(`${s}\n`);
  const ops = (list: Array<{ kind: 'E' | 'W' | 'F'; area: number; offset: number; length: number }>) => {
    if (trace) for (const op of list) w(`    ${traceLine(op)}`);
  };
  w(`scenario ${r.id}`);
  if (runner.expected) w(`update: ${runner.cutPoints} flash operations uninterrupted; ends on v${runner.expected.version}, image_ok ${runner.expected.imageOk}`);
  else w(`update: fails uninterrupted (${runner.controlFailure!.rule}), after ${runner.cutPoints} flash operations`);
  if (ex.cut) {
    for (const [i, op] of ex.before.slice(-5).entries()) w(`  op ${ex.before.length - Math.min(5, ex.before.length) + i + 1}: ${traceLine(op)}`);
    const during = ex.cutCall === 'confirm' ? "application's confirm" : ex.cutCall === 'erase' ? "application's erase of the secondary" : 'bootloader';
    w(`  op ${ref.cut}: ${traceLine(ex.cut)}   <- power fails here (${spec.fault}) during the ${during}`);
  }
  let n = 0;
  for (const [i, recovery] of [ex.recovery, ex.recovery2].entries()) {
    if (!recovery) continue;
    const { ops: done, cut, of } = recovery;
    w(`power-on ${++n}: the ${i ? 'second ' : ''}recovery boot (${of} flash ops uninterrupted), cut again: ${done.length} flash ops, then`);
    ops(done);
    w(`  its op ${done.length + 1}: ${traceLine(cut)}   <- power fails here (${spec.fault})`);
  }
  for (const a of ex.aimed ?? []) {
    if (a.cut) {
      w(`power-on ${++n}: aimed at its op ${a.at}: ${a.ops.length} flash ops, then`);
      ops(a.ops);
      w(`  its op ${a.at}: ${cutLine(a.cut)}   <- power fails here (${spec.fault})`);
    } else {
      const b = a.boot!;
      w(`power-on ${++n}: aimed at its op ${a.at}, but finished first: ${describeDecision(b)}; ${b.outcome === 'ok' ? `boots v${versionString(b.version)}` : b.outcome}; ${a.ops.length} flash ops`);
      ops(a.ops);
    }
  }
  if (ex.aimed && !ex.aimed.length) w('no power-on was cut (the run\'s first cut point lay past the update)');
  for (const c of ex.life.calls) {
    if (c.kind === 'boot' && c.boot) w(`power-on ${++n}: ${describeDecision(c.boot)}; ${c.boot.outcome === 'ok' ? `boots v${versionString(c.boot.version)} (${c.image ?? 'matches no installed image'})` : c.boot.outcome}; ${c.ops.length} flash ops`);
    else if (c.kind === 'boot') w(`power-on ${++n}: crashed, after ${c.ops.length} flash ops`);
    else if (c.kind === 'confirm') w(`application: boot_set_confirmed(); ${c.ops.length} flash ops`);
    else w(`application: erases the secondary slot; ${c.ops.length} flash ops`);
    ops(c.ops);
  }
  w(r.ok ? 'result: ok — the device recovered to the uninterrupted end state' : `result: FAILED (${r.rule}) ${r.detail}`);
  if (!r.ok) throw new CheckFailed(`${r.id}: ${r.rule}`);
  return 0;
}

/** What a power-on decided, as the replay prints it. */
function describeDecision(b: BootResult): string {
  return `requested ${b.requested}, ${b.resumed ? `resumed the interrupted ${b.resumedSwap && b.resumedSwap !== 'none' ? `${b.resumedSwap} ` : ''}swap` : `swap type ${b.swapType}`}`;
}

/** The operation a power cut interrupted, as a trace line. */
function cutLine(c: PowerCut): string {
  return traceLine({ kind: c.kind === 'erase' ? 'E' : 'W', area: c.area, offset: c.offset, length: c.length });
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

/**
 * `brickproof fleet`: thousands of simulated devices through staged rollouts (src/fleet/),
 * lived on all cores; a table per rollout group and per device class, the rollout's events in
 * virtual time, the totals; `--out DIR` writes the JSON report and an SVG chart of device
 * states over time; `--replay ID --log` lives one device of a run alone.
 *
 *   brickproof fleet examples/fleet.json --days 30 --seed 1
 *   brickproof fleet examples/fleet.json --devices 100000 --out results/
 *   brickproof fleet examples/fleet.json --replay 'swap-move/nrf52840/fleet:sensor:30d/cut#17@2.0.0=0' --log
 *
 * Exit 0 when no device bricked, 1 when one did, 2 for bad input (a one-line error naming
 * the field of the fleet file).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CheckFailed, UsageError } from '../errors.js';
import { loadDeviceFile } from '../device/device-file.js';
import { formatTime } from '../app/milestones.js';
import { Fleet, LocalExecutor, type FleetProgress } from '../fleet/fleet.js';
import type { DeviceRun, LifeJob } from '../fleet/lives.js';
import { parseShard } from '../campaign/spec.js';
import { writeFileAtomic } from '../node/atomic-write.js';
import type { FleetDescription } from '../fleet/description.js';
import { formatFleetReport } from '../fleet/report.js';
import { FleetPool, defaultFleetWorkers } from '../node/fleet-pool.js';
import { type FlagSpecs, helpText, parseArgs, parseInteger } from './args.js';
import { printJson } from './image-io.js';

const SPECS: FlagSpecs = {
  days: { type: 'string', metavar: 'N', help: 'virtual days the fleet lives (default: the file\'s, else 30)' },
  seed: { type: 'string', metavar: 'N', help: 'seed of every random choice (default: the file\'s, else 1)' },
  devices: { type: 'string', metavar: 'N', help: 'scale the fleet to N devices (the classes keep their weights)' },
  out: { type: 'string', metavar: 'DIR', help: 'write fleet.json (the report) and fleet.svg (device states over time) there (never over existing ones without --force)' },
  force: { type: 'boolean', help: 'overwrite fleet.json and fleet.svg in --out DIR' },
  json: { type: 'boolean', help: 'print the report as JSON (no progress bar)' },
  workers: { type: 'string', metavar: 'N', help: 'worker threads (default: one per core)' },
  replay: { type: 'string', metavar: 'ID', help: 'live one device of a fleet run alone, from its replay id' },
  lives: { type: 'string', multiple: true, metavar: 'PATH', help: 'lives already lived: a file written by --lives-out, or a directory of them (*.jsonl); repeatable' },
  'next-round': { type: 'boolean', help: 'print how many lives the next round needs (0: the run can be reported), and nothing else' },
  shard: { type: 'string', metavar: 'i/N', help: 'live the i-th of N slices of the next round\'s lives (with --lives-out)' },
  'lives-out': { type: 'string', metavar: 'FILE', help: 'with --shard: write the lives lived to FILE (JSON lines)' },
  log: { type: 'boolean', help: 'with --replay: print the device\'s milestone log' },
};

const POSITIONAL = { min: 1, max: 1, names: ['FLEET.json'] };

/** The fleet file, parsed, with each class's `deviceFile` (relative to the fleet file) read into `device`. */
export function readFleetFile(path: string): FleetDescription {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read fleet file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not JSON: ${(e as Error).message}`);
  }
  const classes = (json as { classes?: unknown })?.classes;
  if (Array.isArray(classes)) {
    classes.forEach((c, i) => {
      if (typeof c !== 'object' || c === null || !('deviceFile' in c)) return;
      const file = (c as { deviceFile: unknown }).deviceFile;
      if (typeof file !== 'string') throw new UsageError(`classes[${i}].deviceFile: expected a file name, got ${JSON.stringify(file)}`);
      if ('device' in c) throw new UsageError(`classes[${i}].deviceFile: give either device or deviceFile, not both`);
      const { deviceFile: _, ...rest } = c as Record<string, unknown>;
      classes[i] = { ...rest, device: loadDeviceFile(resolve(dirname(path), file)) };
    });
  }
  return json as FleetDescription;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPECS, POSITIONAL);
  if (args.bool('help')) {
    process.stdout.write(helpText('fleet', 'Live a fleet of simulated devices through staged rollouts; stop a bad release the way a fleet manager would.', SPECS, POSITIONAL));
    return 0;
  }
  const path = args.positionals[0]!;
  const description = readFleetFile(path);
  const days = args.string('days') === undefined ? undefined : positiveNumber(args.string('days')!, '--days');
  const seed = args.string('seed') === undefined ? undefined : parseInteger(args.string('seed')!, '--seed', { min: 0, max: 2 ** 32 - 1 });
  const devices = args.string('devices') === undefined ? undefined : parseInteger(args.string('devices')!, '--devices', { min: 1, max: 10_000_000 });

  const replay = args.string('replay');
  if (replay !== undefined) {
    // The id names the class, seed, days and offers: nothing else goes with it.
    const extra = ['days', 'seed', 'devices', 'out', 'force', 'workers', 'lives', 'next-round', 'shard', 'lives-out'].filter((f) => args.has(f));
    if (extra.length) throw new UsageError(`--${extra[0]} does not go with --replay (the id names the class, seed, days and offers)`);
    return replayDevice(description, replay, args.bool('log'), args.bool('json'));
  }
  if (args.bool('log')) throw new UsageError('--log goes with --replay ID');

  const workers = args.string('workers') === undefined ? defaultFleetWorkers() : parseInteger(args.string('workers')!, '--workers', { min: 1, max: 256 });
  const json = args.bool('json');
  const shard = args.string('shard') === undefined ? undefined : parseShard(args.string('shard')!);
  const livesOut = args.string('lives-out');
  if ((shard === undefined) !== (livesOut === undefined)) throw new UsageError('--shard i/N and --lives-out FILE go together');
  if ((shard || args.bool('next-round')) && args.string('out') !== undefined) throw new UsageError('--out writes the report of a whole run, not of a round');
  if (shard && args.bool('next-round')) throw new UsageError('--next-round does not go with --shard (the one counts a round, the other lives a slice of it)');
  if (shard && json) throw new UsageError('--json does not go with --shard (the lives go to --lives-out FILE)');
  if (args.bool('next-round') && args.bool('force')) throw new UsageError('--force does not go with --next-round (it writes nothing)');
  if (args.bool('next-round') || shard) {
    const fleet = new Fleet(description, { devices, days, seed });
    for (const f of livesFiles(args.strings('lives'))) fleet.addLives(readLives(f, fleet.key));
    const need = fleet.nextRound();
    if (args.bool('next-round')) {
      if (json) printJson({ lives: need.length });
      else process.stdout.write(`${need.length}\n`);
      return 0;
    }
    return liveShard(fleet, need, shard!, livesOut!, args.bool('force'), workers);
  }
  const progress = process.stderr.isTTY && !json ? new Progress() : undefined;
  const pool = workers > 1 ? new FleetPool(workers) : undefined;
  const fleet = new Fleet(description, { devices, days, seed, executor: pool, onProgress: progress && ((p) => progress.update(p)) });
  for (const f of livesFiles(args.strings('lives'))) fleet.addLives(readLives(f, fleet.key));
  const out = args.string('out');
  if (out !== undefined) {
    // Checked before anything runs: a fleet can take minutes.
    try {
      mkdirSync(out, { recursive: true });
    } catch (e) {
      throw new UsageError(`--out ${out}: cannot create the directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const there = ['fleet.json', 'fleet.svg'].filter((f) => existsSync(join(out, f)));
    if (there.length && !args.bool('force')) throw new UsageError(`--out ${out}: ${there.join(' and ')} ${there.length === 1 ? 'exists' : 'exist'} already (--force overwrites)`);
  } else if (args.bool('force')) {
    throw new UsageError('--force goes with --out DIR');
  }
  let report;
  try {
    report = await fleet.run();
  } finally {
    progress?.end();
    await pool?.close();
  }
  if (out !== undefined) {
    const chart = fleet.chart();
    // Both files whole, or neither: each goes to a temporary sibling first; both are renamed only once both are written.
    writePair(join(out, 'fleet.json'), `${JSON.stringify(report, null, 2)}\n`, join(out, 'fleet.svg'), chart);
  }
  if (json) printJson(report);
  else {
    process.stdout.write(`${formatFleetReport(report)}\n`);
    if (out !== undefined) process.stdout.write(`wrote ${join(out, 'fleet.json')} and ${join(out, 'fleet.svg')}\n`);
  }
  return report.totals.bricked > 0 ? 1 : 0;
}

function positiveNumber(text: string, flag: string): number {
  const v = Number(text);
  if (text.trim() === '' || !(v > 0) || !Number.isFinite(v)) throw new UsageError(`${flag} '${text}' must be a number > 0`);
  return v;
}

/**
 * Two files whole, or neither: both are written to temporary siblings first, then renamed
 * over their targets; if the second rename fails the first target is put back as it was.
 */
function writePair(pathA: string, a: string, pathB: string, b: string): void {
  const tmpA = `${pathA}.${process.pid}.tmp`;
  const tmpB = `${pathB}.${process.pid}.tmp`;
  const backup = `${pathA}.${process.pid}.old`;
  let hadA = false;
  let movedA = false;
  try {
    writeFileSync(tmpA, a);
    writeFileSync(tmpB, b);
    hadA = existsSync(pathA);
    if (hadA) renameSync(pathA, backup);
    renameSync(tmpA, pathA);
    movedA = true;
    renameSync(tmpB, pathB);
    if (hadA) removeQuietly(backup);
  } catch (e) {
    if (movedA) removeQuietly(pathA);
    if (hadA && existsSync(backup)) renameSync(backup, pathA);
    removeQuietly(tmpA);
    removeQuietly(tmpB);
    throw new UsageError(`cannot write ${pathA} and ${pathB} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); neither was written`);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // not there
  }
}

const LIVES = 'brickproof-fleet-lives';

/** The lives files named: files as given, and every *.jsonl of a directory (in name order). */
function livesFiles(paths: string[]): string[] {
  return paths.flatMap((p) => {
    let dir = false;
    try {
      dir = statSync(p).isDirectory();
    } catch (e) {
      throw new UsageError(`cannot read lives ${p} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return dir ? readdirSync(p).filter((f) => f.endsWith('.jsonl')).sort().map((f) => join(p, f)) : [p];
  });
}

/**
 * A lives file: a header naming the fleet (Fleet.key), one DeviceRun per line, and a last
 * line counting them — a file cut short, or of another fleet, is refused.
 */
export function readLives(path: string, key: string): DeviceRun[] {
  let lines: string[];
  try {
    lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  } catch (e) {
    throw new UsageError(`cannot read lives file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const parse = (l: string, at: number) => {
    try {
      return JSON.parse(l);
    } catch {
      throw new UsageError(`${path}: line ${at + 1} is not JSON`);
    }
  };
  const head = lines.length ? parse(lines[0]!, 0) : undefined;
  if (head?.type !== LIVES) throw new UsageError(`${path} is not a fleet lives file (written by brickproof fleet --lives-out)`);
  if (head.fleet !== key) throw new UsageError(`${path} holds lives of another fleet (another description, or other --devices, --days or --seed)`);
  const tail = lines.length > 1 ? parse(lines[lines.length - 1]!, lines.length - 1) : undefined;
  if (tail?.type !== 'end' || tail.lives !== lines.length - 2) throw new UsageError(`${path} is cut short: it does not end with the count of its lives`);
  return lines.slice(1, -1).map((l, i) => parse(l, i + 1) as DeviceRun);
}

/** Lives shard i of N of the next round and writes them to `path`, whole or not at all. */
async function liveShard(fleet: Fleet, need: LifeJob[], shard: { index: number; count: number }, path: string, force: boolean, workers: number): Promise<number> {
  if (existsSync(path) && !force) throw new UsageError(`--lives-out ${path} exists already (--force overwrites)`);
  const mine = need.filter((_, i) => i % shard.count === shard.index - 1);
  const pool = workers > 1 && mine.length > 1 ? new FleetPool(workers) : undefined;
  let runs: DeviceRun[];
  try {
    runs = await (pool ?? new LocalExecutor()).run(fleet.plan, mine);
  } finally {
    await pool?.close();
  }
  const lines = [JSON.stringify({ type: LIVES, fleet: fleet.key, shard: `${shard.index}/${shard.count}`, round: need.length }), ...runs.map((r) => JSON.stringify(r)), JSON.stringify({ type: 'end', lives: runs.length })];
  try {
    writeFileAtomic(path, `${lines.join('\n')}\n`);
  } catch (e) {
    throw new UsageError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  process.stdout.write(need.length ? `the next round needs ${need.length} lives; shard ${shard.index}/${shard.count} lived ${runs.length} → ${path}\n` : `no round left: the run can be reported\n`);
  return 0;
}

async function replayDevice(description: FleetDescription, id: string, log: boolean, json: boolean): Promise<number> {
  const { run, report, log: lines } = await Fleet.replay(description, id);
  if (json) {
    printJson({ id, final: report.final, energy: report.energy, releases: run.releases, ...(log ? { milestones: report.milestones } : {}) });
  } else {
    const w = (s: string) => process.stdout.write(`${s}\n`);
    w(`device ${id}`);
    if (log) for (const line of lines) w(line);
    for (const r of run.releases) {
      const name = description.releases[r.release]?.name ?? description.releases[r.release]?.version ?? `release ${r.release}`;
      const at = (t: number) => (t < 0 ? 'never' : formatTime(t));
      w(`${name}: picked up ${at(r.seen)}, downloaded ${at(r.downloaded)}, ${r.outcome ? `reported ${r.outcome} ${at(r.end)}` : 'no outcome reported'}`);
    }
    const f = report.final;
    w(`end: ${f.bricked ? `BRICKED at ${formatTime(run.brickedAt)}: no bootable image` : `runs ${f.version}, ${f.confirmed ? 'confirmed' : 'not confirmed'}`}`);
  }
  if (report.final.bricked) throw new CheckFailed(`${id}: bricked`);
  return 0;
}

class Progress {
  private last = 0;
  private readonly t0 = performance.now();

  update(p: FleetProgress): void {
    const now = performance.now();
    if (now - this.last < 100 && p.done < p.batch) return;
    this.last = now;
    const width = 24;
    const frac = p.batch ? p.done / p.batch : 1;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const rate = p.lives / Math.max(0.001, (now - this.t0) / 1000);
    process.stderr.write(`\rround ${p.round} at ${formatTime(p.tMs)} [${bar}] ${p.done}/${p.batch} lives · ${Math.round(rate)} lives/s  `);
  }

  end(): void {
    process.stderr.write('\r\x1b[2K');
  }
}

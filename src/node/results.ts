/**
 * Campaign results files: a JSONL stream (one line per scenario, so an interrupted run loses
 * nothing), resuming from one, and merging shards back into the report the unsharded run
 * gives — or refusing to, in one line naming what is missing, since a report over missing
 * work would read as a pass that was never earned.
 *
 * Every file says what it was to hold, so that a merge can prove it holds all of it:
 *
 *   {"type":"run","format":2,"keys":[…],"seed":1,"shard":{"index":1,"count":2}}     first line
 *   {"type":"campaign","key":…,"spec":…,"shard":…,"units":907,"shardUnits":454}     one per key, before any result
 *   {"type":"scenario","key":…,"result":{…}}                                         one per scenario
 *   {"type":"unit","key":…,"unit":u,"scenarios":n}      once all n scenarios of unit u are written
 *   {"type":"end","key":…,"wallMs":…}                   a campaign's units are all written (plans with a
 *                                                       memo add "memo":true,"powerOnStates":…,"memoHits":…)
 *   {"type":"done","scenarios":N}                       the command ended (last line)
 *
 * and for `--plan lifecycle`:
 *
 *   {"type":"lifecycle","format":2,"spec":…,"lives":1000,"shard":…}   first line
 *   {"type":"life","result":{…}}                                       one per life
 *   {"type":"done","lives":n,"wallMs":…}                               last line
 *
 * Unit u of a campaign belongs to shard i/N when (u − 1) mod N = i − 1; life l (from 0) when
 * l mod N = i − 1. A line is written whole with its newline; a kill leaves at most one torn
 * line, at the end.
 */
import { accessSync, closeSync, constants, existsSync, ftruncateSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { lifecycleReport, makeReport, Tally, type LifecycleRow, type LifeOutcome, type MissingUnits, type Report } from '../campaign/report.js';
import type { ScenarioResult } from '../campaign/oracle.js';
import { strategyLabel, type CampaignSpec } from '../campaign/spec.js';

export const RESULTS_FORMAT = 2;

export interface Shard {
  index: number;
  count: number;
}

/** The first line of a campaign results file: every campaign the run was to do, and which slice. */
export interface RunHeader {
  type: 'run';
  format: number;
  keys: string[];
  seed: number;
  shard: Shard;
}

/** One campaign of the run, written before any of its results: how many units it has, and this shard's share. */
export interface CampaignHeader {
  type: 'campaign';
  key: string;
  spec: CampaignSpec;
  shard: Shard;
  units: number;
  shardUnits: number;
}

/** The first line of a lifecycle results file. */
export interface LifecycleHeader {
  type: 'lifecycle';
  format: number;
  spec: unknown;
  lives: number;
  shard: Shard;
}

type Line =
  | RunHeader
  | CampaignHeader
  | LifecycleHeader
  | { type: 'scenario'; key: string; result: ScenarioResult }
  | { type: 'unit'; key: string; unit: number; scenarios?: number }
  | ({ type: 'end'; key: string; wallMs: number } & Partial<MemoTotals>)
  | { type: 'life'; result: LifeOutcome }
  | { type: 'done'; scenarios?: number; lives?: number; wallMs?: number };

/** What the memo did, from the end lines of a campaign (summed over its parts). */
export interface MemoTotals {
  memo: boolean;
  powerOnStates: number;
  memoHits: number;
}

const noMemo = (): MemoTotals => ({ memo: false, powerOnStates: 0, memoHits: 0 });

function addMemo(to: MemoTotals, l: Partial<MemoTotals>): void {
  if (!l.memo) return;
  to.memo = true;
  to.powerOnStates += l.powerOnStates ?? 0;
  to.memoHits += l.memoHits ?? 0;
}

/** The units of a campaign (1..units) that shard i/N runs. */
export function shardUnits(units: number, shard: Shard): number[] {
  const out: number[] = [];
  for (let u = shard.index; u <= units; u += shard.count) out.push(u);
  return out;
}

/** The lives (0..lives−1) that shard i/N runs. */
export function shardLives(lives: number, shard: Shard): number[] {
  const out: number[] = [];
  for (let l = shard.index - 1; l < lives; l += shard.count) out.push(l);
  return out;
}

// ---- reading ---------------------------------------------------------------------------

interface ParsedFile {
  path: string;
  lines: Line[];
  /** Bytes up to the end of the last whole line (what --resume keeps). */
  whole: number;
  /** The file ends in a line without its newline: cut mid-write. */
  torn: boolean;
}

function readResults(path: string): ParsedFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read results '${path}' (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const lines: Line[] = [];
  let start = 0;
  let n = 0;
  while (start < bytes.length) {
    const nl = bytes.indexOf(0x0a, start);
    if (nl < 0) break; // the torn tail: no newline after it
    n++;
    const text = bytes.toString('utf8', start, nl);
    start = nl + 1;
    if (!text.trim()) continue;
    let line: unknown;
    try {
      line = JSON.parse(text);
    } catch {
      throw new UsageError(`${path}:${n} is not a brickproof results line`);
    }
    if (typeof line !== 'object' || line === null || typeof (line as { type?: unknown }).type !== 'string') throw new UsageError(`${path}:${n} is not a brickproof results line`);
    lines.push(line as Line);
  }
  return { path, lines, whole: start, torn: start < bytes.length };
}

const isRunHeader = (l: Line | undefined): l is RunHeader => l?.type === 'run';
const isLifecycleHeader = (l: Line | undefined): l is LifecycleHeader => l?.type === 'lifecycle';

function header(f: ParsedFile): RunHeader | LifecycleHeader {
  const first = f.lines[0];
  if ((isRunHeader(first) || isLifecycleHeader(first)) && first.format === RESULTS_FORMAT) return first;
  if (f.lines.length === 0) throw new UsageError(`${f.path} holds no results (${f.torn ? 'only a torn first line' : 'it is empty'}): its run was killed before it wrote anything`);
  throw new UsageError(`${f.path} has no run header (written by an older brickproof, or not a results file): what it should hold is unknown, so its completeness cannot be proven — run it again`);
}

// ---- writing and resuming ---------------------------------------------------------------

/**
 * Refuses an output path before anything is opened: a missing folder, a folder as the
 * file, no write permission, or an existing results file that neither `--resume` nor
 * `--force` allows touching (`resumable: false`: a plan that cannot resume, so only --force is offered).
 */
export function checkResultsPath(path: string, o: { resume: boolean; force: boolean; resumable?: boolean }): void {
  if (o.resume && o.force) throw new UsageError('--resume continues a results file and --force overwrites it: give one of them');
  const dir = dirname(path);
  let dirStat;
  try {
    dirStat = statSync(dir);
  } catch {
    throw new UsageError(`--out '${path}': folder '${dir}' does not exist`);
  }
  if (!dirStat.isDirectory()) throw new UsageError(`--out '${path}': '${dir}' is not a folder`);
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw new UsageError(`--out '${path}' is a folder, not a results file`);
    if (!o.resume && !o.force) throw new UsageError(`--out '${path}' already exists: ${o.resumable === false ? '' : '--resume continues it, '}--force overwrites it`);
  }
  try {
    accessSync(existsSync(path) ? path : dir, constants.W_OK);
  } catch {
    throw new UsageError(`--out '${path}': no permission to write there`);
  }
}

/** What a results file already holds for --resume: where its last whole line ends, and each campaign's complete units. */
export interface ResumeState {
  /** Bytes to keep: everything up to the last whole line (a torn tail is dropped and its unit run again). */
  keep: number;
  /** The file holds the run's header already. */
  started: boolean;
  done: Map<string, { units: Set<number>; results: ScenarioResult[]; wallMs: number } & MemoTotals>;
}

/**
 * Reads a results file to continue it. A missing or empty file starts afresh; a file of
 * another run (other campaigns, seed or shard) is refused, since appending to it would make
 * a file that is neither run.
 */
export function resumeState(path: string, run: RunHeader): ResumeState {
  const empty: ResumeState = { keep: 0, started: false, done: new Map() };
  if (!existsSync(path)) return empty;
  const f = readResults(path);
  if (f.lines.length === 0) return empty;
  const h = header(f);
  if (!isRunHeader(h)) throw new UsageError(`--resume: ${path} holds a lifecycle campaign, not this one`);
  const differs = h.seed !== run.seed ? `seed ${h.seed}, not ${run.seed}` : h.shard.index !== run.shard.index || h.shard.count !== run.shard.count ? `shard ${h.shard.index}/${h.shard.count}, not ${run.shard.index}/${run.shard.count}` : JSON.stringify(h.keys) !== JSON.stringify(run.keys) ? 'other campaigns (strategies, upgrades, plan, fault, sizes or build)' : undefined;
  if (differs) throw new UsageError(`--resume: ${path} records another run (${differs}); continue it with the options it was started with, or write a new file`);
  return { keep: f.whole, started: true, done: completedIn(f) };
}

function completedIn(f: ParsedFile): ResumeState['done'] {
  const done: ResumeState['done'] = new Map();
  const pending = new Map<string, ScenarioResult[]>();
  for (const l of f.lines) {
    if (l.type !== 'scenario' && l.type !== 'unit' && l.type !== 'end') continue;
    let d = done.get(l.key);
    if (!d) done.set(l.key, (d = { units: new Set(), results: [], wallMs: 0, ...noMemo() }));
    if (l.type === 'scenario') {
      const k = `${l.key}#${l.result.unit}`;
      (pending.get(k) ?? pending.set(k, []).get(k)!).push(l.result);
    } else if (l.type === 'unit') {
      const k = `${l.key}#${l.unit}`;
      // A unit run again after a torn resume has its earlier partial results in the file too.
      const results = dedupe(pending.get(k) ?? []);
      if (l.scenarios !== undefined && results.length !== l.scenarios) continue;
      d.units.add(l.unit);
      d.results.push(...results);
      pending.delete(k);
    } else {
      d.wallMs += l.wallMs;
      addMemo(d, l);
    }
  }
  return done;
}

function dedupe(results: ScenarioResult[]): ScenarioResult[] {
  const byId = new Map<string, ScenarioResult>();
  for (const r of results) byId.set(r.id, r);
  return [...byId.values()];
}

/** Units already complete in a results file, per campaign key (what --resume skips). */
export function completedUnits(path: string): ResumeState['done'] {
  if (!existsSync(path)) return new Map();
  return completedIn(readResults(path));
}

/**
 * Appends whole lines to a results file. Lines are buffered and written at most ~100 ms
 * apart (and always at close), each batch ending on a whole line; a kill loses only units
 * whose unit line was not yet written, and --resume runs those again.
 */
export class ResultsWriter {
  private pending: string[] = [];
  private last = performance.now();

  private constructor(
    private readonly path: string,
    private fd: number,
  ) {}

  /** Opens `path` fresh (truncating it: the caller checked --force), or, with `keep`, continues it after its first `keep` bytes. */
  static open(path: string, keep?: number): ResultsWriter {
    try {
      const fd = openSync(path, keep === undefined ? 'w' : 'r+');
      if (keep !== undefined) ftruncateSync(fd, keep);
      const w = new ResultsWriter(path, fd);
      if (keep !== undefined) w.position = keep;
      return w;
    } catch (e) {
      throw new UsageError(`cannot write results '${path}' (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }

  private position = 0;

  line(o: unknown): void {
    this.pending.push(`${JSON.stringify(o)}\n`);
  }

  /** Writes what is buffered if enough has piled up or enough time has passed. */
  flushSoon(): void {
    const now = performance.now();
    if (this.pending.length >= 4096 || now - this.last >= 100) this.flush();
  }

  flush(): void {
    this.last = performance.now();
    if (!this.pending.length) return;
    const data = Buffer.from(this.pending.join(''));
    this.pending = [];
    try {
      let off = 0;
      while (off < data.length) off += writeSync(this.fd, data, off, data.length - off, this.position + off);
      this.position += data.length;
    } catch (e) {
      throw new UsageError(`cannot write results '${this.path}' (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }

  close(): void {
    if (this.fd < 0) return;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}

// ---- merging ----------------------------------------------------------------------------

export interface MergeOptions {
  /** Merge what is there, and say what is missing (the report's `partial`), instead of refusing. */
  allowPartial?: boolean;
}

/** Refusals collected while checking; only the first is shown, with how many others there were. */
class Problems {
  readonly list: string[] = [];

  add(p: string): void {
    this.list.push(p);
  }

  throwIfAny(hint = ''): void {
    if (!this.list.length) return;
    const more = this.list.length > 1 ? ` (and ${this.list.length - 1} more problem${this.list.length > 2 ? 's' : ''})` : '';
    throw new UsageError(`cannot merge: ${this.list[0]}${more}${hint}`);
  }
}

const PARTIAL_HINT = '; --allow-partial merges what is there and reports the rest as missing';
const shardText = (s: Shard) => `${s.index}/${s.count}`;

/** Which kind of results a file holds, from its first line. */
export function resultsKind(path: string): 'campaign' | 'lifecycle' {
  return isLifecycleHeader(header(readResults(path))) ? 'lifecycle' : 'campaign';
}

/**
 * The shard structure shared by both kinds of file: one count N, each index once, all N
 * present. Problems a partial merge tolerates go to `gaps`, the rest to `fatal`.
 */
function checkShards(files: Array<{ path: string; shard: Shard }>, fatal: Problems, gaps: Problems): void {
  const count = files[0]!.shard.count;
  const other = files.find((f) => f.shard.count !== count);
  if (other) gaps.add(`different shard counts: ${files[0]!.path} is shard ${shardText(files[0]!.shard)}, ${other.path} is shard ${shardText(other.shard)} (the shards of one run share their N)`);
  const seen = new Map<string, string>();
  for (const f of files) {
    const k = shardText(f.shard);
    if (seen.has(k)) gaps.add(`shard ${k} is given twice: ${seen.get(k)} and ${f.path}`);
    else seen.set(k, f.path);
  }
  if (!other) {
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(`${i}/${count}`));
    if (missing.length) gaps.add(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing (given: ${[...seen].map(([k, p]) => `${k} ${p}`).join(', ')})`);
  }
  void fatal;
}

function checkWhole(f: ParsedFile, gaps: Problems): void {
  if (f.torn) gaps.add(`${f.path} is truncated: its last line is cut mid-line (continue that shard with --resume)`);
  else if (f.lines.at(-1)?.type !== 'done') gaps.add(`${f.path} is truncated: it ends before its run did (no final line; continue that shard with --resume)`);
}

/**
 * Merges shard result files into one report: scenarios de-duplicated by id, one summary row
 * per campaign (wall time: the slowest shard's, as they run side by side). Refuses (a
 * UsageError naming the first problem) files of different runs or seeds, missing or
 * duplicated shards, shards of different counts, truncated files and missing units —
 * unless `allowPartial`, which merges the complete units there are and lists the rest in
 * the report's `partial`.
 */
export function mergeResults(paths: string[], options: MergeOptions = {}): Report {
  if (!paths.length) throw new UsageError('nothing to merge: give the results files');
  const files = paths.map(readResults);
  const headers = files.map(header);
  const life = headers.findIndex(isLifecycleHeader);
  if (life >= 0) throw new UsageError(`cannot merge: different campaigns: ${files[0]!.path} holds a campaign of single updates, ${files[life]!.path} lifecycle lives`);
  const runs = headers as RunHeader[];
  const fatal = new Problems();
  const gaps = new Problems();

  // The same run: the same campaigns, the same seed.
  const first = runs[0]!;
  for (const [i, h] of runs.entries()) {
    if (h.seed !== first.seed) fatal.add(`different seeds: ${files[0]!.path} has seed ${first.seed}, ${files[i]!.path} has seed ${h.seed}`);
    else if (JSON.stringify(h.keys) !== JSON.stringify(first.keys)) fatal.add(`different campaigns: ${files[0]!.path} runs ${describeKeys(files[0]!, first.keys)}, ${files[i]!.path} runs ${describeKeys(files[i]!, h.keys)}`);
  }
  fatal.throwIfAny();
  checkShards(files.map((f, i) => ({ path: f.path, shard: runs[i]!.shard })), fatal, gaps);
  for (const f of files) checkWhole(f, gaps);

  // Every unit of every campaign, once, with all its scenarios.
  interface Campaign {
    spec: CampaignSpec;
    units: number;
    /** Complete units: unit → its results (ok ones only counted). */
    complete: Map<number, ScenarioResult[]>;
    wall: number[];
    memo: MemoTotals;
  }
  const campaigns = new Map<string, Campaign>();
  for (const [i, f] of files.entries()) {
    const shard = runs[i]!.shard;
    const heads = new Map<string, CampaignHeader>();
    const pending = new Map<string, Map<string, ScenarioResult>>();
    const unitsHere = new Map<string, Set<number>>();
    const ended = new Set<string>();
    let wall = new Map<string, number>();
    for (const l of f.lines) {
      if (l.type === 'campaign') {
        heads.set(l.key, l);
        let c = campaigns.get(l.key);
        if (!c) campaigns.set(l.key, (c = { spec: l.spec, units: l.units, complete: new Map(), wall: [], memo: noMemo() }));
        else if (c.units !== l.units) fatal.add(`different campaigns: the files disagree on how many units ${describe(l.spec)} has (${c.units} and ${l.units} in ${f.path})`);
      } else if (l.type === 'scenario') {
        const k = `${l.key}#${l.result.unit}`;
        (pending.get(k) ?? pending.set(k, new Map()).get(k)!).set(l.result.id, l.result);
      } else if (l.type === 'unit') {
        const head = heads.get(l.key);
        if (!head) continue;
        const results = [...(pending.get(`${l.key}#${l.unit}`)?.values() ?? [])];
        pending.delete(`${l.key}#${l.unit}`);
        if (l.scenarios !== results.length) {
          gaps.add(`${f.path}: unit ${l.unit} of ${describe(head.spec)} has ${results.length} of its ${l.scenarios} scenario result${l.scenarios === 1 ? '' : 's'} (a line is missing)`);
          continue;
        }
        (unitsHere.get(l.key) ?? unitsHere.set(l.key, new Set()).get(l.key)!).add(l.unit);
        campaigns.get(l.key)!.complete.set(l.unit, results);
      } else if (l.type === 'end') {
        ended.add(l.key);
        wall.set(l.key, (wall.get(l.key) ?? 0) + l.wallMs);
        const c = campaigns.get(l.key);
        if (c) addMemo(c.memo, l);
      }
    }
    for (const key of runs[i]!.keys) {
      const head = heads.get(key);
      if (!head) continue; // truncated before its header: reported above, its units below
      const have = unitsHere.get(key) ?? new Set();
      const lost = shardUnits(head.units, shard).filter((u) => !have.has(u));
      if (lost.length) gaps.add(`${f.path} is missing ${lost.length} unit${lost.length > 1 ? 's' : ''} of ${describe(head.spec)} (${unitWord(head.spec)} ${formatList(lost)})`);
      else if (!ended.has(key)) gaps.add(`${f.path} has no end line for ${describe(head.spec)} (truncated or edited)`);
    }
    for (const [key, ms] of wall) campaigns.get(key)?.wall.push(ms);
    wall = new Map();
  }
  fatal.throwIfAny();

  const missing: MissingUnits[] = [];
  for (const key of first.keys) {
    const c = campaigns.get(key);
    if (!c) {
      // No file got as far as this campaign's header: nothing says how many units it has.
      gaps.add(`no file holds ${key}'s results`);
      continue;
    }
    const lost = Array.from({ length: c.units }, (_, u) => u + 1).filter((u) => !c.complete.has(u));
    if (lost.length) missing.push({ ...rowKey(c.spec), of: c.units, units: lost });
  }
  if (!options.allowPartial) gaps.throwIfAny(PARTIAL_HINT);
  if (!campaigns.size) throw new UsageError(`cannot merge: no file holds a single campaign's results (${paths.join(', ')})`);

  const report = makeReport(
    first.keys.flatMap((key) => {
      const c = campaigns.get(key);
      if (!c) return [];
      const tally = new Tally();
      const results = [...c.complete.values()].flat().sort((a, b) => (a.id < b.id ? -1 : 1));
      for (const r of results) tally.add(r);
      tally.wallMs = c.wall.length ? Math.max(...c.wall) : 0;
      Object.assign(tally, c.memo);
      return [{ spec: c.spec, tally }];
    }),
  );
  const absent = first.keys.filter((k) => !campaigns.has(k));
  if (missing.length || gaps.list.length || absent.length) report.partial = { missing };
  return report;
}

function rowKey(spec: CampaignSpec): Pick<MissingUnits, 'strategy' | 'device' | 'plan' | 'upgrade' | 'fault'> {
  return { strategy: strategyLabel(spec), device: spec.device, plan: spec.plan, upgrade: spec.upgrade, fault: spec.fault };
}

/** `swap-scratch/nrf52840/perm (exhaustive, cut)`. */
function describe(spec: CampaignSpec): string {
  return `${strategyLabel(spec)}/${spec.device}/${spec.upgrade} (${spec.plan}, ${spec.fault})`;
}

function describeKeys(f: ParsedFile, keys: string[]): string {
  const specs = new Map<string, CampaignSpec>();
  for (const l of f.lines) if (l.type === 'campaign') specs.set(l.key, l.spec);
  const names = keys.map((k) => (specs.has(k) ? describe(specs.get(k)!) : k));
  return names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
}

const unitWord = (spec: CampaignSpec) => (spec.plan === 'random' ? 'runs' : 'first cuts');

function formatList(units: number[]): string {
  const shown = units.slice(0, 8).join(', ');
  return units.length > 8 ? `${shown}, …` : shown;
}

/** A merged lifecycle campaign: its rows, failures, the slowest shard's wall time, and what is missing. */
export interface LifecycleMerge {
  summary: LifecycleRow[];
  failures: Report['failures'];
  wallMs: number;
  lives: number;
  partial?: { missingLives: number[] };
}

/** Merges lifecycle shards as mergeResults merges campaign shards, with the same refusals. */
export function mergeLifecycleResults(paths: string[], options: MergeOptions = {}): LifecycleMerge {
  if (!paths.length) throw new UsageError('nothing to merge: give the results files');
  const files = paths.map(readResults);
  const headers = files.map(header);
  const other = headers.findIndex((h) => !isLifecycleHeader(h));
  if (other >= 0) throw new UsageError(`cannot merge: different campaigns: ${files[0]!.path} holds lifecycle lives, ${files[other]!.path} a campaign of single updates`);
  const heads = headers as LifecycleHeader[];
  const fatal = new Problems();
  const gaps = new Problems();
  const first = heads[0]!;
  for (const [i, h] of heads.entries()) {
    const seedOf = (x: LifecycleHeader) => (x.spec as { seed?: number }).seed;
    if (seedOf(h) !== seedOf(first)) fatal.add(`different seeds: ${files[0]!.path} has seed ${seedOf(first)}, ${files[i]!.path} has seed ${seedOf(h)}`);
    else if (JSON.stringify(h.spec) !== JSON.stringify(first.spec) || h.lives !== first.lives) fatal.add(`different campaigns: ${files[0]!.path} and ${files[i]!.path} are lifecycle runs of different devices, strategies, faults, days or lives`);
  }
  fatal.throwIfAny();
  checkShards(files.map((f, i) => ({ path: f.path, shard: heads[i]!.shard })), fatal, gaps);
  for (const f of files) checkWhole(f, gaps);

  const lives = new Map<number, LifeOutcome>();
  const walls: number[] = [];
  for (const [i, f] of files.entries()) {
    const here = new Set<number>();
    for (const l of f.lines) {
      if (l.type === 'life') {
        here.add(l.result.unit);
        lives.set(l.result.unit, l.result);
      } else if (l.type === 'done' && l.wallMs !== undefined) {
        walls.push(l.wallMs);
      }
    }
    const lost = shardLives(first.lives, heads[i]!.shard).filter((u) => !here.has(u));
    if (lost.length) gaps.add(`${f.path} is missing ${lost.length} li${lost.length > 1 ? 'ves' : 'fe'} (${formatList(lost)})`);
  }
  const missingLives = Array.from({ length: first.lives }, (_, l) => l).filter((l) => !lives.has(l));
  if (!options.allowPartial) gaps.throwIfAny(PARTIAL_HINT);
  const fault = String((first.spec as { fault?: string }).fault ?? 'cut');
  const report = lifecycleReport([...lives.values()], fault);
  return {
    ...report,
    wallMs: walls.length ? Math.max(...walls) : 0,
    lives: lives.size,
    ...(missingLives.length || gaps.list.length ? { partial: { missingLives } } : {}),
  };
}

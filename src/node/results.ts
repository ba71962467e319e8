/**
 * Campaign results files: a JSONL stream (one line per scenario, so an interrupted run loses
 * nothing), resuming from one, and merging shards back into the report the unsharded run
 * gives.
 *
 * Lines: `{"type":"campaign","key":…,"spec":…,"shard":…}` once per campaign run, then
 * `{"type":"scenario",…}` per scenario and `{"type":"unit","key":…,"unit":u}` once every
 * scenario of unit u is written, and `{"type":"end","key":…,"wallMs":…}` (with, for plans
 * with a memo, `"memo":true,"powerOnStates":…,"memoHits":…`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { makeReport, Tally, type Report } from '../campaign/report.js';
import type { ScenarioResult } from '../campaign/oracle.js';
import type { CampaignSpec } from '../campaign/spec.js';

interface Line {
  type: 'campaign' | 'scenario' | 'unit' | 'end';
  key?: string;
  spec?: CampaignSpec;
  unit?: number;
  wallMs?: number;
  result?: ScenarioResult;
  memo?: boolean;
  powerOnStates?: number;
  memoHits?: number;
}

/** What the memo did, from the end lines of a campaign (summed over its parts). */
interface MemoTotals {
  memo: boolean;
  powerOnStates: number;
  memoHits: number;
}

function addMemo(to: MemoTotals, l: Line): void {
  if (!l.memo) return;
  to.memo = true;
  to.powerOnStates += l.powerOnStates ?? 0;
  to.memoHits += l.memoHits ?? 0;
}

function readLines(path: string): Line[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read results '${path}' (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const out: Line[] = [];
  const lines = text.split('\n');
  for (const [i, l] of lines.entries()) {
    if (!l.trim()) continue;
    try {
      out.push(JSON.parse(l) as Line);
    } catch {
      // A run killed mid-write leaves at most a torn last line; anything else is not ours.
      if (i === lines.length - 1 || (i === lines.length - 2 && lines[lines.length - 1] === '')) continue;
      throw new UsageError(`${path}:${i + 1} is not a brickproof results line`);
    }
  }
  return out;
}

/** Units already complete in a results file, per campaign key (for --resume). */
export function completedUnits(path: string): Map<string, { units: Set<number>; results: ScenarioResult[]; wallMs: number } & MemoTotals> {
  const done = new Map<string, { units: Set<number>; results: ScenarioResult[]; wallMs: number } & MemoTotals>();
  if (!existsSync(path)) return done;
  const pending = new Map<string, ScenarioResult[]>();
  for (const l of readLines(path)) {
    if (!l.key) continue;
    let d = done.get(l.key);
    if (!d) done.set(l.key, (d = { units: new Set(), results: [], wallMs: 0, memo: false, powerOnStates: 0, memoHits: 0 }));
    if (l.type === 'scenario' && l.result) {
      const k = `${l.key}#${l.result.unit}`;
      (pending.get(k) ?? pending.set(k, []).get(k)!).push(l.result);
    } else if (l.type === 'unit' && l.unit !== undefined) {
      d.units.add(l.unit);
      d.results.push(...(pending.get(`${l.key}#${l.unit}`) ?? []));
      pending.delete(`${l.key}#${l.unit}`);
    } else if (l.type === 'end' && l.wallMs !== undefined) {
      d.wallMs += l.wallMs;
      addMemo(d, l);
    }
  }
  return done;
}

/**
 * Merges shard result files into one report: scenarios de-duplicated by id, one summary row
 * per campaign (wall time: the slowest shard's, as they run side by side).
 */
export function mergeResults(paths: string[]): Report {
  const runs = new Map<string, { spec: CampaignSpec; byId: Map<string, ScenarioResult>; wall: number[]; memo: MemoTotals }>();
  for (const path of paths) {
    const perFile = new Map<string, number>();
    for (const l of readLines(path)) {
      if (l.type === 'campaign' && l.key && l.spec && !runs.has(l.key)) runs.set(l.key, { spec: l.spec, byId: new Map(), wall: [], memo: { memo: false, powerOnStates: 0, memoHits: 0 } });
      const run = l.key ? runs.get(l.key) : undefined;
      if (!run) continue;
      if (l.type === 'scenario' && l.result) run.byId.set(l.result.id, l.result);
      if (l.type === 'end' && l.wallMs !== undefined) {
        perFile.set(l.key!, (perFile.get(l.key!) ?? 0) + l.wallMs);
        addMemo(run.memo, l);
      }
    }
    for (const [key, ms] of perFile) runs.get(key)!.wall.push(ms);
  }
  if (runs.size === 0) throw new UsageError(`no campaign results in ${paths.join(', ')}`);
  return makeReport(
    [...runs.values()].map((r) => {
      const tally = new Tally();
      for (const res of [...r.byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) tally.add(res);
      tally.wallMs = r.wall.length ? Math.max(...r.wall) : 0;
      Object.assign(tally, r.memo);
      return { spec: r.spec, tally };
    }),
  );
}


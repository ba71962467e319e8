/**
 * Campaign results: a JSONL stream (one line per scenario, so an interrupted run loses
 * nothing), the summary rows, and merging shards back into the report the unsharded run
 * gives.
 *
 * Lines: `{"type":"campaign","key":…,"spec":…,"shard":…}` once per campaign run, then
 * `{"type":"scenario",…}` per scenario and `{"type":"unit","key":…,"unit":u}` once every
 * scenario of unit u is written, and `{"type":"end","key":…,"wallMs":…}`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { ScenarioResult } from './runner.js';
import type { CampaignSpec } from './spec.js';

export interface SummaryRow {
  strategy: string;
  device: string;
  plan: string;
  upgrade: string;
  fault: string;
  scenarios: number;
  bricked: number;
  failures: number;
  wallMs: number;
}

export interface Report {
  summary: SummaryRow[];
  failures: Array<{ id: string; rule: string; detail: string }>;
}

/**
 * What identifies a campaign run across shards (everything but the shard and timing). The
 * staging and build options are appended only when set, so that results files written
 * before they existed still resume and merge under the same keys.
 */
export function campaignKey(spec: CampaignSpec): string {
  const key = [spec.strategy, spec.device, spec.upgrade, spec.plan, spec.fault, spec.imageSize, spec.v1Size ?? '', spec.seed, spec.sample].join('|');
  const extra = [
    spec.v1Trailer !== undefined ? `v1=${spec.v1Trailer}` : '',
    spec.maxAlign !== undefined ? `max-align=${spec.maxAlign}` : '',
    spec.maxSectors !== undefined ? `max-sectors=${spec.maxSectors}` : '',
    spec.deviceFile !== undefined ? `file=${spec.deviceFile}` : '',
  ].filter(Boolean);
  return extra.length ? `${key}|${extra.join('|')}` : key;
}

export class Tally {
  scenarios = 0;
  bricked = 0;
  failures = 0;
  readonly failed: ScenarioResult[] = [];
  wallMs = 0;

  add(r: ScenarioResult): void {
    this.scenarios++;
    if (r.ok) return;
    if (r.rule === 'bricked') this.bricked++;
    else this.failures++;
    this.failed.push(r);
  }

  row(spec: CampaignSpec): SummaryRow {
    return {
      strategy: spec.strategy,
      device: spec.device,
      plan: spec.plan,
      upgrade: spec.upgrade,
      fault: spec.fault,
      scenarios: this.scenarios,
      bricked: this.bricked,
      failures: this.failures,
      wallMs: Math.round(this.wallMs),
    };
  }
}

export function makeReport(runs: Array<{ spec: CampaignSpec; tally: Tally }>): Report {
  return {
    summary: runs.map((r) => r.tally.row(r.spec)),
    failures: runs
      .flatMap((r) => r.tally.failed)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((f) => ({ id: f.id, rule: f.rule!, detail: f.detail ?? '' })),
  };
}

interface Line {
  type: 'campaign' | 'scenario' | 'unit' | 'end';
  key?: string;
  spec?: CampaignSpec;
  unit?: number;
  wallMs?: number;
  result?: ScenarioResult;
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
export function completedUnits(path: string): Map<string, { units: Set<number>; results: ScenarioResult[]; wallMs: number }> {
  const done = new Map<string, { units: Set<number>; results: ScenarioResult[]; wallMs: number }>();
  if (!existsSync(path)) return done;
  const pending = new Map<string, ScenarioResult[]>();
  for (const l of readLines(path)) {
    if (!l.key) continue;
    let d = done.get(l.key);
    if (!d) done.set(l.key, (d = { units: new Set(), results: [], wallMs: 0 }));
    if (l.type === 'scenario' && l.result) {
      const k = `${l.key}#${l.result.unit}`;
      (pending.get(k) ?? pending.set(k, []).get(k)!).push(l.result);
    } else if (l.type === 'unit' && l.unit !== undefined) {
      d.units.add(l.unit);
      d.results.push(...(pending.get(`${l.key}#${l.unit}`) ?? []));
      pending.delete(`${l.key}#${l.unit}`);
    } else if (l.type === 'end' && l.wallMs !== undefined) {
      d.wallMs += l.wallMs;
    }
  }
  return done;
}

/**
 * Merges shard result files into one report: scenarios de-duplicated by id, one summary row
 * per campaign (wall time: the slowest shard's, as they run side by side).
 */
export function mergeResults(paths: string[]): Report {
  const runs = new Map<string, { spec: CampaignSpec; byId: Map<string, ScenarioResult>; wall: number[] }>();
  for (const path of paths) {
    const perFile = new Map<string, number>();
    for (const l of readLines(path)) {
      if (l.type === 'campaign' && l.key && l.spec && !runs.has(l.key)) runs.set(l.key, { spec: l.spec, byId: new Map(), wall: [] });
      const run = l.key ? runs.get(l.key) : undefined;
      if (!run) continue;
      if (l.type === 'scenario' && l.result) run.byId.set(l.result.id, l.result);
      if (l.type === 'end' && l.wallMs !== undefined) perFile.set(l.key!, (perFile.get(l.key!) ?? 0) + l.wallMs);
    }
    for (const [key, ms] of perFile) runs.get(key)!.wall.push(ms);
  }
  if (runs.size === 0) throw new UsageError(`no campaign results in ${paths.join(', ')}`);
  return makeReport(
    [...runs.values()].map((r) => {
      const tally = new Tally();
      for (const res of [...r.byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) tally.add(res);
      tally.wallMs = r.wall.length ? Math.max(...r.wall) : 0;
      return { spec: r.spec, tally };
    }),
  );
}

export function formatTable(rows: SummaryRow[]): string {
  const head = ['strategy', 'device', 'plan', 'upgrade', 'fault', 'scenarios', 'bricked', 'failures', 'wall', 'scen/s'];
  const body = rows.map((r) => [
    r.strategy, r.device, r.plan, r.upgrade, r.fault, String(r.scenarios), String(r.bricked), String(r.failures),
    `${(r.wallMs / 1000).toFixed(2)} s`, r.wallMs > 0 ? String(Math.round((r.scenarios * 1000) / r.wallMs)) : '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

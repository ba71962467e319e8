/**
 * Campaign reports: the key that names a campaign run across shards, the tally of its
 * results and the summary table. Reading and writing results files is Node's business
 * (src/node/results.ts).
 */
import type { ScenarioResult } from './oracle.js';
import { strategyLabel, type CampaignSpec } from './spec.js';

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
  /** Scenarios per second of wall time (0 when no time was measured). */
  scenariosPerSecond: number;
  /** Power-ons were memoized (memo.ts): the double, triple and random plans, unless --no-memo. */
  memo: boolean;
  /** Distinct flash states the device powered on from, memoized (over all threads; summed over shards and resumed parts). */
  powerOnStates: number;
  /** Power-ons whose life was taken from the memo instead of run. */
  memoHits: number;
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
  const key = [strategyLabel(spec), spec.device, spec.upgrade, spec.plan, spec.fault, spec.imageSize, spec.v1Size ?? '', spec.seed, spec.sample].join('|');
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
  memo = false;
  powerOnStates = 0;
  memoHits = 0;

  add(r: ScenarioResult): void {
    this.scenarios++;
    if (r.ok) return;
    if (r.rule === 'bricked') this.bricked++;
    else this.failures++;
    this.failed.push(r);
  }

  /** Passing scenarios counted but not named. */
  addPassed(n: number): void {
    this.scenarios += n;
  }

  row(spec: CampaignSpec): SummaryRow {
    const wallMs = Math.round(this.wallMs);
    return {
      strategy: strategyLabel(spec),
      device: spec.device,
      plan: spec.plan,
      upgrade: spec.upgrade,
      fault: spec.fault,
      scenarios: this.scenarios,
      bricked: this.bricked,
      failures: this.failures,
      wallMs,
      scenariosPerSecond: wallMs > 0 ? Math.round((this.scenarios * 1000) / wallMs) : 0,
      memo: this.memo,
      powerOnStates: this.powerOnStates,
      memoHits: this.memoHits,
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

/** The summary table; the memo's columns only when some campaign of it had a memo. */
export function formatTable(rows: SummaryRow[]): string {
  const memo = rows.some((r) => r.memo);
  const head = ['strategy', 'device', 'plan', 'upgrade', 'fault', 'scenarios', 'bricked', 'failures', 'wall', 'scen/s', ...(memo ? ['states', 'memo hits'] : [])];
  const body = rows.map((r) => [
    r.strategy, r.device, r.plan, r.upgrade, r.fault, String(r.scenarios), String(r.bricked), String(r.failures),
    `${(r.wallMs / 1000).toFixed(2)} s`, r.wallMs > 0 ? String(Math.round((r.scenarios * 1000) / r.wallMs)) : '-',
    ...(memo ? (r.memo ? [String(r.powerOnStates), String(r.memoHits)] : ['-', '-']) : []),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

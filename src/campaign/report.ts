/**
 * Campaign reports: the key that names a campaign run across shards, the tally of its
 * results and the summary table. Reading and writing results files is Node's business
 * (src/node/results.ts).
 */
import type { ScenarioResult } from './oracle.js';
import { modesLabel, strategyLabel, type CampaignSpec } from './spec.js';

export interface SummaryRow {
  strategy: string;
  device: string;
  plan: string;
  upgrade: string;
  fault: string;
  scenarios: number;
  /** Scenarios where a power-on found no image to boot (rule `bricked`). */
  bricked: number;
  /** Scenarios that broke any other rule of the oracle (wrong image, wrong end state, …). */
  failures: number;
  /** bricked + failures: every scenario that did not pass. */
  failed: number;
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
  /** Set only by `campaign merge --allow-partial` over incomplete results: what is not in this report. */
  partial?: { missing: MissingUnits[] };
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
    spec.images !== undefined && spec.images !== 1 ? `images=${spec.images}` : '',
    spec.hwRollback ? 'hw-rollback' : '',
    spec.bootstrap ? 'bootstrap' : '',
    spec.downgradePrevention ? 'downgrade-prevention' : '',
    spec.encKeyLen ? `enc=${spec.encKeyLen * 8}` : '',
    spec.encKeyFile !== undefined ? `enc-key=${spec.encKeyFile}` : '',
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
      strategy: strategyLabel(spec) + modesLabel(spec),
      device: spec.device,
      plan: spec.plan,
      upgrade: spec.upgrade,
      fault: spec.fault,
      scenarios: this.scenarios,
      bricked: this.bricked,
      failures: this.failures,
      failed: this.bricked + this.failures,
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
  const head = ['strategy', 'device', 'plan', 'upgrade', 'fault', 'scenarios', 'bricked', 'other failures', 'failed', 'wall', 'scen/s', ...(memo ? ['states', 'memo hits'] : [])];
  const body = rows.map((r) => [
    r.strategy, r.device, r.plan, r.upgrade, r.fault, String(r.scenarios), String(r.bricked), String(r.failures), String(r.failed),
    `${(r.wallMs / 1000).toFixed(2)} s`, r.wallMs > 0 ? String(Math.round((r.scenarios * 1000) / r.wallMs)) : '-',
    ...(memo ? (r.memo ? [String(r.powerOnStates), String(r.memoHits)] : ['-', '-']) : []),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/**
 * Units a merge could not find, per campaign, when `campaign merge --allow-partial` merged
 * what was there: the report then covers only the other units, and says so.
 */
export interface MissingUnits {
  strategy: string;
  device: string;
  plan: string;
  upgrade: string;
  fault: string;
  /** Units the campaign has in all. */
  of: number;
  /** The missing ones (first cuts, or random runs), in increasing order. */
  units: number[];
}

/** `5, 7–9, 12`: units as a person reads them. */
export function formatUnits(units: readonly number[], most = 12): string {
  const ranges: string[] = [];
  for (let i = 0; i < units.length; ) {
    let j = i;
    while (j + 1 < units.length && units[j + 1] === units[j] + 1) j++;
    ranges.push(j === i ? String(units[i]) : `${units[i]}–${units[j]}`);
    i = j + 1;
  }
  return ranges.length > most ? `${ranges.slice(0, most).join(', ')}, … (${ranges.length - most} more ranges)` : ranges.join(', ');
}

/** One row of a lifecycle campaign's table: the lives of one (strategy, device). */
export interface LifecycleRow {
  strategy: string;
  device: string;
  fault: string;
  lives: number;
  bricked: number;
  /** Lives that broke any other rule. */
  failures: number;
  /** bricked + failures. */
  failed: number;
  /** Power losses that interrupted a download, and the most any of them cost in re-downloaded bytes. */
  cutsMidDownload: number;
  maxRedownloadBytes: number;
  meanMah: number;
  meanOtaMah: number;
}

/** What a lifecycle row needs of a life's result (plans/lifecycle.ts LifeResult). */
export interface LifeOutcome {
  id: string;
  unit: number;
  ok: boolean;
  rule?: string;
  detail?: string;
  device: string;
  strategy: string;
  cuts: Array<[number, number]>;
  totalMah: number;
  otaMah: number;
}

/** The rows and failures of a lifecycle campaign, from its lives in any order. */
export function lifecycleReport(lives: readonly LifeOutcome[], fault: string): { summary: LifecycleRow[]; failures: Report['failures'] } {
  const rows = new Map<string, LifecycleRow>();
  const failed: LifeOutcome[] = [];
  for (const r of [...lives].sort((a, b) => a.unit - b.unit)) {
    const key = `${r.strategy}/${r.device}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { strategy: r.strategy, device: r.device, fault, lives: 0, bricked: 0, failures: 0, failed: 0, cutsMidDownload: 0, maxRedownloadBytes: 0, meanMah: 0, meanOtaMah: 0 }));
    row.lives++;
    row.meanMah += (r.totalMah - row.meanMah) / row.lives;
    row.meanOtaMah += (r.otaMah - row.meanOtaMah) / row.lives;
    row.cutsMidDownload += r.cuts.length;
    for (const [re] of r.cuts) row.maxRedownloadBytes = Math.max(row.maxRedownloadBytes, re);
    if (!r.ok) {
      if (r.rule === 'bricked') row.bricked++;
      else row.failures++;
      row.failed++;
      failed.push(r);
    }
  }
  const summary = [...rows.values()].sort((a, b) => (a.device + a.strategy < b.device + b.strategy ? -1 : 1));
  return { summary, failures: failed.map((f) => ({ id: f.id, rule: f.rule!, detail: f.detail ?? '' })) };
}

export function formatLifecycleTable(rows: LifecycleRow[]): string {
  const head = ['strategy', 'device', 'fault', 'lives', 'bricked', 'other failures', 'failed', 'cuts mid-download', 'max re-download', 'mean mAh', 'mean OTA mAh'];
  const body = rows.map((r) => [r.strategy, r.device, r.fault, String(r.lives), String(r.bricked), String(r.failures), String(r.failed), String(r.cutsMidDownload), `${r.maxRedownloadBytes} B`, r.meanMah.toFixed(2), r.meanOtaMah.toFixed(3)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

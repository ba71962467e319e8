/**
 * A fleet run as an SVG chart: how many devices are in each state over virtual time — not
 * offered yet, offered (waiting for their next check), downloading, installing (the download
 * done, no outcome yet), succeeded, rolled back, refused, timed out, cancelled, bricked —
 * stacked, with the rollout's events numbered where they happened and listed below.
 *
 * A rollout happens in hours and a fleet lives for weeks: long stretches in which no device
 * changes state are drawn narrow, as a break in the time axis, so the hours that matter get
 * the width. Plain SVG text, browser-safe; the command line writes it beside the JSON.
 */
import { ticks } from '../bench/chart.js';
import type { FleetPlan } from './description.js';
import type { Execution, RolloutEvent, Simulation } from './rollout.js';

export const CHART_STATES = ['not offered', 'waiting', 'downloading', 'installing', 'succeeded', 'rolled back', 'refused', 'timed out', 'cancelled', 'bricked'] as const;
export type ChartState = (typeof CHART_STATES)[number];
const COLOUR: Record<ChartState, string> = {
  'not offered': '#e8e8e8',
  waiting: '#aec7e8',
  downloading: '#1f77b4',
  installing: '#9467bd',
  succeeded: '#2ca02c',
  'rolled back': '#ff7f0e',
  refused: '#bcbd22',
  'timed out': '#8c564b',
  cancelled: '#c7c7c7',
  bricked: '#d62728',
};
const EVENT_COLOUR: Record<RolloutEvent['event'], string> = {
  'group-started': '#444',
  'group-succeeded': '#2ca02c',
  'rollout-paused': '#d62728',
  'rollout-aborted': '#d62728',
  'rollout-finished': '#1f77b4',
};

const W = 1100;
const PLOT = { left: 70, top: 84, width: 820, height: 360 };
const BREAK_PX = 28;
const MAX_LISTED = 24;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const END_STATE: Record<Execution['status'], ChartState> = {
  queued: 'waiting',
  'in-progress': 'downloading',
  succeeded: 'succeeded',
  failed: 'rolled back',
  rejected: 'refused',
  'timed-out': 'timed out',
  canceled: 'cancelled',
};

/** Every state change of every device, in time order: [time, device, new state]. */
export function stateChanges(sim: Simulation, untilMs: number): Array<[number, number, ChartState]> {
  const changes: Array<[number, number, ChartState]> = [];
  for (const e of sim.executions) {
    changes.push([e.notifiedAt, e.device, 'waiting']);
    if (e.seenAt >= 0) changes.push([e.seenAt, e.device, 'downloading']);
    if (e.downloadedAt >= 0) changes.push([e.downloadedAt, e.device, 'installing']);
    if (e.endAt >= 0) changes.push([e.endAt, e.device, END_STATE[e.status]]);
  }
  for (const [device, run] of sim.runs) if (run.brickedAt >= 0 && run.brickedAt <= untilMs) changes.push([run.brickedAt, device, 'bricked']);
  // Array.prototype.sort is stable: a device's own changes keep their order at equal times.
  return changes.filter((c) => c[0] <= untilMs).sort((a, b) => a[0] - b[0]);
}

/** Device counts per state at each of `times` (ascending). */
export function stateCounts(devices: number, changes: ReadonlyArray<[number, number, ChartState]>, times: readonly number[]): Record<ChartState, number[]> {
  const state = new Map<number, ChartState>();
  const now = Object.fromEntries(CHART_STATES.map((s) => [s, 0])) as Record<ChartState, number>;
  now['not offered'] = devices;
  const counts = Object.fromEntries(CHART_STATES.map((s) => [s, [] as number[]])) as Record<ChartState, number[]>;
  let k = 0;
  for (const t of times) {
    for (; k < changes.length && changes[k]![0] <= t; k++) {
      const [, device, to] = changes[k]!;
      const from = state.get(device) ?? 'not offered';
      if (from === 'bricked') continue;
      now[from]--;
      now[to]++;
      state.set(device, to);
    }
    for (const s of CHART_STATES) counts[s].push(now[s]);
  }
  return counts;
}

interface Segment {
  from: number;
  to: number;
  /** A stretch with no state change, drawn as a narrow break. */
  quiet: boolean;
  x0: number;
  x1: number;
}

/** The time axis: busy stretches share the width, quiet ones (no change for long) are breaks. */
function timeAxis(times: number[], untilMs: number): Segment[] {
  const span = Math.max(untilMs, 1);
  const longGap = Math.max(HOUR, span / 40);
  const marks = [...new Set([0, ...times, untilMs])].sort((a, b) => a - b);
  const raw: Array<{ from: number; to: number; quiet: boolean }> = [];
  let start = 0;
  for (let i = 1; i < marks.length; i++) {
    const a = marks[i - 1]!;
    const b = marks[i]!;
    if (b - a < longGap) continue;
    // Some slack around the busy stretch, so its last changes do not sit on the break.
    const pad = Math.min(longGap / 4, (b - a) / 8);
    if (a + pad > start) raw.push({ from: start, to: a + pad, quiet: false });
    raw.push({ from: Math.max(start, a + pad), to: b === untilMs ? b : b - pad, quiet: true });
    start = b === untilMs ? b : b - pad;
  }
  if (start < untilMs) raw.push({ from: start, to: untilMs, quiet: false });
  const busy = raw.filter((s) => !s.quiet);
  if (!busy.length) return [{ from: 0, to: span, quiet: false, x0: PLOT.left, x1: PLOT.left + PLOT.width }];
  const longest = Math.max(...busy.map((s) => s.to - s.from));
  const weight = (s: { from: number; to: number }) => Math.max(s.to - s.from, longest / 4);
  const room = PLOT.width - BREAK_PX * (raw.length - busy.length);
  const total = busy.reduce((n, s) => n + weight(s), 0);
  let x = PLOT.left;
  return raw.map((s) => {
    const w = s.quiet ? BREAK_PX : (weight(s) / total) * room;
    const seg = { ...s, x0: x, x1: x + w };
    x += w;
    return seg;
  });
}

function xOf(axis: Segment[], t: number): number {
  const s = axis.find((g) => t <= g.to) ?? axis[axis.length - 1]!;
  const f = s.to > s.from ? (Math.min(Math.max(t, s.from), s.to) - s.from) / (s.to - s.from) : 0;
  return s.x0 + f * (s.x1 - s.x0);
}

/** `5h`, `2d`, `7d 6h`, `30m`. */
function shortTime(t: number): string {
  const d = Math.floor(t / DAY);
  const h = Math.floor((t % DAY) / HOUR);
  const m = Math.round((t % HOUR) / 60_000);
  if (d && !h && !m) return `${d}d`;
  if (d) return m ? `${d}d ${h}h${String(m).padStart(2, '0')}` : `${d}d ${h}h`;
  if (h) return m ? `${h}h${String(m).padStart(2, '0')}` : `${h}h`;
  return `${m}m`;
}

export function fleetChart(plan: FleetPlan, sim: Simulation, untilMs: number, events: readonly RolloutEvent[]): string {
  const changes = stateChanges(sim, untilMs);
  const axis = timeAxis([...changes.map((c) => c[0]), ...events.map((e) => e.tMs)], untilMs);
  // One sample every two pixels of each segment, mapped back to time.
  const times: number[] = [];
  for (const s of axis) {
    const n = Math.max(2, Math.ceil((s.x1 - s.x0) / 2));
    for (let i = 0; i <= n; i++) times.push(s.from + ((s.to - s.from) * i) / n);
  }
  const counts = stateCounts(plan.devices, changes, times);
  const y = (n: number) => PLOT.top + PLOT.height - (n / plan.devices) * PLOT.height;
  const listed = events.slice(0, MAX_LISTED);
  const H = PLOT.top + PLOT.height + 60 + 16 * (listed.length + (events.length > MAX_LISTED ? 1 : 0)) + 10;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  const title = `${plan.devices.toLocaleString('en')} devices, ${plan.releases.map((r) => r.name).join(' then ')}: device states over ${shortTime(untilMs)} of virtual time (seed ${plan.seed})`;
  out.push(`<text x="${PLOT.left}" y="24" font-size="15" font-weight="bold">${esc(title)}</text>`);
  const xs = times.map((t) => xOf(axis, t).toFixed(1));
  const base = times.map(() => 0);
  for (const s of CHART_STATES) {
    const top = base.map((b, i) => b + counts[s][i]!);
    if (counts[s].some((n) => n > 0)) {
      const upper = xs.map((x, i) => `${x},${y(top[i]!).toFixed(1)}`);
      const lower = xs.map((x, i) => `${x},${y(base[i]!).toFixed(1)}`).reverse();
      out.push(`<polygon fill="${COLOUR[s]}" points="${[...upper, ...lower].join(' ')}"><title>${esc(s)}</title></polygon>`);
    }
    top.forEach((v, i) => (base[i] = v));
  }
  out.push(`<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.width}" height="${PLOT.height}" fill="none" stroke="#333"/>`);
  for (const n of ticks(plan.devices)) {
    if (n > plan.devices) continue;
    out.push(`<line x1="${PLOT.left - 4}" x2="${PLOT.left}" y1="${y(n)}" y2="${y(n)}" stroke="#333"/><text x="${PLOT.left - 7}" y="${y(n) + 4}" text-anchor="end">${n.toLocaleString('en')}</text>`);
  }
  out.push(`<text x="18" y="${PLOT.top + PLOT.height / 2}" text-anchor="middle" transform="rotate(-90 18 ${PLOT.top + PLOT.height / 2})">devices</text>`);
  const yAxis = PLOT.top + PLOT.height;
  for (const s of axis) {
    if (s.quiet) {
      // A break: nothing changed in between (its length is in the labels either side).
      const mid = (s.x0 + s.x1) / 2;
      out.push(`<rect x="${s.x0.toFixed(1)}" y="${PLOT.top}" width="${(s.x1 - s.x0).toFixed(1)}" height="${PLOT.height}" fill="white" fill-opacity="0.45"/>`);
      out.push(`<path d="M${(mid - 6).toFixed(1)},${yAxis + 6} l4,-12 M${(mid + 2).toFixed(1)},${yAxis + 6} l4,-12" stroke="#333" fill="none"/>`);
      continue;
    }
    const len = s.to - s.from;
    const unit = len >= 2 * DAY ? DAY : len >= 2 * HOUR ? HOUR : 60_000;
    const steps = ticks(len / unit, Math.max(2, Math.round((s.x1 - s.x0) / 90)));
    const step = (steps[1] ?? 1) * unit;
    for (let t = Math.ceil(s.from / step) * step; t <= s.to + 1e-6; t += step) {
      const px = xOf(axis, t);
      out.push(`<line x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="${yAxis}" y2="${yAxis + 4}" stroke="#333"/><text x="${px.toFixed(1)}" y="${yAxis + 17}" text-anchor="middle">${shortTime(t)}</text>`);
    }
  }
  out.push(`<text x="${PLOT.left + PLOT.width / 2}" y="${yAxis + 36}" text-anchor="middle">virtual time (quiet stretches, where no device changes state, drawn narrow)</text>`);
  // Rollout events: a numbered marker each, listed below.
  events.forEach((e, i) => {
    const px = xOf(axis, e.tMs).toFixed(1);
    const row = i % 3;
    const label = i < MAX_LISTED ? String(i + 1) : '';
    out.push(`<line x1="${px}" x2="${px}" y1="${PLOT.top - 4 - row * 12}" y2="${yAxis}" stroke="${EVENT_COLOUR[e.event]}" stroke-dasharray="3 3"><title>${esc(`${e.event} ${e.group}: ${e.detail}`)}</title></line>`);
    if (label) out.push(`<text x="${px}" y="${PLOT.top - 7 - row * 12}" font-size="10" text-anchor="middle" fill="${EVENT_COLOUR[e.event]}">${label}</text>`);
  });
  listed.forEach((e, i) => {
    const ly = yAxis + 60 + i * 16;
    out.push(`<text x="${PLOT.left}" y="${ly}" fill="${EVENT_COLOUR[e.event]}">${esc(`${i + 1}. ${shortTime(e.tMs)} (${(e.tMs / HOUR).toFixed(2)} h): ${e.event} ${e.group} — ${e.detail}`)}</text>`);
  });
  if (events.length > MAX_LISTED) out.push(`<text x="${PLOT.left}" y="${yAxis + 60 + listed.length * 16}">… and ${events.length - MAX_LISTED} more events (in the JSON)</text>`);
  CHART_STATES.forEach((s, i) => {
    const ly = PLOT.top + i * 20;
    out.push(`<rect x="${PLOT.left + PLOT.width + 20}" y="${ly}" width="14" height="14" fill="${COLOUR[s]}" stroke="#999"/><text x="${PLOT.left + PLOT.width + 40}" y="${ly + 11}">${esc(s)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/**
 * The strategy bench of one device as an SVG chart: on-device update time (left) and the
 * worst sector's erases per update (right) against image size, one colour per strategy,
 * solid for a permanent upgrade and dashed for a test upgrade that reverts. Plain SVG text,
 * no dependencies, browser-safe; the CLI decides where it goes.
 */
import type { BootStrategy } from '../image/strategy.js';
import type { BenchUpgrade, StrategyResult } from './strategies.js';

const COLOURS: Record<BootStrategy, string> = {
  'overwrite-only': '#d62728',
  'swap-scratch': '#1f77b4',
  'swap-move': '#ff7f0e',
  'swap-offset': '#2ca02c',
  'direct-xip': '#9467bd',
  'direct-xip-revert': '#8c564b',
  'ram-load': '#e377c2',
  'ram-load-revert': '#7f7f7f',
};
const DASH: Record<BenchUpgrade, string> = { permanent: '', 'test-revert': '6 4' };

const W = 1000;
const H = 460;
const PANEL = { top: 70, bottom: 60, left: 70, width: 370, gap: 110 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) < 1 ? 2 : 1));

/** Round axis steps (1, 2, 5 × 10^k) giving about `target` intervals up to `max`. */
export function ticks(max: number, target = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

interface Panel {
  title: string;
  unit: string;
  value: (r: StrategyResult) => number | null;
  integer?: boolean;
}

function panel(x0: number, results: readonly StrategyResult[], p: Panel, xTicks: number[]): string {
  const plotH = H - PANEL.top - PANEL.bottom;
  const xMax = xTicks[xTicks.length - 1]!;
  const values = results.map(p.value).filter((v): v is number => v !== null);
  const out: string[] = [];
  out.push(`<text x="${x0 + PANEL.width / 2}" y="${PANEL.top - 14}" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  if (values.length === 0) {
    out.push(`<text x="${x0 + PANEL.width / 2}" y="${PANEL.top + plotH / 2}" text-anchor="middle">no datasheet figure for this device</text>`);
    return out.join('\n');
  }
  let yTicks = ticks(Math.max(...values));
  if (p.integer) yTicks = yTicks.filter((v) => Number.isInteger(v));
  const yMax = yTicks[yTicks.length - 1]!;
  const sx = (v: number) => x0 + (v / xMax) * PANEL.width;
  const sy = (v: number) => PANEL.top + plotH - (v / yMax) * plotH;
  for (const t of yTicks) {
    out.push(`<line x1="${x0}" y1="${sy(t)}" x2="${x0 + PANEL.width}" y2="${sy(t)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${x0 - 6}" y="${sy(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const t of xTicks) {
    out.push(`<line x1="${sx(t)}" y1="${PANEL.top + plotH}" x2="${sx(t)}" y2="${PANEL.top + plotH + 5}" stroke="#333"/>`);
    out.push(`<text x="${sx(t)}" y="${PANEL.top + plotH + 18}" text-anchor="middle">${fmt(t)}</text>`);
  }
  out.push(`<line x1="${x0}" y1="${PANEL.top + plotH}" x2="${x0 + PANEL.width}" y2="${PANEL.top + plotH}" stroke="#333"/>`);
  out.push(`<line x1="${x0}" y1="${PANEL.top}" x2="${x0}" y2="${PANEL.top + plotH}" stroke="#333"/>`);
  out.push(`<text x="${x0 + PANEL.width / 2}" y="${H - PANEL.bottom + 38}" text-anchor="middle">image size (KiB)</text>`);
  out.push(`<text transform="translate(${x0 - 48} ${PANEL.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(p.unit)}</text>`);
  for (const line of series(results)) {
    const pts = line.points.map((r) => [r.imageSize / 1024, p.value(r)] as const).filter((pt): pt is readonly [number, number] => pt[1] !== null);
    if (pts.length === 0) continue;
    const colour = COLOURS[line.strategy];
    const d = pts.map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"${DASH[line.upgrade] ? ` stroke-dasharray="${DASH[line.upgrade]}"` : ''}/>`);
    for (const [x, y] of pts) out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${colour}"/>`);
  }
  return out.join('\n');
}

function series(results: readonly StrategyResult[]): Array<{ strategy: BootStrategy; upgrade: BenchUpgrade; points: StrategyResult[] }> {
  const byKey = new Map<string, { strategy: BootStrategy; upgrade: BenchUpgrade; points: StrategyResult[] }>();
  for (const r of results) {
    const key = `${r.strategy} ${r.upgrade}`;
    if (!byKey.has(key)) byKey.set(key, { strategy: r.strategy, upgrade: r.upgrade, points: [] });
    byKey.get(key)!.points.push(r);
  }
  for (const s of byKey.values()) s.points.sort((a, b) => a.imageSize - b.imageSize);
  return [...byKey.values()];
}

/** The chart of one device's results (all rows must be of the same device). */
export function strategyChart(results: readonly StrategyResult[]): string {
  if (results.length === 0) throw new Error('no results to chart');
  const device = results[0]!.device;
  const xTicks = ticks(Math.max(...results.map((r) => r.imageSize / 1024)));
  const left = PANEL.left;
  const right = PANEL.left + PANEL.width + PANEL.gap;
  const strategies = [...new Set(results.map((r) => r.strategy))];
  const upgrades = [...new Set(results.map((r) => r.upgrade))];
  const legendX = right + PANEL.width + 24;
  const legend: string[] = [];
  let y = PANEL.top;
  for (const s of strategies) {
    legend.push(`<line x1="${legendX}" y1="${y}" x2="${legendX + 24}" y2="${y}" stroke="${COLOURS[s]}" stroke-width="3"/><text x="${legendX + 30}" y="${y + 4}">${s}</text>`);
    y += 20;
  }
  y += 10;
  for (const u of upgrades) {
    legend.push(`<line x1="${legendX}" y1="${y}" x2="${legendX + 24}" y2="${y}" stroke="#333" stroke-width="2"${DASH[u] ? ` stroke-dasharray="${DASH[u]}"` : ''}/><text x="${legendX + 30}" y="${y + 4}">${u}</text>`);
    y += 20;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W + 140}" height="${H}" viewBox="0 0 ${W + 140} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="24" font-size="16" font-weight="bold">${esc(device)}: update time and flash wear by image size (brickproof bench)</text>`,
    `<text x="${left}" y="42" fill="#555">time: flash operations priced at the datasheet maxima (hashing, boot and reads not included); wear: most erases of one sector per update, scratch included</text>`,
    panel(left, results, { title: 'on-device update time', unit: 'seconds (datasheet max)', value: (r) => r.estimatedSeconds }, xTicks),
    panel(right, results, { title: 'worst-sector wear', unit: 'erases of one sector per update', value: (r) => r.maxSectorErases, integer: true }, xTicks),
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}

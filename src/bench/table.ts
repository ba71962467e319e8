/**
 * The strategy bench as a table a person reads: one row per result, the same values as the
 * JSON (`--json`), rounded for reading. `rowCells` is the one place a result becomes text,
 * so the table and the JSON cannot drift apart.
 */
import type { StrategyResult } from './strategies.js';

export const COLUMNS = [
  'strategy',
  'image',
  'upgrade',
  'erase ops',
  'write ops',
  'erased',
  'programmed',
  'device s max',
  'device s typ',
  'worst sector',
  'its erases',
  'updates to wear-out',
  'max image',
  'revert',
  'sim ms',
  'device/sim',
] as const;

/** Bytes as KiB, to two decimals when not whole ("64 KiB", "206.45 KiB"). */
export function kib(bytes: number): string {
  const k = bytes / 1024;
  return Number.isInteger(k) ? `${k} KiB` : `${k.toFixed(2)} KiB`;
}

const seconds = (s: number | null) => (s === null ? '-' : s.toFixed(2));
const count = (n: number | null) => (n === null ? '-' : String(n));

export function rowCells(r: StrategyResult): string[] {
  return [
    r.strategy,
    kib(r.imageSize),
    r.upgrade,
    String(r.ops.erase),
    String(r.ops.write),
    kib(r.bytesErased),
    kib(r.bytesProgrammed),
    seconds(r.estimatedSeconds),
    seconds(r.estimatedSecondsTypical),
    r.worstSector ?? '-',
    String(r.maxSectorErases),
    count(r.updatesUntilWornOut),
    kib(r.maxImageSize),
    r.canRevert ? 'yes' : 'no',
    r.simMs.toFixed(1),
    r.onDeviceToSimulated === null ? '-' : String(Math.round(r.onDeviceToSimulated)),
  ];
}

/** Left-aligned text columns, right-aligned numbers; two spaces between columns. */
export function formatTable(results: readonly StrategyResult[]): string {
  const rows = [COLUMNS as readonly string[], ...results.map(rowCells)];
  const widths = COLUMNS.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const left = new Set([0, 2, 9, 13]);
  return rows.map((r) => r.map((cell, c) => (left.has(c) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n') + '\n';
}

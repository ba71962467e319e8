/**
 * The operation log's entries and the one trace line format (DESIGN.md, "Flash dumps and
 * traces"): `E <area> <offset> <length>` or `W <area> <offset> <length>`, offset within the
 * area and length in lower-case hex without `0x` — the format of the traces recorded from
 * the real MCUboot. The CLI, the campaign's replay and the tests all write lines with
 * `traceLine`.
 */

export interface LogEntry {
  /** Erase, write, or a write the flash model refused (failed write: logged, not a trace line). */
  kind: 'E' | 'W' | 'F';
  area: number;
  offset: number;
  length: number;
  /** Offset of the written bytes in the log data, when data logging is on. */
  data?: number;
}

/** One flash operation as a trace line. A failed write is written as the write it tried. */
export function traceLine(op: { kind: 'E' | 'W' | 'F'; area: number; offset: number; length: number }): string {
  return `${op.kind === 'E' ? 'E' : 'W'} ${op.area} ${op.offset.toString(16)} ${op.length.toString(16)}`;
}

const TRACE_LINE = /^([EW]) (\d+) ([0-9a-f]+) ([0-9a-f]+)$/;

/** The inverse of traceLine; anything else is not a trace line. */
export function parseTraceLine(line: string): { kind: 'E' | 'W'; area: number; offset: number; length: number } {
  const m = TRACE_LINE.exec(line);
  if (!m) throw new Error(`not a trace line: ${JSON.stringify(line)}`);
  return { kind: m[1] as 'E' | 'W', area: Number(m[2]), offset: parseInt(m[3], 16), length: parseInt(m[4], 16) };
}

/** Entry `i` of the log at `logPtr` (assembly/flash.ts: u8 kind, u8 area, u32 offset, length, data). */
export function readLogEntry(u8: Uint8Array, logPtr: number, entrySize: number, i: number): LogEntry {
  const p = logPtr + i * entrySize;
  const dv = new DataView(u8.buffer, p, 16);
  const kind = u8[p] === 1 ? 'E' : u8[p] === 2 ? 'W' : 'F';
  const data = dv.getUint32(12, true);
  return { kind, area: u8[p + 1], offset: dv.getUint32(4, true), length: dv.getUint32(8, true), ...(data !== 0xffffffff && kind !== 'E' ? { data } : {}) };
}

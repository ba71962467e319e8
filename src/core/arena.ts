/**
 * The arena: the part of the module's memory below ARENA_LIMIT (asconfig `memoryBase`) that
 * this side lays out and the core reads — the control block at 0, the device, area and
 * sector tables, the wear table, the erased-from marks and dirty flags, the bad regions,
 * the flash bytes, the op log and its data, and an I/O buffer. Snapshots and known images
 * are allocated above it later (`top`).
 */
import { UsageError } from '../errors.js';
import { CTRL } from '../ctrl-layout.js';
import type { Geometry } from './geometry.js';
import { PAGE } from './module.js';

export const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** The I/O buffer the host copies data through (programs, hashes). */
export const IO_CAP = 1 << 20;

export interface ArenaOptions {
  /** Programming a programmed unit is an error (MCUboot's simulator), else NOR AND. Default true. */
  strict?: boolean;
  /** Op log capacity in entries (0 = no log). Default 65536. */
  logEntries?: number;
  /** Bytes of written data the op log keeps (0 = none). Default 0. */
  logDataBytes?: number;
}

export interface ArenaLayout {
  devPtr: number;
  areaPtr: number;
  sectorPtr: number;
  wearPtr: number;
  markPtr: number;
  dirtyPtr: number;
  badPtr: number;
  /** The flash digest's block table and dirty flags (CTRL_DIGEST_PTR, set when it is turned on). */
  digestPtr: number;
  digestBytes: number;
  flashPtr: number;
  /** 0 when there is no log. */
  logPtr: number;
  logCap: number;
  /** 0 when no data is logged. */
  logDataPtr: number;
  logDataCap: number;
  ioPtr: number;
  /** First free byte above the fixed layout. */
  top: number;
}

/** Bytes of the flash digest's table for a flash of `size` bytes: an entry and a dirty byte per block. */
export function digestTableBytes(size: number): number {
  const blocks = Math.ceil(size / CTRL.DIGEST_BLOCK);
  return blocks * CTRL.DIGEST_ENTRY_SIZE + blocks;
}

/** Where everything goes for `g`; a UsageError when it does not fit below `arenaLimit`. */
export function planArena(g: Geometry, options: ArenaOptions, arenaLimit: number): ArenaLayout {
  const f = CTRL;
  const maxAreaId = Math.max(...g.areas.map((a) => a.id));
  const devPtr = f.CTRL_SIZE;
  const areaPtr = alignUp(devPtr + g.devices.length * f.DEV_SIZE, 64);
  const sectorPtr = alignUp(areaPtr + (maxAreaId + 1) * f.AREA_SIZE, 64);
  const wearPtr = alignUp(sectorPtr + g.sectors.length * f.SECTOR_SIZE, 64);
  const markPtr = alignUp(wearPtr + g.sectors.length * 4, 64);
  const dirtyPtr = alignUp(markPtr + g.sectors.length * f.MARK_SIZE, 64);
  const badPtr = alignUp(dirtyPtr + g.sectors.length, 64);
  const digestPtr = alignUp(badPtr + 16 * f.BAD_SIZE, 64);
  const digestBytes = digestTableBytes(g.size);
  const flashPtr = alignUp(digestPtr + digestBytes, PAGE);
  const logCap = options.logEntries ?? 65536;
  const logPtr = alignUp(flashPtr + g.size, PAGE);
  const logDataCap = options.logDataBytes ?? 0;
  const logDataPtr = alignUp(logPtr + logCap * f.LOG_ENTRY_SIZE, PAGE);
  const ioPtr = alignUp(logDataPtr + logDataCap, PAGE);
  const top = ioPtr + IO_CAP;
  if (top > arenaLimit) {
    throw new UsageError(`${g.name}: flash of ${g.size} bytes (with its op log and buffers) does not fit the core's ${arenaLimit >> 20} MiB arena`);
  }
  return {
    devPtr, areaPtr, sectorPtr, wearPtr, markPtr, dirtyPtr, badPtr, digestPtr, digestBytes, flashPtr,
    logPtr: logCap ? logPtr : 0, logCap, logDataPtr: logDataCap ? logDataPtr : 0, logDataCap, ioPtr, top,
  };
}

/** Writes the control block and the tables of `layout` into fresh memory (zeroed, as WebAssembly grows it), and erases the flash (a new part). */
export function writeArena(u8: Uint8Array, u32: Uint32Array, g: Geometry, l: ArenaLayout, strict: boolean): void {
  const f = CTRL;
  // The tables only: the flash is filled below, and the op log, its data and the I/O buffer
  // lie in memory the core has just grown, which WebAssembly gives zeroed (zeroing them again
  // touched up to 8 MiB of fresh pages: 5 ms of a campaign's start, measured with --cpu-prof).
  u8.fill(0, 0, l.flashPtr);
  const set = (field: keyof typeof CTRL, v: number) => (u32[f[field] >> 2] = v >>> 0);
  const maxAreaId = Math.max(...g.areas.map((a) => a.id));
  set('CTRL_MAGIC', f.CTRL_MAGIC_VALUE);
  set('CTRL_FLASH_PTR', l.flashPtr);
  set('CTRL_FLASH_SIZE', g.size);
  set('CTRL_DEV_PTR', l.devPtr);
  set('CTRL_DEV_COUNT', g.devices.length);
  set('CTRL_SECTOR_PTR', l.sectorPtr);
  set('CTRL_SECTOR_COUNT', g.sectors.length);
  set('CTRL_AREA_PTR', l.areaPtr);
  set('CTRL_AREA_COUNT', maxAreaId + 1);
  set('CTRL_WEAR_PTR', l.wearPtr);
  set('CTRL_MARK_PTR', l.markPtr);
  set('CTRL_DIRTY_PTR', l.dirtyPtr);
  set('CTRL_MARK_EPOCH', 1);
  set('CTRL_BAD_PTR', l.badPtr);
  set('CTRL_LOG_PTR', l.logPtr);
  set('CTRL_LOG_CAP', l.logCap);
  set('CTRL_LOG_DATA_PTR', l.logDataPtr);
  set('CTRL_LOG_DATA_CAP', l.logDataCap);
  set('CTRL_IO_PTR', l.ioPtr);
  set('CTRL_IO_CAP', IO_CAP);
  set('CTRL_FLAGS', strict ? f.FLAG_STRICT : 0);
  const devIndex = new Map<number, number>();
  g.devices.forEach((d, i) => {
    devIndex.set(d.id, i);
    u32.set([d.base, d.size, d.writeAlign, d.erasedValue], (l.devPtr + i * f.DEV_SIZE) >> 2);
  });
  g.sectors.forEach((s, i) => u32.set([s.start, s.size, devIndex.get(s.device)!], (l.sectorPtr + i * f.SECTOR_SIZE) >> 2));
  for (const a of g.areas) {
    u32.set([devIndex.get(a.device)!, a.start, a.size, a.firstSector, a.sectorCount, a.uniformSector, 1], (l.areaPtr + a.id * f.AREA_SIZE) >> 2);
  }
  // The digest's blocks all stale until it is turned on (it is not kept while off, and a
  // snapshot taken meanwhile must not vouch for any block).
  const blocks = Math.ceil(g.size / f.DIGEST_BLOCK);
  u8.fill(1, l.digestPtr + blocks * f.DIGEST_ENTRY_SIZE, l.digestPtr + l.digestBytes);
  // A new part comes erased.
  for (const d of g.devices) u8.fill(d.erasedValue, l.flashPtr + d.base, l.flashPtr + d.base + d.size);
}

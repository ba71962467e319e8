/**
 * The device's flash as its firmware lives with it: how long operations take (the profile's
 * datasheet timing), and how a power loss at a moment of virtual time becomes a cut of the
 * flash model at the operation in progress — the same armed cut campaigns use.
 *
 * A bootloader run or an application call into MCUboot is one call into the core; its
 * operations have no virtual time until they are done. When a power loss may land inside
 * one, the call is run once on a snapshot to learn its operations and their times, the
 * flash is put back, and the call runs again cut before the operation the loss hits.
 */
import { PowerCut, type FaultModel } from '../core/index.js';
import type { Device } from '../device/device.js';
import type { FlashTiming } from '../device/profiles.js';
import type { ResolvedArea, ResolvedSector } from '../device/geometry.js';
import { FlashTimes } from '../device/timing.js';
import { GENERIC_TIMING } from './options.js';

const snapshots = new WeakMap<Device, number>();
// Flash timing is priced by src/device/timing.ts (FlashTimes), the one owner of datasheet
// figures: maxima, per flash device, per sector size where a part's sectors differ.

export interface TimedOp {
  kind: 'E' | 'W';
  /** Start and end, in ms from the first operation of the call. */
  start: number;
  end: number;
}

export class DevicePort {
  /** The profile's datasheet figures (maxima), with GENERIC_TIMING for a flash device that has none. */
  private readonly times: FlashTimes;
  /**
   * Per-byte rates of the primary's flash device, for a call's time from the flash model's
   * counters (exact on uniform sectors of one part; an estimate when a call touches parts
   * with other figures — its cut point, when one is needed, is timed op by op).
   */
  readonly eraseMsPerByte: number;
  readonly programMsPerByte: number;
  /** More than any one call can take: every sector erased and every byte programmed three times. */
  readonly boundMs: number;

  constructor(
    readonly dev: Device,
    timing: FlashTiming | FlashTiming[] | undefined,
  ) {
    const list = timing === undefined ? [] : Array.isArray(timing) ? timing : [timing];
    this.times = new FlashTimes(dev.geometry, [...list, GENERIC_TIMING]);
    const g = dev.geometry;
    const primary = g.areas.find((a) => a.id === 1)!;
    const sector = g.sectors[primary.firstSector]!;
    this.eraseMsPerByte = this.eraseMs(sector) / sector.size;
    const unit = this.times.timingOf(primary.device)?.programBytes ?? GENERIC_TIMING.programBytes;
    this.programMsPerByte = this.writeMs(primary, 0, unit) / unit;
    const slowestErase = Math.max(...g.sectors.map((x) => this.eraseMs(x) / x.size));
    const slowestProgram = Math.max(...g.areas.map((a) => this.writeMs(a, 0, 4096) / 4096));
    this.boundMs = 3 * g.size * (slowestErase + slowestProgram) + 3 * g.sectors.length * this.eraseMs(sector);
  }

  private eraseMs(sector: ResolvedSector): number {
    const d = this.times.erase(sector).max;
    // A sector size the datasheet does not list: priced at the generic rate rather than free.
    return d === null ? (GENERIC_TIMING.eraseMs! * sector.size) / 4096 : d / 1000;
  }

  private writeMs(area: ResolvedArea, offset: number, length: number): number {
    const d = this.times.write(area, offset, length).max;
    return d === null ? (Math.ceil(length / GENERIC_TIMING.programBytes) * GENERIC_TIMING.programUs) / 1000 : d / 1000;
  }

  /** How long one operation on `area` takes on the part (datasheet maxima). */
  opMs(areaId: number, kind: 'E' | 'W', offset: number, length: number): number {
    const area = this.area(areaId);
    if (kind === 'W') return this.writeMs(area, offset, length);
    let ms = 0;
    const g = this.dev.geometry;
    for (let i = area.firstSector, at = 0; i < area.firstSector + area.sectorCount; i++) {
      const s = g.sectors[i]!;
      if (at >= offset && at < offset + length) ms += this.eraseMs(s);
      at += s.size;
    }
    return ms;
  }

  private area(id: number): ResolvedArea {
    return this.dev.geometry.areas.find((a) => a.id === id)!;
  }

  /** Flash time of the last call, from the flash model's counters. */
  callMs(): number {
    const c = this.dev.core.counters();
    return c.bytesErased * this.eraseMsPerByte + c.bytesProgrammed * this.programMsPerByte;
  }

  /** Flash operations the last call made. */
  callOps(): number {
    const c = this.dev.core.counters();
    return c.eraseOps + c.writeOps;
  }

  /** The last call's operations with their times (from the op log). */
  timeline(): TimedOp[] {
    const out: TimedOp[] = [];
    let t = 0;
    for (const e of this.dev.core.log()) {
      if (e.kind === 'F') continue;
      const d = this.opMs(e.area, e.kind, e.offset, e.length);
      out.push({ kind: e.kind, start: t, end: t + d });
      t += d;
    }
    return out;
  }

  /** Saves the flash (one snapshot per device, reused). */
  save(): void {
    const core = this.dev.core;
    const handle = snapshots.get(this.dev);
    if (handle === undefined) snapshots.set(this.dev, core.snapshot());
    else core.saveSnapshot(handle);
  }

  restore(): void {
    this.dev.core.restore(snapshots.get(this.dev)!);
  }

  /** One application-side flash operation on area `area`, cut when `cut` is given. */
  op(area: number, kind: 'E' | 'W', offset: number, lengthOrData: number | Uint8Array, cut?: { fault: FaultModel; seed: bigint }): PowerCut | undefined {
    const core = this.dev.core;
    if (cut) core.armPowerCut(1, cut.fault, cut.seed);
    const r = kind === 'E' ? core.erase(area, offset, lengthOrData as number) : core.program(area, offset, lengthOrData as Uint8Array);
    if (cut && !(r instanceof PowerCut)) throw new Error('the armed power cut did not fire');
    return r instanceof PowerCut ? r : undefined;
  }
}

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
import { PowerCut, type FaultModel } from '../core.js';
import type { Device } from '../device/device.js';
import type { FlashTiming } from '../device/profiles.js';

const snapshots = new WeakMap<Device, number>();

export interface TimedOp {
  kind: 'E' | 'W';
  /** Start and end, in ms from the first operation of the call. */
  start: number;
  end: number;
}

export class DevicePort {
  /**
   * Erase time per byte, at the primary slot's first sector size: exact on uniform sectors;
   * on mixed layouts an erase is timed by its bytes at that rate.
   */
  readonly eraseMsPerByte: number;
  readonly programMsPerByte: number;
  /** More than any one call can take: every sector erased and every byte programmed three times. */
  readonly boundMs: number;

  constructor(
    readonly dev: Device,
    readonly timing: FlashTiming,
  ) {
    const primary = dev.geometry.areas.find((a) => a.id === 1)!;
    this.eraseMsPerByte = timing.eraseMs / primary.sectorSizes[0]!;
    this.programMsPerByte = timing.programUs / 1000 / timing.programBytes;
    const size = dev.geometry.size;
    this.boundMs = 3 * size * (this.eraseMsPerByte + this.programMsPerByte) + 3 * dev.geometry.sectors.length * timing.eraseMs;
  }

  opMs(kind: 'E' | 'W', length: number): number {
    return kind === 'E' ? length * this.eraseMsPerByte : Math.ceil(length / this.timing.programBytes) * (this.timing.programUs / 1000);
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
      const d = this.opMs(e.kind, e.length);
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

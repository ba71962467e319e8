/**
 * On-device time of flash operations, from a profile's datasheet figures (`FlashTiming`,
 * src/device/profiles.ts): how long one erase of a given sector and one write of given bytes
 * take on the real part, at most and typically. The operations themselves come from the
 * flash model's counters, wear table and op log; this file only prices them.
 */
import type { Geometry, ResolvedArea, ResolvedSector } from './geometry.js';
import type { FlashTiming } from './profiles.js';

/**
 * A time in microseconds: `max` from the datasheet maxima, `typical` from its typical
 * figures. Either is null when a figure it needs is not in the datasheet (or the profile
 * has no timing): an unknown is never priced as zero.
 */
export interface Duration {
  max: number | null;
  typical: number | null;
}

export const ZERO: Duration = { max: 0, typical: 0 };
const UNKNOWN: Duration = { max: null, typical: null };

const add = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
const times = (a: number | null, k: number) => (a === null ? null : a * k);

export function addDuration(a: Duration, b: Duration): Duration {
  return { max: add(a.max, b.max), typical: add(a.typical, b.typical) };
}

export function scaleDuration(a: Duration, k: number): Duration {
  return { max: times(a.max, k), typical: times(a.typical, k) };
}

export class FlashTimes {
  private readonly byDevice = new Map<number, FlashTiming>();

  constructor(readonly geometry: Geometry, timing: FlashTiming | FlashTiming[] | undefined) {
    const list = timing === undefined ? [] : Array.isArray(timing) ? timing : [timing];
    for (const d of geometry.devices) {
      const t = list.find((x) => x.flash === d.id) ?? list.find((x) => x.flash === undefined);
      if (t) this.byDevice.set(d.id, t);
    }
  }

  /** The datasheet figures of a flash device, if the profile has them. */
  timingOf(device: number): FlashTiming | undefined {
    return this.byDevice.get(device);
  }

  /** True when every flash device has figures (otherwise some estimates are unknown). */
  get complete(): boolean {
    return this.byDevice.size === this.geometry.devices.length;
  }

  /** One erase of `sector`. */
  erase(sector: ResolvedSector): Duration {
    const t = this.byDevice.get(sector.device);
    if (!t) return UNKNOWN;
    if (t.eraseBySize) {
      const row = t.eraseBySize.find(([size]) => size === sector.size);
      if (!row) return UNKNOWN;
      return { max: row[1] * 1000, typical: row[2] === undefined ? null : row[2] * 1000 };
    }
    if (t.eraseMs === undefined) return UNKNOWN;
    // A sector bigger than the part's erase command takes several commands.
    const commands = t.eraseBytes ? Math.ceil(sector.size / t.eraseBytes) : 1;
    return { max: t.eraseMs * 1000 * commands, typical: t.eraseMsTypical === undefined ? null : t.eraseMsTypical * 1000 * commands };
  }

  /**
   * One write of `length` bytes at `offset` in `area`: every program unit it touches costs
   * one unit's time (a NOR page program for a few trailer bytes is priced as a whole page).
   */
  write(area: ResolvedArea, offset: number, length: number): Duration {
    const t = this.byDevice.get(area.device);
    if (!t) return UNKNOWN;
    if (length === 0) return ZERO;
    const at = area.offset + offset; // within the flash device: where its pages are aligned
    const units = Math.floor((at + length - 1) / t.programBytes) - Math.floor(at / t.programBytes) + 1;
    return { max: units * t.programUs, typical: t.programUsTypical === undefined ? null : units * t.programUsTypical };
  }

  /** Erase cycles a sector is specified to survive, or null when the datasheet figure is missing. */
  endurance(sector: ResolvedSector): number | null {
    return this.byDevice.get(sector.device)?.endurance ?? null;
  }
}

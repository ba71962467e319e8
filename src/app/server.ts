/**
 * The update server: it offers releases to a device, one at a time and in the order they
 * were published, each once the device has reported the previous one installed, failed
 * (rolled back) or refused — hawkBit's "closed with SUCCESS / FAILURE", "REJECTED"
 * (reference/ota.md §3).
 *
 * An offer is a manifest: version, size, the SHA-256 of the file, and the SHA-256 of every
 * chunk of `chunkSize` bytes. The chunk digests are what lets a device check each chunk as
 * it arrives, and — after a reboot — check what it finds in flash, so that it re-downloads
 * only what is missing or wrong (a block map, as casync/zchunk/bmap-style updaters publish).
 */
import { UsageError } from '../errors.js';
import { sha256 } from '../core/index.js';
import { digestOf } from './verify.js';
import { ImageFormatError } from '../image/layout.js';
import { formatVersion, type ImageVersion } from '../image/header.js';
import { readFirmwareInfo, type FirmwareInfo } from './firmware.js';

export interface Release {
  /** How people call it: a file name, or `v2.0.0`. */
  name: string;
  /** The file as the server serves it. */
  bytes: Uint8Array;
  /** From the image header (what the device checks), not from anyone's say-so. */
  version: ImageVersion;
  info: FirmwareInfo;
  /** SHA-256 of the whole file. */
  sha256: Uint8Array;
}

/** A release from an image file's bytes; anything that is not an MCUboot image is a UsageError. */
export function makeRelease(bytes: Uint8Array, name = 'release'): Release {
  let info: FirmwareInfo;
  try {
    info = readFirmwareInfo(bytes, name);
  } catch (e) {
    if (e instanceof ImageFormatError) throw new UsageError(`${name} is not an MCUboot image: ${e.message}`);
    throw e;
  }
  return { name, bytes, version: info.version, info, sha256: digestOf(bytes) };
}

export interface Manifest {
  release: Release;
  version: ImageVersion;
  size: number;
  chunkSize: number;
  chunkCount: number;
}

export type ReportOutcome = 'installed' | 'failed' | 'refused';

export interface Report {
  tMs: number;
  device: string;
  version: string;
  outcome: ReportOutcome;
  detail: string;
}

/** Chunk digests per release and chunk size, computed once (a campaign reuses releases). */
const digestCache = new WeakMap<Release, Map<number, Uint8Array[]>>();

export function chunkDigests(release: Release, chunkSize: number): Uint8Array[] {
  let bySize = digestCache.get(release);
  if (!bySize) digestCache.set(release, (bySize = new Map()));
  let list = bySize.get(chunkSize);
  if (!list) {
    list = [];
    for (let off = 0; off < release.bytes.length; off += chunkSize) list.push(sha256(release.bytes.subarray(off, off + chunkSize)));
    bySize.set(chunkSize, list);
  }
  return list;
}

/**
 * When a release may be offered: from `fromMs` on (a fleet's rollout reaching the device),
 * and, if `untilMs` is given, only to a device that was offered it before then (a rollout
 * cancelled before the device picked the release up: AWS IoT Jobs' CANCEL leaves executions
 * already in progress alone). Without a window a release is offered at once, for ever.
 */
export interface ReleaseWindow {
  fromMs?: number;
  untilMs?: number;
}

export class UpdateServer {
  private readonly releases: Release[] = [];
  private readonly windows: Array<Required<ReleaseWindow>> = [];
  private readonly cursor = new Map<string, number>();
  /** Per device, when each release was first offered to it (by release index). */
  private readonly firstOffered = new Map<string, number[]>();
  readonly reports: Report[] = [];

  constructor(readonly chunkSize: number) {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw new UsageError(`chunk size ${chunkSize} must be a positive integer`);
  }

  /** Adds a release after those already published, offered within `window` (default: at once, for ever). */
  publish(release: Release, window: ReleaseWindow = {}): void {
    const fromMs = window.fromMs ?? 0;
    const untilMs = window.untilMs ?? Infinity;
    if (!(fromMs >= 0) || !(untilMs >= fromMs)) throw new UsageError(`release ${release.name}: window from ${fromMs} ms until ${untilMs} ms is not a time span`);
    this.releases.push(release);
    this.windows.push({ fromMs, untilMs });
  }

  get published(): readonly Release[] {
    return this.releases;
  }

  /**
   * What the server offers `device` at virtual time `tMs`, or undefined. Releases are
   * offered in order; one withdrawn before the device was ever offered it is passed over.
   * Without `tMs` (or for releases published without a window) time plays no part.
   * `pickUp`: the device is asking (its update check), so the release counts as offered to it
   * from now on (a withdrawal no longer takes it back).
   */
  offer(device: string, tMs = Infinity, pickUp = false): Manifest | undefined {
    let i = this.cursor.get(device) ?? 0;
    for (; i < this.releases.length; i++) {
      const w = this.windows[i]!;
      const offered = this.firstOffered.get(device)?.[i];
      if (offered !== undefined || !(w.untilMs !== Infinity && tMs >= w.untilMs)) break;
    }
    const release = this.releases[i];
    if (!release) return undefined;
    const w = this.windows[i]!;
    let seen = this.firstOffered.get(device);
    if (seen?.[i] === undefined) {
      if (tMs < w.fromMs) return undefined;
      if (pickUp && tMs !== Infinity) {
        if (!seen) this.firstOffered.set(device, (seen = []));
        seen[i] = tMs;
      }
    }
    return { release, version: release.version, size: release.bytes.length, chunkSize: this.chunkSize, chunkCount: Math.ceil(release.bytes.length / this.chunkSize) };
  }

  /**
   * The earliest time from `tMs` at which `device` may be offered something (Infinity: never
   * again; `tMs`: now). Lets a device with nothing to fetch sleep through its checks in one
   * step (see Application's quiet spans).
   */
  quietUntil(device: string, tMs: number): number {
    for (let i = this.cursor.get(device) ?? 0; i < this.releases.length; i++) {
      const w = this.windows[i]!;
      if (this.firstOffered.get(device)?.[i] !== undefined) return tMs;
      const from = Math.max(tMs, w.fromMs);
      if (from < w.untilMs) return from;
    }
    return Infinity;
  }

  /** When `release` was first offered to `device` (undefined: never, or not at a known time). */
  offeredAt(device: string, release: Release): number | undefined {
    const i = this.releases.indexOf(release);
    return i < 0 ? undefined : this.firstOffered.get(device)?.[i];
  }

  /** The device's verdict on the release it was offered; the server moves on to the next one. */
  report(tMs: number, device: string, release: Release, outcome: ReportOutcome, detail: string): void {
    const i = this.releases.indexOf(release, this.cursor.get(device) ?? 0);
    this.reports.push({ tMs, device, version: formatVersion(release.version), outcome, detail });
    if (i >= 0) this.cursor.set(device, i + 1);
  }
}

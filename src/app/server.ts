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

export class UpdateServer {
  private readonly releases: Release[] = [];
  private readonly cursor = new Map<string, number>();
  readonly reports: Report[] = [];

  constructor(readonly chunkSize: number) {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw new UsageError(`chunk size ${chunkSize} must be a positive integer`);
  }

  /** Adds a release after those already published. */
  publish(release: Release): void {
    this.releases.push(release);
  }

  get published(): readonly Release[] {
    return this.releases;
  }

  /** What the server offers `device` now, or undefined. */
  offer(device: string): Manifest | undefined {
    const release = this.releases[this.cursor.get(device) ?? 0];
    if (!release) return undefined;
    return { release, version: release.version, size: release.bytes.length, chunkSize: this.chunkSize, chunkCount: Math.ceil(release.bytes.length / this.chunkSize) };
  }

  /** The device's verdict on the release it was offered; the server moves on to the next one. */
  report(tMs: number, device: string, release: Release, outcome: ReportOutcome, detail: string): void {
    const i = this.cursor.get(device) ?? 0;
    this.reports.push({ tMs, device, version: formatVersion(release.version), outcome, detail });
    if (this.releases[i] === release) this.cursor.set(device, i + 1);
  }
}

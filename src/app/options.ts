/**
 * What a device's life is made of, with the defaults a person gets when they say nothing.
 * Every number is checked once, here: a zero or negative period, chunk size or rate is a
 * UsageError naming the option and the value.
 */
import { UsageError } from '../errors.js';
import type { Key, PrivateKey } from '../image/keys.js';
import type { DeviceProfile, FlashTiming } from '../device/profiles.js';
import type { BootStrategy as Strategy } from '../image/strategy.js';
import { DEFAULT_RETRY, type RetryPolicy } from './backoff.js';
import { DEFAULT_CURRENTS, type Currents } from './energy.js';
import { DEFAULT_NETWORK, type NetworkOptions } from './network.js';
import { DEFAULT_POWER, AIM_PHASES, type PowerOptions } from './power.js';

export interface AppOptions {
  /** SENSOR_INIT after every boot (ms). A critical path. */
  sensorInitMs: number;
  /** IDLE before each SEND (ms): where the sample is processed. */
  idleMs: number;
  /** SEND, radio on (ms). A critical path. */
  sendMs: number;
  /** One sample every period (ms): IDLE, SEND, then WAIT (asleep) until the next. */
  sendPeriodMs: number;
  /** Retries of a failed SEND — and of every OTA request. */
  retry: RetryPolicy;
  /** An unconfirmed image that is not healthy within this window resets itself (ms). */
  healthWindowMs: number;
  /** A hung firmware is reset by the watchdog after this long (ms). */
  watchdogMs: number;
  /** A `crash-at-boot` firmware crashes this long into SENSOR_INIT (ms). */
  crashAfterMs: number;
  /** Successful SENDs an unconfirmed image needs before it confirms itself (0 = at boot). */
  confirmAfterSends: number;
}

export const DEFAULT_APP: AppOptions = {
  sensorInitMs: 2_000,
  idleMs: 100,
  sendMs: 300,
  sendPeriodMs: 60_000,
  retry: DEFAULT_RETRY,
  healthWindowMs: 600_000,
  watchdogMs: 60_000,
  crashAfterMs: 500,
  confirmAfterSends: 1,
};

export type UpgradeKind = 'test' | 'permanent';
export type ResumeMode = 'flash' | 'ram';

export interface OtaOptions {
  /** Update checks, every (ms). hawkBit's recommended default: 5 minutes. */
  checkPeriodMs: number;
  /** Bytes per download request (the server's chunk digests use the same size). */
  chunkSize: number;
  /**
   * After a reboot: `flash` re-reads what the download wrote and checks it against the
   * manifest's chunk digests, re-downloading only what is missing or wrong; `ram` starts
   * over from offset 0, as Zephyr's image manager does (its upload progress is in RAM).
   */
  resume: ResumeMode;
  /** boot_set_pending(0) (test, the default) or boot_set_pending(1) (permanent). */
  upgrade: UpgradeKind;
  /**
   * Check every chunk by computing its SHA-256. Off (default), a chunk whose bytes equal the
   * server's is known to match its digest without hashing: the same verdict (bar SHA-256
   * collisions), much cheaper. On: the slow, obviously-right path (tests compare the two).
   */
  hashChunks: boolean;
  /** The device's SHA-256 speed, for the virtual time verification takes (bytes per ms). */
  hashBytesPerMs: number;
}

export const DEFAULT_OTA: OtaOptions = {
  checkPeriodMs: 300_000,
  chunkSize: 1024,
  resume: 'flash',
  upgrade: 'test',
  hashChunks: false,
  hashBytesPerMs: 1_000,
};

/**
 * Flash timing when the profile gives none: a generic internal NOR (4 KiB pages erased in
 * 50 ms, 4-byte words programmed in 40 µs).
 */
export const GENERIC_TIMING: FlashTiming = { eraseMs: 50, programUs: 40, programBytes: 4 };

export interface LifeOptions {
  /** A built-in profile's name, or a profile (a device file's contents). Default nrf52840. */
  device?: string | DeviceProfile;
  /** Default swap-scratch (MCUboot's default). */
  strategy?: Strategy;
  /** The bootloader's trusted keys; none = a hash-only build. */
  keys?: Key[];
  /** Signs the generated running image (needed when `keys` are given and `running` is not). */
  signingKey?: PrivateKey;
  /** The board id the device answers to. Default: the profile's name. */
  board?: string;
  /** Every random choice of the life comes from this seed. Default 1. */
  seed?: number;
  /** The running image at power-on; default a generated v1.0.0 of the largest size. */
  running?: Uint8Array;
  /** What errors about `running` call it (the command line gives its file name). */
  runningName?: string;
  /**
   * When the device is first powered on (virtual ms; default 0). A fleet spreads its devices
   * over a check period this way, as real devices are not switched on in the same millisecond.
   */
  powerOnAtMs?: number;
  /** The device's name at the server. Default `device`. */
  deviceId?: string;
  app?: AppOverrides;
  ota?: Partial<OtaOptions>;
  network?: Partial<NetworkOptions>;
  power?: Partial<PowerOptions>;
  /** Currents per state (mA). */
  currents?: Partial<Currents>;
  /** Flash timing (one for every flash device, or one per device); default the profile's, else GENERIC_TIMING. */
  timing?: FlashTiming | FlashTiming[];
  /** The bootloader's own time per power-on, besides its flash operations (ms). */
  bootMs?: number;
}

/** Any of AppOptions, and any part of its retry policy. */
export type AppOverrides = Partial<Omit<AppOptions, 'retry'>> & { retry?: Partial<RetryPolicy> };

export interface ResolvedOptions {
  app: AppOptions;
  ota: OtaOptions;
  network: NetworkOptions;
  power: PowerOptions;
  currents: Currents;
  bootMs: number;
  seed: number;
  powerOnAtMs: number;
}

function positive(what: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new UsageError(`${what} ${v} must be a number > 0`);
  return v;
}

function nonNegative(what: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new UsageError(`${what} ${v} must be a number ≥ 0`);
  return v;
}

function probability(what: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) throw new UsageError(`${what} ${v} must be a probability in [0, 1)`);
  return v;
}

function integer(what: string, v: number, min: number): number {
  if (!Number.isSafeInteger(v) || v < min) throw new UsageError(`${what} ${v} must be an integer ≥ ${min}`);
  return v;
}

export function resolveOptions(o: LifeOptions): ResolvedOptions {
  const app: AppOptions = { ...DEFAULT_APP, ...o.app, retry: { ...DEFAULT_RETRY, ...o.app?.retry } };
  for (const k of ['sensorInitMs', 'idleMs', 'sendMs', 'sendPeriodMs', 'healthWindowMs', 'watchdogMs', 'crashAfterMs'] as const) positive(`app.${k}`, app[k]);
  integer('app.confirmAfterSends', app.confirmAfterSends, 0);
  positive('retry.baseMs', app.retry.baseMs);
  positive('retry.capMs', app.retry.capMs);
  integer('retry.maxAttempts', app.retry.maxAttempts, 1);
  if (app.idleMs + app.sendMs >= app.sendPeriodMs) {
    throw new UsageError(`send period ${app.sendPeriodMs} ms leaves no WAIT after ${app.idleMs} ms IDLE and ${app.sendMs} ms SEND`);
  }

  const ota: OtaOptions = { ...DEFAULT_OTA, ...o.ota };
  positive('ota.checkPeriodMs', ota.checkPeriodMs);
  integer('ota.chunkSize', ota.chunkSize, 1);
  positive('ota.hashBytesPerMs', ota.hashBytesPerMs);
  if (ota.resume !== 'flash' && ota.resume !== 'ram') throw new UsageError(`ota.resume '${String(ota.resume)}' must be flash or ram`);
  if (ota.upgrade !== 'test' && ota.upgrade !== 'permanent') throw new UsageError(`ota.upgrade '${String(ota.upgrade)}' must be test or permanent`);

  const network: NetworkOptions = { ...DEFAULT_NETWORK, ...o.network };
  positive('network.latencyMs', network.latencyMs);
  positive('network.bytesPerSecond', network.bytesPerSecond);
  positive('network.timeoutMs', network.timeoutMs);
  positive('network.outageHours', network.outageHours);
  nonNegative('network.outagesPerDay', network.outagesPerDay);
  for (const k of ['chunkLoss', 'truncation', 'corruption', 'sendLoss'] as const) probability(`network.${k}`, network[k]);
  if (network.chunkLoss + network.truncation + network.corruption >= 1) throw new UsageError('network: chunk loss, truncation and corruption add up to 1 or more: no chunk would ever arrive');

  const power: PowerOptions = { ...DEFAULT_POWER, ...o.power, aimed: [...(o.power?.aimed ?? [])] };
  nonNegative('power.lossesPerDay', power.lossesPerDay);
  positive('power.offMs', power.offMs);
  for (const a of power.aimed) {
    if (!(AIM_PHASES as readonly string[]).includes(a.phase)) throw new UsageError(`power.aimed phase '${a.phase}' (expected one of: ${AIM_PHASES.join(', ')})`);
    if (!(a.fraction >= 0 && a.fraction < 1)) throw new UsageError(`power.aimed fraction ${a.fraction} must be in [0, 1)`);
    integer('power.aimed occurrence', a.occurrence ?? 1, 1);
  }

  const currents: Currents = { ...DEFAULT_CURRENTS, ...o.currents };
  for (const [k, v] of Object.entries(currents)) nonNegative(`current ${k}`, v);
  const bootMs = positive('bootMs', o.bootMs ?? 100);
  const seed = o.seed ?? 1;
  integer('seed', seed, 0);
  const powerOnAtMs = o.powerOnAtMs ?? 0;
  nonNegative('powerOnAtMs', powerOnAtMs);
  return { app, ota, network, power, currents, bootMs, seed, powerOnAtMs };
}

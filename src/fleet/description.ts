/**
 * A fleet description: the device classes (each a device profile or device file, a
 * bootloader strategy, a network, a power-loss rate, SEND and check periods) with their
 * weights, the image every device runs at first, and the releases — each with what the
 * firmware does when booted on each class, and the rollout policy that brings it to the
 * fleet. The same object is a JSON file (`brickproof fleet FLEET.json`) and the argument of
 * `new Fleet(description)`; README "A fleet" documents every field.
 *
 * Everything is checked here, once: an unknown field, weights that do not add up to a
 * positive number, a group percentage over 100 or groups that never reach 100 %, a
 * threshold outside 0–100, a release that does not fit a class's slot — each is a
 * UsageError whose one line names the field (`releases[1].rollout.groups[2]`).
 */
import { UsageError } from '../errors.js';
import { FAULT_MODELS, type FaultModel } from '../core/index.js';
import { Device, type BootloaderOptions } from '../device/device.js';
import { findProfile, resolveProfile, type DeviceProfile, type ResolvedProfile } from '../device/profiles.js';
import { parseVersion, formatVersion, compareVersions, type ImageVersion } from '../image/header.js';
import { parseLifeStrategy, type BootStrategy } from '../image/strategy.js';
import { BEHAVIOURS, type Behaviour } from '../app/firmware.js';
import { DEFAULT_APP, DEFAULT_OTA, type AppOverrides, type OtaOptions } from '../app/options.js';
import { DEFAULT_NETWORK, type NetworkOptions } from '../app/network.js';
import { bugBits } from '../campaign/variants.js';

// ---- the description, as written ---------------------------------------------------------

/** A time: milliseconds, or text such as `250ms`, `5s`, `5m`, `2h`, `1d`. */
export type Duration = number | string;

export interface FleetDescription {
  /** How many devices (default 1000; `--devices N` scales it). */
  devices?: number;
  /** Virtual days the fleet lives (default 30). */
  days?: number;
  /** The seed of every random choice (default 1). */
  seed?: number;
  /** The image every device runs at first (default v1.0.0, the size of the first release). */
  running?: { version?: string; size?: number | 'max' };
  classes: ClassDescription[];
  releases: ReleaseDescription[];
}

export interface ClassDescription {
  /** Letters, digits, `.`, `_`, `-`: it names the class in tables and replay ids. */
  name: string;
  /** The class's share of the fleet, relative to the other weights. */
  weight: number;
  /** A built-in profile's name, or a profile object (a device file's contents). Default nrf52840. */
  device?: string | DeviceProfile;
  /** A JSON device file, relative to the fleet file (the command line reads it; the API takes `device`). */
  deviceFile?: string;
  /** A strategy, or a test-only historical variant such as `swap-move@pr1597`. Default swap-scratch. */
  strategy?: string;
  /** MCUBOOT_MAX_IMG_SECTORS of this class's bootloader build (default 128). */
  maxSectors?: number;
  /** BOOT_MAX_ALIGN of this class's bootloader build (default 8). */
  maxAlign?: 8 | 16 | 32;
  network?: NetworkDescription;
  /** Random power losses per device per day (default 0). */
  powerLossesPerDay?: number;
  /** What a power loss does to the flash operation in progress (default cut). */
  fault?: FaultModel;
  /** One SEND every (default 1m). */
  sendPeriod?: Duration;
  /** Update checks every (default 5m, hawkBit's recommended polling time). */
  checkPeriod?: Duration;
  /** An unconfirmed image not healthy by then resets itself (default 10m). */
  healthWindow?: Duration;
  /** Bytes per download request (default 1024). */
  chunkSize?: number;
  /** `test` (default: the new image confirms itself) or `permanent`. */
  upgrade?: 'test' | 'permanent';
  /** After a reboot, resume a download from flash (default) or start over (`ram`, as Zephyr does). */
  resume?: 'flash' | 'ram';
}

export interface NetworkDescription {
  latency?: Duration;
  /** Bytes per second. */
  bandwidth?: number;
  chunkLoss?: number;
  truncation?: number;
  corruption?: number;
  sendLoss?: number;
  outagesPerDay?: number;
  outageHours?: number;
  timeout?: Duration;
}

export interface ReleaseDescription {
  /** How tables and replay ids name it (default its version). */
  name?: string;
  version: string;
  /** Total image size in bytes, or `max`: the largest each class's strategy takes (default 150 000). */
  size?: number | 'max';
  /** What the firmware does when booted: one behaviour, or one per class name (others healthy). */
  behaviour?: Behaviour | Record<string, Behaviour>;
  rollout?: RolloutDescription;
}

export type FailureType = 'FAILED' | 'REJECTED' | 'TIMED_OUT' | 'ALL';

export interface RolloutDescription {
  /** `hawkbit` (groups, default) or `aws-iot-jobs` (an exponential rate with abort criteria). */
  style?: 'hawkbit' | 'aws-iot-jobs';
  /** When it starts: a time, or `after-previous` (default for every release but the first, which starts at 0). */
  start?: Duration | 'after-previous';
  /** A canary cohort of a few devices first (Memfault's recommendation), the same devices for every release. */
  canary?: number | { devices: number; successThreshold?: number };
  /** hawkBit: cumulative percentages of the fleet each group brings the rollout to, e.g. [5, 25, 50, 100]. */
  groups?: number[];
  /** hawkBit: this many equal groups instead (`amountGroups`). */
  amountGroups?: number;
  /** hawkBit: % of a group succeeded that starts the next group (default 90). */
  successThreshold?: number;
  /** hawkBit: % of a group failed (rolled back, refused, timed out) above which the rollout pauses (default 20). */
  errorThreshold?: number;
  /** hawkBit: a device that has not answered this long after picking the release up counts as timed out (default never). */
  inProgressTimeout?: Duration;
  /** AWS IoT Jobs: devices notified per minute at most (1–1000, default 1000). */
  maximumPerMinute?: number;
  exponentialRate?: {
    baseRatePerMinute: number;
    incrementFactor: number;
    rateIncreaseCriteria: { numberOfNotifiedThings?: number; numberOfSucceededThings?: number };
  };
  abortConfig?: { criteriaList: Array<{ failureType: FailureType; action?: 'CANCEL'; minNumberOfExecutedThings: number; thresholdPercentage: number }> };
  timeoutConfig?: { inProgressTimeoutInMinutes: number };
}

// ---- the description, checked and resolved ------------------------------------------------

export interface ClassPlan {
  name: string;
  index: number;
  weight: number;
  profile: ResolvedProfile;
  /** The strategy as written (`swap-move@pr1597`), the strategy it runs, and its bug bits. */
  strategyName: string;
  strategy: BootStrategy;
  bugs: number;
  maxSectors?: number;
  maxAlign?: 8 | 16 | 32;
  fault: FaultModel;
  app: AppOverrides;
  ota: Partial<OtaOptions>;
  network: Partial<NetworkOptions>;
  powerLossesPerDay: number;
  /** The largest image this class's bootloader takes. */
  maxImageSize: number;
}

export interface ReleasePlan {
  name: string;
  index: number;
  version: ImageVersion;
  /** Per class: image size and behaviour. */
  size: number[];
  behaviour: Behaviour[];
  rollout: RolloutPlan;
}

export interface HawkbitPlan {
  style: 'hawkbit';
  /** Cumulative fleet percentages after each group (the last is 100). */
  groups: number[];
  successThreshold: number;
  errorThreshold: number;
  timeoutMs: number;
}

export interface AbortCriterion {
  failureType: FailureType;
  minNumberOfExecutedThings: number;
  thresholdPercentage: number;
}

export interface AwsPlan {
  style: 'aws-iot-jobs';
  maximumPerMinute: number;
  baseRatePerMinute: number;
  incrementFactor: number;
  increaseAfter: { notified?: number; succeeded?: number };
  abort: AbortCriterion[];
  timeoutMs: number;
}

export interface RolloutPlan {
  /** Start time, or undefined: once the previous rollout has finished. */
  startMs: number | undefined;
  canary: { devices: number; successThreshold: number } | undefined;
  policy: HawkbitPlan | AwsPlan;
}

export interface FleetPlan {
  devices: number;
  days: number;
  seed: number;
  running: { version: ImageVersion; size: number[] };
  classes: ClassPlan[];
  releases: ReleasePlan[];
  /** The description as given (device files read into `device`): what a worker rebuilds the fleet from. */
  source: FleetDescription;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const DEFAULT_DAYS = 30;
const DEFAULT_SIZE = 150_000;

/** `250ms`, `5s`, `5m`, `2h`, `1d`, or a number of milliseconds; must be > 0. */
export function parseDuration(v: unknown, field: string): number {
  if (typeof v === 'number') {
    if (Number.isFinite(v) && v > 0) return v;
  } else if (typeof v === 'string') {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(v.trim());
    const ms = m ? Number(m[1]) * UNITS[m[2] ?? 'ms']! : NaN;
    if (ms > 0) return ms;
  }
  throw new UsageError(`${field}: ${JSON.stringify(v)} is not a time > 0 (e.g. 250ms, 5s, 5m, 2h, 1d, or milliseconds)`);
}

/** The fields of one object of the description, each read once; anything left over is unknown. */
class Fields {
  private readonly obj: Record<string, unknown>;

  constructor(
    value: unknown,
    readonly path: string,
    allowed: readonly string[],
  ) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${path || 'the fleet description'}: expected an object, got ${describe(value)}`);
    this.obj = value as Record<string, unknown>;
    for (const k of Object.keys(this.obj)) {
      if (!allowed.includes(k)) throw new UsageError(`${this.at(k)}: unknown field (expected one of: ${allowed.join(', ')})`);
    }
  }

  at(k: string): string {
    return this.path ? `${this.path}.${k}` : k;
  }

  has(k: string): boolean {
    return this.obj[k] !== undefined;
  }

  raw(k: string): unknown {
    return this.obj[k];
  }

  number(k: string, o: { min?: number; max?: number; integer?: boolean; above?: number; below?: number; fallback?: number } = {}): number {
    const v = this.obj[k];
    if (v === undefined) {
      if (o.fallback !== undefined) return o.fallback;
      throw new UsageError(`${this.at(k)}: missing`);
    }
    const f = this.at(k);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UsageError(`${f}: expected a number, got ${describe(v)}`);
    if (o.integer && !Number.isSafeInteger(v)) throw new UsageError(`${f}: ${v} must be an integer`);
    if (o.min !== undefined && v < o.min) throw new UsageError(`${f}: ${v} must be ≥ ${o.min}`);
    if (o.max !== undefined && v > o.max) throw new UsageError(`${f}: ${v} must be ≤ ${o.max}`);
    if (o.above !== undefined && !(v > o.above)) throw new UsageError(`${f}: ${v} must be > ${o.above}`);
    if (o.below !== undefined && !(v < o.below)) throw new UsageError(`${f}: ${v} must be < ${o.below}`);
    return v;
  }

  optionalNumber(k: string, o: Parameters<Fields['number']>[1] = {}): number | undefined {
    return this.has(k) ? this.number(k, o) : undefined;
  }

  /** A percentage threshold: 0–100 (required without a fallback). */
  percent(k: string, fallback?: number): number {
    const v = this.number(k, { fallback });
    if (!(v >= 0 && v <= 100)) throw new UsageError(`${this.at(k)}: ${v} is outside 0–100`);
    return v;
  }

  string(k: string, fallback?: string): string {
    const v = this.obj[k];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string') throw new UsageError(`${this.at(k)}: expected text, got ${describe(v)}`);
    return v;
  }

  oneOf<T extends string>(k: string, values: readonly T[], fallback: T): T {
    const v = this.obj[k];
    if (v === undefined) return fallback;
    if (!(values as readonly unknown[]).includes(v)) throw new UsageError(`${this.at(k)}: ${describe(v)} is not one of: ${values.join(', ')}`);
    return v as T;
  }

  duration(k: string): number | undefined {
    return this.has(k) ? parseDuration(this.obj[k], this.at(k)) : undefined;
  }

  list(k: string): unknown[] {
    const v = this.obj[k];
    if (!Array.isArray(v)) throw new UsageError(`${this.at(k)}: expected a list, got ${describe(v)}`);
    return v;
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return JSON.stringify(v);
}

const TOP = ['devices', 'days', 'seed', 'running', 'classes', 'releases'] as const;
const CLASS = ['name', 'weight', 'device', 'deviceFile', 'strategy', 'maxSectors', 'maxAlign', 'network', 'powerLossesPerDay', 'fault', 'sendPeriod', 'checkPeriod', 'healthWindow', 'chunkSize', 'upgrade', 'resume'] as const;
const NETWORK = ['latency', 'bandwidth', 'chunkLoss', 'truncation', 'corruption', 'sendLoss', 'outagesPerDay', 'outageHours', 'timeout'] as const;
const RELEASE = ['name', 'version', 'size', 'behaviour', 'rollout'] as const;
const ROLLOUT_COMMON = ['style', 'start', 'canary'] as const;
const HAWKBIT = [...ROLLOUT_COMMON, 'groups', 'amountGroups', 'successThreshold', 'errorThreshold', 'inProgressTimeout'] as const;
const AWS = [...ROLLOUT_COMMON, 'maximumPerMinute', 'exponentialRate', 'abortConfig', 'timeoutConfig'] as const;
const FAILURE_TYPES: readonly FailureType[] = ['FAILED', 'REJECTED', 'TIMED_OUT', 'ALL'];

export interface PlanOverrides {
  devices?: number;
  days?: number;
  seed?: number;
}

/** Checks a description and resolves it (profiles, strategies, sizes, policies). */
export function planFleet(description: unknown, overrides: PlanOverrides = {}): FleetPlan {
  const top = new Fields(description, '', TOP);
  const devices = overrides.devices ?? top.number('devices', { integer: true, min: 1, fallback: 1000 });
  if (!Number.isSafeInteger(devices) || devices < 1) throw new UsageError(`devices: ${devices} must be an integer ≥ 1`);
  const days = overrides.days ?? top.number('days', { above: 0, fallback: DEFAULT_DAYS });
  if (!(days > 0)) throw new UsageError(`days: ${days} must be > 0`);
  const seed = overrides.seed ?? top.number('seed', { integer: true, min: 0, max: 2 ** 32 - 1, fallback: 1 });

  const classList = top.list('classes');
  if (classList.length === 0) throw new UsageError('classes: at least one device class is needed');
  const classes = classList.map((c, i) => planClass(c, i));
  const names = new Set<string>();
  for (const c of classes) {
    if (names.has(c.name)) throw new UsageError(`classes[${c.index}].name: '${c.name}' is used by another class`);
    names.add(c.name);
  }
  const totalWeight = classes.reduce((s, c) => s + c.weight, 0);
  if (!(totalWeight > 0)) throw new UsageError(`classes[].weight: the weights add up to ${totalWeight}, not a positive number`);

  const releaseList = top.list('releases');
  if (releaseList.length === 0) throw new UsageError('releases: at least one release is needed');
  const releases = releaseList.map((r, i) => planRelease(r, i, classes));
  const releaseNames = new Set<string>();
  for (const r of releases) {
    if (releaseNames.has(r.name)) throw new UsageError(`releases[${r.index}].name: '${r.name}' names another release too`);
    releaseNames.add(r.name);
  }

  const running = new Fields(top.raw('running') ?? {}, 'running', ['version', 'size']);
  const runningVersion = parseVersionAt(running.string('version', '1.0.0'), running.at('version'));
  const runningSize = classes.map((c) => sizeFor(running.raw('size') ?? releases[0]!.size[c.index]!, running.at('size'), c));
  releases.forEach((r, i) => {
    const before = i === 0 ? runningVersion : releases[i - 1]!.version;
    if (compareVersions(r.version, before) <= 0) {
      throw new UsageError(`releases[${i}].version: ${formatVersion(r.version)} is not newer than ${i === 0 ? 'the running' : `releases[${i - 1}]'s`} ${formatVersion(before)} (releases follow each other, newest last)`);
    }
  });
  return { devices, days, seed, running: { version: runningVersion, size: runningSize }, classes, releases, source: description as FleetDescription };
}

function parseVersionAt(text: string, field: string): ImageVersion {
  try {
    return parseVersion(text);
  } catch (e) {
    throw new UsageError(`${field}: ${(e as Error).message}`);
  }
}

/** Largest image per (profile, strategy, build): a bootloader is instantiated to ask it. */
const maxSizes = new Map<string, number>();

function maxImageSize(profile: ResolvedProfile, strategy: BootStrategy, maxSectors?: number, maxAlign?: 8 | 16 | 32, bugs = 0): number {
  const key = `${JSON.stringify(profile.profile)}|${strategy}|${maxSectors}|${maxAlign}|${bugs}`;
  let v = maxSizes.get(key);
  if (v === undefined) {
    const dev = new Device(profile.geometry, bootloaderOptions({ strategy, maxSectors, maxAlign, bugs }), { logEntries: 0 });
    v = Math.min(dev.maxImageSize(0), dev.maxImageSize(1));
    maxSizes.set(key, v);
  }
  return v;
}

/** Bootloader options without the unset ones (Device's defaults apply to those). */
export function bootloaderOptions(o: { strategy: BootStrategy; maxSectors?: number; maxAlign?: 8 | 16 | 32; bugs: number }): BootloaderOptions {
  return { strategy: o.strategy, bugs: o.bugs, ...(o.maxSectors === undefined ? {} : { maxSectors: o.maxSectors }), ...(o.maxAlign === undefined ? {} : { maxAlign: o.maxAlign }) };
}

function planClass(value: unknown, index: number): ClassPlan {
  const f = new Fields(value, `classes[${index}]`, CLASS);
  const name = f.string('name');
  if (!NAME.test(name)) throw new UsageError(`${f.at('name')}: '${name}' must be 1 to 64 letters, digits, '.', '_' or '-'`);
  const weight = f.number('weight', { min: 0 });
  if (f.has('deviceFile')) throw new UsageError(`${f.at('deviceFile')}: a device file is read by the command line (brickproof fleet); in the API give the profile object as 'device'`);
  let profile: ResolvedProfile;
  const device = f.raw('device') ?? 'nrf52840';
  try {
    profile = typeof device === 'string' ? resolveProfile(findProfile(device)) : resolveProfile(device as DeviceProfile);
  } catch (e) {
    throw new UsageError(`${f.at('device')}: ${(e as Error).message}`);
  }
  const strategyName = f.string('strategy', 'swap-scratch');
  let strategy: BootStrategy;
  let bugs: number;
  try {
    const at = strategyName.indexOf('@');
    strategy = parseLifeStrategy(at < 0 ? strategyName : strategyName.slice(0, at));
    bugs = bugBits(strategyName);
  } catch (e) {
    throw new UsageError(`${f.at('strategy')}: ${(e as Error).message}`);
  }
  if (profile.excluded.includes(strategy)) throw new UsageError(`${f.at('strategy')}: ${strategy} does not run on ${profile.name}`);
  const maxSectors = f.optionalNumber('maxSectors', { integer: true, min: 1 });
  let align: 8 | 16 | 32 | undefined;
  if (f.has('maxAlign')) {
    const v = f.raw('maxAlign');
    if (v !== 8 && v !== 16 && v !== 32) throw new UsageError(`${f.at('maxAlign')}: ${describe(v)} must be 8, 16 or 32`);
    align = v;
  }

  const n = new Fields(f.raw('network') ?? {}, f.at('network'), NETWORK);
  const probability = (k: string) => n.optionalNumber(k, { min: 0, below: 1 });
  const network: Partial<NetworkOptions> = {};
  const put = <K extends keyof NetworkOptions>(k: K, v: NetworkOptions[K] | undefined) => {
    if (v !== undefined) network[k] = v;
  };
  put('latencyMs', n.duration('latency'));
  put('bytesPerSecond', n.optionalNumber('bandwidth', { above: 0 }));
  put('chunkLoss', probability('chunkLoss'));
  put('truncation', probability('truncation'));
  put('corruption', probability('corruption'));
  put('sendLoss', probability('sendLoss'));
  put('outagesPerDay', n.optionalNumber('outagesPerDay', { min: 0 }));
  put('outageHours', n.optionalNumber('outageHours', { above: 0 }));
  put('timeoutMs', n.duration('timeout'));
  if ((network.chunkLoss ?? 0) + (network.truncation ?? 0) + (network.corruption ?? 0) >= 1) throw new UsageError(`${n.path}: chunkLoss, truncation and corruption add up to 1 or more: no chunk would ever arrive`);

  const app: AppOverrides = {};
  const sendPeriod = f.duration('sendPeriod');
  if (sendPeriod !== undefined) {
    if (sendPeriod <= DEFAULT_APP.idleMs + DEFAULT_APP.sendMs) throw new UsageError(`${f.at('sendPeriod')}: ${sendPeriod} ms leaves no WAIT after ${DEFAULT_APP.idleMs} ms IDLE and ${DEFAULT_APP.sendMs} ms SEND`);
    app.sendPeriodMs = sendPeriod;
  }
  const healthWindow = f.duration('healthWindow');
  if (healthWindow !== undefined) app.healthWindowMs = healthWindow;
  const ota: Partial<OtaOptions> = {};
  const check = f.duration('checkPeriod');
  if (check !== undefined) ota.checkPeriodMs = check;
  const chunkSize = f.optionalNumber('chunkSize', { integer: true, min: 64 });
  if (chunkSize !== undefined) ota.chunkSize = chunkSize;
  ota.upgrade = f.oneOf('upgrade', ['test', 'permanent'] as const, DEFAULT_OTA.upgrade);
  ota.resume = f.oneOf('resume', ['flash', 'ram'] as const, DEFAULT_OTA.resume);
  const fault = f.oneOf('fault', FAULT_MODELS, 'cut');
  const powerLossesPerDay = f.number('powerLossesPerDay', { min: 0, fallback: 0 });
  let maxImage: number;
  try {
    maxImage = maxImageSize(profile, strategy, maxSectors, align, bugs);
  } catch (e) {
    throw new UsageError(`classes[${index}]: ${(e as Error).message}`);
  }
  return { name, index, weight, profile, strategyName, strategy, bugs, maxSectors, maxAlign: align, fault, app, ota, network, powerLossesPerDay, maxImageSize: maxImage };
}

function sizeFor(v: unknown, field: string, c: ClassPlan): number {
  if (v === 'max') return c.maxImageSize;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 256) throw new UsageError(`${field}: ${describe(v)} must be a number of bytes (at least 256) or "max"`);
  if (v > c.maxImageSize) throw new UsageError(`${field}: ${v} bytes do not fit class '${c.name}' (${c.strategyName} on ${c.profile.name} takes at most ${c.maxImageSize})`);
  return v;
}

function planRelease(value: unknown, index: number, classes: ClassPlan[]): ReleasePlan {
  const f = new Fields(value, `releases[${index}]`, RELEASE);
  const version = parseVersionAt(f.string('version'), f.at('version'));
  const name = f.string('name', formatVersion(version).replace(/\+0$/, ''));
  if (!NAME.test(name)) throw new UsageError(`${f.at('name')}: '${name}' must be 1 to 64 letters, digits, '.', '_' or '-'`);
  const size = classes.map((c) => sizeFor(f.raw('size') ?? DEFAULT_SIZE, f.at('size'), c));
  const behaviour = classes.map((): Behaviour => 'healthy');
  const b = f.raw('behaviour');
  const isBehaviour = (v: unknown): v is Behaviour => typeof v === 'string' && (BEHAVIOURS as readonly string[]).includes(v);
  if (typeof b === 'string') {
    if (!isBehaviour(b)) throw new UsageError(`${f.at('behaviour')}: '${b}' is not a firmware behaviour (expected one of: ${BEHAVIOURS.join(', ')})`);
    behaviour.fill(b);
  } else if (b !== undefined) {
    const per = new Fields(b, f.at('behaviour'), classes.map((c) => c.name));
    for (const c of classes) {
      const v = per.raw(c.name);
      if (v === undefined) continue;
      if (!isBehaviour(v)) throw new UsageError(`${per.at(c.name)}: ${describe(v)} is not a firmware behaviour (expected one of: ${BEHAVIOURS.join(', ')})`);
      behaviour[c.index] = v;
    }
  }
  const rollout = planRollout(f.raw('rollout') ?? {}, `${f.at('rollout')}`, index);
  return { name, index, version, size, behaviour, rollout };
}

function planRollout(value: unknown, path: string, release: number): RolloutPlan {
  const style = new Fields(value, path, [...new Set<string>([...HAWKBIT, ...AWS])]).oneOf('style', ['hawkbit', 'aws-iot-jobs'] as const, 'hawkbit');
  const f = new Fields(value, path, style === 'hawkbit' ? HAWKBIT : AWS);
  let startMs: number | undefined = release === 0 ? 0 : undefined;
  const start = f.raw('start');
  if (start === 'after-previous') {
    if (release === 0) throw new UsageError(`${f.at('start')}: the first release has no previous rollout to follow`);
    startMs = undefined;
  } else if (start === 0) {
    startMs = 0;
  } else if (start !== undefined) {
    startMs = parseDuration(start, f.at('start'));
  }
  let canary: RolloutPlan['canary'];
  const c = f.raw('canary');
  if (typeof c === 'number') {
    if (!Number.isSafeInteger(c) || c < 1) throw new UsageError(`${f.at('canary')}: ${c} must be a number of devices ≥ 1`);
    canary = { devices: c, successThreshold: 100 };
  } else if (c !== undefined) {
    const cf = new Fields(c, f.at('canary'), ['devices', 'successThreshold']);
    canary = { devices: cf.number('devices', { integer: true, min: 1 }), successThreshold: cf.percent('successThreshold', 100) };
  }
  if (style === 'hawkbit') {
    let groups: number[];
    if (f.has('groups') && f.has('amountGroups')) throw new UsageError(`${f.at('amountGroups')}: give either groups or amountGroups, not both`);
    if (f.has('amountGroups')) {
      const n = f.number('amountGroups', { integer: true, min: 1, max: 1000 });
      groups = Array.from({ length: n }, (_, i) => ((i + 1) * 100) / n);
    } else if (f.has('groups')) {
      const list = f.list('groups');
      if (list.length === 0) throw new UsageError(`${f.at('groups')}: at least one group is needed`);
      groups = list.map((g, i) => {
        const at = `${f.at('groups')}[${i}]`;
        if (typeof g !== 'number' || !Number.isFinite(g)) throw new UsageError(`${at}: expected a percentage, got ${describe(g)}`);
        if (g > 100) throw new UsageError(`${at}: ${g}% is over 100`);
        if (!(g > 0)) throw new UsageError(`${at}: ${g}% must be > 0`);
        if (i > 0 && !(g > (list[i - 1] as number))) throw new UsageError(`${at}: ${g}% does not go beyond the previous group's ${list[i - 1]}% (groups are cumulative shares of the fleet)`);
        return g;
      });
      if (groups[groups.length - 1] !== 100) throw new UsageError(`${f.at('groups')}: the groups reach ${groups[groups.length - 1]}% of the fleet and never 100%`);
    } else {
      groups = [100];
    }
    const timeout = f.duration('inProgressTimeout');
    return { startMs, canary, policy: { style, groups, successThreshold: f.percent('successThreshold', 90), errorThreshold: f.percent('errorThreshold', 20), timeoutMs: timeout ?? Infinity } };
  }
  const maximumPerMinute = f.number('maximumPerMinute', { min: 1, max: 1000, fallback: 1000 });
  let baseRatePerMinute = maximumPerMinute;
  let incrementFactor = 1;
  const increaseAfter: AwsPlan['increaseAfter'] = {};
  if (f.has('exponentialRate')) {
    const e = new Fields(f.raw('exponentialRate'), f.at('exponentialRate'), ['baseRatePerMinute', 'incrementFactor', 'rateIncreaseCriteria']);
    baseRatePerMinute = e.number('baseRatePerMinute', { min: 1, max: 1000 });
    incrementFactor = e.number('incrementFactor', { min: 1.1, max: 5 });
    const r = new Fields(e.raw('rateIncreaseCriteria'), e.at('rateIncreaseCriteria'), ['numberOfNotifiedThings', 'numberOfSucceededThings']);
    const notified = r.optionalNumber('numberOfNotifiedThings', { integer: true, min: 1 });
    const succeeded = r.optionalNumber('numberOfSucceededThings', { integer: true, min: 1 });
    if ((notified === undefined) === (succeeded === undefined)) throw new UsageError(`${r.path}: give exactly one of numberOfNotifiedThings and numberOfSucceededThings`);
    increaseAfter.notified = notified;
    increaseAfter.succeeded = succeeded;
    if (baseRatePerMinute > maximumPerMinute) throw new UsageError(`${e.at('baseRatePerMinute')}: ${baseRatePerMinute} is above maximumPerMinute ${maximumPerMinute}`);
  }
  const abort: AbortCriterion[] = [];
  if (f.has('abortConfig')) {
    const a = new Fields(f.raw('abortConfig'), f.at('abortConfig'), ['criteriaList']);
    a.list('criteriaList').forEach((x, i) => {
      const cf = new Fields(x, `${a.at('criteriaList')}[${i}]`, ['failureType', 'action', 'minNumberOfExecutedThings', 'thresholdPercentage']);
      if (!cf.has('failureType')) throw new UsageError(`${cf.at('failureType')}: missing`);
      cf.oneOf('action', ['CANCEL'] as const, 'CANCEL');
      abort.push({
        failureType: cf.oneOf('failureType', FAILURE_TYPES, 'ALL'),
        minNumberOfExecutedThings: cf.number('minNumberOfExecutedThings', { integer: true, min: 1 }),
        thresholdPercentage: cf.percent('thresholdPercentage'),
      });
    });
  }
  let timeoutMs = Infinity;
  if (f.has('timeoutConfig')) {
    const t = new Fields(f.raw('timeoutConfig'), f.at('timeoutConfig'), ['inProgressTimeoutInMinutes']);
    timeoutMs = t.number('inProgressTimeoutInMinutes', { min: 1, max: 10_080 }) * 60_000;
  }
  return { startMs, canary, policy: { style, maximumPerMinute, baseRatePerMinute, incrementFactor, increaseAfter, abort, timeoutMs } };
}

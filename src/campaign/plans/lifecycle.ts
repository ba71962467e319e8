/**
 * The lifecycle plan: whole device lives instead of one update's flash operations. Each life
 * is a virtual week of a device (its application, its OTA task, a lossy network with
 * outages) whose server offers one release — good or bad — and sometimes a good one after
 * it, with power lost at random moments and once more at an aimed moment (a download
 * operation, the swap, the revert, boot_set_pending, boot_set_confirmed, a SEND,
 * SENSOR_INIT). Everything about life `i` comes from the campaign seed and `i`: its id
 * (`swap-move/nrf52840/lifecycle/cut#417`) replays it, and `--log` prints its milestones.
 *
 * Beyond the oracle of the other plans, each life must: never be bricked; end on the newest
 * good release, or where a bad one must leave it (reverted by the bootloader; or, when it
 * cannot be reverted — overwrite-only, a permanent request — still on it); never run an OTA
 * flash operation in SENSOR_INIT or SEND; never request an upgrade for a corrupted,
 * incompatible or untrusted image, nor write an incompatible or untrusted one to flash; explain every reboot in its log; and after each power
 * loss mid-download re-download no more than that loss could have damaged.
 */
import { UsageError } from '../../errors.js';
import { FAULT_MODELS, type FaultModel } from '../../core/index.js';
import { Device } from '../../device/device.js';
import { findProfile, resolveProfile, assertStrategyAllowed, type DeviceProfile } from '../../device/profiles.js';
import { parseStrategy, type BootStrategy as Strategy } from '../../image/strategy.js';
import { parseKey, type PrivateKey } from '../../image/keys.js';
import { DeviceLife } from '../../app/life.js';
import { makeRelease, type Release } from '../../app/server.js';
import { AIM_PHASES, type AimedCut } from '../../app/power.js';
import { prng } from '../../util/prng.js';

export const RELEASE_KINDS = ['good', 'crash-at-boot', 'hang', 'fail-health-check', 'send-fails', 'corrupted', 'wrong-board', 'older', 'untrusted', 'too-large'] as const;
export type ReleaseKind = (typeof RELEASE_KINDS)[number];

/** Refused by the device before they are ever requested. */
const REFUSED: ReadonlySet<ReleaseKind> = new Set(['corrupted', 'wrong-board', 'older', 'untrusted', 'too-large']);
/** Installable, but fail once running. */
const RUNTIME_BAD: ReadonlySet<ReleaseKind> = new Set(['crash-at-boot', 'hang', 'fail-health-check', 'send-fails']);

export type LifeRule =
  | 'bricked'
  | 'wrong-end-state'
  | 'ota-in-critical-state'
  | 'requested-bad-image'
  | 'wrote-incompatible-image'
  | 'unexplained-reboot'
  | 'redownload-exceeds-damage'
  | 'wrong-image'
  | 'crash';

export interface LifecycleSpec {
  devices: string[];
  strategies: Strategy[];
  fault: FaultModel;
  seed: number;
  /** Virtual days each life runs before it is left to settle. */
  days: number;
}

export interface LifePlan {
  index: number;
  device: string;
  strategy: Strategy;
  releases: ReleaseKind[];
  upgrade: 'test' | 'permanent';
  chunkSize: number;
  aimed: AimedCut[];
}

export interface LifeResult {
  id: string;
  unit: number;
  ok: boolean;
  rule?: LifeRule;
  detail?: string;
  device: string;
  strategy: string;
  boots: number;
  /** [re-downloaded bytes, what the cut could have damaged] per power loss mid-download. */
  cuts: Array<[number, number]>;
  totalMah: number;
  otaMah: number;
}

const DEFAULT_DAYS = 7;

/** Round robin over (device, strategy) pairs that the device can run; the rest from the seed. */
export function planLife(spec: LifecycleSpec, index: number): LifePlan {
  const pairs = lifePairs(spec);
  const [device, strategy] = pairs[index % pairs.length]!;
  const r = prng((spec.seed * 2_654_435_761) ^ (index * 40_503) ^ 0x5f3759df);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  // A good release about a third of the time; each kind of bad one otherwise.
  const first: ReleaseKind = r() < 0.3 ? 'good' : pick(RELEASE_KINDS.slice(1));
  const releases: ReleaseKind[] = first !== 'good' && r() < 0.5 ? [first, 'good'] : [first];
  const upgrade = r() < 0.2 ? 'permanent' : 'test';
  const chunkSize = pick([512, 1024, 1500, 4096]);
  const phase = pick([...AIM_PHASES, 'download', 'download', 'swap', 'none'] as const);
  const aimed: AimedCut[] = phase === 'none' ? [] : [{ phase, fraction: r() }];
  return { index, device, strategy, releases, upgrade, chunkSize, aimed };
}

const pairsOf = new WeakMap<LifecycleSpec, Array<[string, Strategy]>>();

export function lifePairs(spec: LifecycleSpec): Array<[string, Strategy]> {
  const known = pairsOf.get(spec);
  if (known) return known;
  const pairs: Array<[string, Strategy]> = [];
  for (const d of spec.devices) {
    const excluded = findProfile(d).excluded;
    for (const s of spec.strategies) if (!excluded.includes(s)) pairs.push([d, s]);
  }
  if (!pairs.length) throw new UsageError(`none of the strategies ${spec.strategies.join(', ')} runs on ${spec.devices.join(', ')}`);
  pairsOf.set(spec, pairs);
  return pairs;
}

/** `swap-move/nrf52840/lifecycle/cut#417`, with `:3d` when a life is not a week and `~seed` when the seed is not 1. */
export function lifeId(spec: LifecycleSpec, plan: LifePlan): string {
  const days = spec.days === DEFAULT_DAYS ? '' : `:${spec.days}d`;
  return `${plan.strategy}/${plan.device}/lifecycle${days}/${spec.fault}#${plan.index}${spec.seed === 1 ? '' : `~${spec.seed}`}`;
}

const LIFE_ID = /^([a-z-]+)\/([A-Za-z0-9._-]+)\/lifecycle(?::(\d+(?:\.\d+)?)d)?\/([a-z-]+)#(\d+)(?:~(\d+))?$/;

export const isLifeId = (id: string): boolean => LIFE_ID.test(id.trim());

/** The campaign and life a lifecycle replay id names (the life replays alone: its pair is in the id). */
export function parseLifeId(id: string): { spec: LifecycleSpec; index: number } {
  const m = LIFE_ID.exec(id.trim());
  if (!m) throw new UsageError(`replay id '${id}' is not a lifecycle id (expected e.g. swap-move/nrf52840/lifecycle/cut#417)`);
  const [, strategy, device, days, fault, index, seed] = m;
  if (!(FAULT_MODELS as readonly string[]).includes(fault!)) throw new UsageError(`replay id '${id}': unknown fault model '${fault}'`);
  findProfile(device!);
  const spec: LifecycleSpec = { devices: [device!], strategies: [parseStrategy(strategy)], fault: fault as FaultModel, seed: seed === undefined ? 1 : Number(seed), days: days === undefined ? DEFAULT_DAYS : Number(days) };
  return { spec, index: Number(index) };
}

/** The key every device trusts, and the one an untrusted release is signed with (fixed seeds). */
function fixedKey(byte: number): PrivateKey {
  // PKCS#8 for an Ed25519 seed (RFC 8410): a fixed prefix, then the 32-byte seed.
  const prefix = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
  return parseKey(Uint8Array.from([...prefix, ...new Array<number>(32).fill(byte)])) as PrivateKey;
}

interface Kit {
  profile: DeviceProfile;
  device: Device;
  running: Uint8Array;
  releases: Map<ReleaseKind | 'second', Release>;
}

/**
 * Runs lives. One Device and one set of images per (device, strategy), built once and
 * reused by every life on that pair (a life resets the flash itself).
 */
export class LifecycleRunner {
  private readonly kits = new Map<string, Promise<Kit>>();
  private readonly trusted = fixedKey(0x11);
  private readonly untrusted = fixedKey(0x22);

  constructor(
    readonly spec: LifecycleSpec,
    /** `memoBoots: false`: every power-on runs the bootloader (LifeSetup.memoBoots; same lives, slower). */
    private readonly options: { memoBoots?: boolean } = {},
  ) {
    if (!(spec.days > 0)) throw new UsageError(`--days ${spec.days} must be > 0`);
  }

  private kit(device: string, strategy: Strategy): Promise<Kit> {
    const key = `${device}/${strategy}`;
    let kit = this.kits.get(key);
    if (!kit) this.kits.set(key, (kit = this.build(device, strategy)));
    return kit;
  }

  private async build(deviceName: string, strategy: Strategy): Promise<Kit> {
    const profile = resolveProfile(findProfile(deviceName));
    assertStrategyAllowed(profile, strategy);
    const device = new Device(profile.geometry, { strategy, keys: [this.trusted.publicKey] }, { strict: this.spec.fault === 'cut' });
    const max = Math.min(device.maxImageSize(0), device.maxImageSize(1));
    const probe = await DeviceLife.create({ reuseDevice: device, device: profile.profile, strategy, keys: [this.trusted.publicKey], signingKey: this.trusted });
    const key = this.trusted;
    const build = (version: string, extra: Record<string, unknown> = {}) => probe.buildFirmware({ version, key, ...extra });
    const releases = new Map<ReleaseKind | 'second', Release>();
    const add = async (kind: ReleaseKind | 'second', bytes: Promise<Uint8Array>) => releases.set(kind, makeRelease(await bytes, kind === 'second' ? 'good 3.0.0' : kind));
    await add('good', build('2.0.0'));
    for (const b of ['crash-at-boot', 'hang', 'fail-health-check', 'send-fails'] as const) await add(b, build('2.0.0', { behaviour: b }));
    const corrupted = (await build('2.0.0', { seed: 7 })).slice();
    corrupted[0x400] ^= 0x01;
    await add('corrupted', Promise.resolve(corrupted));
    await add('wrong-board', build('2.0.0', { board: 'another-board' }));
    await add('older', build('0.9.0'));
    await add('untrusted', probe.buildFirmware({ version: '2.0.0', key: this.untrusted }));
    await add('too-large', build('2.0.0', { size: max + profile.geometry.areas.find((a) => a.id === 2)!.sectorSizes[0]! }));
    await add('second', build('3.0.0'));
    return { profile: profile.profile, device, running: await build('1.0.0'), releases };
  }

  /** Life `index`, ready to run. */
  async life(index: number): Promise<{ plan: LifePlan; life: DeviceLife }> {
    const plan = planLife(this.spec, index);
    const kit = await this.kit(plan.device, plan.strategy);
    const life = await DeviceLife.create({
      reuseDevice: kit.device,
      device: kit.profile,
      strategy: plan.strategy,
      keys: [this.trusted.publicKey],
      running: kit.running,
      seed: (this.spec.seed * 1_000_003 + index) >>> 0,
      ota: { chunkSize: plan.chunkSize, upgrade: plan.upgrade },
      network: { chunkLoss: 0.01, truncation: 0.005, corruption: 0.005, outagesPerDay: 0.5, outageHours: 2 },
      power: { lossesPerDay: 1, fault: this.spec.fault, aimed: plan.aimed },
      memoBoots: this.options.memoBoots,
    });
    plan.releases.forEach((kind, i) => life.publish(kit.releases.get(i === 0 ? kind : 'second')!));
    return { plan, life };
  }

  /** Lives life `index` and judges it. */
  async run(index: number): Promise<LifeResult> {
    const { plan, life } = await this.life(index);
    const id = lifeId(this.spec, plan);
    const base = { id, unit: index, device: plan.device, strategy: plan.strategy };
    try {
      life.run({ days: this.spec.days });
      life.settle();
    } catch (e) {
      return { ...base, ok: false, rule: 'crash', detail: (e as Error).message, boots: life.stats.boots, cuts: [], totalMah: 0, otaMah: 0 };
    }
    const report = life.report();
    const verdict = judge(plan, report);
    return {
      ...base,
      ...verdict,
      boots: report.stats.boots,
      cuts: report.stats.cuts.map((c) => [c.redownloadedBytes, c.boundBytes]),
      totalMah: report.energy.totalMah,
      otaMah: report.energy.otaMah,
    };
  }
}

/** Where the plan's releases must leave the device: the oracle's expectation, from the plan alone. */
export function expectedEnd(plan: LifePlan): { version: string; confirmed: boolean } {
  let version = '1.0.0+0';
  let confirmed = true;
  for (const [i, kind] of plan.releases.entries()) {
    const v = i === 0 ? '2.0.0+0' : '3.0.0+0';
    if (REFUSED.has(kind)) continue;
    if (kind === 'good') {
      version = v;
      continue;
    }
    // A release that fails once running is reverted — unless nothing can revert it.
    const permanent = plan.upgrade === 'permanent';
    if (plan.strategy !== 'overwrite-only' && !permanent) continue;
    version = v;
    // Permanent: image_ok was set by the request. Overwrite-only with a test request: it
    // waits to confirm itself and never does.
    confirmed = permanent;
    const loops = kind === 'crash-at-boot' || kind === 'hang' || !permanent;
    if (loops) break; // it never gets to install anything after it
  }
  return { version, confirmed };
}

function judge(plan: LifePlan, report: ReturnType<DeviceLife['report']>): { ok: boolean; rule?: LifeRule; detail?: string } {
  const fail = (rule: LifeRule, detail: string) => ({ ok: false, rule, detail });
  const { final, stats, milestones } = report;
  if (final.bricked) return fail('bricked', 'no bootable image at a power-on');
  if (stats.unknownImageBoots) return fail('wrong-image', `${stats.unknownImageBoots} power-on(s) booted bytes that are no installed image`);
  if (stats.otaOpsInCriticalState) return fail('ota-in-critical-state', `${stats.otaOpsInCriticalState} OTA flash operation(s) overlapped SENSOR_INIT or SEND`);
  const names = new Map<string, ReleaseKind>(plan.releases.map((k, i) => [i === 0 ? k : 'good 3.0.0', k]));
  const bad = stats.upgradesRequested.filter((n) => n === 'unknown' || REFUSED.has(names.get(n) ?? 'good'));
  if (bad.length) return fail('requested-bad-image', `boot_set_pending for ${bad.join(', ')}`);
  // Refused before writing anything: all but a corrupted file, which only its hash gives away.
  const refusedBeforeWriting = (n: string) => {
    const k = names.get(n);
    return k !== undefined && k !== 'corrupted' && REFUSED.has(k);
  };
  const written = stats.downloadsStarted.filter(refusedBeforeWriting);
  if (written.length) return fail('wrote-incompatible-image', `downloaded ${written.join(', ')} into the secondary before refusing it`);
  const explained = milestones.filter((m) => m.event === 'reboot').reduce((n, m) => n + 1 + (m.repeat ?? 0), 0);
  if (stats.boots !== explained + 1) return fail('unexplained-reboot', `${stats.boots} power-ons, ${explained} reboots in the log`);
  const over = stats.cuts.find((c) => c.redownloadedBytes > c.boundBytes);
  if (over) return fail('redownload-exceeds-damage', `after the power loss at ${Math.round(over.tMs)} ms (${over.during}) ${over.redownloadedBytes} bytes were downloaded again; it could damage ${over.boundBytes}`);
  // A power loss inside boot_set_pending(permanent) after its magic and before its image_ok
  // leaves a test request (reference/mcuboot.md §4.2): the image must then confirm itself,
  // and a bad one is reverted. Either end is right.
  const wants = [expectedEnd(plan)];
  if (plan.upgrade === 'permanent' && stats.interrupted.includes('boot_set_pending')) wants.push(expectedEnd({ ...plan, upgrade: 'test' }));
  if (!wants.some((w) => final.version === w.version && final.confirmed === w.confirmed)) {
    const want = wants[0]!;
    return fail('wrong-end-state', `ended on ${final.version} (${final.confirmed ? 'confirmed' : 'unconfirmed'}); releases ${plan.releases.join(' then ')} (${plan.upgrade}) end on ${want.version} (${want.confirmed ? 'confirmed' : 'unconfirmed'})`);
  }
  return { ok: true };
}

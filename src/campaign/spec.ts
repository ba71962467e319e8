/**
 * What a campaign is made of, and the short ids that replay one scenario of it
 * (`swap-scratch/nrf52840/perm/cut@417`, `…/cut@417+38` (double), `…/cut@417+38+5`
 * (triple), `…/cut#7` (random), and `…/cut@0`: the uninterrupted update itself).
 */
import { FAULT_MODELS, type FaultModel } from '../core/index.js';
import { UsageError } from '../errors.js';
import { parseImageCount, parseMaxAlign, parseMaxSectors } from '../device/device.js';
import type { DeviceProfile } from '../device/profiles.js';
import { DEVICE_NAME_CHARS } from '../device/device-file.js';
import { parseStrategy, STRATEGY_INFO, type BootStrategy } from '../image/strategy.js';
import { variantBits } from './variants.js';
import { prng } from '../util/prng.js';

/** The upgrades `--upgrade all` runs. */
export const UPGRADES = ['test', 'perm', 'revert'] as const;
/**
 * test: the application requests a test upgrade and confirms the new image once it runs;
 * perm: a permanent upgrade; revert: a test upgrade the new image never confirms, so the
 * bootloader must bring the old image back; erase-secondary: a test upgrade the new image
 * never confirms, and instead erases the secondary slot (to download another image) and
 * resets before writing one — the state of MCUboot's "stuck revert" (#2199). Only named
 * kinds run erase-secondary: MCUboot 2.4.0 fixed that state for swap-move only.
 * bootstrap (a --bootstrap build only): the primary is empty and the update sits in the
 * secondary with nothing requested; the bootloader installs it.
 */
export const UPGRADE_KINDS = [...UPGRADES, 'erase-secondary', 'bootstrap'] as const;
export type Upgrade = (typeof UPGRADE_KINDS)[number];
/**
 * How the running image was flashed: imgtool `--pad` (the primary trailer holds a GOOD
 * magic) or `--pad --confirm` (magic and image_ok SET). Without it, no trailer at all.
 */
export const V1_TRAILERS = ['pad', 'pad-confirm'] as const;
export type V1Trailer = (typeof V1_TRAILERS)[number];
export const PLANS = ['exhaustive', 'double', 'triple', 'random'] as const;
export type Plan = (typeof PLANS)[number];
/**
 * The plans that memoize power-ons (memo.ts). The exhaustive plan has no memo: each of its
 * scenarios powers on from a distinct state of the update, so a memo would only be paid for.
 */
export const MEMO_PLANS: readonly Plan[] = ['double', 'triple', 'random'];

export interface CampaignSpec {
  /** A built-in profile's name, or the `name` of the device file below. */
  device: string;
  /** A user's JSON device file (absolute path); not part of replay ids: give it again. */
  deviceFile?: string;
  /**
   * A device given as an object rather than a file (a device file parsed elsewhere, e.g.
   * pasted into the viewer); `device` is then its name. Not part of replay ids.
   */
  deviceProfile?: DeviceProfile;
  strategy: BootStrategy;
  /**
   * Test-only: a historical MCUboot bug the bootloader reproduces (src/campaign/variants.ts),
   * written `<strategy>@<variant>` in replay ids and reports.
   */
  variant?: string;
  upgrade: Upgrade;
  plan: Plan;
  fault: FaultModel;
  /** Total size of the update (header + body + TLVs); 'max' = the largest the strategy allows. */
  imageSize: number | 'max';
  /** Total size of the running image, when it differs from the update's. */
  v1Size?: number;
  /** The running image's trailer as flashed (imgtool --pad / --pad --confirm); none when absent. */
  v1Trailer?: V1Trailer;
  /** Bootloader build: BOOT_MAX_ALIGN (default 8). */
  maxAlign?: 8 | 16 | 32;
  /** Bootloader build: MCUBOOT_MAX_IMG_SECTORS (default 128). */
  maxSectors?: number;
  /** Bootloader build: MCUBOOT_IMAGE_NUMBER (default 1); with 2, both images update together, each needing the other's new version. */
  images?: number;
  /** Bootloader build: MCUBOOT_HW_ROLLBACK_PROT (images carry SEC_CNT 1 and 2; NV counters start at 1). */
  hwRollback?: boolean;
  /** Bootloader build: MCUBOOT_BOOTSTRAP. */
  bootstrap?: boolean;
  /** Bootloader build: MCUBOOT_DOWNGRADE_PREVENTION. */
  downgradePrevention?: boolean;
  /** Bootloader build: MCUBOOT_ENC_IMAGES with this AES key length; the update is encrypted for `encKeyFile`. */
  encKeyLen?: 16 | 32;
  /** The private encryption key (absolute path); like deviceFile, not part of replay ids: give it again. */
  encKeyFile?: string;
  seed: number;
  /** double: second cuts per first cut (0 = all); triple: second cuts per first cut and third cuts per second cut (0 = all); random: number of runs. */
  sample: number;
}

/** One scenario: the cut point(s) within the campaign's update timeline. */
export interface ScenarioRef {
  /** exhaustive/double: the first cut (1-based op of the timeline); 0 = no cut (the uninterrupted update). */
  cut?: number;
  /** double, triple: the second cut (1-based op of the first recovery boot). */
  cut2?: number;
  /** triple: the third cut (1-based op of the second recovery boot, the one after the second cut). */
  cut3?: number;
  /** random: the run's seed. */
  run?: number;
}

/** Seed of the fault PRNG for a scenario: from the campaign seed and the cut points only. */
export function faultSeed(spec: CampaignSpec, ref: ScenarioRef): bigint {
  const r = prng((spec.seed * 2654435761) ^ ((ref.cut ?? 0) * 40503) ^ ((ref.cut2 ?? 0) * 9973) ^ ((ref.run ?? 0) * 7919) ^ ((ref.cut3 ?? 0) * 65599));
  return (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32));
}

export function parseUpgrade(v: string): Upgrade {
  if ((UPGRADE_KINDS as readonly string[]).includes(v)) return v as Upgrade;
  throw new UsageError(`unknown upgrade '${v}' (expected one of: ${UPGRADE_KINDS.join(', ')})`);
}

export function parseV1Trailer(v: string): V1Trailer {
  if ((V1_TRAILERS as readonly string[]).includes(v)) return v as V1Trailer;
  throw new UsageError(`unknown v1 trailer '${v}' (expected one of: ${V1_TRAILERS.join(', ')})`);
}

export function parsePlan(v: string): Plan {
  if ((PLANS as readonly string[]).includes(v)) return v as Plan;
  throw new UsageError(`unknown plan '${v}' (expected one of: ${PLANS.join(', ')}, lifecycle)`);
}

export function parseFault(v: string): FaultModel {
  if ((FAULT_MODELS as readonly string[]).includes(v)) return v as FaultModel;
  throw new UsageError(`unknown fault model '${v}' (expected one of: ${FAULT_MODELS.join(', ')})`);
}

/**
 * `<strategy>[+max-align=A][+max-sectors=N][+<mode>=V…]/<device>/<upgrade>[+<v1 trailer>][:size[,v1size]]/<fault>@<cut>[+<cut2>[+<cut3>]]`
 * or `…/<fault>#<run>`; seed as `~seed` when not 1. The optional parts appear only when the
 * spec sets them, so ids of campaigns without them read as they always did. `@0` is the
 * uninterrupted update.
 */
export function scenarioId(spec: CampaignSpec, ref: ScenarioRef): string {
  const build = (spec.maxAlign !== undefined ? `+max-align=${spec.maxAlign}` : '') + (spec.maxSectors !== undefined ? `+max-sectors=${spec.maxSectors}` : '') + modeParts(spec);
  const staging = spec.v1Trailer !== undefined ? `+${spec.v1Trailer}` : '';
  const size = spec.v1Size !== undefined ? `:${spec.imageSize},${spec.v1Size}` : spec.imageSize === 'max' ? '' : `:${spec.imageSize}`;
  const seed = spec.seed === 1 ? '' : `~${spec.seed}`;
  const where = ref.run !== undefined ? `#${ref.run}` : `@${ref.cut}${ref.cut2 !== undefined ? `+${ref.cut2}` : ''}${ref.cut3 !== undefined ? `+${ref.cut3}` : ''}`;
  return `${strategyLabel(spec)}${build}/${spec.device}/${spec.upgrade}${staging}${size}/${spec.fault}${where}${seed}`;
}

const ID = new RegExp(
  String.raw`^([a-z0-9-]+(?:@[a-z0-9]+)?)((?:\+[a-z-]+=\d+)*)\/([${DEVICE_NAME_CHARS}]+)\/([a-z-]+)(?:\+([a-z-]+))?(?::(\d+|max)(?:,(\d+))?)?\/([a-z-]+)(?:@(\d+)(?:\+(\d+)(?:\+(\d+))?)?|#(\d+))(?:~(\d+))?$`,
);

/** The build modes as a report names them beside the strategy (`+hw-rollback+images=2`); empty without any. */
export function modesLabel(spec: CampaignSpec): string {
  return modeParts(spec).replace(/=1(?=\+|$)/g, '');
}

/** The build modes as replay-id parts: `+images=2+hw-rollback=1+bootstrap=1+downgrade-prevention=1+enc=128`. */
function modeParts(spec: CampaignSpec): string {
  return (
    (spec.images !== undefined && spec.images !== 1 ? `+images=${spec.images}` : '') +
    (spec.hwRollback ? '+hw-rollback=1' : '') +
    (spec.bootstrap ? '+bootstrap=1' : '') +
    (spec.downgradePrevention ? '+downgrade-prevention=1' : '') +
    (spec.encKeyLen ? `+enc=${spec.encKeyLen * 8}` : '')
  );
}

/**
 * What the plans and modes of a campaign can run together: one image at a time where a plan
 * rebuilds the flash from snapshots (the NV counters of --hw-rollback live outside it, so
 * those campaigns replay from power-on and run the exhaustive plan), bootstrap only on a
 * bootstrap build. A one-line error names the clash.
 */
export function checkModes(spec: CampaignSpec): void {
  if (spec.hwRollback && spec.plan !== 'exhaustive') throw new UsageError(`--hw-rollback campaigns run the exhaustive plan (not ${spec.plan}): the NV counters are replayed from power-on`);
  if (STRATEGY_INFO[spec.strategy].flow === 'select') {
    if (spec.bootstrap) throw new UsageError(`--bootstrap does nothing with ${spec.strategy}: it is a swap-flow option (${spec.strategy} boots the highest valid version in place)`);
    if (spec.downgradePrevention) throw new UsageError(`--downgrade-prevention does nothing with ${spec.strategy}: it is a swap-flow option (${spec.strategy} boots the highest valid version in place)`);
  }
  if (spec.upgrade === 'bootstrap' && !spec.bootstrap) throw new UsageError('--upgrade bootstrap needs a --bootstrap build');
  if (spec.encKeyLen && !spec.encKeyFile) throw new UsageError('an encrypted campaign needs --enc-key FILE (the private key the bootloader is built with)');
}

/** Parses a replay id back into the campaign and scenario it names. */
export function parseScenarioId(id: string): { spec: CampaignSpec; ref: ScenarioRef } {
  const m = ID.exec(id.trim());
  if (!m) throw new UsageError(`replay id '${id}' does not parse (expected e.g. swap-scratch/nrf52840/perm/cut@417, …/cut@417+38, …/cut@417+38+5 or …/cut#7)`);
  const [, strategy, build, device, upgrade, staging, size, v1Size, fault, cut, cut2, cut3, run, seed] = m;
  const ref: ScenarioRef =
    run !== undefined ? { run: Number(run) } : { cut: Number(cut), ...(cut2 !== undefined ? { cut2: Number(cut2) } : {}), ...(cut3 !== undefined ? { cut3: Number(cut3) } : {}) };
  if (ref.cut2 === 0 || ref.cut3 === 0 || (ref.cut === 0 && ref.cut2 !== undefined)) throw new UsageError(`replay id '${id}': cut points count from 1 (@0 alone is the uninterrupted update)`);
  const options: Partial<CampaignSpec> = {};
  for (const part of build.split('+').filter(Boolean)) {
    const [key, value] = part.split('=');
    if (key === 'max-align') options.maxAlign = parseMaxAlign(Number(value), `replay id '${id}': max-align`);
    else if (key === 'max-sectors') options.maxSectors = parseMaxSectors(Number(value), `replay id '${id}': max-sectors`);
    else if (key === 'images') options.images = parseImageCount(Number(value), `replay id '${id}': images`);
    else if (key === 'hw-rollback' && value === '1') options.hwRollback = true;
    else if (key === 'bootstrap' && value === '1') options.bootstrap = true;
    else if (key === 'downgrade-prevention' && value === '1') options.downgradePrevention = true;
    else if (key === 'enc' && (value === '128' || value === '256')) options.encKeyLen = value === '256' ? 32 : 16;
    else throw new UsageError(`replay id '${id}': unknown bootloader option '${key}' (expected max-align, max-sectors, images, hw-rollback, bootstrap, downgrade-prevention or enc)`);
  }
  const spec: CampaignSpec = {
    ...parseStrategyName(strategy),
    device,
    upgrade: parseUpgrade(upgrade),
    imageSize: size === undefined || size === 'max' ? 'max' : Number(size),
    ...(v1Size !== undefined ? { v1Size: Number(v1Size) } : {}),
    ...(staging !== undefined ? { v1Trailer: parseV1Trailer(staging) } : {}),
    ...options,
    fault: parseFault(fault),
    plan: run !== undefined ? 'random' : cut3 !== undefined ? 'triple' : cut2 !== undefined ? 'double' : 'exhaustive',
    seed: seed === undefined ? 1 : Number(seed),
    sample: 0,
  };
  return { spec, ref };
}

/** The strategy as reports and replay ids name it: `swap-move`, or a variant's `swap-move@pr2100`. */
export function strategyLabel(spec: Pick<CampaignSpec, 'strategy' | 'variant'>): string {
  return spec.variant === undefined ? spec.strategy : `${spec.strategy}@${spec.variant}`;
}

/**
 * A strategy name, or a test-only historical variant `<strategy>@<bug>` (variants.ts),
 * accepted so that their replay ids work. An unknown strategy or variant is a UsageError.
 */
export function parseStrategyName(v: string): { strategy: BootStrategy; variant?: string } {
  const at = v.indexOf('@');
  const strategy = parseStrategy(at < 0 ? v : v.slice(0, at));
  if (at < 0) return { strategy };
  const variant = v.slice(at + 1);
  variantBits(strategy, variant); // an unknown variant fails here, naming it
  return { strategy, variant };
}

/** `i/N` with 1 ≤ i ≤ N. */
export function parseShard(v: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard '${v}' must be i/N with 1 ≤ i ≤ N (e.g. 2/8)`);
  return { index, count };
}

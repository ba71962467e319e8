/**
 * MCUboot's own simulator (`sim/`, reference/mcuboot.md §7.4–§7.5) rebuilt over brickproof's
 * Device, so that its test list can be ported test by test.
 *
 * What is kept from `sim/src/image.rs`:
 * - Devices: every built-in profile, each run at write alignment 1, 2, 4 and 8 and erased
 *   value 0xff and 0x00, for every built strategy its layout supports (`each_device`).
 * - Images (`install_image`): a 32-byte header, a pseudo-random payload seeded by where the
 *   image sits in flash, hash-only TLVs (Ed25519-signed in one bad_secondary_slot build),
 *   of the largest size the build accepts (`maximal`);
 *   padded with the erased value to the write alignment. The primary slot holds 0.0.1+0
 *   and the secondary 1.0.1+1 (major = 20·image + slot, revision 1, build = slot), so the
 *   upgrade is newer; `downgrade` swaps them (REV_DEPS). Swap-offset's update sits one
 *   sector into the secondary slot.
 * - Requests: `mark_upgrade` writes only the magic, `mark_permanent_upgrade` only image_ok
 *   (and nothing at all in overwrite-only builds), both as a programmer would, uncounted.
 * - Checks: `verify_images` compares a slot with an installed image byte for byte (for
 *   swap-offset's secondary, at offset 0 or one sector in); `verify_trailers` reads magic,
 *   image_ok and copy_done, and is skipped for overwrite-only builds, whose trailers the
 *   simulator does not check.
 * - Every boot starts from a copy of the staged flash (the simulator clones its flash).
 *
 * What differs: the simulator draws perm_with_random_fails' cut points from an unseeded RNG;
 * here they come from a PRNG seeded with the combination's name, so a failure replays.
 */
import { isPowerCut, type PowerCut } from '../../src/core/index.js';
import { Device, type BootloaderOptions, type BootResult } from '../../src/device/device.js';
import { allProfiles, findProfile, resolveProfile } from '../../src/device/profiles.js';
import type { BootStrategy } from '../../src/image/strategy.js';
import { updateOffset } from '../../src/device/staging.js';
import { SWAP_STRATEGIES as BOOT_STRATEGIES } from '../../src/image/strategy.js';
import { publicKeyOf, signImage, type ImageVersion, type PrivateKey } from '../../src/image/index.js';
import { bootMagic, bootTrailerSize } from '../../src/image/trailer.js';
import { STRATEGY_INFO } from '../../src/image/strategy.js';
import { randomInt, seededBytes, seededRandom } from '../helpers/seeded.js';
import { turn } from '../helpers/turn.js';

/** `npm run test:full`: every combination and every cut point. */
export const FULL = process.env.BRICKPROOF_FULL === '1';

export type WriteAlign = 1 | 2 | 4 | 8;
export type ErasedValue = 0xff | 0x00;
/** MCUboot's simulator runs every device at each of these (BOOT_MAX_ALIGN 8 builds). */
export const WRITE_ALIGNS: readonly WriteAlign[] = [1, 2, 4, 8];
export const ERASED_VALUES: readonly ErasedValue[] = [0xff, 0x00];

export interface Combination {
  profile: string;
  strategy: BootStrategy;
  align: WriteAlign;
  erased: ErasedValue;
}

/** A combination's name, also its replay id: `swap-scratch/k64f/align-8/erased-ff`. */
export function comboName(c: Combination): string {
  return `${c.strategy}/${c.profile}/align-${c.align}/erased-${c.erased.toString(16).padStart(2, '0')}`;
}

/** Every profile × write alignment × erased value that `strategy` can run (`each_device`). */
export function everyCombination(strategy: BootStrategy): Combination[] {
  const out: Combination[] = [];
  for (const p of allProfiles()) {
    if (p.excluded.includes(strategy)) continue;
    for (const align of WRITE_ALIGNS) for (const erased of ERASED_VALUES) out.push({ profile: p.name, strategy, align, erased });
  }
  return out;
}

/**
 * The default run's profiles, in order of preference; each strategy takes the first two
 * that it supports. k64f is MCUboot's reference layout (uniform 4 KiB sectors, a one-sector
 * scratch); stm32f4 has the mixed sector sizes only scratch and overwrite-only accept;
 * nrf52840 stands in for it where a strategy needs uniform sectors.
 */
const REPRESENTATIVE_PROFILES = ['k64f', 'stm32f4', 'nrf52840'];

/** The default run: two profiles × write alignment {1, 8} × erased value {0xff, 0x00}. */
export function representativeCombinations(strategy: BootStrategy): Combination[] {
  const profiles = REPRESENTATIVE_PROFILES.filter((name) => !findProfile(name).excluded.includes(strategy)).slice(0, 2);
  const out: Combination[] = [];
  for (const profile of profiles) for (const align of [8, 1] as const) for (const erased of ERASED_VALUES) out.push({ profile, strategy, align, erased });
  return out;
}

/** The combinations a suite runs for `strategy`: all of them with BRICKPROOF_FULL=1. */
export function combinations(strategy: BootStrategy): Combination[] {
  return FULL ? everyCombination(strategy) : representativeCombinations(strategy);
}

/** Built strategies, for suites that iterate them (new strategies join without edits). */
export const strategies = (filter: (s: BootStrategy) => boolean = () => true): BootStrategy[] => BOOT_STRATEGIES.filter(filter);

/** Swap strategies keep the old image and can revert; overwrite-only cannot (§5.1). */
export const isSwap = (s: BootStrategy): boolean => s !== 'overwrite-only';

/**
 * Cut points the exhaustive tests try, of 1..total-1 (`for i in 1 .. total_flash_ops`).
 * All of them in full mode and on the first representative combination of each strategy;
 * elsewhere both ends and a sample of `sample` others, seeded by the combination's name.
 */
export function cutPoints(c: Combination, total: number, sample = 40): number[] {
  const all = everyCutPoint(total);
  const first = representativeCombinations(c.strategy)[0];
  if (FULL || comboName(c) === comboName(first) || all.length <= sample + 2) return all;
  const rng = seededRandom(seedOf(comboName(c)));
  const picked = new Set<number>([1, 2, total - 1]);
  while (picked.size < sample + 3) picked.add(1 + Math.floor(rng() * (total - 1)));
  return [...picked].sort((a, b) => a - b);
}

/** 1..total-1: every operation of an upgrade of `total` operations but the last. */
export const everyCutPoint = (total: number): number[] => Array.from({ length: Math.max(0, total - 1) }, (_, i) => i + 1);

/** A 32-bit seed from a name (FNV-1a). */
export function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

// ---- the simulated device and its images ------------------------------------------------

export const SLOT_PRIMARY = 0;
export const SLOT_SECONDARY = 1;
const areaOf = (slot: number) => slot + 1;

const HEADER_SIZE = 32;
/** A hash-only image's TLV area: TLV info (4) + SHA256 entry (4 + 32). */
const HASH_ONLY_TLV_SIZE = 40;

export type ImageSize = 'largest' | 'oversized';
export type Manipulation = 'none' | 'bad-signature';

/** The bootloader's build options other than the strategy (keys, validatePrimary, …). */
export type BuildOptions = Omit<BootloaderOptions, 'strategy'>;

/** A device of one combination, with the bootloader built for it. */
export function makeDevice(c: Combination, build: BuildOptions = {}): Device {
  const profile = findProfile(c.profile);
  for (const f of profile.flash) {
    f.writeAlign = c.align;
    f.erasedValue = c.erased;
  }
  return new Device(resolveProfile(profile).geometry, { strategy: c.strategy, ...build });
}

/** The sim's versions: major = 20·image + slot, minor 0, revision 1, build = slot. */
const versionOfSlot = (slot: number): ImageVersion => ({ major: slot, minor: 0, revision: 1, build: slot });

/**
 * One run of the simulator (`Images`): a device, the images installed in its slots, the
 * flash as staged, and the operation count of the uninterrupted upgrade when there is one.
 */
export class Sim {
  private staged: Uint8Array;
  /** Flash operations of the uninterrupted upgrade (`run_basic_upgrade`), when made by `makeImage`. */
  totalCount = 0;

  private constructor(
    readonly combo: Combination,
    readonly dev: Device,
    /** The images installed in the primary and secondary slots (padded to the write alignment), or null. */
    readonly primaries: Uint8Array | null,
    readonly upgrades: Uint8Array | null,
  ) {
    this.staged = dev.core.dump();
  }

  get name(): string {
    return comboName(this.combo);
  }

  get strategy(): BootStrategy {
    return this.combo.strategy;
  }

  // ---- the simulator's image makers (ImagesBuilder::make_*) ----------------------------

  /**
   * Images in both slots, no request (`make_no_upgrade_image`). With `downgrade`, the
   * secondary holds the older version (REV_DEPS).
   */
  static async makeNoUpgradeImage(c: Combination, opts: { build?: BuildOptions; downgrade?: boolean } = {}): Promise<Sim> {
    const dev = makeDevice(c, opts.build);
    const [pv, sv] = opts.downgrade ? [versionOfSlot(1), versionOfSlot(0)] : [versionOfSlot(0), versionOfSlot(1)];
    const primaries = await installImage(dev, c, SLOT_PRIMARY, 'largest', 'none', pv);
    const upgrades = await installImage(dev, c, SLOT_SECONDARY, 'largest', 'none', sv);
    return new Sim(c, dev, primaries, upgrades);
  }

  /**
   * A test upgrade staged (`make_image`): images in both slots and the secondary's magic.
   * Counts the operations of the uninterrupted upgrade, permanent or not, as the simulator
   * does before any fault test; with `expectUpgrade` (the default) that upgrade must install
   * the new image.
   */
  static async makeImage(c: Combination, permanent: boolean, opts: { build?: BuildOptions; downgrade?: boolean; expectUpgrade?: boolean } = {}): Promise<Sim> {
    const sim = await Sim.makeNoUpgradeImage(c, opts);
    sim.markUpgrade(SLOT_SECONDARY);
    sim.commit();
    const basic = sim.tryUpgrade(undefined, permanent);
    if ((opts.expectUpgrade ?? true) && !sim.verifyImage(SLOT_PRIMARY, 'upgrades')) {
      throw new Error(`${sim.name}: the uninterrupted ${permanent ? 'permanent' : 'test'} upgrade did not install the new image (${JSON.stringify(basic.result)})`);
    }
    sim.totalCount = basic.count;
    return sim;
  }

  /**
   * A valid primary and a secondary whose signature is corrupted, or its hash in a hash-only
   * build (`make_bad_secondary_slot_image(BadSignature)`). With `signedBy`, both images are
   * signed with that key and the bootloader is built with its public key.
   */
  static async makeBadSecondarySlotImage(c: Combination, opts: { build?: BuildOptions; signedBy?: PrivateKey } = {}): Promise<Sim> {
    const key = opts.signedBy;
    const dev = makeDevice(c, { ...opts.build, ...(key ? { keys: [publicKeyOf(key)] } : {}) });
    const primaries = await installImage(dev, c, SLOT_PRIMARY, 'largest', 'none', versionOfSlot(0), key);
    const upgrades = await installImage(dev, c, SLOT_SECONDARY, 'largest', 'bad-signature', versionOfSlot(1), key);
    return new Sim(c, dev, primaries, upgrades);
  }

  /** A secondary one write unit larger than the build accepts (`make_oversized_secondary_slot_image`). */
  static async makeOversizedSecondarySlotImage(c: Combination, build?: BuildOptions): Promise<Sim> {
    const dev = makeDevice(c, build);
    const primaries = await installImage(dev, c, SLOT_PRIMARY, 'largest', 'none', versionOfSlot(0));
    const upgrades = await installImage(dev, c, SLOT_SECONDARY, 'oversized', 'none', versionOfSlot(1));
    return new Sim(c, dev, primaries, upgrades);
  }

  /** An image in the primary, nothing in the secondary (`make_erased_secondary_image`). */
  static async makeErasedSecondaryImage(c: Combination, build?: BuildOptions): Promise<Sim> {
    const dev = makeDevice(c, build);
    const primaries = await installImage(dev, c, SLOT_PRIMARY, 'largest', 'none', versionOfSlot(0));
    return new Sim(c, dev, primaries, null);
  }

  // ---- flash -------------------------------------------------------------------------

  /** Takes the current flash as the staged state that `fresh()` returns to. */
  commit(): void {
    this.staged = this.dev.core.dump();
  }

  /** The staged flash again (`self.flash.clone()`), with no bad regions and strict writes. */
  fresh(): this {
    this.dev.core.loadDump(this.staged);
    this.dev.core.setBadRegions([]);
    this.dev.core.setStrict(true);
    return this;
  }

  /** Writes the magic: a test upgrade request (`mark_upgrade`). */
  markUpgrade(slot: number): void {
    const a = this.dev.options.maxAlign;
    const end = this.slotSize(slot);
    // The magic goes in the last 16 bytes; a wider write unit carries erased bytes before it.
    const unit = Math.max(16, this.combo.align);
    const buf = new Uint8Array(unit).fill(this.combo.erased);
    buf.set(bootMagic(a), unit - 16);
    this.dev.core.place(areaOf(slot), end - unit, buf);
  }

  /** Writes image_ok = 0x01: a permanent request (`mark_permanent_upgrade`); nothing in overwrite-only builds. */
  markPermanentUpgrade(slot: number): void {
    if (this.strategy === 'overwrite-only') return;
    const a = this.dev.options.maxAlign;
    const imageOkOff = this.slotSize(slot) - 16 - a;
    const buf = new Uint8Array(this.combo.align).fill(this.combo.erased);
    buf[0] = 1;
    this.dev.core.place(areaOf(slot), imageOkOff, buf);
  }

  slotSize(slot: number): number {
    return this.dev.core.area(areaOf(slot)).size;
  }

  /**
   * Marks the primary slot's swap status area as failing writes with probability `rate`
   * (`mark_bad_status_with_rate`; nothing in overwrite-only builds, which keep no status).
   */
  markBadStatus(rate: number): void {
    if (this.strategy === 'overwrite-only') return;
    const size = bootTrailerSize({
      writeSize: this.combo.align,
      maxAlign: this.dev.options.maxAlign,
      maxSectors: this.dev.options.maxSectors,
      states: STRATEGY_INFO[this.strategy].statusStates,
      swapOffset: this.strategy === 'swap-offset',
    });
    this.dev.core.setBadRegions([{ area: areaOf(SLOT_PRIMARY), offset: this.slotSize(SLOT_PRIMARY) - size.total, length: size.statusSize, rate }]);
  }

  // ---- running the bootloader --------------------------------------------------------

  /** One power-on; with `at`, the power fails before operation `at`. */
  boot(at?: number): BootResult | PowerCut {
    return this.dev.boot(at === undefined ? {} : { at });
  }

  /**
   * `try_upgrade`: from the staged flash (made permanent if asked), a boot cut before
   * operation `stop`, then one clean boot. Returns both results and the operations the
   * first boot did (all of them when it was not cut).
   */
  tryUpgrade(stop: number | undefined, permanent: boolean): { first: BootResult | PowerCut; result: BootResult; count: number } {
    this.fresh();
    if (permanent) this.markPermanentUpgrade(SLOT_SECONDARY);
    const first = this.boot(stop);
    if (!isPowerCut(first)) return { first, result: first, count: first.ops.erase + first.ops.write };
    const result = this.boot();
    if (isPowerCut(result)) throw new Error(`${this.name}: an unarmed boot was cut`);
    return { first, result, count: (stop ?? 1) - 1 };
  }

  // ---- checks ----------------------------------------------------------------------

  /** `verify_images`: the slot holds the image installed as `against`, byte for byte. */
  verifyImage(slot: number, against: 'primaries' | 'upgrades'): boolean {
    const image = against === 'primaries' ? this.primaries : this.upgrades;
    if (!image) throw new Error(`${this.name}: no ${against} image was installed`);
    const bytes = this.dev.core.areaBytes(areaOf(slot));
    const at = (off: number) => bytesEqual(bytes.subarray(off, off + image.length), image);
    if (at(0)) return true;
    const staged = slot === SLOT_SECONDARY ? updateOffset(this.dev.core.area(areaOf(slot)), this.strategy) : 0;
    return staged !== 0 && at(staged);
  }

  /** A slot's trailer as `verify_trailer` reads it. */
  trailer(slot: number): Trailer {
    const t = this.dev.readSwapState(areaOf(slot));
    return { magic: t.magic, imageOk: t.imageOk, copyDone: t.copyDone };
  }

  /**
   * `verify_trailers`: null when the slot's trailer is as expected (always, in overwrite-only
   * builds), else what differs.
   */
  trailerMismatch(slot: number, want: Trailer): string | null {
    if (this.strategy === 'overwrite-only') return null;
    const got = this.trailer(slot);
    const bad = (Object.keys(want) as (keyof Trailer)[]).filter((k) => got[k] !== want[k]);
    if (bad.length === 0) return null;
    return `${slot === SLOT_PRIMARY ? 'primary' : 'secondary'} trailer ${show(got)}, expected ${show(want)}`;
  }

  /** The whole area erased (a scrambled slot). */
  slotErased(slot: number): boolean {
    return this.dev.core.areaBytes(areaOf(slot)).every((b) => b === this.combo.erased);
  }
}

export interface Trailer {
  magic: 'good' | 'bad' | 'unset';
  imageOk: 'set' | 'bad' | 'unset';
  copyDone: 'set' | 'bad' | 'unset';
}

/** The trailers of §4.4's end states. */
export const TRAILER = {
  unset: { magic: 'unset', imageOk: 'unset', copyDone: 'unset' },
  /** imgtool --pad, or set_pending(0) seen from the slot: magic only. */
  magicOnly: { magic: 'good', imageOk: 'unset', copyDone: 'unset' },
  /** magic + image_ok: a confirmed image that was never swapped. */
  confirmedNoCopy: { magic: 'good', imageOk: 'set', copyDone: 'unset' },
  /** A test swap done, not yet confirmed. */
  testDone: { magic: 'good', imageOk: 'unset', copyDone: 'set' },
  /** A permanent swap, a confirmed test swap, or a finished revert. */
  confirmed: { magic: 'good', imageOk: 'set', copyDone: 'set' },
} as const satisfies Record<string, Trailer>;

const show = (t: Trailer) => `${t.magic}/${t.imageOk}/${t.copyDone}`;

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/**
 * `install_image`: builds an image for `slot` (hash-only, or signed with `key`) and places
 * it, padded with the erased value to the write alignment. Returns the bytes placed.
 */
async function installImage(dev: Device, c: Combination, slot: number, size: ImageSize, manipulation: Manipulation, version: ImageVersion, key?: PrivateKey): Promise<Uint8Array> {
  const area = dev.core.area(areaOf(slot));
  const offset = slot === SLOT_SECONDARY ? updateOffset(area, c.strategy) : 0;
  const largest = Math.min(dev.maxImageSize(SLOT_PRIMARY), dev.maxImageSize(SLOT_SECONDARY));
  const total = size === 'largest' ? largest : largest + c.align;
  const sign = (payload: Uint8Array) => signImage(payload, { headerSize: HEADER_SIZE, padHeader: true, version, erasedVal: c.erased, key });
  // The TLV area's size does not depend on the payload (Ed25519 signatures are 64 bytes).
  const tlvSize = key ? (await sign(new Uint8Array(1))).length - HEADER_SIZE - 1 : HASH_ONLY_TLV_SIZE;
  if (total <= HEADER_SIZE + tlvSize) throw new Error(`${comboName(c)}: the build accepts images of at most ${total} bytes, no room for a payload`);
  // The payload is seeded by the image's place in flash, as the simulator's `splat` does.
  const image = await sign(seededBytes(total - HEADER_SIZE - tlvSize, area.start + offset));
  if (image.length !== total) throw new Error(`built a ${image.length}-byte image, wanted ${total}`);
  // The last TLV is the signature of a signed image, the SHA256 hash of a hash-only one
  // (§7.5: "hash corrupted if no sig"): change its last byte.
  if (manipulation === 'bad-signature') image[image.length - 1] ^= 0xff;
  const padded = new Uint8Array(Math.ceil(image.length / c.align) * c.align).fill(c.erased);
  padded.set(image);
  dev.core.place(area.id, offset, padded);
  // The bootloader may take this image's digest instead of hashing it again when the bytes
  // it hashes equal these byte for byte (the core compares them): the outcome is the same.
  // Measured, revert_with_fails over every cut point: stm32f769 (512 KiB images) 21.6 s →
  // 2.5 s, nrf52840-spi-flash 17.0 s → 1.1 s; hashing was nearly all of the time.
  dev.core.addKnownRegion(image.subarray(0, image.length - tlvSize));
  return padded;
}

/**
 * What is wrong with a boot that should have succeeded without an assert (the simulator's
 * `success_no_asserts`: its C asserts abort unless caught), or null.
 */
export function bootProblem(r: BootResult | PowerCut): string | null {
  if (isPowerCut(r)) return `the boot was cut at op ${r.opIndex}`;
  if (r.outcome !== 'ok') return `the boot failed: ${r.outcome} (requested ${r.requested})`;
  if (r.asserts !== 0) return `the boot hit ${r.asserts} MCUboot assert(s)`;
  return null;
}

// ---- the simulator's test bodies (sim/src/image.rs), each returning what went wrong ----

/** Runs `check` at each cut point; lists the failing ones by replay id (`<combination> cut@<k>`). */
export async function sweep(sim: Sim, points: readonly number[], check: (sim: Sim, stop: number) => string[]): Promise<string[]> {
  const failures: string[] = [];
  for (const [n, stop] of points.entries()) {
    // A sweep of every cut point held its worker for 14 s under load: hand the loop back now and then.
    if (n % 50 === 49) await turn();
    const problems = check(sim, stop);
    if (problems.length) failures.push(`${sim.name} cut@${stop}: ${problems.join('; ')}`);
  }
  return failures;
}

/** A collector of problems: `check(ok, what)`, trailer comparisons and boots that must succeed. */
function problemList(sim: Sim) {
  const problems: string[] = [];
  return {
    problems,
    check(ok: boolean, what: string) {
      if (!ok) problems.push(what);
    },
    trailer(slot: number, want: Trailer, when = '') {
      const m = sim.trailerMismatch(slot, want);
      if (m) problems.push(when ? `${m} ${when}` : m);
    },
    booted(r: BootResult | PowerCut, when: string) {
      const p = bootProblem(r);
      if (p) problems.push(`${when}: ${p}`);
    },
  };
}

/**
 * `try_revert_with_fail_at`: a test upgrade cut before operation `stop` and finished, then
 * its revert cut at the same operation and finished, then one more boot; the images and
 * trailers of §4.4 after each.
 */
export function revertWithFailAt(sim: Sim, stop: number): string[] {
  const p = problemList(sim);
  sim.fresh();
  p.check(isPowerCut(sim.boot(stop)), 'the test swap was not cut');
  p.check(sim.trailer(SLOT_PRIMARY).copyDone === 'unset', 'primary copy_done is set after the cut test swap');

  p.booted(sim.boot(), 'finishing the test swap');
  p.check(sim.verifyImage(SLOT_PRIMARY, 'upgrades'), 'primary does not hold the new image before the revert');
  p.check(sim.verifyImage(SLOT_SECONDARY, 'primaries'), 'secondary does not hold the old image before the revert');
  p.trailer(SLOT_PRIMARY, TRAILER.testDone, 'before the revert');
  p.trailer(SLOT_SECONDARY, TRAILER.unset, 'before the revert');

  p.check(isPowerCut(sim.boot(stop)), 'the revert was not cut');
  p.booted(sim.boot(), 'finishing the revert');
  p.check(sim.verifyImage(SLOT_PRIMARY, 'primaries'), 'primary does not hold the old image after the revert');
  p.check(sim.verifyImage(SLOT_SECONDARY, 'upgrades'), 'secondary does not hold the new image after the revert');
  p.trailer(SLOT_PRIMARY, TRAILER.confirmed, 'after the revert');
  p.trailer(SLOT_SECONDARY, TRAILER.unset, 'after the revert');

  p.booted(sim.boot(), 'the boot after the revert');
  p.check(sim.verifyImage(SLOT_PRIMARY, 'primaries'), 'primary does not hold the old image on the boot after the revert');
  p.check(sim.verifyImage(SLOT_SECONDARY, 'upgrades'), 'secondary does not hold the new image on the boot after the revert');
  return p.problems;
}

/** perm_with_fails at one cut point: `try_upgrade(Some(stop), true)`, then the end state. */
export function permWithFailAt(sim: Sim, stop: number): string[] {
  const { first, result } = sim.tryUpgrade(stop, true);
  return [...(isPowerCut(first) ? [] : ['the upgrade was not cut']), ...permanentUpgradeDone(sim, result)];
}

/** What the simulator checks once a permanent upgrade has settled (§4.4 "PERM swap done"). */
export function permanentUpgradeDone(sim: Sim, last: BootResult | PowerCut): string[] {
  const p = problemList(sim);
  p.booted(last, 'the last boot');
  p.check(sim.verifyImage(SLOT_PRIMARY, 'upgrades'), 'primary does not hold the new image');
  p.trailer(SLOT_PRIMARY, TRAILER.confirmed);
  p.trailer(SLOT_SECONDARY, TRAILER.unset);
  if (isSwap(sim.strategy)) p.check(sim.verifyImage(SLOT_SECONDARY, 'primaries'), 'secondary does not hold the old image');
  return p.problems;
}

/**
 * `try_random_fails` and perm_with_random_fails' checks: from the staged permanent request,
 * up to `count` boots cut at a random operation in 1..remaining/2, then a clean boot. A
 * boot that completes ends the cuts early: past the commit point a boot may have no flash
 * operation left to cut (MCUboot a665c81b).
 */
export function permWithRandomFails(sim: Sim, count: number, seed: number): { resets: number[]; problems: string[] } {
  const rng = seededRandom(seed);
  sim.fresh();
  sim.markPermanentUpgrade(SLOT_SECONDARY);
  const resets: number[] = [];
  let remaining = sim.totalCount;
  for (let i = 0; i < count && remaining >= 2; i++) {
    const at = randomInt(rng, 1, Math.floor(remaining / 2));
    resets.push(at);
    if (!isPowerCut(sim.boot(at))) break;
    remaining -= at;
  }
  return { resets, problems: permanentUpgradeDone(sim, sim.boot()) };
}

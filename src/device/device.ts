/**
 * A simulated device: flash (the WebAssembly flash model), MCUboot built with a strategy
 * and options, and the application's calls into MCUboot's API. Every `boot()` is a
 * power-on: a fresh core instance over the flash as it is.
 */
import { Core, PowerCut, type CoreOptions, type FaultModel } from '../core.js';
import { UsageError } from '../errors.js';
import type { PublicKey } from '../image/keys.js';
import { SCRATCH, type Geometry } from './geometry.js';
import { signatureHost, type SignatureHost } from './host.js';
import { decodeTrailer } from '../image/trailer.js';
import { BOOT_OUTCOMES, OPTION_BITS, STRATEGY_IDS, SWAP_TYPES as SWAP_TYPE_IDS } from '../ctrl-layout.js';
import type { Strategy } from './strategy.js';

export interface BootloaderOptions {
  strategy: Strategy;
  /** BOOT_MAX_ALIGN: 8 (default), 16 or 32. */
  maxAlign?: 8 | 16 | 32;
  /** MCUBOOT_MAX_IMG_SECTORS (default 128). */
  maxSectors?: number;
  /** Bytes per copy write (MCUboot's 1024-byte buffer). */
  copyBuffer?: number;
  /** MCUBOOT_VALIDATE_PRIMARY_SLOT (default on). */
  validatePrimary?: boolean;
  /** MCUBOOT_OVERWRITE_ONLY_FAST (overwrite-only only). */
  overwriteFast?: boolean;
  /** MCUBOOT_DOWNGRADE_PREVENTION. */
  downgradePrevention?: boolean;
  /** The bootloader's built-in public keys; none = a hash-only build. */
  keys?: PublicKey[];
  /** Test-only: behave as a historical MCUboot release did (src/campaign/variants.ts). */
  bugs?: number;
  /** Not an MCUboot option: take images as valid without hashing them (benchmarks of the swap alone). */
  skipImageChecks?: boolean;
}

/** A table of the core's values (src/ctrl-layout.ts) turned around: names by value. */
function byValue<K extends string>(table: Record<K, number>): Record<number, K | undefined> {
  return Object.fromEntries(Object.entries(table).map(([name, value]) => [value, name]));
}

export type SwapTypeName = keyof typeof SWAP_TYPE_IDS;
/** Swap type names by the core's value (assembly/ctrl.ts SWAP_*). */
export const SWAP_TYPES = byValue(SWAP_TYPE_IDS);
const OUTCOMES = byValue(BOOT_OUTCOMES);

export interface Version {
  major: number;
  minor: number;
  revision: number;
  build: number;
}

export interface BootResult {
  /** 'ok': an image was found to jump to; 'no-image': the device does not boot; 'panic': MCUboot hangs. */
  outcome: keyof typeof BOOT_OUTCOMES;
  /** What the trailers asked for at power-on. */
  requested: SwapTypeName;
  /** The swap type left in the loader state (MCUboot reports NONE after finishing a resumed swap). */
  swapType: SwapTypeName;
  /** This boot finished a swap that an earlier power cut interrupted. */
  resumed: boolean;
  /** Area id of the slot to jump to (1 = primary), 0 when none. */
  slot: number;
  version?: Version;
  ops: { erase: number; write: number };
  /** MCUboot asserts hit (counted, as its simulator does), and failed status writes. */
  asserts: number;
  statusFails: number;
}

/** CTRL_BOOT_OPTIONS: the bit of every option that is on (each OPT_* is named after its field here). */
function optionBits(o: Record<keyof typeof OPTION_BITS, boolean>): number {
  let bits = 0;
  for (const [name, bit] of Object.entries(OPTION_BITS) as Array<[keyof typeof OPTION_BITS, number]>) if (o[name]) bits |= bit;
  return bits;
}

export function versionString(v: Version | undefined): string {
  return v ? `${v.major}.${v.minor}.${v.revision}+${v.build}` : '-';
}

export class Device {
  readonly core: Core;
  readonly host: SignatureHost;
  readonly options: Required<Omit<BootloaderOptions, 'keys'>> & { keys: PublicKey[] };

  constructor(readonly geometry: Geometry, options: BootloaderOptions, coreOptions: CoreOptions = {}) {
    const o = {
      maxAlign: 8 as const,
      maxSectors: 128,
      copyBuffer: 1024,
      validatePrimary: true,
      overwriteFast: false,
      downgradePrevention: false,
      keys: [],
      bugs: 0,
      skipImageChecks: false,
      ...options,
    };
    if (![8, 16, 32].includes(o.maxAlign)) throw new UsageError(`--max-align ${o.maxAlign} must be 8, 16 or 32`);
    if (!Number.isInteger(o.maxSectors) || o.maxSectors < 1 || o.maxSectors > 4096) throw new UsageError(`--max-sectors ${o.maxSectors} must be an integer from 1 to 4096`);
    if (!Number.isInteger(o.copyBuffer) || o.copyBuffer < 32 || o.copyBuffer > 65536 || o.copyBuffer % 32 !== 0) {
      throw new UsageError(`copy buffer ${o.copyBuffer} must be a multiple of 32 from 32 to 65536`);
    }
    for (const d of geometry.devices) {
      if (d.writeAlign > o.maxAlign) throw new UsageError(`${geometry.name}: flash ${d.id} writes ${d.writeAlign} bytes at a time, more than BOOT_MAX_ALIGN ${o.maxAlign}`);
    }
    if (o.strategy === 'swap-scratch' && !geometry.areas.some((a) => a.id === SCRATCH)) {
      throw new UsageError(`${geometry.name} has no scratch area, which swap-scratch needs`);
    }
    this.options = o;
    this.host = signatureHost(o.keys);
    let core: Core | undefined;
    this.core = core = new Core(geometry, coreOptions, this.host.imports(() => core!.peek()));
    core.setCtrl('CTRL_BOOT_STRATEGY', STRATEGY_IDS[o.strategy]);
    core.setCtrl('CTRL_BOOT_MAX_ALIGN', o.maxAlign);
    core.setCtrl('CTRL_BOOT_MAX_SECTORS', o.maxSectors);
    core.setCtrl('CTRL_BOOT_COPY_BUF', o.copyBuffer);
    core.setCtrl('CTRL_BOOT_OPTIONS', optionBits(o));
    core.setCtrl('CTRL_BOOT_SIG_TYPE', this.host.sigType);
    core.setCtrl('CTRL_BOOT_BUGS', o.bugs);
  }

  /** Starts counting a new call (boot or application call): op numbers restart at 1. */
  private begin(cutAt: number, fault: FaultModel, seed: bigint): void {
    this.core.reboot();
    this.core.resetCounters();
    this.core.clearLog();
    for (const f of ['CTRL_BOOT_ASSERTS', 'CTRL_BOOT_STATUS_FAILS', 'CTRL_BOOT_RC', 'CTRL_BOOT_SLOT', 'CTRL_BOOT_SWAP_TYPE'] as const) this.core.setCtrl(f, 0);
    this.core.armPowerCut(cutAt, fault, seed);
  }

  /** One power-on of the bootloader. With `cutAt` K, the power fails before operation K. */
  boot(cut: { at?: number; fault?: FaultModel; seed?: bigint } = {}): BootResult | PowerCut {
    this.begin(cut.at ?? 0, cut.fault ?? 'cut', cut.seed ?? 0n);
    const r = this.core.run((ex) => ex.boot());
    if (r instanceof PowerCut) return r;
    const c = this.core;
    const v = c.ctrl('CTRL_BOOT_VERSION');
    const counters = c.counters();
    return {
      outcome: OUTCOMES[r] ?? 'no-image',
      requested: SWAP_TYPES[c.ctrl('CTRL_BOOT_REQUESTED')] ?? 'none',
      swapType: SWAP_TYPES[c.ctrl('CTRL_BOOT_SWAP_TYPE')] ?? 'none',
      resumed: c.ctrl('CTRL_BOOT_RESUMED') === 1,
      slot: r === BOOT_OUTCOMES.ok ? c.ctrl('CTRL_BOOT_SLOT') : 0,
      version: r === BOOT_OUTCOMES.ok ? { major: v & 0xff, minor: (v >> 8) & 0xff, revision: v >>> 16, build: c.ctrl('CTRL_BOOT_BUILD') } : undefined,
      ops: { erase: counters.eraseOps, write: counters.writeOps },
      asserts: c.ctrl('CTRL_BOOT_ASSERTS'),
      statusFails: c.ctrl('CTRL_BOOT_STATUS_FAILS'),
    };
  }

  /** The application's boot_set_pending(permanent). Returns MCUboot's rc (0 ok). */
  setPending(permanent: boolean, cut: { at?: number; fault?: FaultModel; seed?: bigint } = {}): number | PowerCut {
    this.begin(cut.at ?? 0, cut.fault ?? 'cut', cut.seed ?? 0n);
    return this.core.run((ex) => ex.appSetPending(permanent ? 1 : 0));
  }

  /** The application's boot_set_confirmed(). Returns MCUboot's rc (0 ok). */
  setConfirmed(cut: { at?: number; fault?: FaultModel; seed?: bigint } = {}): number | PowerCut {
    this.begin(cut.at ?? 0, cut.fault ?? 'cut', cut.seed ?? 0n);
    return this.core.run((ex) => ex.appSetConfirmed());
  }

  /**
   * The application erasing a whole slot, e.g. before downloading an image into it (mcumgr's
   * image erase): one erase per sector, from the first. With `cutAt` K, the power fails
   * before operation K.
   */
  eraseArea(area: number, cut: { at?: number; fault?: FaultModel; seed?: bigint } = {}): void | PowerCut {
    const a = this.geometry.areas.find((x) => x.id === area);
    if (!a) throw new UsageError(`${this.geometry.name}: no flash area with id ${area}`);
    this.begin(cut.at ?? 0, cut.fault ?? 'cut', cut.seed ?? 0n);
    let off = 0;
    for (const size of a.sectorSizes) {
      const r = this.core.erase(area, off, size);
      if (r instanceof PowerCut) return r;
      off += size;
    }
  }

  /**
   * boot_read_swap_state: what the trailer of a slot (area 1 primary, 2 secondary, 3
   * scratch) says, as MCUboot decodes it.
   */
  readSwapState(area: number): { magic: 'good' | 'bad' | 'unset'; swapType: SwapTypeName; imageNum: number; copyDone: 'set' | 'bad' | 'unset'; imageOk: 'set' | 'bad' | 'unset' } {
    const a = this.geometry.areas.find((x) => x.id === area);
    if (!a) throw new UsageError(`${this.geometry.name}: no flash area with id ${area}`);
    const erasedVal = this.geometry.devices.find((d) => d.id === a.device)!.erasedValue;
    const t = decodeTrailer(this.core.peekArea(area), { maxAlign: this.options.maxAlign, erasedVal });
    return { magic: t.magic, swapType: SWAP_TYPES[t.swapType] ?? 'none', imageNum: t.imageIndex, copyDone: t.copyDone, imageOk: t.imageOk };
  }

  /** bootutil_max_image_size for a slot (0 primary, 1 secondary), as this build computes it. */
  maxImageSize(slot: number): number {
    return this.core.call((ex) => ex.bootMaxImageSize(slot));
  }

  /** Flash operations of the last call, as MCUboot trace lines. */
  trace(): string[] {
    return this.core.traceLines();
  }
}

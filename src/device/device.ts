/**
 * A simulated device: flash (the WebAssembly flash model), MCUboot built with a strategy
 * and options, and the application's calls into MCUboot's API. Every `boot()` is a
 * power-on: a fresh core instance over the flash as it is.
 */
import { Core, erasedValueOf, PowerCut, type CoreOptions, type FaultModel } from '../core/index.js';
import { UsageError } from '../errors.js';
import type { PublicKey } from '../image/keys.js';
import { SCRATCH, type Geometry } from './geometry.js';
import { signatureHost, type SignatureHost } from './host.js';
import { bootTrailerSize, decodeTrailer, trailerLayout } from '../image/trailer.js';
import { BOOT_OUTCOMES, OPTION_BITS, STRATEGY_IDS, SWAP_TYPES as SWAP_TYPE_IDS } from '../ctrl-layout.js';
import { formatVersion, headerAt } from '../image/header.js';
import { headerOffsets } from './staging.js';
import { STRATEGY_INFO, type BootStrategy } from '../image/strategy.js';

export interface BootloaderOptions {
  strategy: BootStrategy;
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

/** A slot's trailer as MCUboot reads it, and the version of the image in the slot. */
export interface SlotState {
  magic: 'good' | 'bad' | 'unset';
  /** The swap type in swap_info ('none' when erased or out of range). */
  swapType: SwapTypeName;
  /** The image number in swap_info. */
  imageNum: number;
  copyDone: 'set' | 'bad' | 'unset';
  imageOk: 'set' | 'bad' | 'unset';
  /** The raw swap_info byte, null when erased. */
  swapInfo: number | null;
  /** `major.minor.revision+build` of the image whose header starts the slot (or one sector in), else null. */
  version: string | null;
}

/**
 * A slot's (or the scratch area's) swap progress as MCUboot's status records and swap_size
 * hold it (reference mcuboot.md §3.3, §3.7, §5.2–§5.4).
 */
export interface SwapStatus {
  /** swap_size: the bytes that take part in the swap; null when erased. */
  swapSize: number | null;
  /** Status records the area's trailer has room for (the scratch area: one sector index's worth; overwrite-only: none). */
  capacity: number;
  /** Records written (byte 0 not erased). */
  written: number;
  /**
   * The last written record: its position, the state number written in it, and the step it
   * records as MCUboot reads it — swap-move's records 0..MAX_IMG_SECTORS−1 are moves (idx =
   * record + 1), the others swaps (2 states); swap-scratch (3 states) and swap-offset (2)
   * count (idx − 1)·states + (state − 1).
   */
  last?: { record: number; value: number; op: 'move' | 'swap'; idx: number; state: number };
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

/** BOOT_MAX_ALIGN as a build takes it: 8, 16 or 32. `what` names it in the one-line error. */
export function parseMaxAlign(v: number, what = '--max-align'): 8 | 16 | 32 {
  if (v === 8 || v === 16 || v === 32) return v;
  throw new UsageError(`${what} ${v} must be 8, 16 or 32`);
}

/** MCUBOOT_MAX_IMG_SECTORS as a build takes it: 1 to 4096. */
export function parseMaxSectors(v: number, what = '--max-sectors'): number {
  if (Number.isInteger(v) && v >= 1 && v <= 4096) return v;
  throw new UsageError(`${what} ${v} must be an integer from 1 to 4096`);
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
    parseMaxAlign(o.maxAlign);
    parseMaxSectors(o.maxSectors);
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
   * scratch) says, as MCUboot decodes it (src/image/trailer.ts), and the version of the
   * image whose header starts the slot (or one sector in). The one trailer reader for people
   * (simulate's summary, the viewer) and for oracles.
   */
  readSwapState(area: number): SlotState {
    const a = this.core.area(area);
    const erasedVal = erasedValueOf(this.geometry, a);
    const bytes = this.core.peekArea(area);
    const t = decodeTrailer(bytes, { maxAlign: this.options.maxAlign, erasedVal });
    const header = headerOffsets(a).map((off) => headerAt(bytes, off)).find((h) => h !== undefined);
    return {
      magic: t.magic,
      swapType: SWAP_TYPES[t.swapType] ?? 'none',
      imageNum: t.imageIndex,
      copyDone: t.copyDone,
      imageOk: t.imageOk,
      swapInfo: t.raw.swapInfo === erasedVal ? null : t.raw.swapInfo,
      version: header ? formatVersion(header.version) : null,
    };
  }

  /**
   * The swap progress recorded in an area's trailer (area 1 primary, 2 secondary, 3
   * scratch): swap_size and the status records, decoded as MCUboot parses them. For people
   * (the viewer); the bootloader itself reads them inside the core.
   */
  readSwapStatus(area: number): SwapStatus {
    const a = this.core.area(area);
    const erasedVal = erasedValueOf(this.geometry, a);
    const bytes = this.core.peekArea(area);
    const { strategy, maxAlign, maxSectors } = this.options;
    const offset = strategy === 'swap-offset';
    const states = STRATEGY_INFO[strategy].statusStates;
    const writeSize = this.geometry.devices.find((d) => d.id === a.device)!.writeAlign;
    const sizes = bootTrailerSize({ writeSize, maxAlign, maxSectors, states, swapOffset: offset });
    const scratch = area === SCRATCH;
    const capacity = strategy === 'overwrite-only' ? 0 : scratch ? states : maxSectors * states;
    const statusOff = a.size - (scratch ? states * writeSize + sizes.infoSize : sizes.total);
    const layout = trailerLayout(a.size, maxAlign, offset);
    const sizeBytes = bytes.subarray(layout.swapSizeOffset, layout.swapSizeOffset + 4);
    const swapSize = sizeBytes.every((b) => b === erasedVal) ? null : new DataView(sizeBytes.buffer, sizeBytes.byteOffset, 4).getUint32(0, true);
    let written = 0;
    let last: SwapStatus['last'];
    for (let k = 0; k < capacity && statusOff >= 0; k++) {
      const value = bytes[statusOff + k * writeSize];
      if (value === erasedVal) continue;
      written++;
      if (strategy === 'swap-move' && k < maxSectors) last = { record: k, value, op: 'move', idx: k + 1, state: 1 };
      else if (strategy === 'swap-move') last = { record: k, value, op: 'swap', idx: Math.floor((k - maxSectors) / 2) + 1, state: ((k - maxSectors) % 2) + 1 };
      else last = { record: k, value, op: 'swap', idx: Math.floor(k / states) + 1, state: (k % states) + 1 };
    }
    return { swapSize, capacity, written, ...(last ? { last } : {}) };
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

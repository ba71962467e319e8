/**
 * A simulated device: flash (the WebAssembly flash model), MCUboot built with a strategy
 * and options, and the application's calls into MCUboot's API. Every `boot()` is a
 * power-on: a fresh core instance over the flash as it is.
 */
import { Core, erasedValueOf, PowerCut, type CoreOptions, type FaultModel } from '../core/index.js';
import { UsageError } from '../errors.js';
import type { PublicKey } from '../image/keys.js';
import { SCRATCH, type Geometry } from './geometry.js';
import { encryptionImports, signatureHost, type SignatureHost } from './host.js';
import type { EncryptionKey } from '../image/encryption.js';
import { decryption } from '../image/encryption-hooks.js';
import { bootTrailerSize, decodeTrailer, trailerLayout } from '../image/trailer.js';
import { BOOT_OUTCOMES, CTRL, OPTION_BITS, STRATEGY_IDS, SWAP_TYPES as SWAP_TYPE_IDS } from '../ctrl-layout.js';
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
  /** MCUBOOT_HW_ROLLBACK_PROT: SEC_CNT TLVs checked against and raised into NV counters (`Device.nvCounters`). */
  hwRollback?: boolean;
  /** MCUBOOT_BOOTSTRAP: an empty primary gets the secondary's valid image. */
  bootstrap?: boolean;
  /** MCUBOOT_IMAGE_NUMBER: image pairs (areas primary/secondary, primary1/secondary1, …). Default 1. */
  images?: number;
  /** Ram-load: the executable RAM window, as device addresses. Default 256 KiB at 0x20000000. */
  ram?: RamWindow;
  /**
   * MCUBOOT_ENC_IMAGES: the built-in private key (ECIES-P256 or ECIES-X25519) that unwraps
   * encrypted images' keys; the build decrypts while swapping (swap-scratch).
   */
  encKey?: EncryptionKey;
  /** AES key length of an encrypting build: 16 (AES-128, default) or 32 (MCUBOOT_AES_256). */
  encKeySize?: 16 | 32;
  /** The bootloader's built-in public keys; none = a hash-only build. */
  keys?: PublicKey[];
  /** Test-only: behave as a historical MCUboot release did (src/campaign/variants.ts). */
  bugs?: number;
  /** Not an MCUboot option: take images as valid without hashing them (benchmarks of the swap alone). */
  skipImageChecks?: boolean;
}

/** Ram-load's executable RAM window (IMAGE_EXECUTABLE_RAM_START / _SIZE). */
export interface RamWindow {
  start: number;
  size: number;
}

export const DEFAULT_RAM: RamWindow = { start: 0x20000000, size: 0x40000 };

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
  /** The swap type it resumed, as its swap_info stored it (absent when none was stored, as before MCUboot #485). */
  resumedSwap?: SwapTypeName;
  /** Area id of the slot to jump to (1 = primary), 0 when none. */
  slot: number;
  version?: Version;
  ops: { erase: number; write: number };
  /** Per image (multi-image builds: image 0 first): what its trailers asked for, and the swap type left. */
  images: Array<{ requested: SwapTypeName; swapType: SwapTypeName }>;
  /** Direct-xip / ram-load: the slot booted (0 primary, 1 secondary), -1 when none. */
  activeSlot?: number;
  /** Ram-load: where the booted image was copied in RAM (device address) and how many bytes. */
  ramLoad?: { address: number; size: number };
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

/** MCUBOOT_IMAGE_NUMBER as a build takes it: 1 to the core's MAX_IMAGES. */
export function parseImageCount(v: number, what = '--images'): number {
  if (Number.isInteger(v) && v >= 1 && v <= CTRL.MAX_IMAGES) return v;
  throw new UsageError(`${what} ${v} must be an integer from 1 to ${CTRL.MAX_IMAGES}`);
}

export function versionString(v: Version | undefined): string {
  return v ? `${v.major}.${v.minor}.${v.revision}+${v.build}` : '-';
}

export class Device {
  readonly core: Core;
  readonly host: SignatureHost;
  readonly options: Required<Omit<BootloaderOptions, 'keys' | 'encKey'>> & { keys: PublicKey[]; encKey?: EncryptionKey };
  /** Ram-load builds: where the RAM window lies in the core's memory. */
  private readonly ramPtr: number = 0;

  constructor(readonly geometry: Geometry, options: BootloaderOptions, coreOptions: CoreOptions = {}) {
    const o = {
      maxAlign: 8 as const,
      maxSectors: 128,
      copyBuffer: 1024,
      validatePrimary: true,
      overwriteFast: false,
      downgradePrevention: false,
      hwRollback: false,
      bootstrap: false,
      images: 1,
      ram: DEFAULT_RAM,
      encKeySize: 16 as const,
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
    parseImageCount(o.images, 'images');
    for (let i = 1; i < o.images; i++) {
      for (const kind of ['primary', 'secondary']) {
        if (!geometry.areas.some((a) => a.name === `${kind}${i}`)) throw new UsageError(`${geometry.name} has no ${kind}${i} area for image ${i} (--images ${o.images})`);
      }
    }
    const ram = o.ram;
    if (!Number.isInteger(ram.start) || !Number.isInteger(ram.size) || ram.start < 0 || ram.size <= 0 || ram.start + ram.size > 2 ** 32) {
      throw new UsageError(`RAM window ${JSON.stringify(ram)} must be a start address and a positive size inside 32 bits`);
    }
    if (o.encKey && o.strategy !== 'swap-scratch') {
      throw new UsageError(`encrypted images are decrypted while swapping through the scratch: use swap-scratch, not ${o.strategy}`);
    }
    if (o.encKeySize !== 16 && o.encKeySize !== 32) throw new UsageError(`AES key size ${String(o.encKeySize)} must be 16 or 32 bytes`);
    if (o.images > 1 && STRATEGY_INFO[o.strategy].flow === 'select') {
      throw new UsageError(`${o.strategy} boots one image here: --images ${o.images} needs a swap strategy`);
    }
    this.options = o;
    this.host = signatureHost(o.keys);
    let core: Core | undefined;
    const peek = () => core!.peek();
    this.core = core = new Core(geometry, coreOptions, { ...this.host.imports(peek), ...encryptionImports(o.encKey, peek) });
    core.setCtrl('CTRL_BOOT_STRATEGY', STRATEGY_IDS[o.strategy]);
    core.setCtrl('CTRL_BOOT_MAX_ALIGN', o.maxAlign);
    core.setCtrl('CTRL_BOOT_MAX_SECTORS', o.maxSectors);
    core.setCtrl('CTRL_BOOT_COPY_BUF', o.copyBuffer);
    core.setCtrl('CTRL_BOOT_OPTIONS', optionBits(o));
    core.setCtrl('CTRL_BOOT_SIG_TYPE', this.host.sigType);
    core.setCtrl('CTRL_BOOT_BUGS', o.bugs);
    core.setCtrl('CTRL_BOOT_IMAGES', o.images);
    if (o.encKey) {
      core.setCtrl('CTRL_BOOT_ENC', o.encKeySize);
      core.setCtrl('CTRL_BOOT_ENC_TLV', decryption().encTlvType(o.encKey));
    }
    if (STRATEGY_INFO[o.strategy].loadsToRam) {
      this.ramPtr = core.allocate(ram.size, 'RAM window');
      core.setCtrl('CTRL_RAM_PTR', this.ramPtr);
      core.setCtrl('CTRL_RAM_BASE', ram.start);
      core.setCtrl('CTRL_RAM_SIZE', ram.size);
    }
  }

  /** The NV security counters (MCUBOOT_HW_ROLLBACK_PROT), one per image index: they survive power cuts. */
  get nvCounters(): number[] {
    return Array.from({ length: CTRL.MAX_IMAGES }, (_, i) => this.core.peek32(CTRL.CTRL_NV_COUNTERS + 4 * i));
  }

  set nvCounters(values: number[]) {
    if (values.length > CTRL.MAX_IMAGES) throw new UsageError(`at most ${CTRL.MAX_IMAGES} NV counters, got ${values.length}`);
    for (let i = 0; i < CTRL.MAX_IMAGES; i++) {
      const v = values[i] ?? 0;
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new UsageError(`NV counter ${v} of image ${i} is not a u32`);
      this.core.poke32(CTRL.CTRL_NV_COUNTERS + 4 * i, v);
    }
  }

  /** Ram-load builds: the RAM window as it is (zero at every power-on; the booted image after a boot). */
  ram(): Uint8Array {
    if (!this.ramPtr) throw new UsageError(`${this.options.strategy} loads nothing into RAM`);
    return this.core.peek().slice(this.ramPtr, this.ramPtr + this.options.ram.size);
  }

  /** Starts counting a new call (boot or application call): op numbers restart at 1. */
  private begin(cutAt: number, fault: FaultModel, seed: bigint): void {
    this.core.reboot();
    this.core.resetCounters();
    this.core.clearLog();
    for (const f of ['CTRL_BOOT_ASSERTS', 'CTRL_BOOT_STATUS_FAILS', 'CTRL_BOOT_RC', 'CTRL_BOOT_SLOT', 'CTRL_BOOT_SWAP_TYPE', 'CTRL_NV_READS', 'CTRL_NV_UPDATES'] as const) this.core.setCtrl(f, 0);
    // RAM is zero at every power-on.
    if (this.ramPtr) this.core.peek().fill(0, this.ramPtr, this.ramPtr + this.options.ram.size);
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
    const images = Array.from({ length: this.options.images }, (_, i) => {
      const at = CTRL.CTRL_BOOT_IMAGE_RESULTS + i * CTRL.IMAGE_RESULT_SIZE;
      const word = c.peek32(at);
      return { requested: SWAP_TYPES[word & 0xff] ?? 'none', swapType: SWAP_TYPES[(word >> 8) & 0xff] ?? 'none' };
    });
    const selects = STRATEGY_INFO[this.options.strategy].flow === 'select';
    const resumed = c.ctrl('CTRL_BOOT_RESUMED');
    const activeSlot = selects ? c.ctrl('CTRL_BOOT_ACTIVE_SLOT') | 0 : undefined;
    return {
      outcome: OUTCOMES[r] ?? 'no-image',
      requested: SWAP_TYPES[c.ctrl('CTRL_BOOT_REQUESTED')] ?? 'none',
      swapType: SWAP_TYPES[c.ctrl('CTRL_BOOT_SWAP_TYPE')] ?? 'none',
      resumed: (resumed & 1) === 1,
      ...((resumed & 1) === 1 && SWAP_TYPES[(resumed >> 8) & 0xff] ? { resumedSwap: SWAP_TYPES[(resumed >> 8) & 0xff] } : {}),
      slot: r === BOOT_OUTCOMES.ok ? c.ctrl('CTRL_BOOT_SLOT') : 0,
      version: r === BOOT_OUTCOMES.ok ? { major: v & 0xff, minor: (v >> 8) & 0xff, revision: v >>> 16, build: c.ctrl('CTRL_BOOT_BUILD') } : undefined,
      ops: { erase: counters.eraseOps, write: counters.writeOps },
      images,
      ...(activeSlot !== undefined ? { activeSlot: r === BOOT_OUTCOMES.ok ? activeSlot : -1 } : {}),
      ...(this.ramPtr && r === BOOT_OUTCOMES.ok ? { ramLoad: { address: c.ctrl('CTRL_BOOT_RAM_DST'), size: c.ctrl('CTRL_BOOT_RAM_SIZE') } } : {}),
      asserts: c.ctrl('CTRL_BOOT_ASSERTS'),
      statusFails: c.ctrl('CTRL_BOOT_STATUS_FAILS'),
    };
  }

  /** The application's boot_set_pending(permanent). Returns MCUboot's rc (0 ok). */
  setPending(permanent: boolean, cut: { at?: number; fault?: FaultModel; seed?: bigint } = {}): number | PowerCut {
    this.begin(cut.at ?? 0, cut.fault ?? 'cut', cut.seed ?? 0n);
    return this.core.run((ex) => ex.appSetPending(permanent ? 1 : 0));
  }

  /**
   * The application's boot_set_next(area, active, confirm) (generic variant): confirm the running
   * slot (`active`), or request another (`!active`; permanent with `confirm`). Returns the rc.
   */
  setNext(area: number, active: boolean, confirm: boolean, cut: { at?: number; fault?: FaultModel; seed?: bigint } = {}): number | PowerCut {
    this.core.area(area);
    this.begin(cut.at ?? 0, cut.fault ?? 'cut', cut.seed ?? 0n);
    return this.core.run((ex) => ex.appSetNext(area, active ? 1 : 0, confirm ? 1 : 0));
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

/**
 * The only file that instantiates the WebAssembly core and touches its memory.
 *
 * Memory layout (DESIGN.md, "The boundary"): the module imports its memory and keeps its own
 * data and heap above ARENA_LIMIT (asconfig `memoryBase`). Below it lies the arena this file
 * lays out: the control block at 0, the device/area/sector tables, the wear table, the flash
 * bytes, the op log, an I/O buffer and snapshots.
 * A reboot is a new instance over the same memory: bootloader RAM starts fresh, flash and
 * the simulator's accounting stay.
 *
 * A power cut is the flash model refusing to go on: it records the cut in the control
 * block and traps. `Core.run` turns that trap into a `PowerCut` value; a broken flash rule
 * becomes a `FlashRuleError`; any other trap is a bug in the core and is rethrown with the
 * core's abort message as context.
 */
import * as loader from '@assemblyscript/loader';
import { UsageError } from './errors.js';
import type { Geometry, ResolvedArea } from './device/geometry.js';
import { CTRL, FAULT_MODEL_IDS, type CtrlName } from './ctrl-layout.js';

// ---- the compiled module -------------------------------------------------------------

let compiled: WebAssembly.Module | undefined;

/** Where the Node build keeps the module: build/ beside src/ (and beside dist/). */
const DEFAULT_WASM_URL = new URL('../build/brickproof.wasm', import.meta.url);

type WasmSource = WebAssembly.Module | BufferSource | URL | string | Response;

/**
 * Compiles the core once per process (or browser page). In Node it is optional: the first
 * use compiles build/brickproof.wasm synchronously. In a browser call it first, with the
 * module's URL, its bytes or a fetch Response.
 */
export async function initCore(source?: WasmSource): Promise<void> {
  if (source instanceof WebAssembly.Module) {
    compiled = source;
    return;
  }
  if (source === undefined) {
    compiled = moduleSync();
    return;
  }
  if (typeof Response !== 'undefined' && source instanceof Response) {
    compiled = await WebAssembly.compile(await source.arrayBuffer());
    return;
  }
  if (source instanceof URL || typeof source === 'string') {
    const url = source instanceof URL ? source : new URL(source, typeof location !== 'undefined' ? location.href : undefined);
    if (url.protocol === 'file:') {
      compiled = new WebAssembly.Module(new Uint8Array(nodeFs().readFileSync(url)));
    } else {
      compiled = await WebAssembly.compile(await (await fetch(url)).arrayBuffer());
    }
    return;
  }
  compiled = await WebAssembly.compile(source as BufferSource);
}

function nodeFs(): typeof import('node:fs') {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  if (!fs) throw new Error('brickproof: call `await initCore(wasmUrlOrBytes)` before using the core outside Node');
  return fs;
}

function moduleSync(): WebAssembly.Module {
  if (!compiled) {
    const fs = nodeFs();
    let bytes: Uint8Array;
    try {
      bytes = fs.readFileSync(DEFAULT_WASM_URL);
    } catch {
      throw new Error(`brickproof: the WebAssembly core is not built (${DEFAULT_WASM_URL.pathname}); run \`npm run asbuild\``);
    }
    compiled = new WebAssembly.Module(new Uint8Array(bytes));
  }
  return compiled;
}

// ---- the module's exports --------------------------------------------------------------

export interface CoreExports {
  flashWrite(area: number, off: number, src: number, len: number): number;
  flashErase(area: number, off: number, len: number): void;
  flashRead(area: number, off: number, dst: number, len: number): void;
  sha256(ptr: number, len: number, out: number): void;
  sha256Init(): void;
  sha256Update(ptr: number, len: number): void;
  sha256Final(out: number): void;
  /** One power-on of the bootloader; results in the control block (CTRL_BOOT_*). */
  boot(): number;
  bootMaxImageSize(slot: number): number;
  appSetPending(permanent: number): number;
  appSetConfirmed(): number;
  /** The benchmarks' entry point (assembly/bench.ts). */
  bench(kind: number, a: number, b: number, c: number): number;
  arenaLimit(): number;
}

type Call = (fn: number, a: number, b: number, c: number, d: number) => number;

/** Named methods over the module's one export, `call(fn, a, b, c, d)` (see assembly/index.ts). */
function methods(call: Call): CoreExports {
  const F = CTRL;
  return {
    flashWrite: (area, off, src, len) => call(F.FN_FLASH_WRITE, area, off, src, len),
    flashErase: (area, off, len) => void call(F.FN_FLASH_ERASE, area, off, len, 0),
    flashRead: (area, off, dst, len) => void call(F.FN_FLASH_READ, area, off, dst, len),
    sha256: (ptr, len, out) => void call(F.FN_SHA256, ptr, len, out, 0),
    sha256Init: () => void call(F.FN_SHA256_INIT, 0, 0, 0, 0),
    sha256Update: (ptr, len) => void call(F.FN_SHA256_UPDATE, ptr, len, 0, 0),
    sha256Final: (out) => void call(F.FN_SHA256_FINAL, out, 0, 0, 0),
    boot: () => call(F.FN_BOOT, 0, 0, 0, 0),
    bootMaxImageSize: (slot) => call(F.FN_MAX_IMAGE_SIZE, slot, 0, 0, 0) >>> 0,
    appSetPending: (permanent) => call(F.FN_APP_SET_PENDING, permanent, 0, 0, 0),
    appSetConfirmed: () => call(F.FN_APP_SET_CONFIRMED, 0, 0, 0, 0),
    bench: (kind, a, b, c) => call(F.FN_BENCH, kind, a, b, c) >>> 0,
    arenaLimit: () => call(F.FN_ARENA_LIMIT, 0, 0, 0, 0) >>> 0,
  };
}

/**
 * Host functions the core imports (signature checks, src/device/host.ts). Instances that
 * never validate an image (hashing, probing) get these refusing defaults.
 */
const NO_HOST = { hostFindKey: () => -1, hostVerify: () => 0 };

let info: { module: WebAssembly.Module; arenaLimit: number; pages: number } | undefined;

/**
 * Where the module's own data starts (ARENA_LIMIT) and how many pages its memory needs to be
 * instantiated: the arena and one page for its data, which is what the module's memory import
 * asks for (asconfig.json initialMemory; test/core.test.ts checks the two agree). Its heap
 * grows the memory itself.
 */
function moduleInfo(module: WebAssembly.Module) {
  if (info?.module !== module) {
    const probe = new WebAssembly.Memory({ initial: 1100 });
    const ex = methods(loader.instantiateSync<{ call: Call }>(module, { env: { ...NO_HOST, memory: probe, abort: () => {} } }).exports.call);
    const arenaLimit = ex.arenaLimit();
    info = { module, arenaLimit, pages: arenaLimit / PAGE + 1 };
  }
  return info;
}

// ---- results ----------------------------------------------------------------------------

export type FaultModel = keyof typeof FAULT_MODEL_IDS;
/** The fault models the core implements (assembly/ctrl.ts FAULT_*), in id order. */
export const FAULT_MODELS = Object.keys(FAULT_MODEL_IDS) as readonly FaultModel[];

/** The power went off during operation `opIndex`; the core must be rebooted. */
export class PowerCut {
  constructor(
    readonly opIndex: number,
    readonly kind: 'erase' | 'write',
    readonly area: number,
    readonly offset: number,
    readonly length: number,
    /** Bytes of the interrupted operation that took effect (torn faults), else 0. */
    readonly done: number,
  ) {}
}

export const isPowerCut = (x: unknown): x is PowerCut => x instanceof PowerCut;

const RULES = ['', 'out of bounds', 'misaligned', 'not erased', 'not a whole number of sectors', 'no such area'];

/** The code running in the core broke a flash rule (a bug in what it simulates, or a bad call). */
export class FlashRuleError extends Error {
  constructor(
    readonly rule: string,
    readonly area: number,
    readonly offset: number,
    readonly length: number,
  ) {
    super(`flash rule broken: ${rule} — area ${area}, offset 0x${offset.toString(16)}, length 0x${length.toString(16)}`);
    this.name = 'FlashRuleError';
  }
}

/** A trap that is neither a power cut nor a flash rule: a bug in the core. */
export class CoreBug extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoreBug';
  }
}

export interface FlashCounters {
  eraseOps: number;
  writeOps: number;
  bytesProgrammed: number;
  bytesErased: number;
  /** Programs over a unit programmed since its erase (non-strict mode ANDs them). */
  violations: number;
  failedWrites: number;
}

export interface LogEntry {
  kind: 'E' | 'W' | 'F';
  area: number;
  offset: number;
  length: number;
  /** Offset of the written bytes in the log data, when data logging is on. */
  data?: number;
}

// ---- the core ---------------------------------------------------------------------------

const PAGE = 65536;
const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;
const IO_CAP = 1 << 20;

export interface CoreOptions {
  /** Programming a programmed unit is an error (MCUboot's simulator), else NOR AND. Default true. */
  strict?: boolean;
  /** Op log capacity in entries (0 = no log). Default 65536. */
  logEntries?: number;
  /** Bytes of written data the op log keeps (0 = none). Default 0. */
  logDataBytes?: number;
}

/**
 * One simulated flash (all devices of a geometry) and the module instance running over it.
 */
export class Core {
  readonly memory: WebAssembly.Memory;
  private ex!: CoreExports;
  /** The current instance's one export; `ex` (made once) calls through it. */
  private callFn!: Call;
  private abortMessage: string | undefined;
  private halted = false;
  private u8!: Uint8Array;
  private u32!: Uint32Array;
  /** The control block's field offsets (generated from assembly/ctrl.ts). */
  private readonly f: Record<string, number> = CTRL;
  readonly flashPtr!: number;
  readonly flashSize!: number;
  readonly wearPtr!: number;
  readonly ioPtr!: number;
  readonly logPtr!: number;
  readonly logCap!: number;
  readonly logDataPtr!: number;
  readonly logDataCap!: number;
  private arenaTop: number;
  private readonly arenaLimit: number;
  private readonly areaById = new Map<number, ResolvedArea>();
  private imports: Record<string, Record<string, unknown>>;
  private extraImports: Record<string, unknown>;

  constructor(readonly geometry: Geometry, options: CoreOptions = {}, hostImports: Record<string, unknown> = {}) {
    const module = moduleSync();
    this.extraImports = hostImports;
    this.memory = new WebAssembly.Memory({ initial: 0 });
    this.imports = {
      env: {
        ...NO_HOST,
        memory: this.memory,
        abort: (msg: number, file: number, line: number, col: number) => {
          this.abortMessage = `${this.readString(msg) || 'abort'} at ${this.readString(file)}:${line}:${col}`;
        },
        ...hostImports,
      },
    };
    // The memory must cover the arena and the module's data before the first instance.
    const info = moduleInfo(module);
    this.arenaLimit = info.arenaLimit;
    this.memory.grow(info.pages);
    this.instantiate();


    // Lay out the arena.
    const g = geometry;
    const maxAreaId = Math.max(...g.areas.map((a) => a.id));
    const devPtr = this.f.CTRL_SIZE;
    const areaPtr = alignUp(devPtr + g.devices.length * this.f.DEV_SIZE, 64);
    const sectorPtr = alignUp(areaPtr + (maxAreaId + 1) * this.f.AREA_SIZE, 64);
    const wearPtr = alignUp(sectorPtr + g.sectors.length * this.f.SECTOR_SIZE, 64);
    const markPtr = alignUp(wearPtr + g.sectors.length * 4, 64);
    const dirtyPtr = alignUp(markPtr + g.sectors.length * this.f.MARK_SIZE, 64);
    const badPtr = alignUp(dirtyPtr + g.sectors.length, 64);
    const flashPtr = alignUp(badPtr + 16 * this.f.BAD_SIZE, PAGE);
    const logCap = options.logEntries ?? 65536;
    const logPtr = alignUp(flashPtr + g.size, PAGE);
    const logDataCap = options.logDataBytes ?? 0;
    const logDataPtr = alignUp(logPtr + logCap * this.f.LOG_ENTRY_SIZE, PAGE);
    const ioPtr = alignUp(logDataPtr + logDataCap, PAGE);
    this.arenaTop = ioPtr + IO_CAP;
    if (this.arenaTop > this.arenaLimit) {
      throw new UsageError(`${g.name}: flash of ${g.size} bytes (with its op log and buffers) does not fit the core's ${this.arenaLimit >> 20} MiB arena`);
    }
    Object.assign(this, { flashPtr, flashSize: g.size, wearPtr, ioPtr, logPtr: logCap ? logPtr : 0, logCap, logDataPtr: logDataCap ? logDataPtr : 0, logDataCap });
    this.refreshViews();
    this.u8.fill(0, 0, this.arenaTop);

    const set = (field: string, v: number) => (this.u32[this.f[field] >> 2] = v >>> 0);
    set('CTRL_MAGIC', this.f.CTRL_MAGIC_VALUE);
    set('CTRL_FLASH_PTR', flashPtr);
    set('CTRL_FLASH_SIZE', g.size);
    set('CTRL_DEV_PTR', devPtr);
    set('CTRL_DEV_COUNT', g.devices.length);
    set('CTRL_SECTOR_PTR', sectorPtr);
    set('CTRL_SECTOR_COUNT', g.sectors.length);
    set('CTRL_AREA_PTR', areaPtr);
    set('CTRL_AREA_COUNT', maxAreaId + 1);
    set('CTRL_WEAR_PTR', wearPtr);
    set('CTRL_MARK_PTR', markPtr);
    set('CTRL_DIRTY_PTR', dirtyPtr);
    set('CTRL_MARK_EPOCH', 1);
    set('CTRL_BAD_PTR', badPtr);
    set('CTRL_LOG_PTR', this.logPtr);
    set('CTRL_LOG_CAP', logCap);
    set('CTRL_LOG_DATA_PTR', this.logDataPtr);
    set('CTRL_LOG_DATA_CAP', logDataCap);
    set('CTRL_IO_PTR', ioPtr);
    set('CTRL_IO_CAP', IO_CAP);
    set('CTRL_FLAGS', options.strict === false ? 0 : this.f.FLAG_STRICT);
    const devIndex = new Map<number, number>();
    g.devices.forEach((d, i) => {
      devIndex.set(d.id, i);
      const p = (devPtr + i * this.f.DEV_SIZE) >> 2;
      this.u32.set([d.base, d.size, d.writeAlign, d.erasedValue], p);
    });
    g.sectors.forEach((s, i) => this.u32.set([s.start, s.size, devIndex.get(s.device)!], (sectorPtr + i * this.f.SECTOR_SIZE) >> 2));
    for (const a of g.areas) {
      this.areaById.set(a.id, a);
      this.u32.set([devIndex.get(a.device)!, a.start, a.size, a.firstSector, a.sectorCount, a.uniformSector, 1], (areaPtr + a.id * this.f.AREA_SIZE) >> 2);
    }
    // A new part comes erased.
    for (const d of g.devices) this.u8.fill(d.erasedValue, flashPtr + d.base, flashPtr + d.base + d.size);
  }

  private instantiate(): void {
    if (!this.ex) {
      this.callFn = loader.instantiateSync<{ call: Call }>(moduleSync(), this.imports).exports.call;
      // One set of named methods for the life of the core (made per instance, its 14
      // closures showed up as garbage-collector time in a campaign profile).
      this.ex = methods((fn, a, b, c, d) => this.callFn(fn, a, b, c, d));
    } else {
      // Reboots skip the loader: its export demangling and typed-array helpers cost about
      // 40 µs per instance (measured with --cpu-prof on a campaign: 106 ms of 600 ms for
      // 3 300 reboots), and the one export takes and returns plain numbers.
      this.callFn = (new WebAssembly.Instance(moduleSync(), this.imports as WebAssembly.Imports).exports as { call: Call }).call;
    }
    this.halted = false;
    this.abortMessage = undefined;
  }

  /** Power-on: a fresh instance (all core RAM state gone) over the same flash. */
  reboot(): void {
    this.instantiate();
    this.refreshViews();
    this.newEpoch();
    // Power-on: a cut that happened is history, and no new one is armed.
    this.setCtrl('CTRL_POWER_CUT', 0);
    this.setCtrl('CTRL_BUDGET', 0);
    this.setCtrl('CTRL_ERR_CODE', 0);
  }

  /** The current instance's exports (valid until the next reboot). */
  get exports(): CoreExports {
    if (this.halted) throw new CoreBug('the core is halted after a power cut or trap: reboot() it first');
    return this.ex;
  }

  private refreshViews(): void {
    // Growing a wasm memory detaches its old buffer, and views on a detached buffer read as
    // empty: a length test is enough, and far cheaper than fetching memory.buffer each time.
    if (!this.u8 || this.u8.length === 0) {
      this.u8 = new Uint8Array(this.memory.buffer);
      this.u32 = new Uint32Array(this.memory.buffer);
    }
  }

  /**
   * A view of memory (re-made after memory growth): do not keep it across calls into the
   * core. Whoever takes it may write flash, so the flash model stops trusting what it
   * remembers about flash (see newEpoch) and the next restore copies everything back.
   */
  get bytes(): Uint8Array {
    this.refreshViews();
    this.newEpoch();
    this.hostTouched = true;
    return this.u8;
  }

  /**
   * The same view for reading only, with none of that: for oracles and host functions that
   * look at flash during a boot. Writing through it corrupts the model's bookkeeping.
   */
  peek(): Uint8Array {
    this.refreshViews();
    return this.u8;
  }

  /** One area's bytes, for reading only (see peek). */
  peekArea(id: number): Uint8Array {
    const a = this.area(id);
    return this.peek().subarray(this.flashPtr + a.start, this.flashPtr + a.start + a.size);
  }

  /**
   * The host may change flash behind the flash model's back (dumps, snapshots, views it
   * hands out): from now on the model's erased-from marks vouch for nothing it did not see.
   */
  private newEpoch(): void {
    const i = this.f.CTRL_MARK_EPOCH >> 2;
    this.u32[i] = (this.u32[i] + 1) >>> 0 || 1;
  }

  ctrl(field: CtrlName): number {
    this.refreshViews();
    const off = CTRL[field];
    return this.u32[off >> 2];
  }

  setCtrl(field: CtrlName, value: number): void {
    this.refreshViews();
    const off = CTRL[field];
    this.u32[off >> 2] = value >>> 0;
  }

  private readString(ptr: number): string {
    if (!ptr) return '';
    const u8 = new Uint8Array(this.memory.buffer);
    const len = new Uint32Array(this.memory.buffer, ptr - 4, 1)[0] >>> 1;
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(u8[ptr + 2 * i] | (u8[ptr + 2 * i + 1] << 8));
    return s;
  }

  /**
   * Runs `fn` against the core. Returns its value, or a PowerCut when the budget ran out
   * (the core is then halted until `reboot()`). A broken flash rule throws FlashRuleError;
   * any other trap throws CoreBug.
   */
  run<T>(fn: (ex: CoreExports) => T): T | PowerCut {
    const ex = this.exports;
    try {
      return fn(ex);
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      this.halted = true;
      this.refreshViews();
      if (this.ctrl('CTRL_POWER_CUT')) {
        return new PowerCut(
          this.ctrl('CTRL_OP_INDEX'),
          this.ctrl('CTRL_CUT_KIND') === 1 ? 'erase' : 'write',
          this.ctrl('CTRL_CUT_AREA'),
          this.ctrl('CTRL_CUT_OFF'),
          this.ctrl('CTRL_CUT_LEN'),
          this.ctrl('CTRL_CUT_DONE'),
        );
      }
      const code = this.ctrl('CTRL_ERR_CODE');
      if (code) {
        const err = new FlashRuleError(RULES[code] ?? `rule ${code}`, this.ctrl('CTRL_ERR_AREA'), this.ctrl('CTRL_ERR_OFF'), this.ctrl('CTRL_ERR_LEN'));
        this.setCtrl('CTRL_ERR_CODE', 0);
        throw err;
      }
      throw new CoreBug(`brickproof core trapped: ${this.abortMessage ?? e.message}`, { cause: e });
    }
  }

  /** Like `run`, but a power cut is unexpected here and is an error. */
  call<T>(fn: (ex: CoreExports) => T): T {
    const r = this.run(fn);
    if (r instanceof PowerCut) throw new CoreBug(`unexpected power cut at op ${r.opIndex}`);
    return r;
  }

  // ---- flash, as the simulator (not the simulated firmware) sees it ----------------------

  area(id: number): ResolvedArea {
    const a = this.areaById.get(id);
    if (!a) throw new UsageError(`${this.geometry.name}: no flash area with id ${id}`);
    return a;
  }

  /** The whole flash (all devices, concatenated): a live view. */
  get flash(): Uint8Array {
    return this.bytes.subarray(this.flashPtr, this.flashPtr + this.flashSize);
  }

  /** One area's bytes: a live view. */
  areaBytes(id: number): Uint8Array {
    const a = this.area(id);
    return this.bytes.subarray(this.flashPtr + a.start, this.flashPtr + a.start + a.size);
  }

  /** Programs bytes through the flash model (counted, checked, may be cut). */
  program(area: number, offset: number, data: Uint8Array): number | PowerCut {
    let status = 0;
    for (let done = 0; done < data.length || (done === 0 && data.length === 0); ) {
      const n = Math.min(IO_CAP, data.length - done);
      this.peek().set(data.subarray(done, done + n), this.ioPtr); // the I/O buffer, not flash
      const r = this.run((ex) => ex.flashWrite(area, offset + done, this.ioPtr, n));
      if (r instanceof PowerCut) return r;
      status = status || r;
      done += n;
      if (n === 0) break;
    }
    return status;
  }

  erase(area: number, offset: number, length: number): void | PowerCut {
    return this.run((ex) => ex.flashErase(area, offset, length));
  }

  read(area: number, offset: number, length: number): Uint8Array {
    const a = this.area(area);
    if (offset < 0 || length < 0 || offset + length > a.size) {
      throw new FlashRuleError(RULES[1], area, offset, length);
    }
    return this.areaBytes(area).slice(offset, offset + length);
  }

  /**
   * Replaces the whole flash with a dump (all devices concatenated). Bytes equal to their
   * device's erased value count as erased (the flash model reads erased state from the bytes).
   */
  loadDump(dump: Uint8Array): void {
    if (dump.length !== this.flashSize) {
      throw new UsageError(`dump is ${dump.length} bytes but ${this.geometry.name} has ${this.flashSize} bytes of flash`);
    }
    this.bytes.set(dump, this.flashPtr);
  }

  /** A copy of the whole flash. */
  dump(): Uint8Array {
    return this.flash.slice();
  }

  /** Places bytes in flash without counting them, as a programmer (not the firmware) would. */
  place(area: number, offset: number, data: Uint8Array): void {
    const a = this.area(area);
    if (offset < 0 || offset + data.length > a.size) {
      throw new UsageError(`${data.length} bytes at offset 0x${offset.toString(16)} do not fit area ${a.name} (0x${a.size.toString(16)} bytes)`);
    }
    this.bytes.set(data, this.flashPtr + a.start + offset);
  }

  counters(): FlashCounters {
    const lo = (f: CtrlName) => this.ctrl(f) + this.u32[(this.f[f] >> 2) + 1] * 2 ** 32;
    return {
      eraseOps: this.ctrl('CTRL_ERASE_OPS'),
      writeOps: this.ctrl('CTRL_WRITE_OPS'),
      bytesProgrammed: lo('CTRL_BYTES_PROGRAMMED'),
      bytesErased: lo('CTRL_BYTES_ERASED'),
      violations: this.ctrl('CTRL_VIOLATIONS'),
      failedWrites: this.ctrl('CTRL_FAILED_WRITES'),
    };
  }

  resetCounters(): void {
    for (const f of ['CTRL_ERASE_OPS', 'CTRL_WRITE_OPS', 'CTRL_VIOLATIONS', 'CTRL_FAILED_WRITES', 'CTRL_OP_INDEX'] as const) this.setCtrl(f, 0);
    for (const f of ['CTRL_BYTES_PROGRAMMED', 'CTRL_BYTES_ERASED'] as const) {
      this.setCtrl(f, 0);
      this.u32[(this.f[f] >> 2) + 1] = 0;
    }
  }

  /** Erase count per sector, in the geometry's sector order. */
  wear(): Uint32Array {
    return new Uint32Array(this.memory.buffer, this.wearPtr, this.geometry.sectors.length).slice();
  }

  /**
   * Arms a power cut before operation `atOp` (1-based, counted from now): operations
   * 1..atOp-1 happen, operation atOp gets the fault model. 0 disarms.
   */
  armPowerCut(atOp: number, fault: FaultModel = 'cut', seed = 0n): void {
    this.setCtrl('CTRL_OP_INDEX', 0);
    this.setCtrl('CTRL_BUDGET', atOp);
    this.setCtrl('CTRL_POWER_CUT', 0);
    this.setCtrl('CTRL_FAULT_MODEL', FAULT_MODEL_IDS[fault]);
    this.setSeed(seed);
  }

  setSeed(seed: bigint): void {
    const p = this.f.CTRL_PRNG >> 2;
    this.u32[p] = Number(seed & 0xffffffffn);
    this.u32[p + 1] = Number((seed >> 32n) & 0xffffffffn);
  }

  /** Operations counted since the cut was last armed. */
  get opIndex(): number {
    return this.ctrl('CTRL_OP_INDEX');
  }

  setStrict(strict: boolean): void {
    this.setCtrl('CTRL_FLAGS', strict ? this.f.FLAG_STRICT : 0);
  }

  /** Writes fully inside [offset, offset+length) of the area fail with probability `rate`. */
  setBadRegions(regions: Array<{ area: number; offset: number; length: number; rate: number }>): void {
    if (regions.length > 16) throw new UsageError(`at most 16 bad regions, got ${regions.length}`);
    const base = this.ctrl('CTRL_BAD_PTR');
    regions.forEach((r, i) => {
      const a = this.area(r.area);
      const rate = r.rate >= 1 ? 0xffffffff : Math.floor(r.rate * 2 ** 32);
      this.u32.set([a.start + r.offset, r.length, rate, 0], (base + i * this.f.BAD_SIZE) >> 2);
    });
    this.setCtrl('CTRL_BAD_COUNT', regions.length);
  }

  // ---- op log ----------------------------------------------------------------------------

  clearLog(): void {
    this.setCtrl('CTRL_LOG_LEN', 0);
    this.setCtrl('CTRL_LOG_DATA_LEN', 0);
    this.setCtrl('CTRL_LOG_OVERFLOW', 0);
  }

  get logLength(): number {
    return this.ctrl('CTRL_LOG_LEN');
  }

  get logOverflowed(): boolean {
    return this.ctrl('CTRL_LOG_OVERFLOW') !== 0;
  }

  logEntry(i: number): LogEntry {
    const p = this.logPtr + i * this.f.LOG_ENTRY_SIZE;
    const u8 = this.bytes;
    const dv = new DataView(u8.buffer, p, 16);
    const kind = u8[p] === 1 ? 'E' : u8[p] === 2 ? 'W' : 'F';
    const data = dv.getUint32(12, true);
    return { kind, area: u8[p + 1], offset: dv.getUint32(4, true), length: dv.getUint32(8, true), ...(data !== 0xffffffff && kind !== 'E' ? { data } : {}) };
  }

  log(): LogEntry[] {
    const out: LogEntry[] = [];
    for (let i = 0; i < this.logLength; i++) out.push(this.logEntry(i));
    return out;
  }

  /** The log as MCUboot trace lines: `E|W <area> <offset hex> <length hex>`. */
  traceLines(): string[] {
    return this.log().map((e) => `${e.kind === 'E' ? 'E' : 'W'} ${e.area} ${e.offset.toString(16)} ${e.length.toString(16)}`);
  }

  // ---- known images ------------------------------------------------------------------

  /**
   * Registers bytes whose SHA-256 the bootloader may reuse when it hashes a region equal to
   * them byte for byte (see CTRL_KNOWN_PTR in assembly/ctrl.ts). Returns the digest.
   */
  addKnownRegion(bytes: Uint8Array): Uint8Array {
    const max = 8;
    const count = this.ctrl('CTRL_KNOWN_COUNT');
    if (count >= max) throw new UsageError(`at most ${max} known regions`);
    let table = this.ctrl('CTRL_KNOWN_PTR');
    const entry = CTRL.KNOWN_SIZE;
    if (!table) {
      table = alignUp(this.arenaTop, 64);
      this.arenaTop = table + max * entry;
      this.setCtrl('CTRL_KNOWN_PTR', table);
    }
    const at = alignUp(this.arenaTop, 64);
    if (at + bytes.length > this.arenaLimit) throw new UsageError(`no room for a ${bytes.length}-byte known region in the core's arena`);
    this.arenaTop = at + bytes.length;
    const digest = sha256(bytes);
    const u8 = this.bytes;
    u8.set(bytes, at);
    const e = table + count * entry;
    new DataView(u8.buffer).setUint32(e, at, true);
    new DataView(u8.buffer).setUint32(e + 4, bytes.length, true);
    u8.set(digest, e + 8);
    this.setCtrl('CTRL_KNOWN_COUNT', count + 1);
    return digest;
  }

  // ---- snapshots -------------------------------------------------------------------------

  /** Whether the host may have written flash since the last snapshot save or restore. */
  private hostTouched = true;
  /** The snapshot flash equals, but for the sectors marked dirty. */
  private synced = -1;

  private clearDirty(): void {
    this.u8.fill(0, this.ctrl('CTRL_DIRTY_PTR'), this.ctrl('CTRL_DIRTY_PTR') + this.geometry.sectors.length);
  }

  /** Saves the whole flash inside the module's arena; returns a handle. */
  snapshot(): number {
    const size = this.flashSize;
    const at = alignUp(this.arenaTop, 64);
    if (at + size > this.arenaLimit) throw new UsageError(`no room for another ${size}-byte flash snapshot in the core's arena`);
    this.arenaTop = at + size;
    this.saveSnapshot(at);
    return at;
  }

  /** Overwrites an existing snapshot with the current flash. */
  saveSnapshot(handle: number): void {
    const u8 = this.peek();
    u8.copyWithin(handle, this.flashPtr, this.flashPtr + this.flashSize);
    this.clearDirty();
    this.synced = handle;
    this.hostTouched = false;
  }

  /**
   * Puts a snapshot back into flash. When flash has only been changed by the flash model
   * since this snapshot was last saved or restored, only the sectors it marked dirty are
   * copied: measured, a campaign spent a quarter of its time copying the whole flash back.
   */
  restore(handle: number): void {
    const u8 = this.peek();
    if (this.synced === handle && !this.hostTouched) {
      const dirty = this.ctrl('CTRL_DIRTY_PTR');
      const sectors = this.geometry.sectors;
      for (let i = 0; i < sectors.length; i++) {
        if (!u8[dirty + i]) continue;
        // Copy runs of dirty sectors at once.
        let j = i;
        while (j + 1 < sectors.length && u8[dirty + j + 1]) j++;
        const from = sectors[i].start;
        const to = sectors[j].start + sectors[j].size;
        u8.copyWithin(this.flashPtr + from, handle + from, handle + to);
        i = j;
      }
    } else {
      u8.copyWithin(this.flashPtr, handle, handle + this.flashSize);
    }
    this.clearDirty();
    this.synced = handle;
    this.hostTouched = false;
    this.newEpoch();
  }

  /**
   * Applies a recorded flash operation to a snapshot (not to flash), NOR-style: an erase
   * sets the erased value, a program ANDs (erased 0xff) or ORs (erased 0x00) its bytes. The
   * next restore of that snapshot copies the sectors it touched.
   */
  applyToSnapshot(handle: number, op: { kind: 'E' | 'W' | 'F'; area: number; offset: number; length: number; bytes?: Uint8Array }): void {
    if (op.kind === 'F') return;
    const a = this.area(op.area);
    const erased = this.geometry.devices.find((d) => d.id === a.device)!.erasedValue;
    const u8 = this.peek();
    const at = handle + a.start + op.offset;
    if (op.kind === 'E') u8.fill(erased, at, at + op.length);
    else if (erased === 0xff) for (let i = 0; i < op.length; i++) u8[at + i] &= op.bytes![i];
    else for (let i = 0; i < op.length; i++) u8[at + i] |= op.bytes![i];
    // The sectors of the snapshot that changed now differ from flash: mark them dirty.
    const dirty = this.ctrl('CTRL_DIRTY_PTR');
    for (let i = a.firstSector; i < a.firstSector + a.sectorCount; i++) {
      const s = this.geometry.sectors[i];
      if (s.start < a.start + op.offset + op.length && s.start + s.size > a.start + op.offset) u8[dirty + i] = 1;
    }
  }
}

// ---- SHA-256 for everyone ------------------------------------------------------------------

/**
 * One plain instance of the core serves every `sha256()` of the process. Its arena is just
 * a digest slot at HASH_OUT and an input buffer at HASH_IN; nothing in it allocates, so its
 * memory never grows and one byte view serves every call.
 * Measured (1 KiB, median per call): 3.25 µs through the loader's export wrappers with a
 * new view per call, 3.23 µs with raw exports and a cached view — the JS side is noise next
 * to compressing 17 blocks; the speed is in assembly/sha256-compress.ts.
 */
interface Hasher {
  mem: Uint8Array;
  sha256(ptr: number, len: number, out: number): void;
  init(): void;
  update(ptr: number, len: number): void;
  final(out: number): void;
}

let hasher: Hasher | undefined;
const HASH_OUT = 64;
const HASH_IN = PAGE;
/**
 * Input copied into the instance per update. Small enough that a piece is still in L2 when
 * the core hashes it: measured (16 MiB, MB/s, median of 9, three runs), 64 KiB pieces 346-347,
 * 4 MiB pieces 339-340 on a quiet machine and 205 against 231 on a busy one (L3 shared).
 */
const HASH_CHUNK = 64 << 10;

function getHasher(): Hasher {
  if (!hasher) {
    const memory = new WebAssembly.Memory({ initial: moduleInfo(moduleSync()).pages });
    const env = { ...NO_HOST, memory, abort: () => {} };
    const ex = methods((new WebAssembly.Instance(moduleSync(), { env }).exports as { call: Call }).call);
    hasher = { mem: new Uint8Array(memory.buffer), sha256: ex.sha256, init: ex.sha256Init, update: ex.sha256Update, final: ex.sha256Final };
  }
  return hasher;
}

/** Feeds `bytes` to the running hash, HASH_CHUNK at a time. */
function feed(h: Hasher, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length; off += HASH_CHUNK) {
    const part = bytes.subarray(off, Math.min(bytes.length, off + HASH_CHUNK));
    h.mem.set(part, HASH_IN);
    h.update(HASH_IN, part.length);
  }
}

/** SHA-256 (FIPS 180-4) of `bytes`, computed by the WebAssembly core. */
export function sha256(bytes: Uint8Array): Uint8Array {
  const h = hasher ?? getHasher();
  if (bytes.length <= HASH_CHUNK) {
    h.mem.set(bytes, HASH_IN);
    h.sha256(HASH_IN, bytes.length, HASH_OUT);
  } else {
    h.init();
    feed(h, bytes);
    h.final(HASH_OUT);
  }
  return h.mem.slice(HASH_OUT, HASH_OUT + 32);
}

/** Incremental SHA-256 over several pieces, without joining them. */
export function sha256Parts(parts: Uint8Array[]): Uint8Array {
  const h = hasher ?? getHasher();
  h.init();
  for (const p of parts) feed(h, p);
  h.final(HASH_OUT);
  return h.mem.slice(HASH_OUT, HASH_OUT + 32);
}

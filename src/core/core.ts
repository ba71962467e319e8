/**
 * One simulated flash (all devices of a geometry) and the module instance running over it:
 * the only class that instantiates the WebAssembly core and touches its memory.
 *
 * Memory (DESIGN.md, "The boundary"): the module imports its memory and keeps its own data
 * and heap above ARENA_LIMIT (asconfig `memoryBase`); below it lies the arena (arena.ts).
 * A reboot is a new instance over the same memory: bootloader RAM starts fresh, flash and
 * the simulator's accounting stay.
 *
 * A power cut is the flash model refusing to go on: it records the cut in the control
 * block and traps. `run` turns that trap into a `PowerCut` value; a broken flash rule
 * becomes a `FlashRuleError`; any other trap is a bug in the core and is rethrown with the
 * core's abort message as context.
 */
import * as loader from '@assemblyscript/loader';
import { UsageError } from '../errors.js';
import { CTRL, FAULT_MODEL_IDS, type CtrlName } from '../ctrl-layout.js';
import { alignUp, IO_CAP, planArena, writeArena, type ArenaOptions } from './arena.js';
import { methods, type Call, type CoreExports } from './exports.js';
import type { FaultModel } from './faults.js';
import type { Geometry, ResolvedArea } from './geometry.js';
import { compiledModule, moduleInfo, NO_HOST } from './module.js';
import { CoreBug, FLASH_RULES, FlashRuleError, PowerCut, type FlashCounters } from './results.js';
import { sha256 } from './sha256.js';
import { Snapshots } from './snapshots.js';
import { readLogEntry, traceLine, type LogEntry } from './trace.js';

export type CoreOptions = ArenaOptions;

/** Known regions (CTRL_KNOWN_PTR) a core may register. */
const MAX_KNOWN = 8;

export class Core {
  readonly memory: WebAssembly.Memory;
  private ex!: CoreExports;
  /** The current instance's one export; `ex` (made once) calls through it. */
  private callFn!: Call;
  private abortMessage: string | undefined;
  private halted = false;
  private u8!: Uint8Array;
  private u32!: Uint32Array;
  readonly flashPtr: number;
  readonly flashSize: number;
  readonly wearPtr: number;
  readonly ioPtr: number;
  readonly logPtr: number;
  readonly logCap: number;
  readonly logDataPtr: number;
  readonly logDataCap: number;
  /** The flash digest's block table (CTRL_DIGEST_PTR once on) and its size with the dirty flags. */
  readonly digestPtr: number;
  readonly digestBytes: number;
  private digestOn = false;
  private arenaTop: number;
  private readonly arenaLimit: number;
  private readonly areaById = new Map<number, ResolvedArea>();
  private readonly imports: Record<string, Record<string, unknown>>;
  private readonly snapshots: Snapshots;

  constructor(readonly geometry: Geometry, options: CoreOptions = {}, hostImports: Record<string, unknown> = {}) {
    // Compiled here, before anything else, so that a missing build is the first error.
    compiledModule();
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
    const info = moduleInfo();
    this.arenaLimit = info.arenaLimit;
    this.memory.grow(info.pages);
    this.instantiate();

    const layout = planArena(geometry, options, this.arenaLimit);
    this.flashPtr = layout.flashPtr;
    this.flashSize = geometry.size;
    this.wearPtr = layout.wearPtr;
    this.ioPtr = layout.ioPtr;
    this.logPtr = layout.logPtr;
    this.logCap = layout.logCap;
    this.logDataPtr = layout.logDataPtr;
    this.logDataCap = layout.logDataCap;
    this.digestPtr = layout.digestPtr;
    this.digestBytes = layout.digestBytes;
    this.arenaTop = layout.top;
    this.refreshViews();
    writeArena(this.u8, this.u32, geometry, layout, options.strict !== false);
    for (const a of geometry.areas) this.areaById.set(a.id, a);
    this.snapshots = new Snapshots(this, layout.dirtyPtr);
  }

  private instantiate(): void {
    if (!this.ex) {
      this.callFn = loader.instantiateSync<{ call: Call }>(compiledModule(), this.imports).exports.call;
      // One set of named methods for the life of the core (made per instance, its 14
      // closures showed up as garbage-collector time in a campaign profile).
      this.ex = methods((fn, a, b, c, d) => this.callFn(fn, a, b, c, d));
      if (this.ex.arenaLimit() !== this.arenaLimit) {
        throw new CoreBug(`the WebAssembly core puts its data at ${this.ex.arenaLimit()}, not at ${this.arenaLimit} as src/ctrl-layout.ts says: it is from another build (run npm run build)`);
      }
    } else {
      // Reboots skip the loader: its export demangling and typed-array helpers cost about
      // 40 µs per instance (measured with --cpu-prof on a campaign: 106 ms of 600 ms for
      // 3 300 reboots), and the one export takes and returns plain numbers.
      this.callFn = (new WebAssembly.Instance(compiledModule(), this.imports as WebAssembly.Imports).exports as { call: Call }).call;
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

  // ---- memory views ----------------------------------------------------------------------

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
    this.snapshots.hostTouched = true;
    if (this.digestOn) this.digestStale();
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
  newEpoch(): void {
    const i = CTRL.CTRL_MARK_EPOCH >> 2;
    this.u32[i] = (this.u32[i] + 1) >>> 0 || 1;
  }

  ctrl(field: CtrlName): number {
    this.refreshViews();
    return this.u32[CTRL[field] >> 2];
  }

  /** A u32 of the control block by address (table entries: NV counters, per-image results). */
  peek32(address: number): number {
    this.refreshViews();
    return this.u32[address >> 2];
  }

  poke32(address: number, value: number): void {
    this.refreshViews();
    this.u32[address >> 2] = value >>> 0;
  }

  setCtrl(field: CtrlName, value: number): void {
    this.refreshViews();
    this.u32[CTRL[field] >> 2] = value >>> 0;
  }

  /** `size` bytes of arena above everything allocated so far (snapshots, known regions). */
  allocate(size: number, what: string): number {
    const at = alignUp(this.arenaTop, 64);
    if (at + size > this.arenaLimit) throw new UsageError(`no room for another ${size}-byte ${what} in the core's arena`);
    this.arenaTop = at + size;
    return at;
  }

  private readString(ptr: number): string {
    if (!ptr) return '';
    const u8 = new Uint8Array(this.memory.buffer);
    const len = new Uint32Array(this.memory.buffer, ptr - 4, 1)[0] >>> 1;
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(u8[ptr + 2 * i] | (u8[ptr + 2 * i + 1] << 8));
    return s;
  }

  // ---- calls into the core ---------------------------------------------------------------

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
        const err = new FlashRuleError(FLASH_RULES[code] ?? `rule ${code}`, this.ctrl('CTRL_ERR_AREA'), this.ctrl('CTRL_ERR_OFF'), this.ctrl('CTRL_ERR_LEN'));
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
      throw new FlashRuleError(FLASH_RULES[1], area, offset, length);
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
    const lo = (f: CtrlName) => this.ctrl(f) + this.u32[(CTRL[f] >> 2) + 1] * 2 ** 32;
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
      this.u32[(CTRL[f] >> 2) + 1] = 0;
    }
  }

  /** Erase count per sector, in the geometry's sector order. */
  wear(): Uint32Array {
    return new Uint32Array(this.memory.buffer, this.wearPtr, this.geometry.sectors.length).slice();
  }

  // ---- faults ------------------------------------------------------------------------------

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
    const p = CTRL.CTRL_PRNG >> 2;
    this.u32[p] = Number(seed & 0xffffffffn);
    this.u32[p + 1] = Number((seed >> 32n) & 0xffffffffn);
  }

  /** Operations counted since the cut was last armed. */
  get opIndex(): number {
    return this.ctrl('CTRL_OP_INDEX');
  }

  setStrict(strict: boolean): void {
    this.setCtrl('CTRL_FLAGS', strict ? CTRL.FLAG_STRICT : 0);
  }

  /** Writes fully inside [offset, offset+length) of the area fail with probability `rate`. */
  setBadRegions(regions: Array<{ area: number; offset: number; length: number; rate: number }>): void {
    if (regions.length > 16) throw new UsageError(`at most 16 bad regions, got ${regions.length}`);
    const base = this.ctrl('CTRL_BAD_PTR');
    regions.forEach((r, i) => {
      const a = this.area(r.area);
      const rate = r.rate >= 1 ? 0xffffffff : Math.floor(r.rate * 2 ** 32);
      this.u32.set([a.start + r.offset, r.length, rate, 0], (base + i * CTRL.BAD_SIZE) >> 2);
    });
    this.setCtrl('CTRL_BAD_COUNT', regions.length);
  }

  // ---- op log ----------------------------------------------------------------------------

  /**
   * Whether the op log keeps the bytes each write programs (when the core has room for
   * them: logDataBytes). On by default; a campaign turns it off for the power-ons it does not
   * record (measured: copying every write into the log was a tenth of a single-cut campaign).
   */
  keepLogData(on: boolean): void {
    this.setCtrl('CTRL_LOG_DATA_PTR', on ? this.logDataPtr : 0);
  }

  get keepsLogData(): boolean {
    return this.ctrl('CTRL_LOG_DATA_PTR') !== 0;
  }

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
    return readLogEntry(this.peek(), this.logPtr, CTRL.LOG_ENTRY_SIZE, i);
  }

  /**
   * The log with each write's bytes: views of one copy of the logged data (measured: a copy
   * and a DataView per entry cost a double-cut campaign a tenth of its time).
   */
  recordedLog(): Array<LogEntry & { bytes?: Uint8Array }> {
    const n = this.logLength;
    const u8 = this.peek();
    const u32 = this.u32;
    const used = this.ctrl('CTRL_LOG_DATA_LEN');
    const data = used ? u8.slice(this.logDataPtr, this.logDataPtr + used) : undefined;
    const out: Array<LogEntry & { bytes?: Uint8Array }> = new Array(n);
    for (let i = 0; i < n; i++) {
      const w = (this.logPtr + i * CTRL.LOG_ENTRY_SIZE) >> 2;
      const code = u32[w] & 0xff;
      const kind = code === CTRL.OP_ERASE ? 'E' : code === CTRL.OP_WRITE ? 'W' : 'F';
      const offset = u32[w + 1];
      const length = u32[w + 2];
      const at = u32[w + 3];
      out[i] =
        kind === 'E' || at === 0xffffffff
          ? { kind, area: (u32[w] >>> 8) & 0xff, offset, length }
          : { kind, area: (u32[w] >>> 8) & 0xff, offset, length, data: at, ...(data ? { bytes: data.subarray(at, at + length) } : {}) };
    }
    return out;
  }

  log(): LogEntry[] {
    const out: LogEntry[] = [];
    for (let i = 0; i < this.logLength; i++) out.push(this.logEntry(i));
    return out;
  }

  /** The log as MCUboot trace lines. */
  traceLines(): string[] {
    return this.log().map(traceLine);
  }

  // ---- known images ------------------------------------------------------------------

  /**
   * Registers bytes whose SHA-256 the bootloader may reuse when it hashes a region equal to
   * them byte for byte (see CTRL_KNOWN_PTR in assembly/ctrl.ts). Returns the digest.
   */
  addKnownRegion(bytes: Uint8Array): Uint8Array {
    const count = this.ctrl('CTRL_KNOWN_COUNT');
    if (count >= MAX_KNOWN) throw new UsageError(`at most ${MAX_KNOWN} known regions`);
    const entry = CTRL.KNOWN_SIZE;
    let table = this.ctrl('CTRL_KNOWN_PTR');
    if (!table) {
      table = this.allocate(MAX_KNOWN * entry, 'known-region table');
      this.setCtrl('CTRL_KNOWN_PTR', table);
    }
    const at = this.allocate(bytes.length, 'known region');
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

  // ---- the flash digest (assembly/flash.ts, "flash digest") --------------------------------

  /**
   * Turns the flash digest on: from now on every erase and program marks the blocks it
   * touches, and `digest()` re-hashes those. Off, the flash model does not mark anything.
   */
  enableDigest(): void {
    if (this.digestOn) return;
    this.digestOn = true;
    this.setCtrl('CTRL_DIGEST_PTR', this.digestPtr);
    this.digestStale();
  }

  /** Every block is re-hashed at the next digest (the host may have written anywhere). */
  private digestStale(): void {
    this.refreshViews();
    const blocks = Math.ceil(this.flashSize / CTRL.DIGEST_BLOCK);
    const flags = this.digestPtr + blocks * CTRL.DIGEST_ENTRY_SIZE;
    this.u8.fill(1, flags, flags + blocks);
  }

  /**
   * The digest of the whole flash as it is now: two 64-bit sums (A, B) as four 32-bit words,
   * A low, A high, B low, B high. Turns the digest on if it was not.
   */
  digest(): [number, number, number, number] {
    this.enableDigest();
    if (this.halted) this.reboot(); // after a power cut: a fresh instance to compute it with
    this.call((ex) => ex.flashDigest());
    return this.digestSums();
  }

  /** The digest of the flash a snapshot holds, as `digest()` would give it once restored. */
  snapshotDigest(handle: number): [number, number, number, number] {
    this.enableDigest();
    if (this.halted) this.reboot();
    this.call((ex) => ex.snapshotDigest(handle));
    return this.digestSums();
  }

  private digestSums(): [number, number, number, number] {
    const a = CTRL.CTRL_DIGEST_A >> 2;
    const b = CTRL.CTRL_DIGEST_B >> 2;
    const u32 = this.u32;
    return [u32[a], u32[a + 1], u32[b], u32[b + 1]];
  }

  // ---- snapshots (snapshots.ts) ------------------------------------------------------------

  /** Saves the whole flash inside the module's arena; returns a handle. */
  snapshot(): number {
    this.freshDigest();
    return this.snapshots.take();
  }

  /** Overwrites an existing snapshot with the current flash. */
  saveSnapshot(handle: number): void {
    this.freshDigest();
    this.snapshots.save(handle);
  }

  /** With the digest on, a snapshot keeps block hashes that are up to date (else every restore of it re-hashes them). */
  private freshDigest(): void {
    if (this.digestOn) this.digest();
  }

  /** Puts a snapshot back into flash (only its dirty sectors when it can). */
  restore(handle: number): void {
    this.snapshots.restore(handle);
  }

  /** Snapshots' dirty-sector copy (snapshots.ts restore), done by the module. */
  restoreDirty(handle: number): void {
    if (this.halted) this.reboot();
    this.call((ex) => ex.snapshotRestore(handle));
  }

  /**
   * Applies a recorded flash operation to a snapshot (not to flash), NOR-style, inside the
   * module (assembly/flash.ts snapshotApply; measured, the same loop here took half of a
   * double-cut campaign's time). The next restore of that snapshot copies the sectors it
   * touched.
   */
  applyToSnapshot(handle: number, op: { kind: 'E' | 'W' | 'F'; area: number; offset: number; length: number; bytes?: Uint8Array }): void {
    if (op.kind === 'F') return;
    if (op.length > IO_CAP) throw new UsageError(`a recorded operation of ${op.length} bytes does not fit the ${IO_CAP}-byte I/O buffer`);
    if (op.kind === 'W') this.peek().set(op.bytes!.subarray(0, op.length), this.ioPtr);
    if (this.halted) this.reboot();
    const kind = op.kind === 'E' ? CTRL.OP_ERASE : CTRL.OP_WRITE;
    this.call((ex) => ex.snapshotApply(handle, (kind << 8) | op.area, op.offset, op.length));
  }
}

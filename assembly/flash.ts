// NOR flash model: flash areas over one or more flash devices, with the rules of real NOR
// parts (and of MCUboot's simulator, sim/simflash):
// - erase works on whole sectors and sets them to the device's erased value (0xff or 0x00);
// - program works in whole write units (1..32 bytes, aligned) and may only turn erased
//   bits into programmed ones; in strict mode a unit that is not erased (holds a byte other
//   than the erased value) may not be programmed again (MCUboot's "write to unerased
//   location"), otherwise the result is the AND (erased 0xff) or OR (erased 0x00) of old
//   and new bits. "Erased" is read from the bytes themselves, as the harness that recorded
//   test/fixtures/vectors did: programming a unit with the erased value leaves it erased.
// - every erase or program call is one operation: the unit a power cut interrupts.
// Reads are plain memory reads and are free, as in MCUboot's simulator.
//
// The geometry, counters, wear table, op log and power-cut budget live in the control block
// (ctrl.ts) so that they survive a reboot (a new module instance over the same memory).

import {
  AREA_SIZE, BAD_SIZE, CTRL_AREA_COUNT, CTRL_AREA_PTR, CTRL_BAD_COUNT, CTRL_BAD_PTR, CTRL_BUDGET,
  CTRL_BYTES_ERASED, CTRL_BYTES_PROGRAMMED, CTRL_CUT_AREA, CTRL_CUT_DONE, CTRL_CUT_KIND, CTRL_CUT_LEN,
  CTRL_CUT_OFF, CTRL_DEV_PTR, CTRL_DIGEST_A, CTRL_DIGEST_B, CTRL_DIGEST_PTR, CTRL_ERASE_OPS, CTRL_ERR_AREA, CTRL_ERR_CODE, CTRL_ERR_LEN, CTRL_ERR_OFF,
  CTRL_FAILED_WRITES, CTRL_FAULT_MODEL, CTRL_FLAGS, CTRL_FLASH_PTR, CTRL_IO_PTR, CTRL_LOG_CAP, CTRL_LOG_DATA_CAP,
  CTRL_LOG_DATA_LEN, CTRL_LOG_DATA_PTR, CTRL_MARK_EPOCH, CTRL_MARK_PTR, MARK_SIZE, CTRL_DIRTY_PTR, CTRL_LOG_LEN, CTRL_LOG_OVERFLOW, CTRL_LOG_PTR, CTRL_OP_INDEX,
  CTRL_FLASH_SIZE, CTRL_POWER_CUT, CTRL_PRNG, CTRL_SECTOR_COUNT, CTRL_SECTOR_PTR, CTRL_VIOLATIONS, CTRL_WEAR_PTR, CTRL_WRITE_OPS,
  DEV_SIZE, DIGEST_BLOCK, DIGEST_ENTRY_SIZE, ERR_MISALIGNED, ERR_NO_AREA, ERR_NOT_ERASED, ERR_NOT_SECTOR, ERR_OUT_OF_BOUNDS,
  FAULT_BIT_NOISE, FAULT_TORN_ERASE, FAULT_TORN_WRITE, FLAG_STRICT, LOG_ENTRY_SIZE, OP_ERASE, OP_WRITE,
  SECTOR_SIZE, ctrl, ctrl64, setCtrl, setCtrl64,
} from './ctrl';

export const OP_WRITE_FAILED: u32 = 3;

// ---- geometry -------------------------------------------------------------------------

@inline function areaEntry(area: u32): usize {
  return <usize>ctrl(CTRL_AREA_PTR) + <usize>area * AREA_SIZE;
}

@inline function devEntry(dev: u32): usize {
  return <usize>ctrl(CTRL_DEV_PTR) + <usize>dev * DEV_SIZE;
}

@inline function sectorEntry(sector: u32): usize {
  return <usize>ctrl(CTRL_SECTOR_PTR) + <usize>sector * SECTOR_SIZE;
}

export function areaExists(area: u32): bool {
  return area < ctrl(CTRL_AREA_COUNT) && load<u32>(areaEntry(area), 24) != 0;
}

function checkArea(area: u32): void {
  if (!areaExists(area)) fail(ERR_NO_AREA, area, 0, 0);
}

@inline export function areaDevice(area: u32): u32 {
  return load<u32>(areaEntry(area), 0);
}

/** Offset of the area within the whole flash (all devices concatenated). */
@inline export function areaFlashOffset(area: u32): u32 {
  return load<u32>(areaEntry(area), 4);
}

@inline export function areaSize(area: u32): u32 {
  return load<u32>(areaEntry(area), 8);
}

@inline export function areaFirstSector(area: u32): u32 {
  return load<u32>(areaEntry(area), 12);
}

@inline export function areaSectorCount(area: u32): u32 {
  return load<u32>(areaEntry(area), 16);
}

/** Sector size when all the area's sectors are equal, else 0. */
@inline export function areaUniformSector(area: u32): u32 {
  return load<u32>(areaEntry(area), 20);
}

/** Memory address of byte 0 of the area: reads (and in-place hashing) go through it. */
@inline export function areaPtr(area: u32): usize {
  return <usize>ctrl(CTRL_FLASH_PTR) + <usize>areaFlashOffset(area);
}

/** The area's offset within its own flash device: its flash address, flash_device_base() being 0. */
export function areaDeviceAddress(area: u32): u32 {
  return areaFlashOffset(area) - load<u32>(devEntry(areaDevice(area)), 0);
}

@inline export function areaAlign(area: u32): u32 {
  return load<u32>(devEntry(areaDevice(area)), 8);
}

@inline export function areaErasedVal(area: u32): u8 {
  return <u8>load<u32>(devEntry(areaDevice(area)), 12);
}

/** Offset within the area of its i-th sector. */
export function areaSectorOff(area: u32, i: u32): u32 {
  const uniform = areaUniformSector(area);
  if (uniform != 0) return i * uniform;
  return load<u32>(sectorEntry(areaFirstSector(area) + i), 0) - areaFlashOffset(area);
}

export function areaSectorSize(area: u32, i: u32): u32 {
  const uniform = areaUniformSector(area);
  if (uniform != 0) return uniform;
  return load<u32>(sectorEntry(areaFirstSector(area) + i), 4);
}

/** Index within the area of the sector holding `off`. */
export function areaSectorIndex(area: u32, off: u32): u32 {
  const uniform = areaUniformSector(area);
  if (uniform != 0) return off / uniform;
  const n = areaSectorCount(area);
  const base = areaFlashOffset(area);
  const first = areaFirstSector(area);
  // Mixed-size areas are short (MCUboot caps slots at 128 sectors): a linear walk is enough.
  for (let i: u32 = 1; i < n; i++) {
    if (load<u32>(sectorEntry(first + i), 0) - base > off) return i - 1;
  }
  return n - 1;
}

// ---- errors, faults and the op counter --------------------------------------------------

/** A flash rule was broken: record what and where, then trap (the host reports it). */
function fail(code: u32, area: u32, off: u32, len: u32): void {
  setCtrl(CTRL_ERR_CODE, code);
  setCtrl(CTRL_ERR_AREA, area);
  setCtrl(CTRL_ERR_OFF, off);
  setCtrl(CTRL_ERR_LEN, len);
  unreachable();
}

/** splitmix64 over the PRNG state in the control block: deterministic given the seed. */
export function nextRandom(): u64 {
  let z = ctrl64(CTRL_PRNG) + 0x9e3779b97f4a7c15;
  setCtrl64(CTRL_PRNG, z);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** Uniform in [0, n), n > 0. */
function randomBelow(n: u32): u32 {
  return <u32>((nextRandom() >> 32) * <u64>n >> 32);
}

/**
 * Counts one operation and reports whether the power is cut before it completes
 * (the budget names the op that is interrupted: ops 1..K-1 happen, op K gets the fault).
 */
@inline function beginOp(): bool {
  const index = ctrl(CTRL_OP_INDEX) + 1;
  setCtrl(CTRL_OP_INDEX, index);
  return index == ctrl(CTRL_BUDGET);
}

function powerCut(kind: u32, area: u32, off: u32, len: u32, done: u32): void {
  setCtrl(CTRL_POWER_CUT, 1);
  setCtrl(CTRL_CUT_KIND, kind);
  setCtrl(CTRL_CUT_AREA, area);
  setCtrl(CTRL_CUT_OFF, off);
  setCtrl(CTRL_CUT_LEN, len);
  setCtrl(CTRL_CUT_DONE, done);
  unreachable();
}

function logOp(kind: u32, area: u32, off: u32, len: u32, src: usize): void {
  const ptr = <usize>ctrl(CTRL_LOG_PTR);
  if (ptr == 0) return;
  const n = ctrl(CTRL_LOG_LEN);
  if (n >= ctrl(CTRL_LOG_CAP)) {
    setCtrl(CTRL_LOG_OVERFLOW, 1);
    return;
  }
  const e = ptr + <usize>n * LOG_ENTRY_SIZE;
  store<u8>(e, <u8>kind);
  store<u8>(e, <u8>area, 1);
  store<u16>(e, 0, 2);
  store<u32>(e, off, 4);
  store<u32>(e, len, 8);
  let dataOff: u32 = 0xffffffff;
  const data = <usize>ctrl(CTRL_LOG_DATA_PTR);
  if (data != 0 && kind == OP_WRITE) {
    const used = ctrl(CTRL_LOG_DATA_LEN);
    if (<u64>used + <u64>len <= <u64>ctrl(CTRL_LOG_DATA_CAP)) {
      memory.copy(data + <usize>used, src, len);
      dataOff = used;
      setCtrl(CTRL_LOG_DATA_LEN, used + len);
    } else {
      setCtrl(CTRL_LOG_OVERFLOW, 1);
    }
  }
  store<u32>(e, dataOff, 12);
  setCtrl(CTRL_LOG_LEN, n + 1);
}

// ---- erased-from marks (see CTRL_MARK_PTR) -------------------------------------------------

const UNKNOWN: u32 = 0xffffffff;

@inline function markEntry(sector: u32): usize {
  return <usize>ctrl(CTRL_MARK_PTR) + <usize>sector * MARK_SIZE;
}

@inline function erasedFrom(sector: u32): u32 {
  const e = markEntry(sector);
  return load<u32>(e) == ctrl(CTRL_MARK_EPOCH) ? load<u32>(e, 4) : UNKNOWN;
}

@inline function setErasedFrom(sector: u32, off: u32): void {
  const e = markEntry(sector);
  store<u32>(e, ctrl(CTRL_MARK_EPOCH));
  store<u32>(e, off, 4);
}

// ---- program ----------------------------------------------------------------------------

function checkRange(area: u32, off: u32, len: u32): void {
  checkArea(area);
  if (<u64>off + <u64>len > <u64>areaSize(area)) fail(ERR_OUT_OF_BOUNDS, area, off, len);
}

function anyProgrammed(p: usize, len: u32, erased: u8): bool {
  // 16 bytes at a time (wasm SIMD): every program reads its target first, so this loop is
  // on the path of every copy the bootloader makes.
  const pattern = i8x16.splat(<i8>erased);
  let i: usize = 0;
  const n = <usize>len;
  for (; i + 16 <= n; i += 16) if (v128.any_true(v128.xor(v128.load(p + i), pattern))) return true;
  for (; i < n; i++) if (load<u8>(p + i) != erased) return true;
  return false;
}

/**
 * Programs `len` bytes at `src` into the area at `off`. Returns 0, or -1 when a bad region
 * refused the write (MCUboot sees a failed flash_area_write). Breaking a flash rule traps.
 */
export function flashWrite(area: u32, off: u32, src: usize, len: u32): i32 {
  checkRange(area, off, len);
  const align = areaAlign(area);
  if (off % align != 0 || len % align != 0) fail(ERR_MISALIGNED, area, off, len);
  const abs = areaFlashOffset(area) + off;
  if (len > 0) markDirty(area, areaSectorIndex(area, off), areaSectorIndex(area, off + len - 1));
  markDigestDirty(abs, len);
  if (beginOp()) tornWrite(area, off, src, len, abs);
  if (badRegionRefuses(abs, len)) {
    setCtrl(CTRL_FAILED_WRITES, ctrl(CTRL_FAILED_WRITES) + 1);
    setCtrl(CTRL_WRITE_OPS, ctrl(CTRL_WRITE_OPS) + 1);
    logOp(OP_WRITE_FAILED, area, off, len, src);
    return -1;
  }
  const dst = <usize>ctrl(CTRL_FLASH_PTR) + <usize>abs;
  const erased = areaErasedVal(area);
  // Which sector, and whether the model knows the target is erased (MCUboot programs each
  // sector upward right after erasing it: measured, skipping the read-back check there
  // takes a third off a 1 KiB program).
  const marks = ctrl(CTRL_MARK_PTR) != 0;
  let sector: u32 = 0;
  let rel: u32 = 0;
  let inOne = false;
  if (marks) {
    const si = areaSectorIndex(area, off);
    rel = off - areaSectorOff(area, si);
    inOne = <u64>rel + <u64>len <= <u64>areaSectorSize(area, si);
    sector = areaFirstSector(area) + si;
  }
  const from = inOne ? erasedFrom(sector) : UNKNOWN;
  if ((from == UNKNOWN || rel < from) && anyProgrammed(dst, len, erased)) {
    if (ctrl(CTRL_FLAGS) & FLAG_STRICT) fail(ERR_NOT_ERASED, area, off, len);
    setCtrl(CTRL_VIOLATIONS, ctrl(CTRL_VIOLATIONS) + 1);
    programBits(dst, src, len, erased);
  } else {
    // Every target byte is erased: programming them is a copy.
    memory.copy(dst, src, len);
  }
  if (marks) {
    if (inOne && from != UNKNOWN) setErasedFrom(sector, max<u32>(from, rel + len));
    else if (!inOne) forgetMarks(area, off, len);
  }
  setCtrl(CTRL_WRITE_OPS, ctrl(CTRL_WRITE_OPS) + 1);
  setCtrl64(CTRL_BYTES_PROGRAMMED, ctrl64(CTRL_BYTES_PROGRAMMED) + len);
  logOp(OP_WRITE, area, off, len, src);
  return 0;
}

/** Marks the sectors [first, last] of the area as changed since the host's last restore. */
function markDirty(area: u32, first: u32, last: u32): void {
  const dirty = <usize>ctrl(CTRL_DIRTY_PTR);
  if (dirty == 0) return;
  const base = dirty + <usize>areaFirstSector(area);
  memory.fill(base + <usize>first, 1, last - first + 1);
}

/** A program across sectors: stop vouching for any of them. */
function forgetMarks(area: u32, off: u32, len: u32): void {
  const first = areaSectorIndex(area, off);
  const last = areaSectorIndex(area, off + len - 1);
  for (let i = first; i <= last; i++) setErasedFrom(areaFirstSector(area) + i, UNKNOWN);
}

/** NOR programming only moves bits away from the erased value. */
function programBits(dst: usize, src: usize, len: u32, erased: u8): void {
  if (erased == 0xff) {
    for (let i: usize = 0; i < <usize>len; i++) store<u8>(dst + i, load<u8>(dst + i) & load<u8>(src + i));
  } else {
    for (let i: usize = 0; i < <usize>len; i++) store<u8>(dst + i, load<u8>(dst + i) | load<u8>(src + i));
  }
}

function tornWrite(area: u32, off: u32, src: usize, len: u32, abs: u32): void {
  const model = ctrl(CTRL_FAULT_MODEL);
  let done: u32 = 0;
  if (model == FAULT_TORN_WRITE || model == FAULT_BIT_NOISE) {
    const align = areaAlign(area);
    const units = len / align;
    // A prefix of whole units made it; never the whole write (that would not be a fault).
    done = units > 0 ? randomBelow(units) * align : 0;
    const dst = <usize>ctrl(CTRL_FLASH_PTR) + <usize>abs;
    const erased = areaErasedVal(area);
    programBits(dst, src, done, erased);
    if (model == FAULT_BIT_NOISE && done < len) {
      // The next unit is half-programmed: each bit that should change did so at random.
      for (let i: u32 = 0; i < align; i++) {
        const p = dst + <usize>(done + i);
        const old = load<u8>(p);
        const target = erased == 0xff ? old & load<u8>(src + <usize>(done + i)) : old | load<u8>(src + <usize>(done + i));
        store<u8>(p, old ^ ((old ^ target) & <u8>nextRandom()));
      }
    }
  }
  powerCut(OP_WRITE, area, off, len, done);
}

function badRegionRefuses(abs: u32, len: u32): bool {
  const n = ctrl(CTRL_BAD_COUNT);
  if (n == 0) return false;
  const table = <usize>ctrl(CTRL_BAD_PTR);
  for (let i: u32 = 0; i < n; i++) {
    const e = table + <usize>i * BAD_SIZE;
    const start = load<u32>(e, 0);
    const end = <u64>start + <u64>load<u32>(e, 4);
    if (abs >= start && <u64>abs + <u64>len <= end) {
      const rate = load<u32>(e, 8);
      if (rate == 0xffffffff || <u32>(nextRandom() >> 32) < rate) return true;
    }
  }
  return false;
}

// ---- erase ------------------------------------------------------------------------------

/** Erases whole sectors [off, off+len) of the area. Breaking a flash rule traps. */
export function flashErase(area: u32, off: u32, len: u32): void {
  checkRange(area, off, len);
  const first = areaSectorIndex(area, off);
  if (areaSectorOff(area, first) != off) fail(ERR_NOT_SECTOR, area, off, len);
  let last = first;
  if (len > 0) {
    last = areaSectorIndex(area, off + len - 1);
    if (areaSectorOff(area, last) + areaSectorSize(area, last) != off + len) fail(ERR_NOT_SECTOR, area, off, len);
  }
  const abs = areaFlashOffset(area) + off;
  const erased = areaErasedVal(area);
  if (len > 0) markDirty(area, first, last);
  markDigestDirty(abs, len);
  if (beginOp()) {
    let done: u32 = 0;
    if (ctrl(CTRL_FAULT_MODEL) == FAULT_TORN_ERASE && len > 0) {
      // Some bytes erased, the rest as before: a prefix, as a sector erase interrupted
      // part-way is modelled by tardigrade's interrupted_erase.
      done = randomBelow(len);
      memory.fill(<usize>ctrl(CTRL_FLASH_PTR) + <usize>abs, erased, done);
    }
    powerCut(OP_ERASE, area, off, len, done);
  }
  memory.fill(<usize>ctrl(CTRL_FLASH_PTR) + <usize>abs, erased, len);
  if (len > 0) {
    const wear = <usize>ctrl(CTRL_WEAR_PTR) + <usize>(areaFirstSector(area) + first) * 4;
    const marks = ctrl(CTRL_MARK_PTR) != 0;
    for (let s: u32 = first; s <= last; s++) {
      const p = wear + <usize>(s - first) * 4;
      store<u32>(p, load<u32>(p) + 1);
      if (marks) setErasedFrom(areaFirstSector(area) + s, 0);
    }
  }
  setCtrl(CTRL_ERASE_OPS, ctrl(CTRL_ERASE_OPS) + 1);
  setCtrl64(CTRL_BYTES_ERASED, ctrl64(CTRL_BYTES_ERASED) + len);
  logOp(OP_ERASE, area, off, len, 0);
}

/**
 * Applies a recorded operation to a flash snapshot at `snapshot` rather than to flash (the
 * campaign advances its snapshots in place: src/core/snapshots.ts). A snapshot is a copy of
 * the flash followed by a copy of the digest table. `kindArea` is OP_ERASE or OP_WRITE in
 * bits 8.., the area below; a write's bytes are at CTRL_IO_PTR. NOR-style: an erase sets the
 * erased value, a program ANDs (erased 0xff) or ORs (erased 0x00). The sectors it touches are
 * marked dirty (the next restore of the snapshot copies them), and its digest blocks in the
 * snapshot's copy of the table stale.
 */
export function snapshotApply(snapshot: usize, kindArea: u32, off: u32, len: u32): void {
  const area = kindArea & 0xff;
  checkRange(area, off, len);
  if (len == 0) return;
  const abs = areaFlashOffset(area) + off;
  const dst = snapshot + <usize>abs;
  const erased = areaErasedVal(area);
  if (kindArea >> 8 == OP_ERASE) {
    memory.fill(dst, erased, len);
  } else {
    const src = <usize>ctrl(CTRL_IO_PTR);
    const n = <usize>len;
    let i: usize = 0;
    if (erased == 0xff) {
      for (; i + 16 <= n; i += 16) v128.store(dst + i, v128.and(v128.load(dst + i), v128.load(src + i)));
      for (; i < n; i++) store<u8>(dst + i, load<u8>(dst + i) & load<u8>(src + i));
    } else {
      for (; i + 16 <= n; i += 16) v128.store(dst + i, v128.or(v128.load(dst + i), v128.load(src + i)));
      for (; i < n; i++) store<u8>(dst + i, load<u8>(dst + i) | load<u8>(src + i));
    }
  }
  markDirty(area, areaSectorIndex(area, off), areaSectorIndex(area, off + len - 1));
  const size = ctrl(CTRL_FLASH_SIZE);
  const blocks = (size + DIGEST_BLOCK - 1) / DIGEST_BLOCK;
  const stale = snapshot + <usize>size + <usize>blocks * DIGEST_ENTRY_SIZE;
  const first = abs / DIGEST_BLOCK;
  memory.fill(stale + <usize>first, 1, (abs + len - 1) / DIGEST_BLOCK - first + 1);
}

/**
 * Copies back into flash, from the snapshot at `snapshot`, the sectors marked dirty since the
 * snapshot was last in sync with flash (src/core/snapshots.ts decides when it is), with the
 * digest entries of the blocks they wholly cover (a block they only partly cover, with
 * sectors smaller than a block, is re-hashed at the next digest), and clears the marks.
 */
export function snapshotRestore(snapshot: usize): void {
  const dirty = <usize>ctrl(CTRL_DIRTY_PTR);
  const count = ctrl(CTRL_SECTOR_COUNT);
  const flash = <usize>ctrl(CTRL_FLASH_PTR);
  const size = ctrl(CTRL_FLASH_SIZE);
  const table = <usize>ctrl(CTRL_DIGEST_PTR);
  const blocks = (size + DIGEST_BLOCK - 1) / DIGEST_BLOCK;
  const saved = snapshot + <usize>size;
  for (let i: u32 = 0; i < count; i++) {
    if (load<u8>(dirty + <usize>i) == 0) continue;
    // Runs of dirty sectors at once.
    let j = i;
    while (j + 1 < count && load<u8>(dirty + <usize>(j + 1)) != 0) j++;
    const from = load<u32>(sectorEntry(i), 0);
    const to = load<u32>(sectorEntry(j), 0) + load<u32>(sectorEntry(j), 4);
    memory.copy(flash + <usize>from, snapshot + <usize>from, to - from);
    if (table != 0) {
      const stale = table + <usize>blocks * DIGEST_ENTRY_SIZE;
      for (let b = from / DIGEST_BLOCK; b * DIGEST_BLOCK < to; b++) {
        if (b * DIGEST_BLOCK >= from && min<u32>((b + 1) * DIGEST_BLOCK, size) <= to) {
          memory.copy(table + <usize>b * DIGEST_ENTRY_SIZE, saved + <usize>b * DIGEST_ENTRY_SIZE, DIGEST_ENTRY_SIZE);
          store<u8>(stale + <usize>b, load<u8>(saved + <usize>blocks * DIGEST_ENTRY_SIZE + <usize>b));
        } else {
          store<u8>(stale + <usize>b, 1);
        }
      }
    }
    i = j;
  }
  memory.fill(dirty, 0, count);
}

/** Copies `len` bytes of the area at `off` to `dst` (bounds-checked; reads are free). */
export function flashRead(area: u32, off: u32, dst: usize, len: u32): void {
  checkRange(area, off, len);
  memory.copy(dst, areaPtr(area) + <usize>off, len);
}

// ---- flash digest -------------------------------------------------------------------------
//
// A campaign memoizes power-ons by the flash they start from (src/campaign/memo.ts), so it
// needs a digest of the whole device after every power-on, cheaply. The flash is cut into
// DIGEST_BLOCK-byte blocks; the digest is the sum (mod 2^64) of every block's hash, seeded
// with the block's index so that equal bytes in different places count differently. An
// operation only marks the blocks it touches; FN_FLASH_DIGEST re-hashes those and sums the
// table. Hashing at power-on rather than at every write: between two power-ons a swap
// programs and erases the scratch sector again and again, and a status sector many times,
// while the digest only needs their last state (measured on swap-scratch, nrf52840: the
// blocks dirty at a power-on hold about half the bytes the boot before it programmed).
//
// Each block hash is one pass of XXH64's stripe loop (four 64-bit lanes, each `rotl(acc +
// word * P2, 31) * P1`; the xxHash specification, "XXH64 algorithm description") over the
// block, finished twice, differently, into two 64-bit values A and B: 256 bits of lane state,
// two independent-looking 64-bit views of it. The memo looks a state up by A and confirms it
// by B, so a false hit needs two 64-bit sums to collide at once.

// XXH64's five 64-bit primes (xxHash specification, "XXH64 algorithm description").
const P1: u64 = 0x9e3779b185ebca87;
const P2: u64 = 0xc2b2ae3d27d4eb4f;
const P3: u64 = 0x165667b19e3779f9;
const P4: u64 = 0x85ebca77c2b2ae63;
const P5: u64 = 0x27d4eb2f165667c5;

@inline function lane(acc: u64, word: u64): u64 {
  return rotl<u64>(acc + word * P2, 31) * P1;
}

@inline function avalanche(h: u64): u64 {
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  return h ^ (h >> 32);
}

/** Marks the digest blocks of [abs, abs+len) for re-hashing. */
@inline function markDigestDirty(abs: u32, len: u32): void {
  const table = <usize>ctrl(CTRL_DIGEST_PTR);
  if (table == 0 || len == 0) return;
  const blocks = (ctrl(CTRL_FLASH_SIZE) + DIGEST_BLOCK - 1) / DIGEST_BLOCK;
  const dirty = table + <usize>blocks * DIGEST_ENTRY_SIZE;
  const first = abs / DIGEST_BLOCK;
  memory.fill(dirty + <usize>first, 1, (abs + len - 1) / DIGEST_BLOCK - first + 1);
}

/** Hashes `len` bytes at `p` (block `index`) into the entry at `out`: A, then B. */
function hashBlock(p: usize, len: u32, index: u32, out: usize): void {
  const seed = (<u64>index + 1) * P5;
  let v1 = seed + P1 + P2;
  let v2 = seed + P2;
  let v3 = seed;
  let v4 = seed - P1;
  const n = <usize>len;
  let i: usize = 0;
  for (; i + 32 <= n; i += 32) {
    v1 = lane(v1, load<u64>(p + i));
    v2 = lane(v2, load<u64>(p + i, 8));
    v3 = lane(v3, load<u64>(p + i, 16));
    v4 = lane(v4, load<u64>(p + i, 24));
  }
  // The last block of a flash whose size is not a multiple of 32: byte by byte, with its place.
  for (; i < n; i++) v1 = lane(v1, <u64>load<u8>(p + i) | (<u64>i << 8));
  // A: the lanes in order into one accumulator; B: in reverse order from another start.
  // Either changes whenever a single lane does (each step is a bijection in its input).
  store<u64>(out, avalanche(lane(lane(lane(lane(seed ^ <u64>len, v1), v2), v3), v4)));
  store<u64>(out, avalanche(lane(lane(lane(lane(seed ^ P4, v4), v3), v2), v1) * P3), 8);
}

/**
 * Brings the digest up to date: re-hashes the blocks marked since, and leaves the sums of
 * all blocks in CTRL_DIGEST_A and CTRL_DIGEST_B.
 */
export function flashDigest(): void {
  const table = <usize>ctrl(CTRL_DIGEST_PTR);
  if (table != 0) digestOf(<usize>ctrl(CTRL_FLASH_PTR), table);
}

/**
 * The same for the flash a snapshot holds (its bytes, then its copy of the table: see
 * snapshotApply), without putting it back into flash: a campaign asks the memo about a
 * state before it pays for restoring it.
 */
export function snapshotDigest(snapshot: usize): void {
  if (ctrl(CTRL_DIGEST_PTR) != 0) digestOf(snapshot, snapshot + <usize>ctrl(CTRL_FLASH_SIZE));
}

function digestOf(flash: usize, table: usize): void {
  const size = ctrl(CTRL_FLASH_SIZE);
  const blocks = (size + DIGEST_BLOCK - 1) / DIGEST_BLOCK;
  const dirty = table + <usize>blocks * DIGEST_ENTRY_SIZE;
  let a: u64 = 0;
  let b: u64 = 0;
  for (let i: u32 = 0; i < blocks; i++) {
    const e = table + <usize>i * DIGEST_ENTRY_SIZE;
    if (load<u8>(dirty + <usize>i) != 0) {
      const off = i * DIGEST_BLOCK;
      hashBlock(flash + <usize>off, min<u32>(DIGEST_BLOCK, size - off), i, e);
      store<u8>(dirty + <usize>i, 0);
    }
    a += load<u64>(e);
    b += load<u64>(e, 8);
  }
  setCtrl64(CTRL_DIGEST_A, a);
  setCtrl64(CTRL_DIGEST_B, b);
}

// Benchmark loops that run inside the module (bench/flash.ts). Timing one JS call per flash
// operation would measure the boundary, not the flash model — and the boundary is crossed
// once per boot, never per operation (DESIGN.md, "The boundary").

import { areaErasedVal, areaPtr, areaSectorCount, areaSectorOff, areaSectorSize, flashErase, flashRead, flashWrite } from './flash';

/** Bytes per program and per read: a bootloader's RAM buffer (MCUboot copies 1 KiB at a time). */
const CHUNK: u32 = 4096;
const writeBuf: usize = memory.data(CHUNK, 16);
const readBuf: usize = memory.data(CHUNK, 16);

function fillWriteBuf(): void {
  for (let i: u32 = 0; i < CHUNK; i++) store<u8>(writeBuf + <usize>i, <u8>(i * 167 + 13));
}

/**
 * `passes` times over the whole area, sector by sector, through the flash model: erase the
 * sector, then program it and read it back CHUNK bytes at a time. Returns the operations done
 * (erases + programs + reads).
 */
export function benchFlashPasses(area: u32, passes: u32): u32 {
  fillWriteBuf();
  const n = areaSectorCount(area);
  let ops: u32 = 0;
  for (let p: u32 = 0; p < passes; p++) {
    for (let i: u32 = 0; i < n; i++) {
      const off = areaSectorOff(area, i);
      const size = areaSectorSize(area, i);
      flashErase(area, off, size);
      ops++;
      for (let done: u32 = 0; done < size; done += CHUNK) {
        const len = min(CHUNK, size - done);
        flashWrite(area, off + done, writeBuf, len);
        flashRead(area, off + done, readBuf, len);
        ops += 2;
      }
    }
  }
  return ops;
}

/**
 * The same bytes moved the same way with plain memory.fill and memory.copy, without the flash
 * model: the floor benchFlashPasses is measured against. Returns the same operation count.
 */
export function benchCopyPasses(area: u32, passes: u32): u32 {
  fillWriteBuf();
  const n = areaSectorCount(area);
  const base = areaPtr(area);
  const erased = areaErasedVal(area);
  let ops: u32 = 0;
  for (let p: u32 = 0; p < passes; p++) {
    for (let i: u32 = 0; i < n; i++) {
      const off = areaSectorOff(area, i);
      const size = areaSectorSize(area, i);
      memory.fill(base + <usize>off, erased, size);
      ops++;
      for (let done: u32 = 0; done < size; done += CHUNK) {
        const len = min(CHUNK, size - done);
        memory.copy(base + <usize>(off + done), writeBuf, len);
        memory.copy(readBuf, base + <usize>(off + done), len);
        ops += 2;
      }
    }
  }
  return ops;
}

/**
 * The floor a boot is measured against (bench/boot.ts): `eraseBytes` of memory.fill and
 * `copyBytes` of memory.copy in MCUboot's 1024-byte chunks, over the area (wrapping), with
 * no flash model and no bootloader logic.
 */
export function benchMoveBytes(area: u32, eraseBytes: u32, copyBytes: u32): u32 {
  const base = areaPtr(area);
  const size = areaSectorCount(area) * areaSectorSize(area, 0);
  const half = size >> 1;
  const erased = areaErasedVal(area);
  for (let done: u32 = 0; done < eraseBytes; done += 4096) {
    memory.fill(base + <usize>(done % size & ~4095), erased, min<u32>(4096, eraseBytes - done));
  }
  for (let done: u32 = 0; done < copyBytes; done += 1024) {
    const at = (done % half) & ~1023;
    memory.copy(base + <usize>(half + at), base + <usize>at, min<u32>(1024, copyBytes - done));
  }
  return eraseBytes + copyBytes;
}

export const BENCH_FLASH_PASSES: u32 = 1;
export const BENCH_COPY_PASSES: u32 = 2;
export const BENCH_MOVE_BYTES: u32 = 3;
/** Aborts with a message: test/core.test.ts checks that such a trap reaches the host as a CoreBug. */
export const BENCH_ABORT: u32 = 4;

/** The benchmarks' one entry point (one export instead of three: see index.ts). */
export function bench(kind: u32, a: u32, b: u32, c: u32): u32 {
  if (kind == BENCH_FLASH_PASSES) return benchFlashPasses(a, b);
  if (kind == BENCH_COPY_PASSES) return benchCopyPasses(a, b);
  if (kind == BENCH_MOVE_BYTES) return benchMoveBytes(a, b, c);
  if (kind == BENCH_ABORT) throw new Error('deliberate abort');
  return 0;
}

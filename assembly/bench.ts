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

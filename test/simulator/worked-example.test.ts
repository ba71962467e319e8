/**
 * MCUboot's worked example of a swap using scratch (reference/mcuboot.md §5.2, golden
 * values §7.6): on a k64f-like layout (128 KiB slots of 4 KiB sectors, a 4 KiB scratch,
 * write size 8), a permanent upgrade between images of the maximal size 0x1F3D0 swaps 32
 * one-sector regions: 19 flash operations for the first region, 18 for each following one,
 * and one copy_done write, 578 in all (481 writes, 97 erases).
 *
 * The expected trace below is written from §5.2's step list, not recorded from brickproof.
 */
import { describe, expect, it } from 'vitest';
import { traceLine } from '../../src/core/index.js';
import type { BootStrategy } from '../../src/image/strategy.js';
import { SLOT_PRIMARY, SLOT_SECONDARY, Sim, TRAILER, bootProblem, strategies } from './sim.js';

const PRIMARY = 1;
const SECONDARY = 2;
const SCRATCH = 3;
const SECTOR = 0x1000;
const SECTORS = 32;
const IMAGE_SIZE = 0x1f3d0;
/** write size 8, BOOT_MAX_ALIGN 8 (§3.7). */
const W = 8;
const COPY_CHUNK = 0x400;

const E = (area: number, off: number, len = SECTOR) => traceLine({ kind: 'E', area, offset: off, length: len });
const Wr = (area: number, off: number, len: number) => traceLine({ kind: 'W', area, offset: off, length: len });

/** Trailer field offsets in a 4 KiB scratch and a 128 KiB slot (§3.7). */
const scratchField = { rec0: 0xfb8, swapSize: 0xfd0, swapInfo: 0xfd8, imageOk: 0xfe8, magic: 0xff0 };
const slotField = { status: 0x1f3d0, swapSize: 0x1ffd0, swapInfo: 0x1ffd8, copyDone: 0x1ffe0, imageOk: 0x1ffe8, magic: 0x1fff0 };

/** Copying `len` bytes in 1 KiB writes (boot_copy_region). */
function copy(area: number, off: number, len: number): string[] {
  const out: string[] = [];
  for (let done = 0; done < len; done += COPY_CHUNK) out.push(Wr(area, off + done, Math.min(COPY_CHUNK, len - done)));
  return out;
}

/** Region idx 1: sector 31, whose status lives in the scratch until its last step. */
function firstRegion(): string[] {
  const off = (SECTORS - 1) * SECTOR;
  const copySz = IMAGE_SIZE - off;
  return [
    // State 1: erase scratch, swap_status_init(scratch), copy secondary → scratch, record 1.
    E(SCRATCH, 0),
    Wr(SCRATCH, scratchField.swapInfo, W),
    Wr(SCRATCH, scratchField.imageOk, W),
    Wr(SCRATCH, scratchField.swapSize, W),
    Wr(SCRATCH, scratchField.magic, 16),
    ...copy(SCRATCH, 0, copySz),
    Wr(SCRATCH, scratchField.rec0, W),
    // State 2: erase secondary sector 31, copy primary → secondary, record 2 (in scratch).
    E(SECONDARY, off),
    ...copy(SECONDARY, off, copySz),
    Wr(SCRATCH, scratchField.rec0 + W, W),
    // State 3: erase primary sector 31, copy scratch → primary, the two records, the trailer
    // fields with magic last, record 3 in the primary, then scratch scrambled backwards.
    E(PRIMARY, off),
    ...copy(PRIMARY, off, copySz),
    Wr(PRIMARY, slotField.status, 2 * W),
    Wr(PRIMARY, slotField.imageOk, W),
    Wr(PRIMARY, slotField.swapInfo, W),
    Wr(PRIMARY, slotField.swapSize, W),
    Wr(PRIMARY, slotField.magic, 16),
    Wr(PRIMARY, slotField.status + 2 * W, W),
    E(SCRATCH, 0),
  ];
}

/** Region idx n (2..32): sector 32 − n, records (idx − 1)·3 + state − 1 in the primary. */
function region(idx: number): string[] {
  const off = (SECTORS - idx) * SECTOR;
  const rec = (state: number) => Wr(PRIMARY, slotField.status + W * (3 * (idx - 1) + state - 1), W);
  return [
    E(SCRATCH, 0), ...copy(SCRATCH, 0, SECTOR), rec(1),
    E(SECONDARY, off), ...copy(SECONDARY, off, SECTOR), rec(2),
    E(PRIMARY, off), ...copy(PRIMARY, off, SECTOR), rec(3),
  ];
}

describe.runIf(strategies().includes('swap-scratch'))('MCUboot worked example: permanent swap using scratch of maximal images on a k64f', () => {
  it('swaps 32 regions in 19 + 31 × 18 + 1 = 578 flash operations, in the order of §5.2', async () => {
    const sim = await Sim.makeImage({ profile: 'k64f', strategy: 'swap-scratch', align: 8, erased: 0xff }, true);
    expect(sim.upgrades!.length).toBe(IMAGE_SIZE);
    expect(sim.dev.core.area(SCRATCH).size).toBe(SECTOR);

    sim.fresh();
    sim.markPermanentUpgrade(SLOT_SECONDARY);
    const r = sim.boot();
    expect(bootProblem(r)).toBeNull();
    const trace = sim.dev.trace();

    const expected = [...firstRegion()];
    for (let idx = 2; idx <= SECTORS; idx++) expected.push(...region(idx));
    // The primary's image_ok came with the first region: only copy_done is left to write.
    expected.push(Wr(PRIMARY, slotField.copyDone, W));

    expect(firstRegion()).toHaveLength(19);
    expect(region(2)).toHaveLength(18);
    expect(expected).toHaveLength(578);
    expect(trace.slice(0, 19)).toEqual(expected.slice(0, 19));
    for (let idx = 2; idx <= SECTORS; idx++) {
      const from = 19 + (idx - 2) * 18;
      expect(trace.slice(from, from + 18), `region ${idx}`).toEqual(expected.slice(from, from + 18));
    }
    expect(trace).toEqual(expected);
    expect(r).toMatchObject({ ops: { write: 481, erase: 97 } });

    expect(sim.verifyImage(SLOT_PRIMARY, 'upgrades')).toBe(true);
    expect(sim.verifyImage(SLOT_SECONDARY, 'primaries')).toBe(true);
    expect(sim.trailerMismatch(SLOT_PRIMARY, TRAILER.confirmed)).toBeNull();
    expect(sim.trailerMismatch(SLOT_SECONDARY, TRAILER.unset)).toBeNull();
  });
});

/**
 * §7.6's golden values: the real bootloader C run on the same k64f-like layout with maximal
 * hash-only images, one flash operation per erase or write call. `revert` is the boot after
 * an unconfirmed test upgrade. Overwrite-only's count is §5.1's (32 E + 128 W + 2 E).
 */
const GOLDEN: Array<{ strategy: BootStrategy; align: 1 | 8; image: number; perm: { write: number; erase: number }; test?: number; revert?: number }> = [
  { strategy: 'swap-scratch', align: 8, image: 0x1f3d0, perm: { write: 481, erase: 97 }, test: 576, revert: 577 },
  { strategy: 'swap-scratch', align: 1, image: 0x1fe50, perm: { write: 490, erase: 97 } },
  { strategy: 'swap-move', align: 8, image: 0x1e000, perm: { write: 455, erase: 92 }, test: 546, revert: 551 },
  { strategy: 'swap-offset', align: 8, image: 0x1e000, perm: { write: 306, erase: 62 }, test: 367, revert: 376 },
  { strategy: 'overwrite-only', align: 8, image: 0x1ffd8, perm: { write: 128, erase: 34 } },
];

describe("MCUboot's golden operation counts on a k64f (§7.6)", () => {
  for (const g of GOLDEN.filter((x) => strategies().includes(x.strategy))) {
    const c = { profile: 'k64f', strategy: g.strategy, align: g.align, erased: 0xff } as const;
    it(`${g.strategy}, write size ${g.align}: maximal images of 0x${g.image.toString(16)} bytes, a permanent upgrade in ${g.perm.write + g.perm.erase} operations${g.test ? `, a test upgrade in ${g.test} and its revert in ${g.revert}` : ''}`, async () => {
      const sim = await Sim.makeImage(c, true);
      expect(sim.upgrades!.length).toBe(g.image);
      expect(sim.totalCount).toBe(g.perm.write + g.perm.erase);
      sim.fresh();
      sim.markPermanentUpgrade(SLOT_SECONDARY);
      const perm = sim.boot();
      expect(bootProblem(perm)).toBeNull();
      expect(perm).toMatchObject({ ops: g.perm });
      if (!g.test) return;
      sim.fresh();
      const test = sim.boot();
      expect(bootProblem(test)).toBeNull();
      expect(test).toMatchObject({ requested: 'test' });
      const revert = sim.boot();
      expect(bootProblem(revert)).toBeNull();
      expect(revert).toMatchObject({ requested: 'revert' });
      const ops = (r: typeof test) => ('ops' in r ? r.ops.write + r.ops.erase : -1);
      expect({ test: ops(test), revert: ops(revert) }).toEqual({ test: g.test, revert: g.revert });
    });
  }
});

/**
 * The flash digest (assembly/flash.ts, "flash digest"): what the campaign's memo of power-ons
 * names flash states by. It must be a function of the flash bytes alone — however they got
 * there: programs, erases, torn operations, dumps, snapshot restores, operations applied to
 * a snapshot — and must tell apart states that differ anywhere.
 */
import { describe, expect, it } from 'vitest';
import { Core, FAULT_MODELS } from '../src/core/index.js';
import { resolveGeometry, type GeometrySpec } from '../src/device/geometry.js';
import { seededBytes, seededRandom, randomInt } from './helpers/seeded.js';

const KiB = 1024;
const PRIMARY = 1;
const SECONDARY = 2;
const SCRATCH = 3;

/**
 * A part with sectors of `sector` bytes (smaller than a digest block, equal, or larger) and
 * a size that is not a multiple of the 4 KiB block, so the last block is short.
 */
function part(sector: number, erasedValue = 0xff): GeometrySpec {
  return {
    name: `digest-part-${sector}-e${erasedValue}`,
    flash: [{ id: 0, sectors: [[sector, 24], [512, 3]], writeAlign: 8, erasedValue }],
    areas: {
      primary: { flash: 0, offset: 0, size: 8 * sector },
      secondary: { flash: 0, offset: 8 * sector, size: 8 * sector },
      scratch: { flash: 0, offset: 16 * sector, size: 8 * sector + 3 * 512 },
    },
  };
}

const core = (sector = 4 * KiB, erasedValue = 0xff) => new Core(resolveGeometry(part(sector, erasedValue)), { strict: false });

const references = new Map<string, Core>();

/** The digest computed from these bytes alone (loaded as a dump: every block hashed afresh). */
function digestOf(bytes: Uint8Array, sector: number, erasedValue = 0xff): readonly number[] {
  const key = `${sector}/${erasedValue}`;
  const c = references.get(key) ?? references.set(key, core(sector, erasedValue)).get(key)!;
  c.loadDump(bytes);
  return c.digest();
}

describe('the flash digest', () => {
  it('is the same for the same bytes, whether programmed, placed or loaded', () => {
    const a = core();
    const b = core();
    const data = seededBytes(2 * KiB, 1);
    a.program(PRIMARY, 4 * KiB, data);
    b.place(PRIMARY, 4 * KiB, data);
    expect(a.digest()).toEqual(b.digest());
    expect(a.digest()).toEqual(digestOf(a.dump(), 4 * KiB));
    // Erasing it again gives the digest of an erased part back.
    a.erase(PRIMARY, 4 * KiB, 4 * KiB);
    expect(a.digest()).toEqual(core().digest());
  });

  it('changes both of its sums when any one bit of the flash changes, wherever it is', () => {
    const base = seededBytes(core().flashSize, 2);
    const d0 = digestOf(base, 4 * KiB);
    for (const at of [0, 7, 4095, 4096, 50_000, base.length - 1]) {
      const flipped = base.slice();
      flipped[at] ^= 0x10;
      const d = digestOf(flipped, 4 * KiB);
      expect([d[0], d[1]]).not.toEqual([d0[0], d0[1]]);
      expect([d[2], d[3]]).not.toEqual([d0[2], d0[3]]);
    }
  });

  it('tells apart the same blocks in other places (a swap moves sectors, not bytes)', () => {
    const base = seededBytes(core().flashSize, 3);
    const swapped = base.slice();
    swapped.set(base.subarray(0, 4 * KiB), 8 * KiB);
    swapped.set(base.subarray(8 * KiB, 12 * KiB), 0);
    expect(digestOf(swapped, 4 * KiB)).not.toEqual(digestOf(base, 4 * KiB));
  });

  for (const sector of [1 * KiB, 4 * KiB, 16 * KiB]) {
    for (const erasedValue of [0xff, 0x00]) {
      it(`follows every operation, torn or not, snapshot restore and snapshot advance (${sector / KiB} KiB sectors, erased 0x${erasedValue.toString(16)})`, () => {
        // Random operations through the flash model, a snapshot restored from and advanced
        // in place, all interleaved: after each step the digest (of flash, and of what the
        // snapshot holds) equals the one computed from the bytes alone.
        const c = core(sector, erasedValue);
        const rnd = seededRandom(sector + erasedValue);
        const areas = [PRIMARY, SECONDARY, SCRATCH].map((id) => c.area(id));
        const snap = c.snapshot();
        const randomOp = () => {
          const a = areas[randomInt(rnd, 0, 2)];
          const sectors = Math.floor(a.size / sector);
          if (rnd() < 0.3) {
            const s = randomInt(rnd, 0, sectors - 1);
            return { kind: 'E' as const, area: a.id, offset: s * sector, length: sector };
          }
          const length = 8 * randomInt(rnd, 1, 160);
          const offset = 8 * randomInt(rnd, 0, (a.size - length) / 8);
          return { kind: 'W' as const, area: a.id, offset, length, bytes: seededBytes(length, rnd) };
        };
        for (let step = 0; step < 160; step++) {
          const r = rnd();
          const op = randomOp();
          if (r < 0.5) {
            if (op.kind === 'E') c.erase(op.area, op.offset, op.length);
            else c.program(op.area, op.offset, op.bytes);
          } else if (r < 0.65) {
            // A torn operation: the fault leaves part of it behind.
            c.reboot();
            c.armPowerCut(1, FAULT_MODELS[randomInt(rnd, 1, FAULT_MODELS.length - 1)], BigInt(step + 1));
            if (op.kind === 'E') c.erase(op.area, op.offset, op.length);
            else c.program(op.area, op.offset, op.bytes);
          } else if (r < 0.8) {
            c.applyToSnapshot(snap, op);
          } else if (r < 0.9) {
            c.restore(snap);
          } else {
            c.saveSnapshot(snap);
          }
          expect(c.digest(), `step ${step}`).toEqual(digestOf(c.dump(), sector, erasedValue));
          // And the snapshot's digest, computed without restoring it, is that of its bytes.
          const held = c.peek().slice(snap, snap + c.flashSize);
          expect(c.snapshotDigest(snap), `snapshot, step ${step}`).toEqual(digestOf(held, sector, erasedValue));
        }
      });
    }
  }

  it('advances a snapshot exactly as the flash model programs and erases (NOR: programs AND, erases set)', () => {
    const c = core();
    c.loadDump(seededBytes(c.flashSize, 9));
    const snap = c.snapshot();
    const data = seededBytes(1024, 10);
    c.applyToSnapshot(snap, { kind: 'W', area: SECONDARY, offset: 1000, length: 1024, bytes: data });
    c.applyToSnapshot(snap, { kind: 'E', area: PRIMARY, offset: 4 * KiB, length: 4 * KiB });
    const expected = c.dump();
    const at = c.area(SECONDARY).start + 1000;
    for (let i = 0; i < 1024; i++) expected[at + i] &= data[i];
    expected.fill(0xff, c.area(PRIMARY).start + 4 * KiB, c.area(PRIMARY).start + 8 * KiB);
    c.restore(snap);
    expect(Buffer.compare(c.dump(), expected)).toBe(0);
  });
});

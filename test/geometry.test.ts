/**
 * Device geometry (src/device/geometry.ts): what a device file's `flash` and `areas` resolve
 * to, and the layouts it refuses — each with a one-line UsageError that names the offending
 * value (DESIGN.md, "Device files"; STYLE.md, errors).
 */
import { describe, expect, it } from 'vitest';
import { resolveGeometry, type GeometrySpec } from '../src/device/geometry.js';
import { UsageError } from '../src/errors.js';

const KiB = 1024;

/** A good layout: 32 × 4 KiB, primary and secondary of 48 KiB, scratch of 16 KiB. */
function good(): GeometrySpec {
  return {
    name: 'board',
    flash: [{ id: 0, sectors: [[4 * KiB, 32]], writeAlign: 8, erasedValue: 255 }],
    areas: {
      primary: { flash: 0, offset: 16 * KiB, size: 48 * KiB },
      secondary: { flash: 0, offset: 64 * KiB, size: 48 * KiB },
      scratch: { flash: 0, offset: 112 * KiB, size: 16 * KiB },
    },
  };
}

/** The UsageError that resolving `spec` throws. */
function refusal(spec: GeometrySpec): UsageError {
  try {
    resolveGeometry(spec);
  } catch (e) {
    if (e instanceof UsageError) {
      expect(e.message).not.toContain('\n');
      expect(e.exitCode).toBe(2);
      return e;
    }
    throw e;
  }
  throw new Error('expected the geometry to be refused');
}

describe('resolveGeometry', () => {
  it('resolves areas to absolute offsets, sector ranges and trace ids', () => {
    const g = resolveGeometry(good());
    expect(g.size).toBe(128 * KiB);
    expect(g.sectors).toHaveLength(32);
    expect(g.areas.map((a) => [a.name, a.id, a.start, a.size, a.firstSector, a.sectorCount, a.uniformSector])).toEqual([
      ['primary', 1, 16 * KiB, 48 * KiB, 4, 12, 4 * KiB],
      ['secondary', 2, 64 * KiB, 48 * KiB, 16, 12, 4 * KiB],
      ['scratch', 3, 112 * KiB, 16 * KiB, 28, 4, 4 * KiB],
    ]);
  });

  it('concatenates several flash devices in id order', () => {
    const spec = good();
    spec.flash = [
      { id: 1, sectors: [[4 * KiB, 16]], writeAlign: 4, erasedValue: 0 },
      { id: 0, sectors: [[4 * KiB, 32]], writeAlign: 8 },
    ];
    spec.areas.secondary = { flash: 1, offset: 0, size: 48 * KiB };
    const g = resolveGeometry(spec);
    expect(g.devices.map((d) => [d.id, d.base, d.size, d.writeAlign, d.erasedValue])).toEqual([
      [0, 0, 128 * KiB, 8, 255],
      [1, 128 * KiB, 64 * KiB, 4, 0],
    ]);
    expect(g.areas.find((a) => a.name === 'secondary')!.start).toBe(128 * KiB);
  });

  it('refuses overlapping areas, naming both and where they meet', () => {
    const spec = good();
    spec.areas.secondary = { flash: 0, offset: 60 * KiB, size: 48 * KiB };
    expect(refusal(spec).message).toBe('board: areas primary and secondary overlap at 0xf000');
  });

  it('refuses a slot that is not a whole number of sectors', () => {
    const spec = good();
    spec.areas.primary.size = 46 * KiB;
    expect(refusal(spec).message).toBe('board: area primary size 0xb800 is not a whole number of sectors from offset 0x4000');
  });

  it('refuses a slot that does not start on a sector boundary', () => {
    const spec = good();
    spec.areas.scratch = { flash: 0, offset: 113 * KiB, size: 12 * KiB };
    expect(refusal(spec).message).toBe('board: area scratch offset 0x1c400 is not on a sector boundary of flash 0');
  });

  for (const align of [3, 64, 0, 1.5]) {
    it(`refuses a write alignment of ${align} (not a power of two from 1 to 32)`, () => {
      const spec = good();
      spec.flash[0].writeAlign = align;
      expect(refusal(spec).message).toBe(`board: flash 0 writeAlign ${align} is not a power of two from 1 to 32`);
    });
  }

  it('accepts every power-of-two alignment from 1 to 32', () => {
    for (const align of [1, 2, 4, 8, 16, 32]) {
      const spec = good();
      spec.flash[0].writeAlign = align;
      expect(resolveGeometry(spec).devices[0].writeAlign).toBe(align);
    }
  });

  it('refuses a sector smaller than the write alignment', () => {
    const spec = good();
    spec.flash[0] = { id: 0, sectors: [[16, 8192]], writeAlign: 32 };
    expect(refusal(spec).message).toBe('board: flash 0 sector size 16 is smaller than its write alignment 32');
  });

  for (const erased of [1, 128, 254, -1]) {
    it(`refuses an erased value of ${erased} (only 0 and 255 exist)`, () => {
      const spec = good();
      spec.flash[0].erasedValue = erased;
      expect(refusal(spec).message).toBe(`board: flash 0 erasedValue ${erased} must be 255 or 0`);
    });
  }

  it('refuses an area that runs past the end of its device', () => {
    const spec = good();
    spec.areas.scratch = { flash: 0, offset: 112 * KiB, size: 32 * KiB };
    expect(refusal(spec).message).toBe('board: area scratch [0x1c000, 0x24000) runs past the end of flash 0 (0x20000 bytes)');
  });

  it('refuses an area on a flash device that is not defined', () => {
    const spec = good();
    spec.areas.scratch = { flash: 3, offset: 0, size: 16 * KiB };
    expect(refusal(spec).message).toBe('board: area scratch is on flash 3, which is not defined');
  });

  it('refuses a layout without a primary area', () => {
    const spec = good();
    delete spec.areas.primary;
    expect(refusal(spec).message).toBe('board: the primary area is missing');
  });

  it('refuses a layout without a secondary area', () => {
    const spec = good();
    delete spec.areas.secondary;
    expect(refusal(spec).message).toBe('board: the secondary area is missing');
  });

  it('refuses an area name MCUboot has no slot for', () => {
    const spec = good();
    spec.areas.tertiary = { flash: 0, offset: 0, size: 4 * KiB };
    expect(refusal(spec).message).toContain("unknown flash area 'tertiary'");
  });

  it('refuses a device listed twice, and a device without sectors', () => {
    const twice = good();
    twice.flash.push({ ...twice.flash[0] });
    expect(refusal(twice).message).toBe('board: flash device id 0 appears twice');
    const empty = good();
    empty.flash[0].sectors = [];
    expect(refusal(empty).message).toBe('board: flash 0 has no sectors');
  });

  it('refuses sector runs that are not [size, count] with positive integers', () => {
    const spec = good();
    spec.flash[0].sectors = [[4 * KiB, 0]];
    expect(refusal(spec).message).toBe('board: flash 0 sector count must be an integer ≥ 1, got 0');
    spec.flash[0].sectors = [[4 * KiB] as unknown as [number, number]];
    expect(refusal(spec).message).toBe('board: flash 0 sector run [4096] must be [size, count]');
  });
});

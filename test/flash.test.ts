/**
 * The NOR flash model (assembly/flash.ts) as the simulator drives it, through `Core`: the
 * erase/program rules of real parts and of MCUboot's simulator, the accounting, the power
 * cut and its fault models, snapshots, bad regions and dumps. Every rejected operation must
 * leave the whole flash, the counters and the wear exactly as they were.
 */
import { describe, expect, it } from 'vitest';
import { Core, FAULT_MODELS, FlashRuleError, PowerCut, type FaultModel } from '../src/core/index.js';
import { resolveGeometry, type GeometrySpec } from '../src/device/geometry.js';
import { UsageError } from '../src/errors.js';
import { seededBytes } from './helpers/seeded.js';

const KiB = 1024;
const PRIMARY = 1;
const SECONDARY = 2;
const SCRATCH = 3;

/**
 * A 192 KiB part of 4 KiB sectors: sector 0 belongs to no area (a bootloader's place),
 * primary and secondary are 64 KiB each, scratch 16 KiB, and the last 44 KiB are unused.
 */
function part({ writeAlign = 8, erasedValue = 0xff, sector = 4 * KiB } = {}): GeometrySpec {
  const n = (bytes: number) => bytes / sector;
  return {
    name: `test-part-a${writeAlign}-e${erasedValue}`,
    flash: [{ id: 0, sectors: [[sector, n(192 * KiB)]], writeAlign, erasedValue }],
    areas: {
      primary: { flash: 0, offset: 4 * KiB, size: 64 * KiB },
      secondary: { flash: 0, offset: 68 * KiB, size: 64 * KiB },
      scratch: { flash: 0, offset: 132 * KiB, size: 16 * KiB },
    },
  };
}

function makeCore(options: Parameters<typeof part>[0] & { strict?: boolean } = {}): Core {
  const { strict, ...geometry } = options;
  return new Core(resolveGeometry(part(geometry)), { strict });
}

/** Fills the whole part with seeded bytes that are never the erased value, so that every change shows. */
function fillNonErased(core: Core, seed: number): Uint8Array {
  const erased = core.geometry.devices[0].erasedValue;
  const bytes = seededBytes(core.flashSize, seed).map((b) => (b === erased ? b ^ 0x5a : b));
  core.loadDump(bytes);
  return bytes;
}

/** The absolute [start, end) ranges where two dumps differ. */
function changedRanges(before: Uint8Array, after: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < before.length; i++) {
    if (before[i] === after[i]) continue;
    const start = i;
    while (i < before.length && before[i] !== after[i]) i++;
    out.push([start, i]);
  }
  return out;
}

function state(core: Core) {
  return { flash: core.dump(), counters: core.counters(), wear: Array.from(core.wear()), opIndex: core.opIndex, log: core.log() };
}

/**
 * Runs an operation that must be refused: returns the FlashRuleError, after checking that
 * nothing at all changed (flash, counters, wear, op index, log) and rebooting the halted core.
 * A write to a unit that is not erased is refused after it was counted as an operation
 * (`counted`): MCUboot's simulator counts every flash_area_write call before the flash checks it.
 */
function refused(core: Core, op: () => unknown, { counted = false } = {}): FlashRuleError {
  const before = state(core);
  let error: unknown;
  try {
    op();
  } catch (e) {
    error = e;
  }
  if (!(error instanceof FlashRuleError)) throw new Error(`expected a FlashRuleError, got ${String(error)}`);
  core.reboot();
  const after = state(core);
  expect(changedRanges(before.flash, after.flash)).toEqual([]);
  expect(after.counters).toEqual(before.counters);
  expect(after.wear).toEqual(before.wear);
  expect(after.opIndex).toBe(before.opIndex + (counted ? 1 : 0));
  expect(after.log).toEqual(before.log);
  return error;
}

const at = (core: Core, area: number, offset: number) => core.area(area).start + offset;
const hex = (n: number) => `0x${n.toString(16)}`;

describe('erase', () => {
  it('sets a whole sector to the erased value and changes nothing else', () => {
    const core = makeCore();
    const before = fillNonErased(core, 1);
    expect(core.erase(PRIMARY, 8 * KiB, 4 * KiB)).toBeUndefined();
    const start = at(core, PRIMARY, 8 * KiB);
    expect(changedRanges(before, core.dump())).toEqual([[start, start + 4 * KiB]]);
    expect(core.read(PRIMARY, 8 * KiB, 4 * KiB).every((b) => b === 0xff)).toBe(true);
  });

  it('erases several consecutive sectors in one operation', () => {
    const core = makeCore();
    const before = fillNonErased(core, 2);
    core.erase(SECONDARY, 0, 12 * KiB);
    const start = at(core, SECONDARY, 0);
    expect(changedRanges(before, core.dump())).toEqual([[start, start + 12 * KiB]]);
    expect(core.counters().eraseOps).toBe(1);
  });

  it('erases to 0x00 on a part whose erased value is 0x00, which also comes erased', () => {
    const core = makeCore({ erasedValue: 0 });
    expect(core.dump().every((b) => b === 0)).toBe(true);
    fillNonErased(core, 3);
    core.erase(SCRATCH, 4 * KiB, 4 * KiB);
    expect(core.read(SCRATCH, 4 * KiB, 4 * KiB).every((b) => b === 0)).toBe(true);
  });

  it('refuses an erase that does not start on a sector boundary, naming the offset', () => {
    const core = makeCore();
    fillNonErased(core, 4);
    const e = refused(core, () => core.erase(PRIMARY, 0x800, 4 * KiB));
    expect(e.rule).toBe('not a whole number of sectors');
    expect([e.area, e.offset, e.length]).toEqual([PRIMARY, 0x800, 4 * KiB]);
    expect(e.message).toContain('offset 0x800');
  });

  it('refuses an erase that ends inside a sector', () => {
    const core = makeCore();
    fillNonErased(core, 5);
    const e = refused(core, () => core.erase(PRIMARY, 4 * KiB, 6 * KiB));
    expect(e.rule).toBe('not a whole number of sectors');
    expect(e.message).toContain('offset 0x1000');
  });

  it('refuses an erase that runs past the end of its area, even into the next area', () => {
    const core = makeCore();
    fillNonErased(core, 6);
    const e = refused(core, () => core.erase(PRIMARY, 60 * KiB, 8 * KiB));
    expect(e.rule).toBe('out of bounds');
    expect(e.message).toContain('offset 0xf000');
  });

  it('refuses an operation on an area that does not exist', () => {
    const core = makeCore();
    fillNonErased(core, 7);
    expect(refused(core, () => core.erase(9, 0, 4 * KiB)).rule).toBe('no such area');
    expect(refused(core, () => core.run((ex) => ex.flashWrite(0, 0, core.ioPtr, 8))).rule).toBe('no such area');
  });
});

describe('program', () => {
  it('programs erased bytes and changes nothing else', () => {
    const core = makeCore();
    core.erase(PRIMARY, 0, 64 * KiB);
    const before = core.dump();
    const data = seededBytes(256, 10);
    expect(core.program(PRIMARY, 0x1040, data)).toBe(0);
    expect(core.read(PRIMARY, 0x1040, 256)).toEqual(data);
    const start = at(core, PRIMARY, 0x1040);
    // Only bytes whose value differs from erased show up; none outside the target.
    for (const [from, to] of changedRanges(before, core.dump())) {
      expect(from).toBeGreaterThanOrEqual(start);
      expect(to).toBeLessThanOrEqual(start + 256);
    }
  });

  it('refuses a write that is not aligned to the write unit, naming the offset', () => {
    const core = makeCore({ writeAlign: 8 });
    fillNonErased(core, 11);
    core.erase(PRIMARY, 0, 4 * KiB);
    const e = refused(core, () => core.program(PRIMARY, 0x104, new Uint8Array(8)));
    expect(e.rule).toBe('misaligned');
    expect([e.area, e.offset, e.length]).toEqual([PRIMARY, 0x104, 8]);
    expect(e.message).toBe('flash rule broken: misaligned — area 1, offset 0x104, length 0x8');
  });

  it('refuses a write whose length is not a whole number of write units', () => {
    const core = makeCore({ writeAlign: 8 });
    core.erase(PRIMARY, 0, 4 * KiB);
    const e = refused(core, () => core.program(PRIMARY, 0x100, new Uint8Array(12)));
    expect(e.rule).toBe('misaligned');
    expect(e.message).toContain('offset 0x100');
  });

  it('refuses a write that runs past the end of its area', () => {
    const core = makeCore();
    fillNonErased(core, 12);
    core.erase(SCRATCH, 0, 16 * KiB);
    const e = refused(core, () => core.program(SCRATCH, 16 * KiB - 8, new Uint8Array(16)));
    expect(e.rule).toBe('out of bounds');
    expect(e.message).toContain(`offset ${hex(16 * KiB - 8)}`);
  });

  it('refuses a read past the end of its area', () => {
    const core = makeCore();
    expect(() => core.read(SCRATCH, 16 * KiB - 4, 8)).toThrow(FlashRuleError);
    expect(() => core.read(SCRATCH, 16 * KiB - 4, 8)).toThrow(/offset 0x3ffc/);
  });

  it('refuses, in strict mode, to program a unit that is not erased', () => {
    const core = makeCore({ writeAlign: 4 });
    core.erase(PRIMARY, 0, 4 * KiB);
    core.program(PRIMARY, 0x20, Uint8Array.of(1, 2, 3, 4));
    const e = refused(core, () => core.program(PRIMARY, 0x1c, Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9)), { counted: true });
    expect(e.rule).toBe('not erased');
    expect(e.offset).toBe(0x1c);
    expect(core.read(PRIMARY, 0x1c, 8)).toEqual(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4));
  });

  it('programs a unit again once its sector has been erased', () => {
    const core = makeCore();
    core.erase(PRIMARY, 0, 4 * KiB);
    core.program(PRIMARY, 0, new Uint8Array(8).fill(0x11));
    core.erase(PRIMARY, 0, 4 * KiB);
    expect(core.program(PRIMARY, 0, new Uint8Array(8).fill(0x22))).toBe(0);
    expect(core.read(PRIMARY, 0, 8)).toEqual(new Uint8Array(8).fill(0x22));
  });

  it('reads "erased" from the bytes: a unit programmed with only the erased value may be programmed again', () => {
    const core = makeCore();
    core.erase(PRIMARY, 0, 4 * KiB);
    core.program(PRIMARY, 0, new Uint8Array(8).fill(0xff));
    expect(core.program(PRIMARY, 0, new Uint8Array(8).fill(0x33))).toBe(0);
    expect(core.read(PRIMARY, 0, 8)).toEqual(new Uint8Array(8).fill(0x33));
    expect(core.counters().violations).toBe(0);
  });

  it('ANDs a second program into a 0xff-erased part when not strict, and counts it', () => {
    const core = makeCore({ strict: false });
    core.erase(PRIMARY, 0, 4 * KiB);
    core.program(PRIMARY, 0, Uint8Array.of(0xf0, 0x0f, 0xaa, 0x55, 0xff, 0x00, 0x12, 0x34));
    expect(core.program(PRIMARY, 0, Uint8Array.of(0xcc, 0xcc, 0x0f, 0xff, 0x00, 0xff, 0x34, 0x12))).toBe(0);
    expect(core.read(PRIMARY, 0, 8)).toEqual(Uint8Array.of(0xc0, 0x0c, 0x0a, 0x55, 0x00, 0x00, 0x10, 0x10));
    expect(core.counters().violations).toBe(1);
  });

  it('ORs a second program into a 0x00-erased part when not strict', () => {
    const core = makeCore({ strict: false, erasedValue: 0 });
    core.erase(PRIMARY, 0, 4 * KiB);
    core.program(PRIMARY, 0, Uint8Array.of(0xf0, 0x0f, 0xaa, 0x55, 0xff, 0x00, 0x12, 0x34));
    core.program(PRIMARY, 0, Uint8Array.of(0xcc, 0xcc, 0x0f, 0xff, 0x00, 0xff, 0x34, 0x12));
    expect(core.read(PRIMARY, 0, 8)).toEqual(Uint8Array.of(0xfc, 0xcf, 0xaf, 0xff, 0xff, 0xff, 0x36, 0x36));
    expect(core.counters().violations).toBe(1);
  });

  it('still checks a unit the host changed through a view after the model erased its sector', () => {
    // The model remembers which part of a sector it erased and has not programmed since, to
    // skip reading the target back; any view handed to the host must end that knowledge.
    const core = makeCore({ writeAlign: 4 });
    core.bytes.fill(0x5a, core.ioPtr, core.ioPtr + 8);
    core.erase(PRIMARY, 0, 4 * KiB);
    core.areaBytes(PRIMARY)[0x104] = 0x00;
    // Straight into the core: nothing between the host's change and the program touches flash.
    expect(() => core.run((ex) => ex.flashWrite(PRIMARY, 0x100, core.ioPtr, 8))).toThrow(/not erased — area 1, offset 0x100/);
  });

  it('switches between strict and non-strict at run time', () => {
    const core = makeCore();
    core.erase(PRIMARY, 0, 4 * KiB);
    core.program(PRIMARY, 0, new Uint8Array(8).fill(0x0f));
    core.setStrict(false);
    core.program(PRIMARY, 0, new Uint8Array(8).fill(0x3c));
    expect(core.read(PRIMARY, 0, 8)).toEqual(new Uint8Array(8).fill(0x0c));
    core.setStrict(true);
    expect(refused(core, () => core.program(PRIMARY, 0, new Uint8Array(8)), { counted: true }).rule).toBe('not erased');
  });

  it('counts a write to a unit that is not erased as the operation a power cut may take, as MCUboot does', () => {
    const core = makeCore();
    core.erase(PRIMARY, 0, 4 * KiB);
    core.program(PRIMARY, 0, new Uint8Array(8).fill(1));
    const before = core.dump();
    core.armPowerCut(1);
    expect(core.program(PRIMARY, 0, new Uint8Array(8).fill(2))).toEqual(new PowerCut(1, 'write', PRIMARY, 0, 8, 0));
    expect(changedRanges(before, core.dump())).toEqual([]);
  });
});

describe('counters and wear', () => {
  it('counts operations by kind, bytes programmed and erased, and erases per sector', () => {
    const core = makeCore();
    core.erase(PRIMARY, 0, 8 * KiB); // sectors 1, 2 of the part
    core.erase(PRIMARY, 4 * KiB, 4 * KiB); // sector 2 again
    core.erase(SCRATCH, 12 * KiB, 4 * KiB); // sector 36
    core.program(PRIMARY, 0, new Uint8Array(64));
    core.program(PRIMARY, 4 * KiB, new Uint8Array(8));
    expect(core.counters()).toEqual({ eraseOps: 3, writeOps: 2, bytesProgrammed: 72, bytesErased: 16 * KiB, violations: 0, failedWrites: 0 });
    const wear = Array.from(core.wear());
    expect(wear).toHaveLength(48);
    expect(wear[1]).toBe(1);
    expect(wear[2]).toBe(2);
    expect(wear[36]).toBe(1);
    expect(wear.reduce((s, x) => s + x, 0)).toBe(4);
  });

  it('counts reads as free, and starts again from zero after resetCounters', () => {
    const core = makeCore();
    core.erase(PRIMARY, 0, 4 * KiB);
    core.read(PRIMARY, 0, 4 * KiB);
    core.run((ex) => ex.flashRead(PRIMARY, 0, core.ioPtr, 4 * KiB));
    expect(core.counters().eraseOps + core.counters().writeOps).toBe(1);
    core.resetCounters();
    expect(core.counters()).toEqual({ eraseOps: 0, writeOps: 0, bytesProgrammed: 0, bytesErased: 0, violations: 0, failedWrites: 0 });
    expect(core.wear()[1]).toBe(1); // wear is the part's life, not a run's
  });

  it('keeps counters and wear across a reboot', () => {
    const core = makeCore();
    core.erase(SECONDARY, 0, 4 * KiB);
    core.program(SECONDARY, 0, new Uint8Array(16));
    core.reboot();
    expect(core.counters().eraseOps).toBe(1);
    expect(core.counters().writeOps).toBe(1);
    expect(core.wear()[17]).toBe(1);
  });

  it('logs each operation as an MCUboot trace line: kind, area, offset and length in hex', () => {
    const core = makeCore();
    core.erase(PRIMARY, 0x1000, 0x2000);
    core.program(SECONDARY, 0x10, new Uint8Array(0x20));
    expect(core.traceLines()).toEqual(['E 1 1000 2000', 'W 2 10 20']);
  });
});

describe('mixed sector sizes (STM32F4-like: 4 × 16 KiB, 64 KiB, 7 × 128 KiB)', () => {
  const stm32f4: GeometrySpec = {
    name: 'stm32f4-like',
    flash: [{ id: 0, sectors: [[16 * KiB, 4], [64 * KiB, 1], [128 * KiB, 7]], writeAlign: 1 }],
    areas: {
      primary: { flash: 0, offset: 0, size: 128 * KiB }, // 16, 16, 16, 16, 64
      secondary: { flash: 0, offset: 128 * KiB, size: 256 * KiB }, // 128, 128
      scratch: { flash: 0, offset: 384 * KiB, size: 128 * KiB },
    },
  };

  it('resolves an area of mixed sectors with its sector sizes in order', () => {
    const g = resolveGeometry(stm32f4);
    const primary = g.areas.find((a) => a.id === PRIMARY)!;
    expect(primary.sectorSizes).toEqual([16 * KiB, 16 * KiB, 16 * KiB, 16 * KiB, 64 * KiB]);
    expect(primary.uniformSector).toBe(0);
    expect(g.size).toBe(1024 * KiB);
  });

  it('erases a 16 KiB sector, the 64 KiB sector and a 128 KiB sector, each as one sector', () => {
    const core = new Core(resolveGeometry(stm32f4));
    const before = fillNonErased(core, 20);
    core.erase(PRIMARY, 32 * KiB, 16 * KiB);
    core.erase(PRIMARY, 64 * KiB, 64 * KiB);
    core.erase(SECONDARY, 128 * KiB, 128 * KiB);
    expect(changedRanges(before, core.dump())).toEqual([
      [32 * KiB, 48 * KiB],
      [64 * KiB, 128 * KiB],
      [256 * KiB, 384 * KiB],
    ]);
    expect(Array.from(core.wear())).toEqual([0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
  });

  it('erases the four 16 KiB sectors and the 64 KiB sector in one operation', () => {
    const core = new Core(resolveGeometry(stm32f4));
    fillNonErased(core, 21);
    core.erase(PRIMARY, 0, 128 * KiB);
    expect(core.read(PRIMARY, 0, 128 * KiB).every((b) => b === 0xff)).toBe(true);
    expect(Array.from(core.wear()).slice(0, 6)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(core.counters().eraseOps).toBe(1);
  });

  it('refuses to erase 16 KiB at the start of the 64 KiB sector', () => {
    const core = new Core(resolveGeometry(stm32f4));
    fillNonErased(core, 22);
    const e = refused(core, () => core.erase(PRIMARY, 64 * KiB, 16 * KiB));
    expect(e.rule).toBe('not a whole number of sectors');
    expect(e.message).toContain('offset 0x10000');
  });

  it('refuses an erase that starts inside the 64 KiB sector', () => {
    const core = new Core(resolveGeometry(stm32f4));
    fillNonErased(core, 23);
    expect(refused(core, () => core.erase(PRIMARY, 80 * KiB, 16 * KiB)).message).toContain('offset 0x14000');
  });
});

describe('write alignment', () => {
  for (const align of [1, 2, 4, 8, 16, 32]) {
    it(`programs units of ${align} byte(s) at every unit boundary of a sector`, () => {
      const core = makeCore({ writeAlign: align });
      core.erase(PRIMARY, 0, 4 * KiB);
      const data = seededBytes(4 * KiB, align);
      for (let off = 0; off < 4 * KiB; off += align) core.program(PRIMARY, off, data.subarray(off, off + align));
      expect(core.read(PRIMARY, 0, 4 * KiB)).toEqual(data);
      expect(core.counters().writeOps).toBe((4 * KiB) / align);
    });

    if (align > 1) {
      it(`refuses offsets and lengths that are not multiples of ${align}`, () => {
        const core = makeCore({ writeAlign: align });
        fillNonErased(core, 30 + align);
        core.erase(PRIMARY, 0, 4 * KiB);
        expect(refused(core, () => core.program(PRIMARY, align / 2, new Uint8Array(align))).offset).toBe(align / 2);
        expect(refused(core, () => core.program(PRIMARY, align, new Uint8Array(align + align / 2))).rule).toBe('misaligned');
        expect(refused(core, () => core.program(PRIMARY, 4 * KiB - 1, new Uint8Array(align))).message).toContain(`offset ${hex(4 * KiB - 1)}`);
      });
    }
  }
});

describe('power cut', () => {
  /** Five writes to consecutive units, then the first unit's sector is erased. */
  function fiveWritesAndAnErase(core: Core): Array<number | void | PowerCut> {
    const results: Array<number | void | PowerCut> = [];
    for (let i = 0; i < 5; i++) {
      const r = core.program(PRIMARY, 8 * i, new Uint8Array(8).fill(i + 1));
      results.push(r);
      if (r instanceof PowerCut) return results;
    }
    results.push(core.erase(PRIMARY, 0, 4 * KiB));
    return results;
  }

  it('lets operations 1..k-1 happen and not operation k', () => {
    for (let k = 1; k <= 5; k++) {
      const core = makeCore();
      core.erase(PRIMARY, 0, 4 * KiB);
      core.armPowerCut(k);
      const results = fiveWritesAndAnErase(core);
      expect(results).toHaveLength(k);
      expect(results.at(-1)).toBeInstanceOf(PowerCut);
      const units = core.read(PRIMARY, 0, 40);
      for (let i = 0; i < 5; i++) expect(units[8 * i], `unit ${i} with the cut at op ${k}`).toBe(i < k - 1 ? i + 1 : 0xff);
      expect(core.counters().writeOps).toBe(k - 1);
    }
  });

  it('reports the interrupted operation: index, kind, area, offset, length', () => {
    const core = makeCore();
    core.erase(PRIMARY, 0, 4 * KiB);
    core.armPowerCut(3);
    const cut = fiveWritesAndAnErase(core).at(-1);
    expect(cut).toEqual(new PowerCut(3, 'write', PRIMARY, 16, 8, 0));

    const core2 = makeCore();
    core2.armPowerCut(6);
    expect(fiveWritesAndAnErase(core2).at(-1)).toEqual(new PowerCut(6, 'erase', PRIMARY, 0, 4 * KiB, 0));
    // The erase did not happen: the five units are still programmed.
    expect(core2.read(PRIMARY, 32, 8)).toEqual(new Uint8Array(8).fill(5));
  });

  it('halts the core until it is rebooted; the reboot keeps flash and disarms the cut', () => {
    const core = makeCore();
    core.erase(PRIMARY, 0, 4 * KiB);
    core.armPowerCut(2);
    fiveWritesAndAnErase(core);
    expect(() => core.program(PRIMARY, 64, new Uint8Array(8))).toThrow(/halted/);
    const flash = core.dump();
    core.reboot();
    expect(changedRanges(flash, core.dump())).toEqual([]);
    core.erase(PRIMARY, 0, 4 * KiB);
    const results = fiveWritesAndAnErase(core);
    expect(results.some((r) => r instanceof PowerCut)).toBe(false);
    expect(core.read(PRIMARY, 0, 40).every((b) => b === 0xff)).toBe(true);
  });

  it('never cuts when armed with 0, and counts operations from the moment it was armed', () => {
    const core = makeCore();
    core.erase(PRIMARY, 0, 4 * KiB);
    core.armPowerCut(0);
    expect(fiveWritesAndAnErase(core).some((r) => r instanceof PowerCut)).toBe(false);
    expect(core.opIndex).toBe(6);
  });

  it('leaves the interrupted operation out of the op log', () => {
    const core = makeCore();
    core.armPowerCut(2);
    core.erase(PRIMARY, 0, 4 * KiB);
    core.program(PRIMARY, 0, new Uint8Array(8));
    expect(core.traceLines()).toEqual(['E 1 0 1000']);
  });
});

describe('fault models', () => {
  const DATA = seededBytes(512, 77).map((b) => (b === 0xff ? 0x7f : b));

  /** Erases a sector of primary, arms the fault, and programs 512 bytes at 0x100 as op 1. */
  function tornWrite(fault: FaultModel, seed: bigint, options: Parameters<typeof makeCore>[0] = {}) {
    const core = makeCore(options);
    fillNonErased(core, 40);
    core.erase(PRIMARY, 0, 4 * KiB);
    const before = core.dump();
    core.armPowerCut(1, fault, seed);
    const cut = core.program(PRIMARY, 0x100, DATA);
    if (!(cut instanceof PowerCut)) throw new Error('expected a power cut');
    return { core, before, after: core.dump(), cut, start: at(core, PRIMARY, 0x100) };
  }

  it('cut: the interrupted write does not happen at all', () => {
    const { before, after, cut } = tornWrite('cut', 1n);
    expect(cut.done).toBe(0);
    expect(changedRanges(before, after)).toEqual([]);
  });

  it('torn-write: a prefix of whole write units is programmed, never the whole write', () => {
    const dones = new Set<number>();
    for (let seed = 1n; seed <= 40n; seed++) {
      const { before, after, cut, start } = tornWrite('torn-write', seed);
      expect(cut.done % 8).toBe(0);
      expect(cut.done).toBeLessThan(DATA.length);
      expect(after.subarray(start, start + cut.done)).toEqual(DATA.subarray(0, cut.done));
      expect(after.subarray(start + cut.done, start + DATA.length).every((b) => b === 0xff)).toBe(true);
      expect(changedRanges(before, after).every(([from, to]) => from >= start && to <= start + cut.done)).toBe(true);
      dones.add(cut.done);
    }
    expect(dones.size).toBeGreaterThan(10); // the seed decides where the write tore
  });

  it('torn-erase: a prefix of the sector is erased, the rest keeps its bytes', () => {
    const dones = new Set<number>();
    for (let seed = 1n; seed <= 40n; seed++) {
      const core = makeCore();
      const before = fillNonErased(core, 41);
      core.armPowerCut(1, 'torn-erase', seed);
      const cut = core.erase(SECONDARY, 8 * KiB, 4 * KiB);
      if (!(cut instanceof PowerCut)) throw new Error('expected a power cut');
      const start = at(core, SECONDARY, 8 * KiB);
      expect(cut.done).toBeLessThan(4 * KiB);
      const after = core.dump();
      expect(after.subarray(start, start + cut.done).every((b) => b === 0xff)).toBe(true);
      expect(changedRanges(before, after)).toEqual(cut.done ? [[start, start + cut.done]] : []);
      dones.add(cut.done);
    }
    expect(dones.size).toBeGreaterThan(10);
  });

  for (const erasedValue of [0xff, 0x00]) {
    it(`bit-noise: the unit after the torn prefix only moves bits toward programmed (erased 0x${erasedValue.toString(16)})`, () => {
      const noisyUnits = new Set<string>();
      for (let seed = 1n; seed <= 40n; seed++) {
        const { before, after, cut, start } = tornWrite('bit-noise', seed, { erasedValue });
        expect(cut.done % 8).toBe(0);
        expect(after.subarray(start, start + cut.done)).toEqual(DATA.subarray(0, cut.done));
        // Every bit of the unit after the prefix is either as it was or as the write wanted
        // it; every other byte is as it was (or, in the prefix, as written).
        const wrong: number[] = [];
        for (let i = 0; i < before.length; i++) {
          const rel = i - start;
          if (rel >= 0 && rel < cut.done) continue;
          const [old, now] = [before[i], after[i]];
          const inNoisyUnit = rel >= cut.done && rel < cut.done + 8;
          const target = erasedValue === 0xff ? old & DATA[rel] : old | DATA[rel];
          if (inNoisyUnit ? ((now ^ old) & ~(target ^ old) & 0xff) !== 0 : now !== old) wrong.push(rel);
        }
        expect(wrong, `seed ${seed}`).toEqual([]);
        const unit = Buffer.from(after.subarray(start + cut.done, start + cut.done + 8)).toString('hex');
        const target = Buffer.from(DATA.subarray(cut.done, cut.done + 8)).toString('hex');
        if (unit !== target && unit !== Buffer.from(before.subarray(start + cut.done, start + cut.done + 8)).toString('hex')) noisyUnits.add(unit);
      }
      expect(noisyUnits.size).toBeGreaterThan(10); // half-programmed units do occur
    });
  }

  for (const fault of FAULT_MODELS) {
    it(`${fault}: the same seed gives the same bytes${fault === 'cut' ? '' : ', other seeds other bytes'}`, () => {
      const run = (seed: bigint) => {
        const { after, cut } = fault === 'torn-erase' ? tornEraseRun(seed) : tornWrite(fault, seed);
        return { flash: Buffer.from(after).toString('base64'), cut };
      };
      expect(run(1234n)).toEqual(run(1234n));
      const distinct = new Set([1n, 2n, 3n, 4n, 5n, 6n].map((s) => run(s).flash));
      if (fault === 'cut') expect(distinct.size).toBe(1);
      else expect(distinct.size).toBeGreaterThan(1);
    });
  }

  function tornEraseRun(seed: bigint) {
    const core = makeCore();
    fillNonErased(core, 42);
    core.armPowerCut(1, 'torn-erase', seed);
    const cut = core.erase(PRIMARY, 0, 4 * KiB);
    return { after: core.dump(), cut };
  }
});

describe('snapshot and restore', () => {
  it('restores the flash saved by a snapshot, as often as asked', () => {
    const core = makeCore();
    const original = fillNonErased(core, 50);
    const handle = core.snapshot();
    core.erase(PRIMARY, 0, 64 * KiB);
    core.program(PRIMARY, 0, new Uint8Array(64));
    core.restore(handle);
    expect(changedRanges(original, core.dump())).toEqual([]);
    core.erase(SCRATCH, 0, 16 * KiB);
    core.restore(handle);
    expect(changedRanges(original, core.dump())).toEqual([]);
  });

  it('overwrites a snapshot with saveSnapshot and keeps several snapshots apart', () => {
    const core = makeCore();
    const first = fillNonErased(core, 51);
    const a = core.snapshot();
    const b = core.snapshot();
    core.erase(SECONDARY, 0, 4 * KiB);
    const second = core.dump();
    core.saveSnapshot(b);
    core.restore(a);
    expect(changedRanges(first, core.dump())).toEqual([]);
    core.restore(b);
    expect(changedRanges(second, core.dump())).toEqual([]);
  });

  it('restores flash a strict core can program again, as the bytes say', () => {
    const core = makeCore();
    core.erase(PRIMARY, 0, 4 * KiB);
    const handle = core.snapshot();
    core.program(PRIMARY, 0, new Uint8Array(8).fill(1));
    core.restore(handle);
    expect(core.program(PRIMARY, 0, new Uint8Array(8).fill(2))).toBe(0);
  });
});

describe('bad regions', () => {
  it('refuses every write fully inside a region of rate 1, changing nothing and counting it', () => {
    const core = makeCore();
    core.erase(PRIMARY, 0, 8 * KiB);
    core.setBadRegions([{ area: PRIMARY, offset: 0x100, length: 0x100, rate: 1 }]);
    const before = core.dump();
    expect(core.program(PRIMARY, 0x100, new Uint8Array(0x100))).toBe(-1);
    expect(core.program(PRIMARY, 0x180, new Uint8Array(8))).toBe(-1);
    expect(changedRanges(before, core.dump())).toEqual([]);
    expect(core.counters()).toMatchObject({ writeOps: 2, failedWrites: 2, bytesProgrammed: 0 });
    expect(core.traceLines()).toEqual(['E 1 0 2000', 'W 1 100 100', 'W 1 180 8']);
    expect(core.log().map((e) => e.kind)).toEqual(['E', 'F', 'F']);
  });

  it('lets through a write that is not fully inside the region, and every write at rate 0', () => {
    const core = makeCore();
    core.erase(PRIMARY, 0, 8 * KiB);
    core.setBadRegions([
      { area: PRIMARY, offset: 0x100, length: 0x100, rate: 1 },
      { area: PRIMARY, offset: 0x1000, length: 0x1000, rate: 0 },
    ]);
    expect(core.program(PRIMARY, 0xf8, new Uint8Array(16))).toBe(0);
    expect(core.program(PRIMARY, 0x1000, new Uint8Array(0x1000))).toBe(0);
    expect(core.counters().failedWrites).toBe(0);
  });

  it('clears the bad regions when given none', () => {
    const core = makeCore();
    core.erase(PRIMARY, 0, 4 * KiB);
    core.setBadRegions([{ area: PRIMARY, offset: 0, length: 4 * KiB, rate: 1 }]);
    core.setBadRegions([]);
    expect(core.program(PRIMARY, 0, new Uint8Array(8))).toBe(0);
  });
});

describe('flash dumps', () => {
  it('treats dump bytes equal to the erased value as erased, and others as programmed', () => {
    const core = makeCore({ writeAlign: 4 });
    const dump = new Uint8Array(core.flashSize).fill(0xff);
    const start = at(core, PRIMARY, 0);
    dump.set(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff), start);
    core.loadDump(dump);
    expect(core.program(PRIMARY, 0, Uint8Array.of(1, 2, 3, 4))).toBe(0);
    expect(refused(core, () => core.program(PRIMARY, 4, Uint8Array.of(1, 2, 3, 4)), { counted: true }).rule).toBe('not erased');
    expect(core.read(PRIMARY, 0, 8)).toEqual(Uint8Array.of(1, 2, 3, 4, 0xff, 0xff, 0xfe, 0xff));
  });

  it('gives back the loaded dump byte for byte', () => {
    const core = makeCore();
    const dump = seededBytes(core.flashSize, 60);
    core.loadDump(dump);
    expect(changedRanges(dump, core.dump())).toEqual([]);
  });

  it('refuses a dump whose size is not the size of the flash', () => {
    const core = makeCore();
    expect(() => core.loadDump(new Uint8Array(100))).toThrow(UsageError);
    expect(() => core.loadDump(new Uint8Array(100))).toThrow(`dump is 100 bytes but test-part-a8-e255 has ${192 * KiB} bytes of flash`);
  });
});

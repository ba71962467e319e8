/**
 * Device profiles against the layout table of MCUboot's simulator (reference/mcuboot.md §7.4),
 * and device files against DESIGN.md "Device files".
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { getDevice, loadDeviceFile, parseDeviceFile } from '../../src/device/device-file.js';
import type { ResolvedArea } from '../../src/device/geometry.js';
import {
  DEFAULT_DEVICE,
  allProfiles,
  assertStrategyAllowed,
  findProfile,
  mcubootDeviceName,
  profileNames,
  resolveProfile,
} from '../../src/device/profiles.js';
import { geometryFromMatrixLayout, type MatrixLayout } from '../helpers/matrix-layout.js';
import { BOOT_STRATEGIES, parseStrategy, type BootStrategy } from '../../src/image/strategy.js';
import { resolveGeometry } from '../../src/device/geometry.js';

const KiB = 1024;

function areaOf(name: string, areaName: string): ResolvedArea {
  const a = getDevice(name).geometry.areas.find((x) => x.name === areaName);
  if (!a) throw new Error(`${name} has no ${areaName} area`);
  return a;
}

/** What §7.4 says of each area: device, offset within it, and its sector sizes. */
function expectArea(name: string, areaName: string, flash: number, offset: number, sectorSize: number, sectorCount: number) {
  const a = areaOf(name, areaName);
  expect({ device: a.device, offset: a.offset, size: a.size, sectors: a.sectorSizes }).toEqual({
    device: flash,
    offset,
    size: sectorSize * sectorCount,
    sectors: new Array(sectorCount).fill(sectorSize),
  });
}

/**
 * Expects a UsageError whose one-line message contains every fragment.
 * Returns the message so a test can say more about it.
 */
function usageError(fn: () => unknown, ...fragments: string[]): string {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(UsageError);
  const message = (caught as UsageError).message;
  expect(message).not.toContain('\n');
  for (const f of fragments) expect(message).toContain(f);
  return message;
}

describe('built-in profiles', () => {
  it.each(profileNames())('%s resolves to a valid geometry', (name) => {
    const d = getDevice(name);
    expect(d.name).toBe(name);
    expect(d.geometry.areas.map((a) => a.name)).toEqual(expect.arrayContaining(['primary', 'secondary']));
    expect(d.geometry.size).toBe(d.geometry.devices.reduce((s, dev) => s + dev.size, 0));
    for (const s of d.excluded) expect(BOOT_STRATEGIES).toContain(s);
  });

  it('covers every layout of MCUboot\'s simulator, under MCUboot\'s spelling too', () => {
    const mcuboot = ['stm32f4', 'stm32f4SpiFlash', 'stm32f769', 'k64f', 'k64fbig', 'nrf52840', 'Nrf52840UnequalSlots', 'Nrf52840UnequalSlotsLargerSlot1', 'Nrf52840SpiFlash', 'k64fmulti', 'smallpages', 'PSOCEdgeE8x'];
    for (const spelling of mcuboot) {
      const p = findProfile(spelling);
      expect(mcubootDeviceName(p.name)).toBe(spelling);
      expect(findProfile(spelling.toUpperCase()).name).toBe(p.name);
    }
    expect(new Set(mcuboot.map((s) => findProfile(s).name)).size).toBe(mcuboot.length);
  });

  it('names built-in profiles in lower case with dashes', () => {
    for (const name of profileNames()) expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('hands out copies that callers may change', () => {
    const p = findProfile('k64f');
    p.areas.primary.offset = 0;
    p.excluded.push('swap-move');
    expect(findProfile('k64f').areas.primary.offset).toBe(0x20000);
    expect(findProfile('k64f').excluded).toEqual([]);
  });

  it('rejects an unknown device name, naming it and the choices', () => {
    const message = usageError(() => getDevice('nrf52833'), "'nrf52833'", 'nrf52840', 'k64f-big');
    expect(message).toContain('--device-file');
  });

  it('defaults to nrf52840 with word (4-byte) writes', () => {
    const d = getDevice();
    expect(d.name).toBe(DEFAULT_DEVICE);
    expect(DEFAULT_DEVICE).toBe('nrf52840');
    expect(d.geometry.devices.map((dev) => dev.writeAlign)).toEqual([4]);
  });

  it('does not take a device name and a device file at once', () => {
    usageError(() => getDevice('k64f', 'board.json'), 'k64f', 'board.json', 'not both');
  });
});

describe('layouts of reference/mcuboot.md §7.4', () => {
  it('nrf52840: 52-sector slots at 0x8000 and 0x3c000, a 13-sector scratch at 0x70000', () => {
    expectArea('nrf52840', 'primary', 0, 0x8000, 4 * KiB, 52);
    expectArea('nrf52840', 'secondary', 0, 0x3c000, 4 * KiB, 52);
    expectArea('nrf52840', 'scratch', 0, 0x70000, 4 * KiB, 13);
    expect(getDevice('nrf52840').geometry.size).toBe(128 * 4 * KiB);
    // §7.4 (after MCUboot's comment) says this scratch does not divide the slot; it does, 4 × 13.
    expect(areaOf('nrf52840', 'primary').size % areaOf('nrf52840', 'scratch').size).toBe(0);
    expect(getDevice('nrf52840').timing).toEqual({ eraseMs: 85, programUs: 41, programBytes: 4, endurance: 10_000 });
  });

  it('nrf5340 (not in §7.4): the nRF5340 DK as Zephyr partitions it, 4 KiB pages, two 256 KiB slots, no scratch', () => {
    expectArea('nrf5340', 'primary', 0, 0x10000, 4 * KiB, 64);
    expectArea('nrf5340', 'secondary', 0, 0x80000, 4 * KiB, 64);
    expect(getDevice('nrf5340').excluded).toEqual(['swap-scratch']);
  });

  it('nrf52840dk (not in §7.4): the nRF52840 DK as Zephyr partitioned it, 103-page slots and a 30-page scratch', () => {
    expectArea('nrf52840dk', 'primary', 0, 0xc000, 4 * KiB, 103);
    expectArea('nrf52840dk', 'secondary', 0, 0x73000, 4 * KiB, 103);
    expectArea('nrf52840dk', 'scratch', 0, 0xda000, 4 * KiB, 30);
  });

  it('stm32f4: slots of 32K, 32K, 64K sectors and a single 128K scratch sector', () => {
    for (const [slot, offset] of [['primary', 0x20000], ['secondary', 0x40000]] as const) {
      const a = areaOf('stm32f4', slot);
      expect([a.offset, a.sectorSizes]).toEqual([offset, [32 * KiB, 32 * KiB, 64 * KiB]]);
      expect(a.uniformSector).toBe(0);
    }
    expectArea('stm32f4', 'scratch', 0, 0x60000, 128 * KiB, 1);
    expect(getDevice('stm32f4').geometry.size).toBe(512 * KiB);
    expect(areaOf('stm32f4', 'bootloader').sectorSizes).toEqual([16 * KiB, 16 * KiB, 16 * KiB, 16 * KiB, 64 * KiB]);
  });

  it('stm32f4-spi-flash: primary on the internal flash, secondary and scratch on 8K SPI sectors', () => {
    const d = getDevice('stm32f4-spi-flash');
    expect(d.geometry.devices.map((dev) => [dev.id, dev.base, dev.size])).toEqual([[0, 0, 512 * KiB], [1, 512 * KiB, 512 * KiB]]);
    expect(areaOf('stm32f4-spi-flash', 'primary').sectorSizes).toEqual([32 * KiB, 32 * KiB, 64 * KiB]);
    expectArea('stm32f4-spi-flash', 'secondary', 1, 0, 8 * KiB, 16);
    expectArea('stm32f4-spi-flash', 'scratch', 1, 0x20000, 8 * KiB, 16);
    // Offsets in a whole-device dump follow the devices in id order.
    expect(areaOf('stm32f4-spi-flash', 'secondary').start).toBe(512 * KiB);
  });

  it('stm32f769: 2 MiB in two banks, 512K slots at 0 and 0x100000, a 128K scratch at 0x80000', () => {
    const d = getDevice('stm32f769');
    expect(d.geometry.size).toBe(2048 * KiB);
    for (const [slot, offset] of [['primary', 0], ['secondary', 0x100000]] as const) {
      const a = areaOf('stm32f769', slot);
      expect([a.offset, a.size, a.sectorSizes]).toEqual([offset, 512 * KiB, [16 * KiB, 16 * KiB, 16 * KiB, 16 * KiB, 64 * KiB, 128 * KiB, 128 * KiB, 128 * KiB]]);
    }
    expectArea('stm32f769', 'scratch', 0, 0x80000, 128 * KiB, 1);
  });

  it('k64f: 32-sector slots at 0x20000 and 0x40000, one 4K scratch sector', () => {
    expectArea('k64f', 'primary', 0, 0x20000, 4 * KiB, 32);
    expectArea('k64f', 'secondary', 0, 0x40000, 4 * KiB, 32);
    expectArea('k64f', 'scratch', 0, 0x60000, 4 * KiB, 1);
    expect(getDevice('k64f').geometry.size).toBe(512 * KiB);
  });

  it('k64f-big: the same 512K part, but each area is one 128K sector', () => {
    expectArea('k64f-big', 'primary', 0, 0x20000, 128 * KiB, 1);
    expectArea('k64f-big', 'secondary', 0, 0x40000, 128 * KiB, 1);
    expectArea('k64f-big', 'scratch', 0, 0x60000, 128 * KiB, 1);
    expect(getDevice('k64f-big').geometry.size).toBe(getDevice('k64f').geometry.size);
  });

  it('nrf52840-unequal-slots: primary 60 sectors, secondary 59, no scratch', () => {
    expectArea('nrf52840-unequal-slots', 'primary', 0, 0x8000, 4 * KiB, 60);
    expectArea('nrf52840-unequal-slots', 'secondary', 0, 0x44000, 4 * KiB, 59);
    expect(getDevice('nrf52840-unequal-slots').geometry.areas.some((a) => a.name === 'scratch')).toBe(false);
  });

  it('nrf52840-unequal-slots-larger-slot1: primary 59 sectors, secondary 60, no scratch', () => {
    expectArea('nrf52840-unequal-slots-larger-slot1', 'primary', 0, 0x8000, 4 * KiB, 59);
    expectArea('nrf52840-unequal-slots-larger-slot1', 'secondary', 0, 0x43000, 4 * KiB, 60);
    expect(getDevice('nrf52840-unequal-slots-larger-slot1').geometry.areas.some((a) => a.name === 'scratch')).toBe(false);
  });

  it('nrf52840-spi-flash: 104-sector primary inside, 52 × 8K secondary and 12 × 8K scratch on SPI flash', () => {
    expectArea('nrf52840-spi-flash', 'primary', 0, 0x8000, 4 * KiB, 104);
    expectArea('nrf52840-spi-flash', 'secondary', 1, 0, 8 * KiB, 52);
    expectArea('nrf52840-spi-flash', 'scratch', 1, 0x68000, 8 * KiB, 12);
  });

  it('k64f-multi: a second image pair at 0x80000/0xa0000 with trace ids 4 and 5', () => {
    const d = getDevice('k64f-multi');
    expect(d.geometry.size).toBe(256 * 4 * KiB);
    expectArea('k64f-multi', 'primary1', 0, 0x80000, 4 * KiB, 32);
    expectArea('k64f-multi', 'secondary1', 0, 0xa0000, 4 * KiB, 32);
    expect(d.geometry.areas.map((a) => [a.name, a.id])).toEqual([['bootloader', 0], ['primary', 1], ['secondary', 2], ['scratch', 3], ['primary1', 4], ['secondary1', 5]]);
  });

  it('small-pages: 256 pages of 512 B per slot, more than BOOT_MAX_IMG_SECTORS', () => {
    expectArea('small-pages', 'primary', 0, 0x20000, 512, 256);
    expectArea('small-pages', 'secondary', 0, 0x40000, 512, 256);
    expectArea('small-pages', 'scratch', 0, 0x60000, 512, 32);
  });

  it('psoc-edge-e8x: 16-sector slots at 0x20000 and 0x30000, an 8K scratch', () => {
    expectArea('psoc-edge-e8x', 'primary', 0, 0x20000, 4 * KiB, 16);
    expectArea('psoc-edge-e8x', 'secondary', 0, 0x30000, 4 * KiB, 16);
    expectArea('psoc-edge-e8x', 'scratch', 0, 0x40000, 4 * KiB, 2);
    expect(getDevice('psoc-edge-e8x').geometry.size).toBe(96 * 4 * KiB);
  });

  it('excludes the strategies MCUboot\'s simulator excludes', () => {
    const none: BootStrategy[] = [];
    const moveOffset: BootStrategy[] = ['swap-move', 'swap-offset'];
    const selecting: BootStrategy[] = ['direct-xip', 'direct-xip-revert', 'ram-load', 'ram-load-revert'];
    const expected: Record<string, BootStrategy[]> = {
      stm32f4: moveOffset,
      'stm32f4-spi-flash': moveOffset,
      stm32f769: moveOffset,
      k64f: none,
      'k64f-big': moveOffset,
      nrf52840: none,
      'nrf52840-unequal-slots': ['swap-scratch', 'overwrite-only', 'swap-offset'],
      'nrf52840-unequal-slots-larger-slot1': ['swap-scratch', 'overwrite-only', 'swap-move', ...selecting],
      'nrf52840-spi-flash': moveOffset,
      'k64f-multi': none,
      'small-pages': [...BOOT_STRATEGIES],
      'psoc-edge-e8x': ['overwrite-only', 'swap-scratch', 'swap-move', ...selecting],
    };
    for (const [name, excluded] of Object.entries(expected)) {
      expect([name, [...getDevice(name).excluded].sort()]).toEqual([name, [...excluded].sort()]);
    }
  });

  it('refuses a strategy the layout excludes, and names what it supports', () => {
    const d = getDevice('nrf52840-unequal-slots');
    expect(() => assertStrategyAllowed(d, 'swap-move')).not.toThrow();
    usageError(() => assertStrategyAllowed(d, 'swap-scratch'), 'nrf52840-unequal-slots', 'swap-scratch', 'swap-move');
  });

  it('keeps every write alignment within the default BOOT_MAX_ALIGN of 8, the same on every device of a part', () => {
    for (const p of allProfiles()) {
      const aligns = new Set(p.flash.map((f) => f.writeAlign));
      expect(aligns.size).toBe(1);
      expect([...aligns][0]).toBeLessThanOrEqual(8);
    }
  });
});

describe('vector layouts', () => {
  it('mcuboot-boot: one 0x41000-byte device, 4K sectors, align 8, slots at 0 and 0x20000, scratch at 0x40000', () => {
    const d = getDevice('mcuboot-boot');
    expect(d.geometry.size).toBe(0x41000);
    expect(d.geometry.devices.map((dev) => [dev.writeAlign, dev.erasedValue])).toEqual([[8, 0xff]]);
    expectArea('mcuboot-boot', 'primary', 0, 0, 4 * KiB, 32);
    expectArea('mcuboot-boot', 'secondary', 0, 0x20000, 4 * KiB, 32);
    expectArea('mcuboot-boot', 'scratch', 0, 0x40000, 4 * KiB, 1);
  });

  const stm32f4Matrix: MatrixLayout = {
    name: 'stm32f4',
    device_size: 393216,
    sectors: [[32768, 2], [65536, 1], [32768, 2], [65536, 1], [131072, 1]],
    write_alignment: 1,
    erased_value: 0,
    areas: [
      { id: 1, name: 'primary (slot 0)', offset: 0, size: 131072 },
      { id: 2, name: 'secondary (slot 1)', offset: 131072, size: 131072 },
      { id: 3, name: 'scratch', offset: 262144, size: 131072 },
    ],
  };

  it('turns a matrix layout into a geometry with the same sectors, alignment and erased value', () => {
    const g = resolveGeometry(geometryFromMatrixLayout(stm32f4Matrix));
    expect(g.size).toBe(stm32f4Matrix.device_size);
    expect(g.devices.map((d) => [d.writeAlign, d.erasedValue])).toEqual([[1, 0]]);
    expect(g.areas.map((a) => [a.id, a.name, a.start, a.size])).toEqual(stm32f4Matrix.areas.map((a) => [a.id, ['primary', 'secondary', 'scratch'][a.id - 1], a.offset, a.size]));
    expect(g.areas.find((a) => a.name === 'scratch')!.sectorSizes).toEqual([131072]);
  });

  it('names further image pairs of a matrix layout by their trace ids', () => {
    const layout: MatrixLayout = { ...stm32f4Matrix, areas: [...stm32f4Matrix.areas.slice(0, 2), { id: 4, name: 'p1', offset: 262144, size: 65536 }, { id: 5, name: 's1', offset: 327680, size: 65536 }] };
    expect(Object.keys(geometryFromMatrixLayout(layout).areas)).toEqual(['primary', 'secondary', 'primary1', 'secondary1']);
  });

  it('rejects a matrix layout whose sectors do not add up to its device size', () => {
    usageError(() => geometryFromMatrixLayout({ ...stm32f4Matrix, device_size: 393217 }), 'stm32f4', '393216', '393217');
  });
});

describe('strategy names', () => {
  it('parses every strategy, case-insensitively', () => {
    for (const s of BOOT_STRATEGIES) {
      expect(parseStrategy(s)).toBe(s);
      expect(parseStrategy(s.toUpperCase())).toBe(s);
    }
  });

  it('rejects an unknown strategy, naming it', () => {
    usageError(() => parseStrategy('swap-mvoe'), '"swap-mvoe"', 'swap-move');
    usageError(() => parseStrategy(3), '3', 'overwrite-only');
  });
});

describe('device files', () => {
  // The example of DESIGN.md, "Device files".
  const example = {
    name: 'my-board',
    flash: [{ id: 0, sectors: [[16384, 4], [65536, 1], [131072, 3]], writeAlign: 8, erasedValue: 255 }],
    areas: {
      primary: { flash: 0, offset: 131072, size: 131072 },
      secondary: { flash: 0, offset: 262144, size: 131072 },
      scratch: { flash: 0, offset: 393216, size: 131072 },
    },
    timing: { eraseMs: 85, programUs: 41, programBytes: 4 },
  };
  const text = (v: unknown) => JSON.stringify(v);
  const edit = (f: (o: any) => void) => {
    const o = structuredClone(example) as any;
    f(o);
    return text(o);
  };
  const parse = (t: string) => resolveProfile(parseDeviceFile(t, 'board.json'));

  it('reads the example of DESIGN.md', () => {
    const d = parse(text(example));
    expect(d.name).toBe('my-board');
    expect(d.geometry.size).toBe(512 * KiB);
    expect(d.timing).toEqual(example.timing);
    expect(d.excluded).toEqual([]);
    expect(d.geometry.areas.map((a) => [a.name, a.start, a.sectorCount])).toEqual([['primary', 131072, 1], ['secondary', 262144, 1], ['scratch', 393216, 1]]);
  });

  it('reads the full timing form: typical figures, endurance, erase commands smaller than a sector, erase times by sector size', () => {
    const timing = { eraseMs: 115, eraseMsTypical: 15, eraseBytes: 4096, programUs: 150, programUsTypical: 90, programBytes: 8, endurance: 10000 };
    expect(parse(edit((o) => (o.timing = timing))).timing).toEqual(timing);
    const bySize = { eraseBySize: [[16384, 800, 400], [65536, 2400], [131072, 4000, 2000]], programUs: 100, programBytes: 1 };
    expect(parse(edit((o) => (o.timing = bySize))).timing).toEqual(bySize);
  });

  it('reads one set of timing figures per flash device', () => {
    const d = parse(
      edit((o) => {
        o.flash.push({ id: 1, sectors: [[8192, 64]], writeAlign: 4 });
        o.areas.scratch = { flash: 1, offset: 0, size: 131072 };
        o.timing = [{ flash: 0, eraseMs: 85, programUs: 41, programBytes: 4 }, { flash: 1, eraseMs: 400, eraseMsTypical: 45, eraseBytes: 4096, programUs: 3000, programBytes: 256 }];
      }),
    );
    expect(Array.isArray(d.timing) && d.timing.map((t) => t.flash)).toEqual([0, 1]);
  });

  it('reads excluded strategies and a second image pair', () => {
    const d = parse(
      edit((o) => {
        o.excluded = ['swap-move', 'SWAP-OFFSET'];
        o.flash[0].sectors = [[4096, 256]];
        o.areas = { primary: { flash: 0, offset: 0, size: 0x20000 }, secondary: { flash: 0, offset: 0x20000, size: 0x20000 }, primary1: { flash: 0, offset: 0x40000, size: 0x20000 }, secondary1: { flash: 0, offset: 0x60000, size: 0x20000 } };
      }),
    );
    expect(d.excluded).toEqual(['swap-move', 'swap-offset']);
    expect(d.geometry.areas.map((a) => a.id)).toEqual([1, 2, 4, 5]);
  });

  it('loads a file from disk and names the device after it when the file gives no name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'brickproof-device-'));
    const path = join(dir, 'board-x.json');
    writeFileSync(path, edit((o) => delete o.name));
    expect(loadDeviceFile(path).name).toBe('board-x');
    const d = getDevice(undefined, path);
    expect(d.name).toBe('board-x');
    expect(d.geometry.size).toBe(512 * KiB);
  });

  it('names the file in layout errors found while resolving it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'brickproof-device-'));
    const path = join(dir, 'overlap.json');
    writeFileSync(path, edit((o) => (o.areas.secondary.offset = 131072)));
    usageError(() => getDevice(undefined, path), path, 'overlap');
  });

  it('reports a file it cannot read', () => {
    usageError(() => getDevice(undefined, '/nonexistent/board.json'), '/nonexistent/board.json', 'ENOENT');
  });

  it.each([
    ['text that is not JSON', '{"name": "x",', ['board.json', 'not JSON']],
    ['a list at the top', '[1, 2]', ['board.json', 'must be an object', '[1,2]']],
    ['a missing flash list', edit((o) => delete o.flash), ['board.json', "missing 'flash'"]],
    ['missing areas', edit((o) => delete o.areas), ['board.json', "missing 'areas'"]],
    ['an empty flash list', edit((o) => (o.flash = [])), ['flash must be a non-empty list', '[]']],
    ['an unknown top-level key', edit((o) => (o.sectorSize = 4096)), ["unknown key 'sectorSize'"]],
    ['an unknown flash key', edit((o) => (o.flash[0].pageSize = 4096)), ['flash[0]', "unknown key 'pageSize'"]],
    ['an unknown area key', edit((o) => (o.areas.primary.device = 0)), ['areas.primary', "unknown key 'device'"]],
    ['an unknown timing key', edit((o) => (o.timing.readNs = 1)), ['timing', "unknown key 'readNs'"]],
    ['an unknown area name', edit((o) => (o.areas.slot2 = { flash: 0, offset: 0, size: 16384 })), ["'slot2'"]],
    ['a missing area field', edit((o) => delete o.areas.secondary.size), ['areas.secondary', "missing 'size'"]],
    ['a missing writeAlign', edit((o) => delete o.flash[0].writeAlign), ['flash[0]', "missing 'writeAlign'"]],
    ['a string where a number belongs', edit((o) => (o.flash[0].writeAlign = '8')), ['flash[0].writeAlign', '"8"']],
    ['a fractional offset', edit((o) => (o.areas.primary.offset = 1.5)), ['areas.primary.offset', '1.5']],
    ['a sector run that is not a pair', edit((o) => (o.flash[0].sectors[1] = [65536])), ['flash[0].sectors[1]', '[65536]']],
    ['a non-string name', edit((o) => (o.name = 7)), ['name', '7']],
    ['an unknown excluded strategy', edit((o) => (o.excluded = ['swap-scratch', 'xip-load'])), ['excluded[1]', '"xip-load"']],
    ['a strategy excluded twice', edit((o) => (o.excluded = ['swap-move', 'swap-move'])), ['excluded', 'swap-move twice']],
    ['a negative erase time', edit((o) => (o.timing.eraseMs = -1)), ['timing.eraseMs', '-1']],
    ['a fractional program unit', edit((o) => (o.timing.programBytes = 2.5)), ['timing.programBytes', '2.5']],
    ['timing without any erase time', edit((o) => delete o.timing.eraseMs), ['timing', "missing 'eraseMs'"]],
    ['a typical time above the maximum', edit((o) => (o.timing.eraseMsTypical = 90)), ['timing.eraseMsTypical 90', 'eraseMs 85']],
    ['a fractional endurance', edit((o) => (o.timing.endurance = 1.5)), ['timing.endurance', '1.5']],
    ['an erase-by-size row that is not [size, max, typical?]', edit((o) => (o.timing.eraseBySize = [[16384]])), ['timing.eraseBySize[0]', '[16384]']],
    ['timing for a flash device the file does not have', edit((o) => (o.timing = [{ ...o.timing, flash: 3 }])), ['timing[0].flash 3', 'not a flash device']],
    ['a timing list entry without its flash id', edit((o) => (o.timing = [o.timing])), ['timing[0]', "missing 'flash'"]],
    ['two timing entries for one flash device', edit((o) => (o.timing = [{ ...o.timing, flash: 0 }, { ...o.timing, flash: 0 }])), ['timing[1]', 'flash 0 again']],
    ['a second primary without its secondary', edit((o) => (o.areas.primary1 = { flash: 0, offset: 0, size: 65536 })), ['primary1', 'secondary1']],
  ])('rejects %s', (_what, input, fragments) => {
    usageError(() => parse(input), ...fragments);
  });

  it.each([
    ['overlapping areas', edit((o) => (o.areas.secondary.offset = 131072)), ['my-board', 'primary', 'secondary', 'overlap']],
    ['a write alignment that is not a power of two', edit((o) => (o.flash[0].writeAlign = 3)), ['writeAlign 3', 'power of two']],
    ['a write alignment above 32', edit((o) => (o.flash[0].writeAlign = 64)), ['writeAlign 64']],
    ['an erased value other than 0x00 or 0xff', edit((o) => (o.flash[0].erasedValue = 7)), ['erasedValue 7', '255 or 0']],
    ['an area off a sector boundary', edit((o) => (o.areas.primary.offset = 4096)), ['primary', '0x1000', 'sector boundary']],
    ['an area that is not whole sectors', edit((o) => (o.areas.scratch.size = 65536)), ['scratch', '0x10000', 'whole number of sectors']],
    ['an area past the end of the flash', edit((o) => (o.areas.scratch.offset = 524288)), ['scratch', 'past the end']],
    ['an area on an undefined flash', edit((o) => (o.areas.scratch.flash = 1)), ['scratch', 'flash 1', 'not defined']],
    ['a missing secondary slot', edit((o) => delete o.areas.secondary), ['secondary area is missing']],
    ['a sector smaller than the write alignment', edit((o) => (o.flash[0].sectors = [[4, 131072]], o.flash[0].writeAlign = 8)), ['sector size 4', 'write alignment 8']],
  ])('rejects %s (a layout rule)', (_what, input, fragments) => {
    usageError(() => parse(input), 'board.json', ...fragments);
  });
});

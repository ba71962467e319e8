/**
 * The strategy bench (issue 12) reads its figures off the simulated update: the flash
 * model's counters, its wear table and its op log. These tests hold that accounting against
 * what MCUboot's algorithms (reference/mcuboot.md §5) say each strategy must do, and never
 * look at the clock.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { getDevice } from '../../src/device/device-file.js';
import { bootTrailerSize } from '../../src/image/trailer.js';
import { benchCase, benchStrategies, defaultSizes, maxImageSizeOf, supportedStrategies, type StrategyResult } from '../../src/bench/strategies.js';
import type { Strategy } from '../../src/device/strategy.js';

const KiB = 1024;
const once = { repeat: 1 };

function areaSectors(result: StrategyResult, area: string): number[] {
  return Object.entries(result.sectorErases)
    .filter(([name]) => name.startsWith(`${area}[`))
    .sort(([a], [b]) => Number(a.slice(area.length + 1, -1)) - Number(b.slice(area.length + 1, -1)))
    .map(([, n]) => n);
}

describe('overwrite-only (§5.1)', () => {
  it('erases each primary sector once and programs each image byte once', async () => {
    const nrf = getDevice('nrf52840');
    const primary = nrf.geometry.areas.find((a) => a.name === 'primary')!;
    const r = await benchCase(nrf, 'overwrite-only', 64 * KiB, 'permanent', once);
    expect(areaSectors(r, 'primary')).toEqual(new Array(primary.sectorCount).fill(1));
    // The flash model refuses to program a byte twice between erases (strict mode), and each
    // primary sector was erased once: no byte was programmed twice. The copy covers the image
    // (the whole slot, trailer included, without MCUBOOT_OVERWRITE_ONLY_FAST).
    expect(r.areas.primary!.bytesProgrammed).toBe(primary.size);
    expect(r.canRevert).toBe(false);
  });

  it('with MCUBOOT_OVERWRITE_ONLY_FAST erases and programs only what the image needs', async () => {
    const nrf = getDevice('nrf52840');
    const size = 64 * KiB + 100;
    const r = await benchCase(nrf, 'overwrite-only', size, 'permanent', { ...once, overwriteFast: true });
    const erased = areaSectors(r, 'primary');
    expect(erased.every((n) => n === 1)).toBe(true);
    // The image's 17 sectors and the trailer's sector.
    expect(erased.length).toBe(Math.ceil(size / 4096) + 1);
    expect(r.areas.primary!.bytesProgrammed).toBeGreaterThanOrEqual(size);
    expect(r.areas.primary!.bytesProgrammed).toBeLessThan(size + 4096);
  });
});

describe('swap-scratch (§5.2)', () => {
  it.each([64 * KiB, 'max'] as const)('erases a one-sector scratch once per swapped sector, plus once for the trailer it held (k64f, %s)', async (which) => {
    const k64f = getDevice('k64f');
    const size = which === 'max' ? maxImageSizeOf(k64f, 'swap-scratch') : which;
    const r = await benchCase(k64f, 'swap-scratch', size, 'permanent', once);
    const swapped = Math.ceil(size / 4096);
    // Region 1 erases the scratch a second time: once it has served as the trailer's
    // temporary home (§5.2, state 1 of idx 1, or the backward scramble after state 3).
    expect(r.sectorErases['scratch[0]']).toBe(swapped + 1);
    expect(r.worstSector).toBe('scratch[0]');
    // Each slot sector that takes part in the swap is erased once.
    expect(areaSectors(r, 'secondary').every((n) => n === 1)).toBe(true);
  });

  it('erases a 13-sector scratch once per 13 swapped sectors, plus once (nrf52840)', async () => {
    const nrf = getDevice('nrf52840');
    for (const size of [64 * KiB, 128 * KiB]) {
      const r = await benchCase(nrf, 'swap-scratch', size, 'permanent', once);
      expect(areaSectors(r, 'scratch')).toEqual(new Array(13).fill(Math.ceil(size / 4096 / 13) + 1));
    }
  });

  it('prices a 256 KiB upgrade on the nRF52840 DK at the datasheet maxima, operation by operation', async () => {
    const r = await benchCase(getDevice('nrf52840dk'), 'swap-scratch', 256 * KiB, 'permanent', once);
    // 64 image sectors swap in regions of 30, 30 and 4 through the 30-sector scratch. Each
    // region erases the whole scratch, then its secondary and primary sectors; region 1
    // also scrambles both slots' trailer sectors and erases the scratch once more:
    // (30+1+30+1+30+30) + (30+30+30) + (30+4+4) = 250 page erases.
    expect(r.ops.erase).toBe(250);
    // Three copies of the image (768 KiB) and 96 bytes of trailer and status records.
    expect(r.bytesProgrammed).toBe(3 * 256 * KiB + 96);
    // tERASEPAGE 85 ms, tWRITE 41 µs per 32-bit word (nRF52840 PS, maxima).
    expect(r.estimatedSeconds).toBeCloseTo(250 * 0.085 + ((3 * 256 * KiB + 96) / 4) * 41e-6, 6);
    expect(r.estimatedSecondsTypical).toBeNull();
  });
});

describe('swap-move (§5.3) and swap-offset (§5.4)', () => {
  it("swap-move's largest image is one sector smaller than the slot, less the trailer's sectors", () => {
    const nrf = getDevice('nrf52840');
    const slot = nrf.geometry.areas.find((a) => a.name === 'primary')!.size;
    const trailer = bootTrailerSize({ writeSize: 4, maxAlign: 8, maxSectors: 128, states: 3 }).total;
    expect(trailer).toBeLessThan(4096);
    expect(maxImageSizeOf(nrf, 'swap-move')).toBe(slot - 4096 - 4096);
    // Swap-scratch needs no spare sector: only the trailer itself comes off.
    expect(maxImageSizeOf(nrf, 'swap-scratch')).toBe(slot - trailer);
  });

  it('runs the largest image swap-move takes, and refuses one a write unit larger', async () => {
    const nrf = getDevice('nrf52840');
    const max = maxImageSizeOf(nrf, 'swap-move');
    const r = await benchCase(nrf, 'swap-move', max, 'permanent', once);
    expect(r.maxImageSize).toBe(max);
    await expect(benchCase(nrf, 'swap-move', max + 4, 'permanent', once)).rejects.toThrow(UsageError);
  });

  it('swap-move erases every primary sector the image uses twice (move, then swap); swap-offset once', async () => {
    const nrf = getDevice('nrf52840');
    const move = await benchCase(nrf, 'swap-move', 64 * KiB, 'permanent', once);
    const offset = await benchCase(nrf, 'swap-offset', 64 * KiB, 'permanent', once);
    expect(move.maxSectorErases).toBe(2);
    expect(offset.maxSectorErases).toBe(1);
    expect(move.updatesUntilWornOut).toBe(10_000 / 2);
    expect(offset.updatesUntilWornOut).toBe(10_000);
  });
});

describe('every swap strategy', () => {
  const nrf = getDevice('nrf52840');
  const swaps: Strategy[] = ['swap-scratch', 'swap-move', 'swap-offset'];

  it.each(swaps)('%s: a test upgrade that reverts costs about twice a permanent one, and does revert', async (strategy) => {
    const perm = await benchCase(nrf, strategy, 128 * KiB, 'permanent', once);
    const revert = await benchCase(nrf, strategy, 128 * KiB, 'test-revert', once);
    expect(revert.boots).toBe(2);
    expect(revert.canRevert).toBe(true);
    expect(perm.canRevert).toBe(true);
    for (const [a, b] of [
      [revert.ops.erase, perm.ops.erase],
      [revert.ops.write, perm.ops.write],
      [revert.bytesProgrammed, perm.bytesProgrammed],
      [revert.estimatedSeconds!, perm.estimatedSeconds!],
    ]) {
      expect(a / b).toBeGreaterThan(1.9);
      expect(a / b).toBeLessThan(2.1);
    }
  });

  it('does the same flash work every time: the figures depend on nothing but the case', async () => {
    const a = await benchCase(nrf, 'swap-offset', 64 * KiB, 'test-revert', once);
    const b = await benchCase(nrf, 'swap-offset', 64 * KiB, 'test-revert', once);
    const { simMs: _a, onDeviceToSimulated: _ra, ...fa } = a;
    const { simMs: _b, onDeviceToSimulated: _rb, ...fb } = b;
    expect(fa).toEqual(fb);
  });
});

describe('against the real MCUboot', () => {
  // reference/mcuboot.md §7.6: MCUboot's bootutil C code, run against a flash model on the
  // k64f layout (128 KiB slots of 4 KiB sectors, 4 KiB scratch, write size 8), maximal
  // images, counting one op per erase or write call. TEST and revert are two power-ons.
  it.each([
    ['swap-scratch', 0x1f3d0, { erase: 97, write: 481 }, 576 + 577],
    ['swap-move', 0x1e000, { erase: 92, write: 455 }, 546 + 551],
    ['swap-offset', 0x1e000, { erase: 62, write: 306 }, 367 + 376],
  ] as const)('%s makes the operations MCUboot made: a permanent upgrade, and a test upgrade then its revert', async (strategy, size, perm, testAndRevert) => {
    const k64f = getDevice('k64f');
    const p = await benchCase(k64f, strategy, size, 'permanent', once);
    const t = await benchCase(k64f, strategy, size, 'test-revert', once);
    expect(p.ops).toEqual(perm);
    expect(t.ops.erase + t.ops.write).toBe(testAndRevert);
  });

  it('overwrite-only makes the 162 operations MCUboot made (§5.1: 32 + 2 erases, 128 writes)', async () => {
    const r = await benchCase(getDevice('k64f'), 'overwrite-only', 0x1f3d0, 'permanent', once);
    expect(r.ops).toEqual({ erase: 34, write: 128 });
  });
});

describe('time and wear estimates', () => {
  it('uses typical figures where the datasheet gives them (K64F) and none where it gives only maxima (nRF)', async () => {
    const k64f = await benchCase(getDevice('k64f'), 'swap-move', 64 * KiB, 'permanent', once);
    expect(k64f.estimatedSecondsTypical).not.toBeNull();
    expect(k64f.estimatedSecondsTypical!).toBeLessThan(k64f.estimatedSeconds!);
    const ext = await benchCase(getDevice('nrf52840-spi-flash'), 'swap-scratch', 64 * KiB, 'permanent', once);
    expect(ext.estimatedSeconds).not.toBeNull();
    expect(ext.estimatedSecondsTypical).toBeNull();
  });

  it('prices external NOR erases per 4 KiB command and its endurance separately from the internal flash', async () => {
    const ext = await benchCase(getDevice('nrf52840-spi-flash'), 'swap-scratch', 64 * KiB, 'permanent', once);
    // All erases: nRF pages (85 ms) in the primary, 8 KiB external sectors (2 × 400 ms) elsewhere.
    const internal = ext.areas.primary!.erase;
    const external = ext.ops.erase - internal;
    const eraseMax = internal * 0.085 + external * 2 * 0.4;
    expect(ext.estimatedSeconds!).toBeGreaterThan(eraseMax);
    // Each flash device is priced apart: the W25Q64JV has typical figures, the nRF52840 does not.
    expect(ext.byFlash.map((f) => f.flash)).toEqual([0, 1]);
    expect(ext.byFlash[0]!.estimatedSeconds! + ext.byFlash[1]!.estimatedSeconds!).toBeCloseTo(ext.estimatedSeconds!, 9);
    expect(ext.byFlash[0]!.estimatedSecondsTypical).toBeNull();
    expect(ext.byFlash[1]!.estimatedSecondsTypical!).toBeLessThan(ext.byFlash[1]!.estimatedSeconds!);
    // The scratch (W25Q64JV, 100 000 cycles) is erased most, but the nRF pages (10 000) wear out first.
    expect(ext.worstSector).toMatch(/^scratch\[/);
    expect(ext.updatesUntilWornOut).toBe(10_000);
  });

  it('gives no estimate, rather than zero, where a figure is missing', async () => {
    const none = await benchCase(getDevice('mcuboot-boot'), 'swap-move', 64 * KiB, 'permanent', once);
    expect([none.estimatedSeconds, none.estimatedSecondsTypical, none.updatesUntilWornOut, none.onDeviceToSimulated]).toEqual([null, null, null, null]);
    // The simulator's STM32F4 layout has 32 KiB sectors, which the real part does not.
    const stm = await benchCase(getDevice('stm32f4'), 'swap-scratch', 64 * KiB, 'permanent', once);
    expect(stm.estimatedSeconds).toBeNull();
  });

  it('counts the staging (download and boot_set_pending) apart, and adds its erases to a whole cycle', async () => {
    const r = await benchCase(getDevice('nrf52840'), 'overwrite-only', 64 * KiB, 'permanent', once);
    expect(r.staging.ops.erase).toBe(16);
    expect(r.staging.bytesProgrammed).toBeGreaterThanOrEqual(64 * KiB);
    // The secondary's first sector: erased by the download, and again by the bootloader.
    expect(r.maxSectorErasesWithStaging).toBe(2);
  });
});

describe('the matrix', () => {
  it('steps image sizes by 64 KiB up to the largest that fits, which it includes', () => {
    expect(defaultSizes(200 * KiB)).toEqual([64 * KiB, 128 * KiB, 192 * KiB, 200 * KiB]);
    expect(defaultSizes(128 * KiB)).toEqual([64 * KiB, 128 * KiB]);
    expect(defaultSizes(40 * KiB)).toEqual([40 * KiB]);
  });

  it('runs only what the device supports, and says so when nothing is left', async () => {
    expect(supportedStrategies(getDevice('stm32f4'))).toEqual(['overwrite-only', 'swap-scratch']);
    expect(supportedStrategies(getDevice('nrf5340'))).toEqual(['overwrite-only', 'swap-move', 'swap-offset']);
    await expect(benchStrategies(getDevice('stm32f4'), { strategies: ['swap-move'], repeat: 1 })).rejects.toThrow(/supports: overwrite-only, swap-scratch/);
  });

  it('refuses an image size that fits none of the strategies', async () => {
    await expect(benchStrategies(getDevice('nrf52840'), { sizes: [1024 * KiB], repeat: 1 })).rejects.toThrow(/fits none/);
  });
});

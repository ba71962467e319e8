/**
 * `maxImageSize` (src/image/slot-limits.ts, what `brickproof verify` and `sign` use) and the
 * simulated bootloader's own bootutil_max_image_size (assembly/) are two implementations of
 * reference mcuboot.md §3.8: they must agree on every built-in layout, for every strategy it
 * runs, BOOT_MAX_ALIGN and BOOT_MAX_IMG_SECTORS.
 */
import { describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { allProfiles, resolveProfile } from '../../src/device/profiles.js';
import { maxImageSize } from '../../src/image/index.js';
import { SWAP_STRATEGIES as BOOT_STRATEGIES } from '../../src/image/strategy.js';

describe('the largest image a slot takes', () => {
  for (const profile of allProfiles().map(resolveProfile)) {
    const strategies = BOOT_STRATEGIES.filter((s) => !profile.excluded.includes(s));
    if (!strategies.length) continue;
    it(`is the same in TypeScript and in the core on ${profile.name} (${strategies.join(', ')}; max-align 8, 16, 32; max-sectors 128, 1024)`, () => {
      const g = profile.geometry;
      const primary = g.areas.find((a) => a.id === 1)!;
      const secondary = g.areas.find((a) => a.id === 2)!;
      const writeSize = g.devices.find((d) => d.id === primary.device)!.writeAlign;
      let compared = 0;
      for (const strategy of strategies) {
        for (const maxAlign of [8, 16, 32] as const) {
          for (const maxSectors of [128, 1024]) {
            const core = new Device(g, { strategy, maxAlign, maxSectors });
            const inCore = Math.min(core.maxImageSize(0), core.maxImageSize(1));
            // Non-uniform slots (swap-scratch, overwrite-only): the trailer starts in the last sector.
            const sectorSize = primary.uniformSector || primary.sectorSizes.at(-1)!;
            const inTs = maxImageSize(strategy, { slotSize: primary.size, secondarySlotSize: secondary.size, sectorSize, writeSize, maxAlign, maxSectors });
            expect({ strategy, maxAlign, maxSectors, size: inTs }).toEqual({ strategy, maxAlign, maxSectors, size: inCore });
            compared++;
          }
        }
      }
      expect(compared).toBe(strategies.length * 6);
    });
  }
});

/**
 * MCUboot simulator tests for the modes beside the four swaps (reference/mcuboot.md §7.5):
 * direct_xip_first, ram_load_first / out_of_bounds / missing_header_flag /
 * failed_validation / corrupt_higher_version_image, dependency_combos,
 * hw_prot_missing_security_cnt, hw_prot_failed_security_cnt_check, bootstrap and
 * oversized_bootstrap — on every device combination of sim.ts whose layout runs the mode
 * (k64f-multi for two images). Not ported: ram_load_split and the overlapping-images case
 * (multi-image ram-load, which brickproof does not build).
 */
import { describe, expect, it } from 'vitest';
import { isPowerCut } from '../../src/core/index.js';
import type { BootResult, Device } from '../../src/device/device.js';
import { DEFAULT_RAM } from '../../src/device/device.js';
import { signImage, type Dependency, type SignOptions } from '../../src/image/index.js';
import { bootMagic, trailerLayout } from '../../src/image/trailer.js';
import { STRATEGY_INFO } from '../../src/image/strategy.js';
import { combinations, comboName, makeDevice, type BuildOptions, type Combination } from './sim.js';

const PRIMARY = 1;
const SECONDARY = 2;

/** A hash-only image of `size` payload bytes, version `major`.0.1, as imgtool signs it for this device's write size. */
function image(dev: Device, major: number, size: number, extra: Partial<SignOptions> = {}): Promise<Uint8Array> {
  const body = Uint8Array.from({ length: size }, (_, i) => (i * (major + 3) + 11) & 0xff);
  return signImage(body, { headerSize: 32, padHeader: true, version: { major, minor: 0, revision: 1, build: 0 }, ...extra });
}

/** The flash address of an area: its offset in its own flash device (flash_device_base() is 0). */
function address(dev: Device, area: number): number {
  const a = dev.core.area(area);
  return a.start - dev.geometry.devices.find((d) => d.id === a.device)!.base;
}

/** imgtool --pad: the magic at the slot end (what revert builds need of every bootable slot). */
function pad(dev: Device, area: number, confirm = false): void {
  const layout = trailerLayout(dev.core.area(area).size, dev.options.maxAlign);
  dev.core.place(area, layout.magicOffset, bootMagic(dev.options.maxAlign));
  if (confirm) dev.core.place(area, layout.imageOkOffset, Uint8Array.of(1));
}

function boot(dev: Device): BootResult {
  const r = dev.boot();
  if (isPowerCut(r)) throw new Error('unexpected power cut');
  return r;
}

const erased = (dev: Device, area: number) => {
  const e = dev.geometry.devices[0].erasedValue;
  return dev.core.peekArea(area).every((b) => b === e);
};

describe('direct_xip_first: both slots hold valid images, the secondary is newer: the boot runs the secondary', () => {
  for (const strategy of ['direct-xip', 'direct-xip-revert'] as const) {
    for (const c of combinations(strategy)) {
      it(comboName(c), async () => {
        const dev = makeDevice(c);
        dev.core.place(PRIMARY, 0, await image(dev, 0, 5000, { romFixed: address(dev, PRIMARY) }));
        dev.core.place(SECONDARY, 0, await image(dev, 1, 6000, { romFixed: address(dev, SECONDARY) }));
        if (strategy === 'direct-xip-revert') {
          pad(dev, PRIMARY, true);
          pad(dev, SECONDARY);
        }
        const r = boot(dev);
        expect(r).toMatchObject({ outcome: 'ok', slot: SECONDARY, activeSlot: 1, version: { major: 1 } });
        expect(dev.core.area(r.slot).offset).toBe(dev.core.area(SECONDARY).offset);
      });
    }
  }
});

describe('ram_load: the chosen image is copied into RAM at its load address and validated there', () => {
  for (const strategy of ['ram-load', 'ram-load-revert'] as const) {
    for (const c of combinations(strategy)) {
      const ram = DEFAULT_RAM.start;
      const setup = async (build: BuildOptions = {}) => {
        const dev = makeDevice(c, build);
        const revert = strategy === 'ram-load-revert';
        return { dev, revert };
      };
      it(`${comboName(c)}: ram_load_first — RAM holds the newer image`, async () => {
        const { dev, revert } = await setup();
        const v1 = await image(dev, 0, 5000, { loadAddr: ram });
        const v2 = await image(dev, 1, 6000, { loadAddr: ram });
        dev.core.place(PRIMARY, 0, v1);
        dev.core.place(SECONDARY, 0, v2);
        if (revert) {
          pad(dev, PRIMARY, true);
          pad(dev, SECONDARY);
        }
        const r = boot(dev);
        expect(r).toMatchObject({ outcome: 'ok', activeSlot: 1, version: { major: 1 }, ramLoad: { address: ram, size: v2.length } });
        expect(dev.ram().subarray(0, v2.length)).toEqual(v2);
      });

      const failing: Array<[string, (dev: Device) => Promise<Uint8Array>]> = [
        ['ram_load_out_of_bounds — a load address past the RAM window', (dev) => image(dev, 1, 6000, { loadAddr: ram + DEFAULT_RAM.size - 100 })],
        ['ram_load_missing_header_flag — no RAM_LOAD flag', (dev) => image(dev, 1, 6000)],
        ['ram_load_failed_validation — a corrupted body', async (dev) => {
          const v = await image(dev, 1, 6000, { loadAddr: ram });
          v[100] ^= 1;
          return v;
        }],
      ];
      for (const [what, make] of failing) {
        it(`${comboName(c)}: ${what}: the image is not run, its slot is erased, and with nothing else the boot fails`, async () => {
          const { dev, revert } = await setup();
          dev.core.place(SECONDARY, 0, await make(dev));
          if (revert) pad(dev, SECONDARY);
          const r = boot(dev);
          expect(r.outcome).toBe('no-image');
          expect(erased(dev, SECONDARY)).toBe(true);
          expect(dev.ram().every((b) => b === 0)).toBe(true);
        });
      }

      it(`${comboName(c)}: ram_load_corrupt_higher_version_image — the newer image is corrupt: the older one runs`, async () => {
        const { dev, revert } = await setup();
        const v1 = await image(dev, 0, 5000, { loadAddr: ram });
        const v2 = await image(dev, 1, 6000, { loadAddr: ram });
        v2[200] ^= 0x80;
        dev.core.place(PRIMARY, 0, v1);
        dev.core.place(SECONDARY, 0, v2);
        if (revert) {
          pad(dev, PRIMARY, true);
          pad(dev, SECONDARY);
        }
        const r = boot(dev);
        expect(r).toMatchObject({ outcome: 'ok', activeSlot: 0, version: { major: 0 } });
        expect(dev.ram().subarray(0, v1.length)).toEqual(v1);
        // What the rejected image left in RAM past the one that runs is cleared.
        expect(dev.ram().subarray(v1.length, v2.length).every((b) => b === 0)).toBe(true);
      });
    }
  }
});

// ---- dependency_combos ------------------------------------------------------------------

const v = (major: number, revision = 0) => ({ major, minor: 0, revision, build: 0 });
const dep = (imageId: number, major: number, revision = 0): Dependency => ({ imageId, version: v(major, revision) });

/**
 * Two images on k64f-multi, both at 1.0.0 in their primaries. Per row: whether each image
 * has an update (2.0.0) staged as permanent, its DEPENDENCY TLVs, and which images end
 * upgraded. Any unmet dependency holds every image back (§5.7).
 */
const DEPENDENCY_COMBOS: Array<{ name: string; staged: [boolean, boolean]; deps: [Dependency[], Dependency[]]; upgraded: [boolean, boolean] }> = [
  { name: 'no dependencies', staged: [true, true], deps: [[], []], upgraded: [true, true] },
  { name: 'image 0 needs image 1 at 2.0.0, both staged', staged: [true, true], deps: [[dep(1, 2)], []], upgraded: [true, true] },
  { name: 'each needs the other at 2.0.0', staged: [true, true], deps: [[dep(1, 2)], [dep(0, 2)]], upgraded: [true, true] },
  { name: 'image 0 needs image 1 at 2.0.0, only image 0 staged', staged: [true, false], deps: [[dep(1, 2)], []], upgraded: [false, false] },
  { name: 'image 0 needs image 1 at 1.0.0, only image 0 staged (the primary satisfies it)', staged: [true, false], deps: [[dep(1, 1)], []], upgraded: [true, false] },
  { name: 'image 1 needs image 0 at 3.0.0', staged: [true, true], deps: [[], [dep(0, 3)]], upgraded: [false, false] },
  { name: 'image 0 needs image 1 at 2.0.1 (one revision past the update)', staged: [true, true], deps: [[dep(1, 2, 1)], []], upgraded: [false, false] },
  { name: 'image 0 needs an image 2 that does not exist', staged: [true, true], deps: [[dep(2, 1)], []], upgraded: [false, false] },
  { name: 'only image 1 staged, needing image 0 at 1.0.0', staged: [false, true], deps: [[], [dep(0, 1)]], upgraded: [false, true] },
  { name: 'only image 1 staged, needing image 0 at 2.0.0', staged: [false, true], deps: [[], [dep(0, 2)]], upgraded: [false, false] },
  { name: 'image 1 needs image 0 at 2.0.0 and image 0 needs image 1 at 1.0.0, both staged', staged: [true, true], deps: [[dep(1, 1)], [dep(0, 2)]], upgraded: [true, true] },
];

describe('dependency_combos: an unmet dependency holds every image back', () => {
  for (const strategy of ['swap-scratch', 'swap-move', 'swap-offset', 'overwrite-only'] as const) {
    const c: Combination = { profile: 'k64f-multi', strategy, align: 8, erased: 0xff };
    for (const row of DEPENDENCY_COMBOS) {
      it(`${comboName(c)}: ${row.name}: ${row.upgraded.map((u, i) => `image ${i} ${u ? 'upgraded' : 'held'}`).join(', ')}`, async () => {
        const dev = makeDevice(c, { images: 2 });
        for (const i of [0, 1]) {
          const primary = i === 0 ? PRIMARY : 4;
          dev.core.place(primary, 0, await image(dev, 1, 4000 + i * 100, { version: v(1) }));
          if (!row.staged[i]) continue;
          const offset = STRATEGY_INFO[strategy].updateOffset === 'one-sector' ? dev.core.area(primary + 1).sectorSizes[0] : 0;
          dev.core.place(primary + 1, offset, await image(dev, 2, 5000 + i * 100, { version: v(2), dependencies: row.deps[i] }));
          expect(dev.setNext(primary + 1, false, true)).toBe(0);
        }
        const r = boot(dev);
        expect(r.outcome).toBe('ok');
        for (const i of [0, 1]) {
          const h = dev.readSwapState(i === 0 ? PRIMARY : 4);
          expect([i, h.version]).toEqual([i, row.upgraded[i] ? '2.0.0+0' : '1.0.0+0']);
        }
        // Held back, a staged image stays where it was uploaded (nothing erased).
        for (const i of [0, 1]) if (row.staged[i] && !row.upgraded[i]) expect(dev.readSwapState(i === 0 ? SECONDARY : 5).version).toBe('2.0.0+0');
      });
    }
  }
});

// ---- hardware rollback ------------------------------------------------------------------

describe('hw_prot_*: an image without a security counter, or below the NV counter, does not boot and the counter stays', () => {
  for (const strategy of ['swap-scratch', 'swap-move', 'swap-offset', 'overwrite-only'] as const) {
    for (const c of combinations(strategy)) {
      for (const [what, counter] of [['hw_prot_missing_security_cnt', undefined], ['hw_prot_failed_security_cnt_check', 29]] as const) {
        it(`${comboName(c)}: ${what}`, async () => {
          const dev = makeDevice(c, { hwRollback: true });
          dev.nvCounters = [30];
          dev.core.place(PRIMARY, 0, await image(dev, 1, 5000, counter === undefined ? {} : { securityCounter: counter }));
          expect(boot(dev).outcome).toBe('no-image');
          expect(dev.nvCounters[0]).toBe(30);
        });
      }
    }
  }
});

// ---- bootstrap --------------------------------------------------------------------------

describe('bootstrap: an empty primary gets the secondary image; an over-size one is not installed', () => {
  for (const strategy of ['swap-scratch', 'swap-move', 'swap-offset'] as const) {
    for (const c of combinations(strategy)) {
      const updateAt = (dev: Device) => (STRATEGY_INFO[strategy].updateOffset === 'one-sector' ? dev.core.area(SECONDARY).sectorSizes[0] : 0);
      it(`${comboName(c)}: bootstrap`, async () => {
        const dev = makeDevice(c, { bootstrap: true });
        const img = await image(dev, 1, 7000);
        dev.core.place(SECONDARY, updateAt(dev), img);
        const r = boot(dev);
        expect(r).toMatchObject({ outcome: 'ok', version: { major: 1 } });
        expect(dev.core.peekArea(PRIMARY).subarray(0, img.length)).toEqual(img);
        const t = dev.readSwapState(PRIMARY);
        expect([t.imageOk, t.copyDone]).toEqual(['set', 'set']);
        // Swap-scratch copies the whole slot, trailer included: the secondary's (erased) magic comes along (mcuboot-modes recordings).
        expect(t.magic).toBe(strategy === 'swap-scratch' ? 'unset' : 'good');
        expect(boot(dev)).toMatchObject({ outcome: 'ok', version: { major: 1 }, ops: { erase: 0, write: 0 } });
      });

      it(`${comboName(c)}: oversized_bootstrap`, async () => {
        const dev = makeDevice(c, { bootstrap: true });
        const max = dev.maxImageSize(1);
        const img = await image(dev, 1, max - 32 - 40 + Math.max(8, c.align));
        dev.core.place(SECONDARY, updateAt(dev), img.subarray(0, Math.min(img.length, dev.core.area(SECONDARY).size - updateAt(dev))));
        expect(boot(dev).outcome).toBe('no-image');
        expect(erased(dev, PRIMARY)).toBe(true);
      });
    }
  }
});

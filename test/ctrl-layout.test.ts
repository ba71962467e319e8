/**
 * The values that cross the WebAssembly boundary (assembly/ctrl.ts, "Values that cross the
 * boundary"), which the build turns into the named tables of src/ctrl-layout.ts: every name
 * has one value and every value one name, the lists TypeScript offers are exactly those
 * names, and the built core does with each value what TypeScript's name for it says.
 */
import { describe, expect, it } from 'vitest';
import { AREA_IDS, BOOT_OUTCOMES, BUG_BITS, FAULT_MODEL_IDS, OPTION_BITS, STRATEGY_IDS, SWAP_TYPES } from '../src/ctrl-layout.js';
import { Core, FAULT_MODELS, PowerCut, type FaultModel } from '../src/core/index.js';
import { Device, type BootloaderOptions, type BootResult } from '../src/device/device.js';
import { PRIMARY, SCRATCH, SECONDARY, areaId, resolveGeometry } from '../src/device/geometry.js';
import { BOOT_STRATEGIES as STRATEGIES, SWAP_STRATEGIES } from '../src/image/strategy.js';
import { VARIANTS } from '../src/campaign/variants.js';
import { maxImageSize } from '../src/image/slot-limits.js';
import { signImage } from '../src/image/index.js';

const K = 4096;

/** 4 KiB sectors, write size 4: slots of 32 sectors and a scratch area of 4. */
function layout(secondarySectors: number) {
  return resolveGeometry({
    name: 'boundary-test',
    flash: [{ id: 0, sectors: [[K, 72]], writeAlign: 4 }],
    areas: {
      primary: { flash: 0, offset: 0, size: 32 * K },
      secondary: { flash: 0, offset: 32 * K, size: secondarySectors * K },
      scratch: { flash: 0, offset: 65 * K, size: 4 * K },
    },
  });
}
const geometry = layout(32);

const TABLES = { STRATEGY_IDS, OPTION_BITS, FAULT_MODEL_IDS, BUG_BITS, AREA_IDS, SWAP_TYPES, BOOT_OUTCOMES };

describe('the names of the values that cross the boundary', () => {
  for (const [table, byName] of Object.entries(TABLES)) {
    it(`${table}: every name has one value, and every value maps back to its name`, () => {
      const entries = Object.entries(byName);
      const byValue = new Map(entries.map(([name, value]) => [value, name]));
      expect(byValue.size).toBe(entries.length);
      for (const [name, value] of entries) {
        expect(byValue.get(value)).toBe(name);
        expect(byName[name as keyof typeof byName]).toBe(value);
      }
    });
  }

  it('offers exactly the strategies the core is built with, in id order', () => {
    expect([...STRATEGIES]).toEqual(Object.keys(STRATEGY_IDS));
    expect(STRATEGIES.map((s) => STRATEGY_IDS[s])).toEqual(STRATEGIES.map((_, i) => i));
  });

  it('offers exactly the fault models the core implements, in id order', () => {
    expect([...FAULT_MODELS]).toEqual(Object.keys(FAULT_MODEL_IDS));
    expect(FAULT_MODELS.map((f) => FAULT_MODEL_IDS[f])).toEqual(FAULT_MODELS.map((_, i) => i));
  });

  it('gives every historical variant the bit its name names, and every bit a variant', () => {
    for (const v of VARIANTS) expect(v.bit, v.name).toBe(BUG_BITS[v.name.split('@')[1] as keyof typeof BUG_BITS]);
    expect(VARIANTS.map((v) => v.name.split('@')[1]).sort()).toEqual(Object.keys(BUG_BITS).sort());
  });

  it('resolves device-file area names to the core area ids', () => {
    for (const [name, id] of Object.entries(AREA_IDS)) expect(areaId(name), name).toBe(id);
    expect([PRIMARY, SECONDARY, SCRATCH]).toEqual([AREA_IDS.primary, AREA_IDS.secondary, AREA_IDS.scratch]);
    expect([areaId('primary2'), areaId('secondary2'), areaId('secondary9')]).toEqual([6, 7, 21]);
  });
});

// ---- what the built core understands ----------------------------------------------------

const image = (version: string, size: number, seed: number) => {
  const body = Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed * 17) & 0xff);
  return signImage(body, { headerSize: 32, padHeader: true, version });
};

function device(options: Partial<BootloaderOptions> = {}): Device {
  return new Device(geometry, { strategy: 'swap-scratch', ...options });
}

function booted(d: Device): BootResult {
  const r = d.boot();
  if (r instanceof PowerCut) throw new Error('no power cut was armed');
  return r;
}

describe('the built core understands each value as TypeScript names it', () => {
  it('STRATEGY_IDS: each strategy allows its own maximum image size (reference/mcuboot.md §3.8)', () => {
    // A secondary one sector larger: swap-move keeps its spare sector in the primary,
    // swap-offset in the secondary, so all four sizes differ.
    const uneven = layout(33);
    const sizes = STRATEGIES.map((strategy) => new Device(uneven, { strategy }).maxImageSize(0));
    // Direct-xip and ram-load give up only the trailer's fields, as overwrite-only does.
    expect(new Set(sizes).size).toBe(SWAP_STRATEGIES.length);
    const expected = STRATEGIES.map((strategy) => maxImageSize(strategy, { slotSize: 32 * K, secondarySlotSize: 33 * K, sectorSize: K, writeSize: 4 }));
    expect(sizes).toEqual(expected);
  });

  it('AREA_IDS: a swap-scratch upgrade goes through the primary, the secondary and the scratch, and boots the primary', async () => {
    const d = device();
    d.core.place(PRIMARY, 0, await image('1.0.0', 20 * K, 1));
    d.core.place(SECONDARY, 0, await image('2.0.0', 20 * K, 2));
    expect(d.setPending(true)).toBe(0);
    const r = booted(d);
    expect(r.outcome).toBe('ok');
    expect(r.slot).toBe(PRIMARY);
    const areas = new Set(d.trace().map((line) => Number(line.split(' ')[1])));
    expect([...areas].sort()).toEqual([PRIMARY, SECONDARY, SCRATCH].sort());
  });

  it('SWAP_TYPES and BOOT_OUTCOMES: a test upgrade is asked for, performed, reverted; an empty device boots nothing', async () => {
    const d = device();
    expect(booted(d)).toMatchObject({ outcome: 'no-image', requested: 'none', swapType: 'none', slot: 0 });
    d.core.place(PRIMARY, 0, await image('1.0.0', 20 * K, 1));
    d.core.place(SECONDARY, 0, await image('2.0.0', 20 * K, 2));
    expect(d.setPending(false)).toBe(0);
    expect(booted(d)).toMatchObject({ outcome: 'ok', requested: 'test', swapType: 'test', version: { major: 2 } });
    expect(booted(d)).toMatchObject({ outcome: 'ok', requested: 'revert', swapType: 'revert', version: { major: 1 } });
    expect(booted(d)).toMatchObject({ outcome: 'ok', requested: 'none', swapType: 'none', version: { major: 1 } });
    d.core.place(SECONDARY, 0, await image('2.0.0', 20 * K, 2));
    expect(d.setPending(true)).toBe(0);
    expect(booted(d)).toMatchObject({ requested: 'perm', swapType: 'perm', version: { major: 2 } });
  });

  it('OPTION_BITS: validatePrimary and skipImageChecks decide whether a corrupt primary boots', async () => {
    const corrupt = await image('1.0.0', 8 * K, 1);
    corrupt[100] ^= 0xff; // in the payload: the hash no longer matches
    const outcome = (o: Partial<BootloaderOptions>) => {
      const d = device(o);
      d.core.place(PRIMARY, 0, corrupt);
      return booted(d).outcome;
    };
    expect(outcome({ validatePrimary: true })).toBe('no-image');
    expect(outcome({ validatePrimary: false })).toBe('ok');
    expect(outcome({ validatePrimary: true, skipImageChecks: true })).toBe('ok');
  });

  it('OPTION_BITS: downgradePrevention refuses an older image in the secondary', async () => {
    const version = async (downgradePrevention: boolean) => {
      const d = device({ downgradePrevention });
      d.core.place(PRIMARY, 0, await image('2.0.0', 8 * K, 2));
      d.core.place(SECONDARY, 0, await image('1.0.0', 8 * K, 1));
      expect(d.setPending(true)).toBe(0);
      return booted(d).version?.major;
    };
    expect(await version(true)).toBe(2);
    expect(await version(false)).toBe(1);
  });

  it('OPTION_BITS: overwriteFast erases only the sectors the new image needs', async () => {
    const erases = async (overwriteFast: boolean) => {
      const d = device({ strategy: 'overwrite-only', overwriteFast });
      d.core.place(PRIMARY, 0, await image('1.0.0', 8 * K, 1));
      d.core.place(SECONDARY, 0, await image('2.0.0', 8 * K, 2));
      expect(d.setPending(true)).toBe(0);
      const r = booted(d);
      expect(r.version?.major).toBe(2);
      return r.ops.erase;
    };
    // The image's 9 sectors (32 KiB and its header and TLVs) and the trailer's, then the
    // secondary's first and last: 12; without the option every primary sector (32) and those two.
    expect([await erases(true), await erases(false)]).toEqual([12, 34]);
  });

  it('FAULT_MODEL_IDS: each fault model does to the interrupted operation what its name says (DESIGN.md, "Faults")', () => {
    const DATA = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 1) & 0x7f);
    const observe = (fault: FaultModel) => {
      const seen = { writePartlyDone: false, writeUnitHalfProgrammed: false, erasePartlyDone: false };
      for (let seed = 1n; seed <= 24n; seed++) {
        const core = new Core(geometry);
        core.armPowerCut(1, fault, seed);
        const cut = core.program(PRIMARY, 0, DATA);
        if (!(cut instanceof PowerCut)) throw new Error('the write was not cut');
        const after = core.read(PRIMARY, 0, 64);
        for (let i = 0; i < 64; i++) expect(after[i]).toBe(i < cut.done ? DATA[i] : i < cut.done + 4 ? after[i] : 0xff);
        const unit = [...after.subarray(cut.done, cut.done + 4)];
        if (cut.done > 0) seen.writePartlyDone = true;
        if (unit.some((b, i) => b !== 0xff && b !== DATA[cut.done + i])) seen.writeUnitHalfProgrammed = true;

        core.reboot();
        core.program(PRIMARY, K, DATA);
        core.armPowerCut(1, fault, seed);
        const erase = core.erase(PRIMARY, K, K);
        if (!(erase instanceof PowerCut)) throw new Error('the erase was not cut');
        if (erase.done > 0) seen.erasePartlyDone = true;
      }
      return seen;
    };
    const expected: Record<FaultModel, ReturnType<typeof observe>> = {
      cut: { writePartlyDone: false, writeUnitHalfProgrammed: false, erasePartlyDone: false },
      'torn-write': { writePartlyDone: true, writeUnitHalfProgrammed: false, erasePartlyDone: false },
      'torn-erase': { writePartlyDone: false, writeUnitHalfProgrammed: false, erasePartlyDone: true },
      'bit-noise': { writePartlyDone: true, writeUnitHalfProgrammed: true, erasePartlyDone: false },
    };
    for (const fault of FAULT_MODELS) expect(observe(fault), fault).toEqual(expected[fault]);
  });
});

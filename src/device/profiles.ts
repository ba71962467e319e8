/**
 * Built-in device profiles: every flash layout of MCUboot's simulator (`make_device`,
 * reference/mcuboot.md §7.4) and the layout the recorded `mcuboot-boot` vectors ran on. A profile is a device file (DESIGN.md,
 * "Device files") written in TypeScript: a GeometrySpec plus the strategies the layout cannot
 * run (`excluded`, MCUboot's "modes excluded" column) and optional datasheet timing.
 *
 * What §7.4 leaves open, and what is chosen here:
 * - Write alignment. MCUboot's simulator runs every device at each of 1, 2, 4 and 8 bytes; a
 *   profile needs one value, so each takes its part's program unit (noted per profile), never
 *   more than BOOT_MAX_ALIGN's default of 8, so that a default build can boot every profile.
 *   As in the simulator, every flash device of a profile gets the same alignment.
 * - The bootloader. The simulator does not model it: below the first slot sits only a
 *   partition table. Where the first slot leaves room at the start of the boot flash (device 0),
 *   the profile names that room as the `bootloader` area (trace id 0), so that flash maps show
 *   it and nothing else may be placed there.
 * - Erased value 0xff everywhere (NOR). The simulator also runs 0x00; a device file can say so.
 */
import { UsageError } from '../errors.js';
import { resolveGeometry, type AreaSpec, type Geometry, type GeometrySpec } from './geometry.js';
import { BOOT_STRATEGIES, type BootStrategy } from '../image/strategy.js';

/**
 * Datasheet figures for time and wear estimates (`brickproof bench`). The first form of a
 * device file's `timing` had three fields, all maxima: one sector erase (`eraseMs`), one
 * program unit (`programUs` per `programBytes`). Everything else is optional, so that such
 * files stay valid; a figure the datasheet does not give is left out, never guessed.
 */
export interface FlashTiming {
  /** The flash device (its id) these figures describe; absent: every flash device of the profile. */
  flash?: number;
  /** Maximum time of one sector erase (or of one `eraseBytes` erase, when given). */
  eraseMs?: number;
  /** Typical time of the same erase, when the datasheet gives one. */
  eraseMsTypical?: number;
  /**
   * The erase command's size when it is smaller than the layout's sectors (a NOR part's
   * 4 KiB sector erase under a layout of 8 KiB sectors): a sector takes size / eraseBytes
   * of them. Absent: `eraseMs` is per sector, whatever its size.
   */
  eraseBytes?: number;
  /**
   * Erase times of parts whose sectors differ in size (STM32F4): `[sectorSize, maxMs,
   * typicalMs?]`. When given, a sector of a size it does not list has no erase time.
   */
  eraseBySize?: Array<[number, number] | [number, number, number]>;
  /** Maximum time to program one unit of `programBytes` (a word, a phrase, a NOR page). */
  programUs: number;
  programUsTypical?: number;
  programBytes: number;
  /** Erase cycles each sector is specified to survive (the datasheet's minimum endurance). */
  endurance?: number;
}

export interface DeviceProfile extends GeometrySpec {
  name: string;
  /** Strategies this layout cannot run (MCUboot's simulator skips them too). */
  excluded: BootStrategy[];
  /** One set of figures for every flash device, or one per device (`flash` names it). */
  timing?: FlashTiming | FlashTiming[];
}

/** A profile checked and flattened: what the rest of brickproof builds a device from. */
export interface ResolvedProfile {
  name: string;
  profile: DeviceProfile;
  geometry: Geometry;
  excluded: BootStrategy[];
  timing?: FlashTiming | FlashTiming[];
}

export const DEFAULT_DEVICE = 'nrf52840';

const KiB = 1024;
const area = (offset: number, size: number, flash = 0): AreaSpec => ({ flash, offset, size });

/** STM32F4-style sector map of §7.4 (512 KiB): 16K×4, 64K, then 32K,32K,64K twice, 128K. */
const STM32F4_SECTORS: Array<[number, number]> = [
  [16 * KiB, 4], [64 * KiB, 1], [32 * KiB, 2], [64 * KiB, 1], [32 * KiB, 2], [64 * KiB, 1], [128 * KiB, 1],
];
/** One bank of the STM32F769 in dual-bank mode (1 MiB): 16K×4, 64K, 128K×7. */
const STM32F769_BANK: Array<[number, number]> = [[16 * KiB, 4], [64 * KiB, 1], [128 * KiB, 7]];

// ---- datasheet timing (issue 12) ------------------------------------------------------------
// Each figure names the document and table it comes from. Where a datasheet gives only a
// maximum, there is no typical here: estimates built on maxima are upper bounds.

/**
 * nRF52840 internal flash. nRF52840 Product Specification v1.11, NVMC chapter, "Electrical
 * specification" (flash programming): tWRITE, time to write one 32-bit word, 41 µs;
 * tERASEPAGE, time to erase one 4 KiB page, 85 ms. Both are maxima; the PS gives no typical.
 * Endurance: "Absolute maximum ratings", flash endurance 10 000 write/erase cycles.
 * (The first two figures are the example of DESIGN.md, "Device files".)
 */
const NRF52840_TIMING: FlashTiming = { eraseMs: 85, programUs: 41, programBytes: 4, endurance: 10_000 };

/**
 * nRF5340 application core flash. nRF5340 Product Specification, NVMC chapter,
 * "Electrical specification": tWRITE 43 µs per 32-bit word, tERASEPAGE 87.5 ms per 4 KiB
 * page, maxima only (the same figures Nordic's nRF hardware models use for the nRF5340:
 * nrf_hw_config.h, NHW_NVMC_FLASH_T_WRITE 43, NHW_NVMC_FLASH_T_ERASEPAGE 87500 µs).
 * Endurance: "Absolute maximum ratings", 10 000 write/erase cycles.
 */
const NRF5340_TIMING: FlashTiming = { eraseMs: 87.5, programUs: 43, programBytes: 4, endurance: 10_000 };

/**
 * STM32F405/407 internal flash. DS8626 (STM32F405xx/STM32F407xx datasheet), §6.3.12
 * "Flash memory characteristics", Table 40 "Flash memory programming", at program/erase
 * parallelism x8 (PSIZE = 00: byte programming, the profile's 1-byte write unit):
 * t_prog 16 µs typical / 100 µs maximum; t_ERASE16KB 400 / 800 ms; t_ERASE64KB 1200 /
 * 2400 ms; t_ERASE128KB 2 / 4 s. The part has no 32 KiB sectors (MCUboot's simulator layout
 * does), so those have no erase time. Endurance: Table 42, N_END 10 kcycles minimum.
 */
const STM32F4_TIMING: FlashTiming = {
  eraseBySize: [[16 * 1024, 800, 400], [64 * 1024, 2400, 1200], [128 * 1024, 4000, 2000]],
  programUs: 100,
  programUsTypical: 16,
  programBytes: 1,
  endurance: 10_000,
};

/**
 * Kinetis K64 (MK64FN1M0) program flash. K64 Sub-Family Data Sheet (K64P144M120SF5) Rev. 7,
 * "Flash (FTFE) electrical specifications", table "Flash command timing specifications":
 * t_pgm8, Program Phrase (8 bytes) execution time, 90 µs typical / 150 µs maximum;
 * t_ersscr, Erase Flash Sector (4 KiB) execution time, 15 ms typical / 115 ms maximum.
 * "NVM reliability specifications": n_nvmcycp 10 000 cycles minimum. The erase is per
 * 4 KiB, so k64f-big's 128 KiB sectors take 32 of them.
 */
const K64F_TIMING: FlashTiming = { eraseMs: 115, eraseMsTypical: 15, eraseBytes: 4096, programUs: 150, programUsTypical: 90, programBytes: 8, endurance: 10_000 };

/**
 * The external SPI/QSPI NOR of the `-spi-flash` profiles: Winbond W25Q64JV (64 Mbit).
 * W25Q64JV datasheet Revision I (2017-11-22), §9.6 "AC Electrical Characteristics": tPP,
 * page program (256 bytes), 0.4 ms typical / 3 ms maximum; tSE, sector erase (4 KiB),
 * 45 ms typical / 400 ms maximum. §2 "Features": more than 100 000 erase/program cycles.
 * MCUboot's simulator gives these profiles 8 KiB sectors: each takes two 4 KiB erases. A
 * write shorter than a page is counted as a whole page program (an upper bound: the part
 * programs short writes faster).
 */
const W25Q64JV_TIMING: Omit<FlashTiming, 'flash'> = { eraseMs: 400, eraseMsTypical: 45, eraseBytes: 4096, programUs: 3000, programUsTypical: 400, programBytes: 256, endurance: 100_000 };

/**
 * Alignments by part: Kinetis K64 programs 8-byte phrases (FTFE "program phrase"); the nRF52840
 * NVMC programs 32-bit words (the matrix vectors use 4 for it too); STM32F4 programs single
 * bytes (Zephyr's write-block-size 1), and the F769 is assumed to do the same; `smallpages` and
 * PSOC Edge E8x are synthetic layouts in MCUboot's simulator, so they take 8, the largest a
 * default build accepts.
 */
const ALIGN = { stm32: 1, k64f: 8, nrf52840: 4, synthetic: 8 } as const;

const nrf52840Flash = () => [{ id: 0, sectors: [[4 * KiB, 128]] as Array<[number, number]>, writeAlign: ALIGN.nrf52840 }];
const k64fFlash = (count: number) => [{ id: 0, sectors: [[4 * KiB, count]] as Array<[number, number]>, writeAlign: ALIGN.k64f }];

interface BuiltIn {
  profile: DeviceProfile;
  /** MCUboot's `DeviceName` spelling, accepted case-insensitively as an alias. */
  mcubootName?: string;
}

const BUILT_IN: BuiltIn[] = [
  {
    mcubootName: 'stm32f4',
    profile: {
      name: 'stm32f4',
      flash: [{ id: 0, sectors: STM32F4_SECTORS, writeAlign: ALIGN.stm32 }],
      // Slots of 32K+32K+64K and a single 128K scratch sector: only swap-scratch and
      // overwrite-only handle non-uniform sectors (§5.3, §5.4).
      areas: { bootloader: area(0, 0x20000), primary: area(0x20000, 0x20000), secondary: area(0x40000, 0x20000), scratch: area(0x60000, 0x20000) },
      excluded: ['swap-move', 'swap-offset'],
      timing: STM32F4_TIMING,
    },
  },
  {
    mcubootName: 'stm32f4SpiFlash',
    profile: {
      name: 'stm32f4-spi-flash',
      flash: [
        { id: 0, sectors: STM32F4_SECTORS, writeAlign: ALIGN.stm32 },
        // External SPI NOR, 64 × 8 KiB.
        { id: 1, sectors: [[8 * KiB, 64]], writeAlign: ALIGN.stm32 },
      ],
      areas: { bootloader: area(0, 0x20000), primary: area(0x20000, 0x20000), secondary: area(0, 0x20000, 1), scratch: area(0x20000, 0x20000, 1) },
      excluded: ['swap-move', 'swap-offset'],
      timing: [{ ...STM32F4_TIMING, flash: 0 }, { ...W25Q64JV_TIMING, flash: 1 }],
    },
  },
  {
    mcubootName: 'stm32f769',
    profile: {
      name: 'stm32f769',
      // 2 MiB in dual-bank mode, modelled as one device of two identical banks. The primary
      // slot starts at offset 0, so this layout leaves no room for a bootloader on it (the
      // simulator does not need one); none is declared.
      flash: [{ id: 0, sectors: [...STM32F769_BANK, ...STM32F769_BANK], writeAlign: ALIGN.stm32 }],
      areas: { primary: area(0, 0x80000), scratch: area(0x80000, 0x20000), secondary: area(0x100000, 0x80000) },
      // MCUboot allows move/offset here only with logical sectors, which brickproof does not model.
      excluded: ['swap-move', 'swap-offset'],
    },
  },
  {
    mcubootName: 'k64f',
    profile: {
      name: 'k64f',
      flash: k64fFlash(128),
      areas: { bootloader: area(0, 0x20000), primary: area(0x20000, 0x20000), secondary: area(0x40000, 0x20000), scratch: area(0x60000, 0x1000) },
      excluded: [],
      timing: K64F_TIMING,
    },
  },
  {
    mcubootName: 'k64fbig',
    profile: {
      name: 'k64f-big',
      // MCUboot's simulator keeps the K64F's 4 KiB pages but reports each area to the
      // bootloader as one 128 KiB sector, so every erase the bootloader makes there is one call
      // over 32 pages. Here the flash device itself has 128 KiB sectors in that range: the
      // bootloader sees the same sector table, each of its erases is still one operation (the
      // simulator's op count) and leaves the same bytes, and a campaign's cut points match.
      // The price is that a torn erase tears a 128 KiB sector rather than one 4 KiB page of it.
      flash: [{ id: 0, sectors: [[4 * KiB, 32], [128 * KiB, 3]], writeAlign: ALIGN.k64f }],
      areas: { bootloader: area(0, 0x20000), primary: area(0x20000, 0x20000), secondary: area(0x40000, 0x20000), scratch: area(0x60000, 0x20000) },
      excluded: ['swap-move', 'swap-offset'],
      timing: K64F_TIMING,
    },
  },
  {
    mcubootName: 'nrf52840',
    profile: {
      name: 'nrf52840',
      flash: nrf52840Flash(),
      // MCUboot's comment says this scratch "does not divide into the image size", but
      // 0x34000 = 4 × 0xd000: it does. The mcuboot-matrix vectors add a 12-sector scratch
      // (group 5) for the case that really does not divide.
      areas: { bootloader: area(0, 0x8000), primary: area(0x8000, 0x34000), secondary: area(0x3c000, 0x34000), scratch: area(0x70000, 0xd000) },
      excluded: [],
      timing: NRF52840_TIMING,
    },
  },
  {
    mcubootName: 'Nrf52840UnequalSlots',
    profile: {
      name: 'nrf52840-unequal-slots',
      flash: nrf52840Flash(),
      // Primary 60 sectors, secondary 59: the N_pri = N_sec + 1 layout swap-move wants.
      areas: { bootloader: area(0, 0x8000), primary: area(0x8000, 0x3c000), secondary: area(0x44000, 0x3b000) },
      excluded: ['swap-scratch', 'overwrite-only', 'swap-offset'],
      timing: NRF52840_TIMING,
    },
  },
  {
    mcubootName: 'Nrf52840UnequalSlotsLargerSlot1',
    profile: {
      name: 'nrf52840-unequal-slots-larger-slot1',
      flash: nrf52840Flash(),
      // Primary 59 sectors, secondary 60: the N_sec = N_pri + 1 layout swap-offset wants.
      // MCUboot also excludes RAM-load and direct-XIP here.
      areas: { bootloader: area(0, 0x8000), primary: area(0x8000, 0x3b000), secondary: area(0x43000, 0x3c000) },
      excluded: ['swap-scratch', 'overwrite-only', 'swap-move', 'direct-xip', 'direct-xip-revert', 'ram-load', 'ram-load-revert'],
      timing: NRF52840_TIMING,
    },
  },
  {
    mcubootName: 'Nrf52840SpiFlash',
    profile: {
      name: 'nrf52840-spi-flash',
      flash: [
        { id: 0, sectors: [[4 * KiB, 128]], writeAlign: ALIGN.nrf52840 },
        // External SPI NOR, 64 × 8 KiB; it holds the secondary slot and the scratch area.
        { id: 1, sectors: [[8 * KiB, 64]], writeAlign: ALIGN.nrf52840 },
      ],
      areas: { bootloader: area(0, 0x8000), primary: area(0x8000, 0x68000), secondary: area(0, 0x68000, 1), scratch: area(0x68000, 0x18000, 1) },
      excluded: ['swap-move', 'swap-offset'],
      timing: [{ ...NRF52840_TIMING, flash: 0 }, { ...W25Q64JV_TIMING, flash: 1 }],
    },
  },
  {
    profile: {
      name: 'nrf52840dk',
      // The nRF52840 DK as Zephyr partitioned it while MCUboot's default was swap-scratch
      // (boards/arm/nrf52840dk_nrf52840/nrf52840dk_nrf52840.dts): MCUboot in 48 KiB, two
      // 412 KiB slots, a 120 KiB scratch, 32 KiB of storage. Images of 256 KiB fit here,
      // not in MCUboot's simulator layout (nrf52840).
      flash: [{ id: 0, sectors: [[4 * KiB, 256]], writeAlign: ALIGN.nrf52840 }],
      areas: { bootloader: area(0, 0xc000), primary: area(0xc000, 0x67000), secondary: area(0x73000, 0x67000), scratch: area(0xda000, 0x1e000) },
      excluded: [],
      timing: NRF52840_TIMING,
    },
  },
  {
    profile: {
      name: 'nrf5340',
      // The application core's 1 MiB of 4 KiB pages, partitioned as Zephyr does for the
      // nRF5340 DK (dts/common/nordic/nrf5340_cpuapp_partition.dtsi): MCUboot in 64 KiB,
      // then two 256 KiB slots, no scratch. The board of MCUboot PR #2162's measurements.
      flash: [{ id: 0, sectors: [[4 * KiB, 256]], writeAlign: 4 }],
      areas: { bootloader: area(0, 0x10000), primary: area(0x10000, 0x40000), secondary: area(0x80000, 0x40000) },
      excluded: ['swap-scratch'],
      timing: NRF5340_TIMING,
    },
  },
  {
    mcubootName: 'k64fmulti',
    profile: {
      name: 'k64f-multi',
      flash: k64fFlash(256),
      // Two image pairs sharing one scratch sector (§5.7).
      areas: {
        bootloader: area(0, 0x20000),
        primary: area(0x20000, 0x20000),
        secondary: area(0x40000, 0x20000),
        scratch: area(0x60000, 0x1000),
        primary1: area(0x80000, 0x20000),
        secondary1: area(0xa0000, 0x20000),
      },
      excluded: [],
      timing: K64F_TIMING,
    },
  },
  {
    mcubootName: 'smallpages',
    profile: {
      name: 'small-pages',
      flash: [{ id: 0, sectors: [[512, 1024]], writeAlign: ALIGN.synthetic }],
      // 256 pages per slot exceed BOOT_MAX_IMG_SECTORS (128): MCUboot runs this layout only
      // with logical sectors, which brickproof does not model, so every strategy is excluded.
      areas: { bootloader: area(0, 0x20000), primary: area(0x20000, 0x20000), secondary: area(0x40000, 0x20000), scratch: area(0x60000, 0x4000) },
      excluded: [...BOOT_STRATEGIES],
    },
  },
  {
    mcubootName: 'PSOCEdgeE8x',
    profile: {
      name: 'psoc-edge-e8x',
      flash: [{ id: 0, sectors: [[4 * KiB, 96]], writeAlign: ALIGN.synthetic }],
      areas: { bootloader: area(0, 0x20000), primary: area(0x20000, 0x10000), secondary: area(0x30000, 0x10000), scratch: area(0x40000, 0x2000) },
      excluded: ['overwrite-only', 'swap-scratch', 'swap-move', 'direct-xip', 'direct-xip-revert', 'ram-load', 'ram-load-revert'],
    },
  },
  {
    profile: {
      name: 'mcuboot-boot',
      // The device of test/fixtures/vectors/mcuboot-boot (its README, "The simulated device"):
      // slots from offset 0, a scratch sector that every dump includes whatever the strategy.
      flash: [{ id: 0, sectors: [[4 * KiB, 65]], writeAlign: 8 }],
      areas: { primary: area(0, 0x20000), secondary: area(0x20000, 0x20000), scratch: area(0x40000, 0x1000) },
      excluded: [],
    },
  },
];

const byName = new Map<string, BuiltIn>();
for (const b of BUILT_IN) {
  for (const key of [b.profile.name, b.mcubootName]) {
    if (key !== undefined) byName.set(key.toLowerCase(), b);
  }
}

/** Canonical names of the built-in profiles, in table order. */
export function profileNames(): string[] {
  return BUILT_IN.map((b) => b.profile.name);
}

/** MCUboot's spelling of a built-in profile, if it comes from MCUboot's simulator. */
export function mcubootDeviceName(name: string): string | undefined {
  return byName.get(name.toLowerCase())?.mcubootName;
}

/**
 * A built-in profile by its canonical name or MCUboot's spelling (case-insensitive).
 * Returns a fresh copy: callers may change it.
 */
export function findProfile(name: string): DeviceProfile {
  const b = byName.get(name.trim().toLowerCase());
  if (!b) throw new UsageError(`unknown device '${name}' (expected one of: ${profileNames().join(', ')}; or give a --device-file)`);
  return structuredClone(b.profile);
}

/** Every built-in profile (fresh copies). */
export function allProfiles(): DeviceProfile[] {
  return BUILT_IN.map((b) => structuredClone(b.profile));
}

export function resolveProfile(profile: DeviceProfile): ResolvedProfile {
  const geometry = resolveGeometry(profile);
  return { name: geometry.name, profile, geometry, excluded: [...profile.excluded], timing: profile.timing };
}

/** Throws a UsageError when `strategy` is one the device's layout cannot run. */
export function assertStrategyAllowed(device: ResolvedProfile, strategy: BootStrategy): void {
  if (device.excluded.includes(strategy)) {
    const allowed = BOOT_STRATEGIES.filter((s) => !device.excluded.includes(s));
    throw new UsageError(`device ${device.name} cannot run ${strategy} (it supports: ${allowed.length ? allowed.join(', ') : 'none of brickproof\'s strategies'})`);
  }
}

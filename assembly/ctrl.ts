// The control block: the state that must survive a reboot.
//
// A reboot is a new instance of the module over the same memory (DESIGN.md, "The
// boundary"), so every global of the core starts fresh at power-on, exactly like RAM after
// a reset. What a real device keeps across a reset — the flash, and what the simulator
// measures about it (geometry, counters, wear, the operation log, the power-cut budget) —
// lives in memory below `__memory_base`, laid out by the host (src/core.ts) and described by
// this block at address 0.
//
// The host keeps no copy of anything here: scripts/build-wasm.js mirrors these constants into
// src/ctrl-layout.ts — the offsets and sizes as `CTRL`, and the values that cross the
// boundary as named tables keyed by the names TypeScript uses (see "Values that cross the
// boundary" below).

export const CTRL_MAGIC_VALUE: u32 = 0x42524b50; // "BRKP"

export const CTRL_MAGIC: u32 = 0;
/** Absolute address and size of the whole flash (all devices concatenated in id order). */
export const CTRL_FLASH_PTR: u32 = 4;
export const CTRL_FLASH_SIZE: u32 = 8;
// (12 is free.)
/** Device table: CTRL_DEV_COUNT entries of DEV_SIZE bytes. */
export const CTRL_DEV_PTR: u32 = 16;
export const CTRL_DEV_COUNT: u32 = 20;
/** Sector table: entries of SECTOR_SIZE bytes in address order over all devices. */
export const CTRL_SECTOR_PTR: u32 = 24;
export const CTRL_SECTOR_COUNT: u32 = 28;
/** Area table indexed by area id (AREA_*). */
export const CTRL_AREA_PTR: u32 = 32;
export const CTRL_AREA_COUNT: u32 = 36;
/** Erase count per sector (u32, same index as the sector table). */
export const CTRL_WEAR_PTR: u32 = 40;

/** Flags: bit 0 strict (programming a programmed unit is an error instead of an AND). */
export const CTRL_FLAGS: u32 = 44;
export const FLAG_STRICT: u32 = 1;

// Accounting (since the host last reset it).
export const CTRL_OP_INDEX: u32 = 48; // ops since the budget was armed (1-based index of the last op)
export const CTRL_ERASE_OPS: u32 = 52;
export const CTRL_WRITE_OPS: u32 = 56;
// (60 is free.)
export const CTRL_BYTES_PROGRAMMED: u32 = 64; // u64
export const CTRL_BYTES_ERASED: u32 = 72; // u64
export const CTRL_VIOLATIONS: u32 = 80; // programs over programmed units (non-strict mode)
export const CTRL_FAILED_WRITES: u32 = 84; // writes refused by a bad region

// Power cut.
/** Cut before op K (1-based, counted from CTRL_OP_INDEX = 0); 0 = never. */
export const CTRL_BUDGET: u32 = 88;
export const CTRL_FAULT_MODEL: u32 = 92; // FAULT_*
export const CTRL_PRNG: u32 = 96; // u64 state of the fault PRNG
export const CTRL_POWER_CUT: u32 = 104; // 1 once the budget ran out (the core then traps)
export const CTRL_CUT_KIND: u32 = 108; // OP_ERASE / OP_WRITE of the interrupted op
export const CTRL_CUT_AREA: u32 = 112;
export const CTRL_CUT_OFF: u32 = 116;
export const CTRL_CUT_LEN: u32 = 120;
/** Bytes of the interrupted op that did take effect (torn faults). */
export const CTRL_CUT_DONE: u32 = 124;

// Operation log: LOG_ENTRY_SIZE-byte entries; with CTRL_LOG_DATA_PTR set, write payloads too.
export const CTRL_LOG_PTR: u32 = 128;
export const CTRL_LOG_CAP: u32 = 132; // entries
export const CTRL_LOG_LEN: u32 = 136;
export const CTRL_LOG_DATA_PTR: u32 = 140;
export const CTRL_LOG_DATA_CAP: u32 = 144; // bytes
export const CTRL_LOG_DATA_LEN: u32 = 148;
export const CTRL_LOG_OVERFLOW: u32 = 152;

// Bad regions (writes fully inside fail with a probability), MCUboot simulator style.
export const CTRL_BAD_PTR: u32 = 156;
export const CTRL_BAD_COUNT: u32 = 160;

/** Error detail for a flash rule violation (the core traps after filling these). */
export const CTRL_ERR_CODE: u32 = 164;
export const CTRL_ERR_AREA: u32 = 168;
export const CTRL_ERR_OFF: u32 = 172;
export const CTRL_ERR_LEN: u32 = 176;
export const ERR_NONE: u32 = 0;
export const ERR_OUT_OF_BOUNDS: u32 = 1;
export const ERR_MISALIGNED: u32 = 2;
export const ERR_NOT_ERASED: u32 = 3;
export const ERR_NOT_SECTOR: u32 = 4;
export const ERR_NO_AREA: u32 = 5;

/** A host-owned scratch buffer for passing bytes in and out (hashing, images). */
export const CTRL_IO_PTR: u32 = 180;
export const CTRL_IO_CAP: u32 = 184;

// The bootloader's build options (MCUboot's configuration knobs), set by the host before a
// boot, and what the last boot did.
export const CTRL_BOOT_STRATEGY: u32 = 192; // STRATEGY_*
export const CTRL_BOOT_MAX_ALIGN: u32 = 196; // BOOT_MAX_ALIGN: 8, 16 or 32
export const CTRL_BOOT_MAX_SECTORS: u32 = 200; // MCUBOOT_MAX_IMG_SECTORS
export const CTRL_BOOT_COPY_BUF: u32 = 204; // bytes per copy write (MCUboot's 1024-byte buffer)
export const CTRL_BOOT_OPTIONS: u32 = 208; // OPT_* bits
export const CTRL_BOOT_SIG_TYPE: u32 = 212; // TLV type of the signature the build checks; 0 = hash only
export const CTRL_BOOT_RC: u32 = 216; // OUTCOME_*
export const CTRL_BOOT_SWAP_TYPE: u32 = 220; // SWAP_* left in the loader state
export const CTRL_BOOT_REQUESTED: u32 = 224; // SWAP_* the trailers asked for at power-on
export const CTRL_BOOT_SLOT: u32 = 228; // AREA_* of the slot to jump to
export const CTRL_BOOT_IMAGE_OFF: u32 = 232; // offset of the booted image's header in that area
export const CTRL_BOOT_VERSION: u32 = 236; // major | minor << 8 | revision << 16
export const CTRL_BOOT_BUILD: u32 = 240; // build number of the booted image
export const CTRL_BOOT_ASSERTS: u32 = 244; // asserts the bootloader hit (counted, as MCUboot's simulator does)
export const CTRL_BOOT_STATUS_FAILS: u32 = 248; // status writes that failed during the swap
export const CTRL_BOOT_RESUMED: u32 = 252; // bit 0: the boot finished an interrupted swap; bits 8-15: the SWAP_* its swap_info stored

/**
 * Known images: regions whose SHA-256 is already known (KNOWN_SIZE-byte entries: address of
 * a copy of the bytes, length, digest). Hashing a region equal byte for byte to a known one
 * reuses its digest: a campaign validates the same two images thousands of times, and a
 * memory compare is far cheaper than SHA-256 (equal bytes, equal digest).
 */
export const CTRL_KNOWN_PTR: u32 = 256;
export const CTRL_KNOWN_COUNT: u32 = 260;
export const CTRL_KNOWN_HITS: u32 = 264;
export const CTRL_HASHED_BYTES: u32 = 268; // bytes actually run through SHA-256 by validation
export const KNOWN_SIZE: u32 = 40;

/**
 * Erased-from marks: per sector (MARK_SIZE bytes: epoch, offset), the offset from which the
 * sector is known to be erased because this flash model erased it and has programmed only
 * below that since. A program at or above the mark need not read its target to check it is
 * erased. Marks are valid only in the current epoch: the host starts a new one whenever it
 * may have touched flash itself (every power-on, dump load, snapshot restore, view handed
 * out), so a mark never vouches for bytes the model did not see.
 */
export const CTRL_MARK_PTR: u32 = 276;
export const CTRL_MARK_EPOCH: u32 = 280;
export const MARK_SIZE: u32 = 8;

/**
 * Dirty sectors: one byte per sector, set by every erase or program that touches it, so the
 * host can restore a snapshot by copying back only what changed (src/core.ts restore).
 */
export const CTRL_DIRTY_PTR: u32 = 284;

/**
 * The flash digest (flash.ts, "flash digest"): two 64-bit sums over DIGEST_BLOCK-byte blocks
 * of the whole flash, each block hashed with its index as the seed. CTRL_DIGEST_PTR holds
 * one DIGEST_ENTRY_SIZE entry per block (its two hashes), followed by one dirty byte per
 * block: every erase or program marks the blocks it touches, and FN_FLASH_DIGEST re-hashes
 * only those. 0 = the digest is off (the flash model then marks nothing).
 */
export const CTRL_DIGEST_PTR: u32 = 448;
export const CTRL_DIGEST_A: u32 = 456; // u64
export const CTRL_DIGEST_B: u32 = 464; // u64
export const DIGEST_BLOCK: u32 = 4096;
export const DIGEST_ENTRY_SIZE: u32 = 16; // hash A u64, hash B u64

/** Test-only variants that behave as historical MCUboot releases did (BUG_* bits). */
export const CTRL_BOOT_BUGS: u32 = 272;

/**
 * The NV security counters (MCUBOOT_HW_ROLLBACK_PROT), one u32 per image index: hardware
 * outside the flash that survives power cuts, as MCUboot's simulator keeps them
 * (reference/mcuboot.md §6). An update to a lower value is refused and changes nothing.
 * NV_READS / NV_UPDATES count the bootloader's calls in the last boot.
 */
export const CTRL_NV_COUNTERS: u32 = 288; // MAX_IMAGES × u32
export const CTRL_NV_READS: u32 = 304;
export const CTRL_NV_UPDATES: u32 = 308;
/** MCUBOOT_IMAGE_NUMBER: image pairs the bootloader manages (1 to MAX_IMAGES). */
export const CTRL_BOOT_IMAGES: u32 = 312;
/**
 * Ram-load's executable RAM window: where it lies in memory (host-allocated in the arena,
 * zero at every power-on), the address it stands for on the device, and its size.
 */
export const CTRL_RAM_PTR: u32 = 316;
export const CTRL_RAM_BASE: u32 = 320;
export const CTRL_RAM_SIZE: u32 = 324;
/** Direct-xip / ram-load: the slot booted (0 primary, 1 secondary, -1 none), and the RAM copy. */
export const CTRL_BOOT_ACTIVE_SLOT: u32 = 328;
export const CTRL_BOOT_RAM_DST: u32 = 332;
export const CTRL_BOOT_RAM_SIZE: u32 = 336;
/** Per image (MAX_IMAGES entries of IMAGE_RESULT_SIZE bytes): requested swap type u8, swap type u8, pad. */
export const CTRL_BOOT_IMAGE_RESULTS: u32 = 340;
export const IMAGE_RESULT_SIZE: u32 = 4;
/**
 * MCUBOOT_ENC_IMAGES: the AES key length of the build (16 or 32; 0 = no encryption) and the
 * ENC_* TLV type its built-in private key unwraps (the host holds the key: src/device/host.ts).
 */
export const CTRL_BOOT_ENC: u32 = 356;
export const CTRL_BOOT_ENC_TLV: u32 = 360;
export const MAX_IMAGES: u32 = 4;

export const CTRL_SIZE: u32 = 512;

// The module's one exported function, `call(fn, a, b, c, d)`, and what `fn` selects
// (assembly/index.ts). One export instead of fifteen: V8 builds a JS wrapper for every
// exported function at each instantiation, and every reboot is an instantiation.
export const FN_FLASH_WRITE: u32 = 1;
export const FN_FLASH_ERASE: u32 = 2;
export const FN_FLASH_READ: u32 = 3;
export const FN_SHA256: u32 = 4;
export const FN_SHA256_INIT: u32 = 5;
export const FN_SHA256_UPDATE: u32 = 6;
export const FN_SHA256_FINAL: u32 = 7;
export const FN_BOOT: u32 = 8;
export const FN_MAX_IMAGE_SIZE: u32 = 9;
export const FN_APP_SET_PENDING: u32 = 10;
export const FN_APP_SET_CONFIRMED: u32 = 11;
export const FN_BENCH: u32 = 12;
export const FN_ARENA_LIMIT: u32 = 13;
export const FN_APP_SET_NEXT: u32 = 14;
export const FN_FLASH_DIGEST: u32 = 15;
export const FN_SNAPSHOT_APPLY: u32 = 16;
export const FN_SNAPSHOT_RESTORE: u32 = 17;
export const FN_SNAPSHOT_DIGEST: u32 = 18;

// Table entry layouts.
export const DEV_SIZE: u32 = 16; // base u32, size u32, align u32, erasedVal u32
export const SECTOR_SIZE: u32 = 12; // abs offset u32, size u32, device u32
export const AREA_SIZE: u32 = 32; // device, abs offset, size, firstSector, sectorCount, uniformSize (0 = mixed), valid
export const LOG_ENTRY_SIZE: u32 = 16; // kind u8, area u8, pad u16, off u32, len u32, data offset u32 (or 0xffffffff)
export const BAD_SIZE: u32 = 16; // abs offset u32, len u32, rate (u32, of 2^32), pad

export const OP_ERASE: u32 = 1;
export const OP_WRITE: u32 = 2;

@inline export function ctrl(field: u32): u32 {
  return load<u32>(<usize>field);
}

@inline export function setCtrl(field: u32, value: u32): void {
  store<u32>(<usize>field, value);
}

@inline export function ctrl64(field: u32): u64 {
  return load<u64>(<usize>field);
}

@inline export function setCtrl64(field: u32, value: u64): void {
  store<u64>(<usize>field, value);
}

/**
 * Everything below this address belongs to the host-laid arena (control block, tables,
 * flash, log, snapshots); the module's own data and heap start here. Must equal
 * `memoryBase` in asconfig.json (test/core.test.ts checks it against the module).
 */
export const ARENA_LIMIT: u32 = 67108864;

// ---- Values that cross the boundary ------------------------------------------------------
//
// Every value the host writes into the control block or reads back from it, named once. The
// build turns each prefix into a table for TypeScript, keyed by the name TypeScript uses:
//
//   STRATEGY_*  STRATEGY_IDS     STRATEGY_SWAP_MOVE         → STRATEGY_IDS['swap-move']
//   OPT_*       OPTION_BITS      OPT_VALIDATE_PRIMARY       → OPTION_BITS.validatePrimary
//   FAULT_*     FAULT_MODEL_IDS  FAULT_TORN_WRITE           → FAULT_MODEL_IDS['torn-write']
//   BUG_*       BUG_BITS         BUG_PR2100                 → BUG_BITS.pr2100
//   AREA_*      AREA_IDS         AREA_PRIMARY_1             → AREA_IDS.primary1
//   SWAP_*      SWAP_TYPES       SWAP_REVERT                → SWAP_TYPES.revert
//   OUTCOME_*   BOOT_OUTCOMES    OUTCOME_NO_IMAGE           → BOOT_OUTCOMES['no-image']
//
// So name a new value after what TypeScript calls it (a strategy as the CLI spells it, an
// option as its BootloaderOptions field, a variant by the suffix of its `strategy@bug` name).
// `*_SIZE` constants are layout (table entry sizes), never values.

/** Upgrade strategies (reference/mcuboot.md §5.1–5.4; one file each in assembly/swap/). */
export const STRATEGY_OVERWRITE_ONLY: u32 = 0;
export const STRATEGY_SWAP_SCRATCH: u32 = 1;
export const STRATEGY_SWAP_MOVE: u32 = 2;
export const STRATEGY_SWAP_OFFSET: u32 = 3;
/** Not swaps: the boot picks a slot and runs it in place (§5.5) or from a RAM copy (§5.6). */
export const STRATEGY_DIRECT_XIP: u32 = 4;
export const STRATEGY_DIRECT_XIP_REVERT: u32 = 5;
export const STRATEGY_RAM_LOAD: u32 = 6;
export const STRATEGY_RAM_LOAD_REVERT: u32 = 7;

/** Build options (CTRL_BOOT_OPTIONS bits). */
export const OPT_VALIDATE_PRIMARY: u32 = 1;
export const OPT_OVERWRITE_FAST: u32 = 2;
export const OPT_DOWNGRADE_PREVENTION: u32 = 4;
/**
 * Not an MCUboot option: skip hashing and signature checks (images are taken as valid when
 * their header and TLV area parse). For measuring the swap engine alone (bench/boot.ts).
 */
export const OPT_SKIP_IMAGE_CHECKS: u32 = 8;
/** MCUBOOT_HW_ROLLBACK_PROT: SEC_CNT TLVs checked against, and raised into, the NV counters. */
export const OPT_HW_ROLLBACK: u32 = 16;
/** MCUBOOT_BOOTSTRAP: an empty primary gets the secondary's valid image. */
export const OPT_BOOTSTRAP: u32 = 32;

/** What a power cut does to the interrupted operation (CTRL_FAULT_MODEL; DESIGN.md, "Faults"). */
export const FAULT_CUT: u32 = 0;
export const FAULT_TORN_WRITE: u32 = 1;
export const FAULT_TORN_ERASE: u32 = 2;
export const FAULT_BIT_NOISE: u32 = 3;

// Test-only variants (CTRL_BOOT_BUGS bits, src/campaign/variants.ts): behave as a historical
// MCUboot release did. Code reads them through `bug()` only.
/** swap-scratch before #485 (2019): no swap type in the trailer; a resumed swap guesses it. */
export const BUG_PR485: u32 = 1;
/** swap-scratch between 4cab08e3 and 2ac79767 (2024): headers re-read from the swapped slots after a resume. */
export const BUG_PR2109: u32 = 2;
/** swap-scratch before f76fba70 (2025): scratch erased forward after its trailer moved to the primary. */
export const BUG_F76FBA70: u32 = 4;
/** swap-move before 4f393563 (#1966 / PR #2100, 2024): the REVERT table row needs the secondary magic UNSET. */
export const BUG_PR2100: u32 = 8;
/** swap-move before 74530753 (#1588 / PR #1597, 2023): the header lookup compares move progress with a "last index" never computed on this boot. */
export const BUG_PR1597: u32 = 16;
/** swap-move before ce115975 (#829 / PR #855, 2020): status source "primary" does not look at the secondary magic. */
export const BUG_PR855: u32 = 32;
/** swap-move before 33094fc5 (PR #2199, 2025): a revert with an empty secondary leaves the primary trailer as it is. */
export const BUG_PR2199: u32 = 64;
/** swap-offset before 7330df7c (PR #2214, 2025): the last index is the sector count (one too many). */
export const BUG_PR2214: u32 = 128;
/** swap-scratch before fbd2267e (PR #2205, 2025): find_last_sector_idx advances one index shared by both slots. */
export const BUG_PR2205: u32 = 256;
/** swap-scratch before the PR #2206 series (2025): no padding in the maximum image size, no clamp of the copy at the scratch trailer. */
export const BUG_PR2206: u32 = 512;

/** The test-only variant with this BUG_* bit is selected. */
@inline export function bug(bit: u32): bool {
  return (ctrl(CTRL_BOOT_BUGS) & bit) != 0;
}

/**
 * Flash area ids (the area table's index, and the area in traces and flash calls). Image n's
 * pair (n ≥ 1) is primary 2n+2, secondary 2n+3; 0 is the bootloader's own area.
 */
export const AREA_BOOTLOADER: u32 = 0;
export const AREA_PRIMARY: u32 = 1;
export const AREA_SECONDARY: u32 = 2;
export const AREA_SCRATCH: u32 = 3;
export const AREA_PRIMARY_1: u32 = 4;
export const AREA_SECONDARY_1: u32 = 5;

/** Swap types (reference/mcuboot.md §4; CTRL_BOOT_SWAP_TYPE, CTRL_BOOT_REQUESTED, swap_info). */
export const SWAP_NONE: u8 = 1;
export const SWAP_TEST: u8 = 2;
export const SWAP_PERM: u8 = 3;
export const SWAP_REVERT: u8 = 4;
export const SWAP_FAIL: u8 = 5;
export const SWAP_PANIC: u8 = 0xff;

/** What a boot ends in (CTRL_BOOT_RC). */
export const OUTCOME_OK: i32 = 0;
/** No valid image in the primary slot: the device does not boot. */
export const OUTCOME_NO_IMAGE: i32 = 1;
/** MCUboot hangs on purpose. */
export const OUTCOME_PANIC: i32 = 2;

/**
 * What a trap of the core turns into (DESIGN.md, "The boundary"): a power cut is a value,
 * a broken flash rule and any other trap are errors. `Core.run` is the one place that
 * decides which.
 */

/** The power went off during operation `opIndex`; the core must be rebooted. */
export class PowerCut {
  constructor(
    readonly opIndex: number,
    readonly kind: 'erase' | 'write',
    readonly area: number,
    readonly offset: number,
    readonly length: number,
    /** Bytes of the interrupted operation that took effect (torn faults), else 0. */
    readonly done: number,
  ) {}
}

export const isPowerCut = (x: unknown): x is PowerCut => x instanceof PowerCut;

/** Names of the flash model's ERR_* codes (assembly/ctrl.ts), by code. */
export const FLASH_RULES = ['', 'out of bounds', 'misaligned', 'not erased', 'not a whole number of sectors', 'no such area'];

/** The code running in the core broke a flash rule (a bug in what it simulates, or a bad call). */
export class FlashRuleError extends Error {
  constructor(
    readonly rule: string,
    readonly area: number,
    readonly offset: number,
    readonly length: number,
  ) {
    super(`flash rule broken: ${rule} — area ${area}, offset 0x${offset.toString(16)}, length 0x${length.toString(16)}`);
    this.name = 'FlashRuleError';
  }
}

/** A trap that is neither a power cut nor a flash rule: a bug in the core. */
export class CoreBug extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoreBug';
  }
}

/**
 * Whether `e` is a fault of the simulated firmware itself — a broken flash rule, or a trap
 * of the code running in the core — rather than a bug of the host around it. Only the
 * former are findings about the device (campaign rule `crash`).
 */
export function isDeviceFault(e: unknown): e is FlashRuleError | CoreBug {
  return e instanceof FlashRuleError || (e instanceof CoreBug && e.cause instanceof WebAssembly.RuntimeError);
}

export interface FlashCounters {
  eraseOps: number;
  writeOps: number;
  bytesProgrammed: number;
  bytesErased: number;
  /** Programs over a unit programmed since its erase (non-strict mode ANDs them). */
  violations: number;
  failedWrites: number;
}

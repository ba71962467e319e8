/**
 * Charge accounting: a current per state (device options), integrated over virtual time.
 * The application's states draw `sleep` (WAIT), `active` (SENSOR_INIT, IDLE, the bootloader,
 * a hung CPU) or `radio` (SEND); the OTA task's own work adds `radio` while a request is on
 * the air, `flash` while a sector erases or a chunk programs, and `active` while it hashes.
 * `otaMah` is that OTA work plus the boots that move images: what an update costs the
 * battery, and what a retry storm costs.
 */
import { UsageError } from '../errors.js';

/** Currents in mA. */
export interface Currents {
  sleep: number;
  active: number;
  radio: number;
  flash: number;
}

export const CURRENT_NAMES = ['sleep', 'active', 'radio', 'flash'] as const;
export type CurrentName = (typeof CURRENT_NAMES)[number];

/**
 * Illustrative figures for an nRF52840-class part with a low-power radio: System ON sleep
 * with RTC about 3 µA, CPU running from flash about 3–4 mA, radio TX/RX about 5–15 mA,
 * NVMC erase/write about 5–7 mA. Give your own part's figures with `currents`.
 */
export const DEFAULT_CURRENTS: Currents = { sleep: 0.003, active: 3.5, radio: 12, flash: 6 };

export function parseCurrent(spec: string): [CurrentName, number] {
  const m = /^([a-z-]+)=(.+)$/.exec(spec.trim());
  if (!m) throw new UsageError(`--current '${spec}' is not NAME=mA (e.g. radio=12)`);
  const name = m[1]!;
  if (!(CURRENT_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`--current: unknown state '${name}' (expected one of: ${CURRENT_NAMES.join(', ')})`);
  }
  const v = Number(m[2]);
  if (!Number.isFinite(v) || v < 0) throw new UsageError(`--current ${name}=${m[2]} must be a number of mA ≥ 0`);
  return [name as CurrentName, v];
}

/** mA·ms per mAh. */
const MA_MS_PER_MAH = 3_600_000;

export class EnergyMeter {
  private total = 0;
  private ota = 0;

  constructor(readonly currents: Currents) {}

  /** `ma` for `ms`; `ota` marks the OTA task's (and its boots') share. */
  add(ma: number, ms: number, ota = false): void {
    const q = ma * ms;
    this.total += q;
    if (ota) this.ota += q;
  }

  get totalMah(): number {
    return this.total / MA_MS_PER_MAH;
  }

  get otaMah(): number {
    return this.ota / MA_MS_PER_MAH;
  }
}

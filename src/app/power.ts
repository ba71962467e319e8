/**
 * Power losses: at seeded random moments (a Poisson process, `lossesPerDay`), and — for
 * campaigns that must hit a given moment of the life — aimed ones: "during the swap, at 37%
 * of its flash operations", "during the first SEND after boot". Either way a power loss is
 * what a campaign's cut is: the flash model refusing the operation in progress with the
 * fault model (`cut`, `torn-write`, `torn-erase`, `bit-noise`), then a reset.
 */
import { UsageError } from '../errors.js';
import { FAULT_MODELS, type FaultModel } from '../core/index.js';

export const AIM_PHASES = ['download', 'swap', 'revert', 'pending', 'confirm', 'send', 'sensor-init'] as const;
export type AimPhase = (typeof AIM_PHASES)[number];

export interface AimedCut {
  /**
   * download: one of the OTA task's erases/programs of the image; swap / revert: one of the
   * bootloader's operations in a boot that installs / reverts an image; pending / confirm:
   * the write(s) of boot_set_pending / boot_set_confirmed; send, sensor-init: a moment of
   * that application state (no flash operation in progress).
   */
  phase: AimPhase;
  /** Where in the phase, in [0, 1): of its operations, or of its duration. */
  fraction: number;
  /** Which occurrence of the phase (1 = the first). */
  occurrence?: number;
}

export interface PowerOptions {
  /** Random power losses per day (Poisson); 0 = none. */
  lossesPerDay: number;
  /** What the interrupted flash operation does. */
  fault: FaultModel;
  /** How long the device stays off after a power loss (ms). */
  offMs: number;
  aimed: AimedCut[];
}

export const DEFAULT_POWER: PowerOptions = { lossesPerDay: 0, fault: 'cut', offMs: 1000, aimed: [] };

const DAY_MS = 86_400_000;

export function parseFaultModel(v: string): FaultModel {
  if ((FAULT_MODELS as readonly string[]).includes(v)) return v as FaultModel;
  throw new UsageError(`unknown fault model '${v}' (expected one of: ${FAULT_MODELS.join(', ')})`);
}

export function parseAimPhase(v: string): AimPhase {
  if ((AIM_PHASES as readonly string[]).includes(v)) return v as AimPhase;
  throw new UsageError(`unknown power-loss phase '${v}' (expected one of: ${AIM_PHASES.join(', ')})`);
}

export class PowerModel {
  /** The next random power loss (virtual ms), Infinity when there is none. */
  nextLoss: number;
  private calmFrom = Infinity;
  private readonly seen = new Map<AimPhase, number>();
  private readonly pending: AimedCut[];

  constructor(
    readonly options: PowerOptions,
    private readonly rnd: () => number,
  ) {
    this.pending = options.aimed.map((a) => ({ ...a }));
    this.nextLoss = this.gapFrom(0);
  }

  private gapFrom(t: number): number {
    const rate = this.options.lossesPerDay;
    if (!(rate > 0)) return Infinity;
    const next = t + (-Math.log(1 - this.rnd()) / rate) * DAY_MS;
    return next >= this.calmFrom ? Infinity : next;
  }

  /** The random loss at `nextLoss` happened (or was overtaken): draw the following one. */
  advance(): void {
    this.nextLoss = this.gapFrom(this.nextLoss);
  }

  /** No random loss at or after `t`, and no aimed one left (a campaign lets the device settle). */
  calm(t: number): void {
    this.calmFrom = t;
    if (this.nextLoss >= t) this.nextLoss = Infinity;
    this.pending.length = 0;
  }

  /** Whether any aimed cut is still to come. */
  get aiming(): boolean {
    return this.pending.length > 0;
  }

  /** Whether an aimed cut of one of `phases` is still to come. */
  aims(...phases: AimPhase[]): boolean {
    return this.pending.some((a) => phases.includes(a.phase));
  }

  /**
   * Counts one occurrence of `phase`; returns the aimed cut meant for it, if any (and
   * consumes it).
   */
  take(phase: AimPhase): AimedCut | undefined {
    // Occurrences matter only while a cut aimed at this phase is still to come.
    if (!this.pending.some((a) => a.phase === phase)) return undefined;
    const n = (this.seen.get(phase) ?? 0) + 1;
    this.seen.set(phase, n);
    const i = this.pending.findIndex((a) => a.phase === phase && (a.occurrence ?? 1) === n);
    if (i < 0) return undefined;
    return this.pending.splice(i, 1)[0];
  }
}

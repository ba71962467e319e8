/**
 * The fault models (DESIGN.md, "Faults"): what the interrupted operation leaves behind. The
 * order is the core's FAULT_* codes (assembly/ctrl.ts).
 */
export type FaultModel = 'cut' | 'torn-write' | 'torn-erase' | 'bit-noise';
export const FAULT_MODELS: readonly FaultModel[] = ['cut', 'torn-write', 'torn-erase', 'bit-noise'];

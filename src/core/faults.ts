/**
 * The fault models (DESIGN.md, "Faults"): what the interrupted operation leaves behind. The
 * names and their ids are the core's FAULT_* (assembly/ctrl.ts), generated into
 * src/ctrl-layout.ts.
 */
import { FAULT_MODEL_IDS } from '../ctrl-layout.js';

export type FaultModel = keyof typeof FAULT_MODEL_IDS;
/** The fault models the core implements, in id order. */
export const FAULT_MODELS = Object.keys(FAULT_MODEL_IDS) as readonly FaultModel[];

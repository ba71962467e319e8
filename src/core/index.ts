/**
 * The core: the only code that instantiates the WebAssembly module and touches its memory
 * (DESIGN.md, "The boundary"). Everything above it imports from here.
 *
 *   module.ts     compiling the module (initCore), and what every instance needs to know
 *   exports.ts    the module's one export as named methods
 *   arena.ts      laying out the memory below ARENA_LIMIT: control block, tables, flash
 *   core.ts       Core: one flash and the instance over it; traps become typed results
 *   results.ts    PowerCut, FlashRuleError, CoreBug
 *   faults.ts     the fault models
 *   snapshots.ts  flash snapshots inside the arena, restored by dirty sector
 *   trace.ts      the op log's entries and the one trace line format
 *   sha256.ts     SHA-256 for the whole process
 *   geometry.ts   the resolved flash geometry the core lays out
 */
export { initCore } from './module.js';
export { Core, type CoreOptions } from './core.js';
export type { CoreExports } from './exports.js';
export { PowerCut, isPowerCut, FlashRuleError, CoreBug, isDeviceFault, type FlashCounters } from './results.js';
export { FAULT_MODELS, type FaultModel } from './faults.js';
export { traceLine, parseTraceLine, type LogEntry } from './trace.js';
export { sha256, sha256Parts } from './sha256.js';
export { erasedValueOf, type Geometry, type GeometrySpec, type FlashDeviceSpec, type AreaSpec, type ResolvedArea, type ResolvedDevice, type ResolvedSector } from './geometry.js';

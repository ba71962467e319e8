/**
 * brickproof: a microcontroller that updates its own firmware the way MCUboot does, in
 * WebAssembly — to prove that no power cut at any moment of an update bricks it.
 *
 * This entry runs in browsers as in Node: it imports no `node:*` module (a test bundles it
 * for the browser to hold that). What only Node can do — worker pools, results files — is
 * `brickproof/node`.
 */
export {
  sha256, sha256Parts, initCore, Core, PowerCut, isPowerCut, FlashRuleError, CoreBug, isDeviceFault, FAULT_MODELS, traceLine, parseTraceLine,
  type FaultModel, type FlashCounters, type CoreOptions, type LogEntry,
} from './core/index.js';
export { Device, versionString, parseMaxAlign, parseMaxSectors, parseImageCount, DEFAULT_RAM, type BootloaderOptions, type BootResult, type Version, type SwapTypeName, type SlotState, type RamWindow } from './device/device.js';
export { resolveGeometry, PRIMARY, SECONDARY, SCRATCH, type GeometrySpec, type Geometry } from './device/geometry.js';
export { findProfile, allProfiles, profileNames, resolveProfile, DEFAULT_DEVICE, type DeviceProfile, type ResolvedProfile } from './device/profiles.js';
export { parseDeviceFile, loadDeviceFile, getDevice } from './device/device-file.js';
export { stage, stageBootstrap, stageImage, updateOffset, headerOffsets, padTrailer, checkFits, type Staging, type RunningTrailer } from './device/staging.js';
export * from './image/index.js';
export { UsageError, CheckFailed, BrickproofError } from './errors.js';
export { CampaignRunner, type ScenarioResult } from './campaign/runner.js';
export { type Rule } from './campaign/oracle.js';
export { scenarioId, parseScenarioId, strategyLabel, modesLabel, UPGRADES, PLANS, type CampaignSpec, type ScenarioRef, type Upgrade, type Plan } from './campaign/spec.js';
export { campaignKey, formatTable, makeReport, Tally, type Report, type SummaryRow } from './campaign/report.js';
export { VARIANTS, type Variant } from './campaign/variants.js';
export { benchStrategies, benchCase, supportedStrategies, maxImageSizeOf, BENCH_UPGRADES, type BenchUpgrade, type BenchOptions, type StrategyResult } from './bench/strategies.js';
export { strategyChart } from './bench/chart.js';
export { formatTable as formatStrategyTable } from './bench/table.js';
export * from './app/index.js';
export { LifecycleRunner, planLife, lifeId, parseLifeId, expectedEnd, RELEASE_KINDS, type LifecycleSpec, type LifePlan, type LifeResult, type ReleaseKind } from './campaign/plans/lifecycle.js';
export * from './fleet/index.js';

/**
 * brickproof: a microcontroller that updates its own firmware the way MCUboot does, in
 * WebAssembly — to prove that no power cut at any moment of an update bricks it.
 */
export { sha256, sha256Parts, initCore, Core, PowerCut, isPowerCut, FlashRuleError, CoreBug, FAULT_MODELS, type FaultModel, type FlashCounters, type CoreOptions } from './core.js';
export { Device, versionString, type BootloaderOptions, type BootResult, type Version, type SwapTypeName } from './device/device.js';
export { resolveGeometry, PRIMARY, SECONDARY, SCRATCH, type GeometrySpec, type Geometry } from './device/geometry.js';
export { findProfile, allProfiles, profileNames, resolveProfile, DEFAULT_DEVICE, type DeviceProfile, type ResolvedProfile } from './device/profiles.js';
export { parseDeviceFile, loadDeviceFile, getDevice } from './device/device-file.js';
export { STRATEGIES as BOOT_STRATEGIES, parseStrategy, type Strategy as BootStrategy } from './device/strategy.js';
export { decodeTrailerState, type SlotTrailerState } from './device/trailer-state.js';
export * from './image/index.js';
export { UsageError, CheckFailed, BrickproofError } from './errors.js';
export { CampaignRunner, type ScenarioResult } from './campaign/runner.js';
export { CampaignPool } from './campaign/pool.js';
export { scenarioId, parseScenarioId, UPGRADES, PLANS, type CampaignSpec, type ScenarioRef, type Upgrade, type Plan } from './campaign/spec.js';
export { VARIANTS, type Variant } from './campaign/variants.js';
export { benchStrategies, benchCase, supportedStrategies, maxImageSizeOf, BENCH_UPGRADES, type BenchUpgrade, type BenchOptions, type StrategyResult } from './bench/strategies.js';
export { strategyChart } from './bench/chart.js';
export { formatTable as formatStrategyTable } from './bench/table.js';
export * from './app/index.js';
export { LifecycleRunner, planLife, lifeId, parseLifeId, expectedEnd, RELEASE_KINDS, type LifecycleSpec, type LifePlan, type LifeResult, type ReleaseKind } from './campaign/lifecycle.js';

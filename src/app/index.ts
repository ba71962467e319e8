/**
 * A device's life (issue 10): the application state machine, its OTA task, an update
 * server, a network and power losses on a virtual clock. Browser-safe: nothing here
 * imports `node:*`. See README, "A device's life".
 */
export { DeviceLife, type DeviceState, type LifeObserver, type LifeSetup, type LifeReport, type LifeStats, type CutRecord, type ResetCause } from './life.js';
export { DEFAULT_APP, DEFAULT_OTA, GENERIC_TIMING, type AppOptions, type AppOverrides, type OtaOptions, type LifeOptions, type UpgradeKind, type ResumeMode } from './options.js';
export type { AppState } from './application.js';
export type { OtaContext } from './ota.js';
export { Scheduler } from './clock.js';
export { DEFAULT_RETRY, fullJitter, type RetryPolicy } from './backoff.js';
export { UpdateServer, makeRelease, chunkDigests, type Release, type Manifest, type Report as ServerReport, type ReportOutcome } from './server.js';
export { Network, DEFAULT_NETWORK, type NetworkOptions, type Delivery, type Transfer } from './network.js';
export { AIM_PHASES, DEFAULT_POWER, type AimPhase, type AimedCut, type PowerOptions } from './power.js';
export { CURRENT_NAMES, DEFAULT_CURRENTS, type Currents, type CurrentName } from './energy.js';
export { BEHAVIOURS, BEHAVIOUR_TLV, BOARD_TLV, firmwareTlvs, readFirmwareInfo, parseBehaviour, type Behaviour, type FirmwareInfo } from './firmware.js';
export { buildFirmware, type FirmwareSpec } from './images.js';
export { MILESTONE_EVENTS, formatMilestone, formatTime, type Milestone, type MilestoneEvent, type RebootReason } from './milestones.js';

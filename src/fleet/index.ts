/**
 * A fleet (issue 11): thousands of simulated devices through staged rollouts decided by
 * hawkBit- or AWS IoT Jobs-style policies, stopped when a release goes bad. Browser-safe:
 * nothing here imports `node:*`. See README, "A fleet".
 */
export { Fleet, LocalExecutor, type LifeExecutor, type FleetOptions, type FleetProgress, type DeviceMilestone } from './fleet.js';
export { planFleet, parseDuration, type FleetDescription, type ClassDescription, type NetworkDescription, type ReleaseDescription, type RolloutDescription, type FleetPlan, type ClassPlan, type ReleasePlan, type RolloutPlan, type FailureType } from './description.js';
export { FleetLives, offersKey, type Offer, type LifeJob, type DeviceRun, type ReleaseRun } from './lives.js';
export { ROLLOUT_EVENTS, simulateRollouts, type RolloutEvent, type RolloutEventName, type Execution, type ExecutionStatus, type GroupState, type Simulation } from './rollout.js';
export { fleetReport, formatFleetReport, type FleetReport, type GroupRow, type ClassRow, type Outcomes, type DeviceRef } from './report.js';
export { fleetDeviceId, parseFleetDeviceId, isFleetDeviceId, type FleetDeviceRef } from './replay-id.js';
export { classCounts, cohorts, deviceSeed, rolloutGroups, type Cohorts, type GroupPlan } from './cohorts.js';
export { fleetChart, stateChanges, stateCounts, CHART_STATES, type ChartState } from './chart.js';

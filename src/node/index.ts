/**
 * `brickproof/node`: what only Node can do — run campaigns on all cores (worker threads)
 * and read and merge results files. Everything else is the browser-safe `brickproof`.
 */
export { CampaignPool, defaultWorkers, type PoolEvent } from './pool.js';
export { completedUnits, mergeResults } from './results.js';
export { FleetPool, defaultFleetWorkers } from './fleet-pool.js';

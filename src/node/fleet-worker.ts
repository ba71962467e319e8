/**
 * A fleet worker thread: rebuilds the fleet's plan from its description (deterministic, so
 * every worker lives the same lives the main thread would), keeps its per-class devices and
 * images for the whole command, and lives the chunks of lives it is sent.
 */
import { parentPort } from 'node:worker_threads';
import { planFleet, type FleetDescription, type PlanOverrides } from '../fleet/description.js';
import { FleetLives, type DeviceRun, type LifeJob } from '../fleet/lives.js';
import { failureOf } from './threads.js';

let lives: FleetLives | undefined;
let livesKey = '';

interface Task {
  id: number;
  key: string;
  source: FleetDescription;
  overrides: PlanOverrides;
  jobs: LifeJob[];
}

parentPort!.on('message', async (task: Task) => {
  try {
    if (task.key !== livesKey) {
      lives = new FleetLives(planFleet(task.source, task.overrides));
      livesKey = task.key;
    }
    const runs: DeviceRun[] = [];
    for (const job of task.jobs) runs.push(await lives!.run(job));
    parentPort!.postMessage({ id: task.id, runs });
  } catch (e) {
    parentPort!.postMessage({ id: task.id, error: failureOf(e) });
  }
});

/**
 * Lives chunks of a fleet's lives (a Web Worker the fleet worker deals them to, one per
 * core): rebuilds the fleet's plan from its description — deterministic, so it lives the
 * same lives the fleet worker would — and keeps its devices and images between chunks.
 */
import { FleetLives, planFleet, type DeviceRun, type FleetDescription, type LifeJob } from 'brickproof';

type PlanOverrides = NonNullable<Parameters<typeof planFleet>[1]>;
import { engineReady } from '../engine.js';

export interface LivesTask {
  id: number;
  key: string;
  source: FleetDescription;
  overrides: PlanOverrides;
  jobs: LifeJob[];
}
export interface LivesReply {
  id: number;
  runs?: DeviceRun[];
  error?: string;
}

let lives: FleetLives | undefined;
let livesKey = '';

self.onmessage = async (e: MessageEvent<LivesTask>) => {
  const task = e.data;
  try {
    await engineReady();
    if (task.key !== livesKey) {
      lives = new FleetLives(planFleet(task.source, task.overrides));
      livesKey = task.key;
    }
    const runs: DeviceRun[] = [];
    for (const job of task.jobs) runs.push(await lives!.run(job));
    (self as unknown as Worker).postMessage({ id: task.id, runs } satisfies LivesReply);
  } catch (err) {
    (self as unknown as Worker).postMessage({ id: task.id, error: (err as Error).message } satisfies LivesReply);
  }
};

/**
 * A campaign worker thread. It stays up for the whole command: each task names a campaign
 * (rebuilt deterministically here, so every worker has exactly the same update timeline)
 * and the units to run; results stream back in small batches.
 */
import { parentPort } from 'node:worker_threads';
import { CampaignRunner } from '../campaign/runner.js';
import type { CampaignSpec } from '../campaign/spec.js';
import { BrickproofError } from '../errors.js';
import type { PoolEvent } from './pool.js';

const runners = new Map<string, CampaignRunner>();

parentPort!.on('message', async (task: { id: number; key: string; spec: CampaignSpec; units: number[] }) => {
  try {
    let runner = runners.get(task.key);
    if (!runner) {
      runners.clear(); // one campaign at a time: its device and snapshots are what count
      runner = await CampaignRunner.create(task.spec);
      runners.set(task.key, runner);
    }
    let batch: PoolEvent[] = [];
    let last = Date.now();
    for (const u of [...task.units].sort((a, b) => a - b)) {
      const results = runner.runUnit(u);
      batch.push(...results, { unitDone: u, scenarios: results.length });
      if (batch.length >= 256 || Date.now() - last > 100) {
        parentPort!.postMessage({ id: task.id, results: batch });
        batch = [];
        last = Date.now();
      }
    }
    parentPort!.postMessage({ id: task.id, results: batch, done: true });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    parentPort!.postMessage({ id: task.id, error: { message: err.message, stack: err.stack, exitCode: err instanceof BrickproofError ? err.exitCode : undefined } });
  }
});

/**
 * A campaign worker thread. It stays up for the whole command: each task names a campaign
 * (rebuilt deterministically here, so every thread has exactly the same update timeline)
 * and a chunk of its units; results stream back in small batches, and at the end of the
 * chunk what the memo learned (its new states, to count distinct states over threads).
 */
import { parentPort } from 'node:worker_threads';
import { CampaignRunner, type RunnerOptions } from '../campaign/runner.js';
import type { CampaignSpec } from '../campaign/spec.js';
import { failureOf } from './threads.js';
import { runUnit, type PoolEvent } from './pool.js';

interface Task {
  id: number;
  key: string;
  spec: CampaignSpec;
  options: RunnerOptions & { counted: boolean };
  units: number[];
}

let current: { key: string; runner: CampaignRunner; reported: number } | undefined;
/** Chunks run one after the other (the pool sends the next before this one ends). */
let queue = Promise.resolve();

parentPort!.on('message', (task: Task) => {
  queue = queue.then(() => runChunk(task));
});

async function runChunk(task: Task): Promise<void> {
  try {
    const key = `${task.key}|memo=${task.options.memo !== false}`;
    if (current?.key !== key) {
      // One campaign at a time: its device and snapshots are what count.
      current = undefined;
      current = { key, runner: await CampaignRunner.create(task.spec, task.options.memo === false ? { memo: false } : {}), reported: 0 };
    }
    const { runner } = current;
    let batch: PoolEvent[] = [];
    let last = Date.now();
    for (const u of task.units) {
      runUnit(runner, u, task.options.counted, batch);
      if (batch.length >= 256 || Date.now() - last > 100) {
        parentPort!.postMessage({ id: task.id, results: batch });
        batch = [];
        last = Date.now();
      }
    }
    const states = runner.memo?.stateIds() ?? [];
    const newStates = states.slice(current.reported);
    current.reported = states.length;
    parentPort!.postMessage({ id: task.id, results: batch, done: { newStates, hits: runner.memoStats.hits } });
  } catch (e) {
    parentPort!.postMessage({ id: task.id, error: failureOf(e) });
  }
}

parentPort!.postMessage({ id: 0, ready: true });

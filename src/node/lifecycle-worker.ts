/**
 * A lifecycle worker thread: keeps one runner (its devices and images) per campaign, lives
 * the lives it is given and streams their results back in batches.
 */
import { parentPort } from 'node:worker_threads';
import { LifecycleRunner, type LifecycleSpec, type LifeResult } from '../campaign/plans/lifecycle.js';
import { failureOf } from './threads.js';

let runner: LifecycleRunner | undefined;
let runnerKey = '';

parentPort!.on('message', async (task: { id: number; spec: LifecycleSpec; options: { memoBoots?: boolean }; units: number[] }) => {
  try {
    const key = JSON.stringify([task.spec, task.options]);
    if (key !== runnerKey) {
      runner = new LifecycleRunner(task.spec, task.options);
      runnerKey = key;
    }
    let batch: LifeResult[] = [];
    let last = Date.now();
    for (const u of task.units) {
      batch.push(await runner!.run(u));
      if (batch.length >= 64 || Date.now() - last > 100) {
        parentPort!.postMessage({ id: task.id, results: batch });
        batch = [];
        last = Date.now();
      }
    }
    parentPort!.postMessage({ id: task.id, results: batch, done: true });
  } catch (e) {
    parentPort!.postMessage({ id: task.id, error: failureOf(e) });
  }
});

/**
 * A whole campaign run inside a test, handing the event loop back every few units: run in
 * one synchronous stretch, a double-cut campaign of nrf52840 held its vitest worker for 13 s
 * under load, long enough to starve the worker's messages to the runner ("Timeout calling
 * onTaskUpdate"). The results are those of `[...runner.run(units)]`, in the same order.
 */
import type { CampaignRunner, ScenarioResult } from '../../src/campaign/runner.js';
import { turn } from './turn.js';

export async function runCampaign(runner: CampaignRunner, units = Array.from({ length: runner.units }, (_, i) => i + 1), every = 25): Promise<ScenarioResult[]> {
  const sorted = [...units].sort((a, b) => a - b);
  const results: ScenarioResult[] = [];
  for (let i = 0; i < sorted.length; i += every) {
    results.push(...runner.run(sorted.slice(i, i + every)));
    await turn();
  }
  return results;
}

/**
 * A campaign in a Web Worker: every cut point of the update, judged by the oracle, streamed
 * to the page in batches so the strip fills as it runs and the page stays responsive.
 */
import { CampaignRunner, traceLine, type CampaignSpec } from 'brickproof';
import { engineReady } from '../engine.js';

export type CampaignRequest = { type: 'run'; spec: CampaignSpec };
export type CellResult = { unit: number; ok: boolean; rule?: string; detail?: string; id: string; boots: number; resumeOps: number };
export type CampaignMessage =
  | { type: 'meta'; units: number; ops: string[]; calls: Array<{ kind: string; ops: number }>; controlFailure: boolean }
  | { type: 'results'; results: CellResult[] }
  | { type: 'done'; wallMs: number }
  | { type: 'error'; message: string };

const post = (m: CampaignMessage) => (self as unknown as Worker).postMessage(m);

self.onmessage = async (e: MessageEvent<CampaignRequest>) => {
  try {
    await engineReady();
    const t0 = performance.now();
    const runner = await CampaignRunner.create(e.data.spec);
    post({ type: 'meta', units: runner.units, ops: runner.ops.map(traceLine), calls: runner.calls, controlFailure: !!runner.controlFailure });
    let batch: CellResult[] = [];
    let last = performance.now();
    const units = Array.from({ length: runner.units }, (_, i) => i + 1);
    for (const r of runner.run(units)) {
      batch.push({ unit: r.unit, ok: r.ok, rule: r.rule, detail: r.detail, id: r.id, boots: r.boots, resumeOps: r.resumeOps });
      const now = performance.now();
      if (now - last > 40) {
        post({ type: 'results', results: batch });
        batch = [];
        last = now;
      }
    }
    post({ type: 'results', results: batch });
    post({ type: 'done', wallMs: performance.now() - t0 });
  } catch (err) {
    post({ type: 'error', message: (err as Error).message });
  }
};

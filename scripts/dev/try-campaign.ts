import { CampaignRunner } from '../../src/campaign/runner.js';
const [strategy = 'swap-scratch', upgrade = 'perm', device = 'nrf52840', fault = 'cut', plan = 'exhaustive'] = process.argv.slice(2);
const t0 = performance.now();
const r = await CampaignRunner.create({ device, strategy: strategy as any, upgrade: upgrade as any, plan: plan as any, fault: fault as any, imageSize: 'max', seed: 1, sample: 5 });
const t1 = performance.now();
let n = 0, bad = 0;
const units = Array.from({ length: r.units }, (_, i) => i + 1);
for (const res of r.run(units)) { n++; if (!res.ok) { bad++; if (bad < 6) console.log(res); } }
const t2 = performance.now();
console.log({ ops: r.cutPoints, scenarios: n, bad, setupMs: Math.round(t1 - t0), runMs: Math.round(t2 - t1), perScenarioUs: Math.round((t2 - t1) * 1000 / n), expected: r.expected });

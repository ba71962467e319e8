import { CampaignRunner } from '../../src/campaign/runner.js';
const spec = { device: 'nrf52840', strategy: 'swap-scratch' as any, upgrade: 'perm' as any, plan: 'exhaustive' as any, fault: 'cut' as any, imageSize: 'max' as const, seed: 1, sample: 0 };
const two = process.argv[2] === 'two';
if (two) await CampaignRunner.create(spec);
const r = await CampaignRunner.create(spec);
const t1 = performance.now();
let n = 0;
for (const res of r.run(Array.from({ length: r.units }, (_, i) => i + 1))) n++;
console.log(two ? 'two' : 'one', n, Math.round(performance.now() - t1));

import { performance } from 'node:perf_hooks';
import { CampaignPool } from '../../src/campaign/pool.js';
const spec = { device: 'nrf52840', strategy: 'swap-scratch' as const, upgrade: 'perm' as const, plan: 'exhaustive' as const, fault: 'cut' as const, imageSize: 'max' as const, seed: 1, sample: 0 };
const pool = new CampaignPool(2);
const units = Array.from({ length: 812 }, (_, i) => i + 1);
for (let r = 0; r < 5; r++) {
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now(); let k = 0;
  for await (const ev of pool.run(spec, units)) if (!('unitDone' in ev)) k++;
  const elu = performance.eventLoopUtilization(elu0);
  console.log(k, Math.round(performance.now() - t0), 'ms; main thread active', Math.round(elu.active), 'ms');
}
await pool.close();

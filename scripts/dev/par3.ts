import { CampaignPool } from '../../src/campaign/pool.js';
import { CampaignRunner } from '../../src/campaign/runner.js';
const spec = { device: 'nrf52840', strategy: 'swap-scratch' as const, upgrade: 'perm' as const, plan: 'double' as const, fault: 'cut' as const, imageSize: 'max' as const, seed: 1, sample: 3 };
const units = Array.from({ length: (await CampaignRunner.create(spec)).units }, (_, i) => i + 1);
for (const n of [1, 2]) {
  const pool = new CampaignPool(n);
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now(); let k = 0;
    for await (const ev of pool.run(spec, units)) if (!('unitDone' in ev)) k++;
    console.log(n, 'workers', k, Math.round(performance.now() - t0), 'ms');
  }
  await pool.close();
}

import { CampaignPool } from '../../src/campaign/pool.js';
const n = Number(process.argv[2] ?? 2);
const spec = { device: 'nrf52840', strategy: 'swap-scratch' as const, upgrade: 'perm' as const, plan: 'exhaustive' as const, fault: 'cut' as const, imageSize: 'max' as const, seed: 1, sample: 0 };
const pool = new CampaignPool(n);
const units = Array.from({ length: 812 }, (_, i) => i + 1);
for (let r = 0; r < 4; r++) {
  const t0 = performance.now(); let k = 0;
  for await (const ev of pool.run(spec, units)) if (!('unitDone' in ev)) k++;
  console.log(n, 'workers', k, Math.round(performance.now() - t0), 'ms');
}
await pool.close();

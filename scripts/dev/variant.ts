// Runs one exhaustive campaign and prints what failed, by rule, with the first replay id:
//   npx tsx scripts/dev/variant.ts swap-move@pr2100 revert nrf52840 torn-write '{"v1Trailer":"pad-confirm"}'
import { CampaignRunner } from '../../src/campaign/runner.js';
import type { CampaignSpec } from '../../src/campaign/spec.js';
const [strategy, upgrade, device = 'nrf52840', fault = 'cut', extra = '{}'] = process.argv.slice(2);
const spec = { device, strategy, upgrade, plan: 'exhaustive', fault, imageSize: 'max', seed: 1, sample: 0, ...JSON.parse(extra) } as CampaignSpec;
const r = await CampaignRunner.create(spec);
const res = [...r.run(Array.from({ length: r.units }, (_, i) => i + 1))];
const bad = res.filter((x) => !x.ok);
const rules: Record<string, number> = {};
for (const b of bad) rules[b.rule!] = (rules[b.rule!] ?? 0) + 1;
console.log(strategy, upgrade, device, fault, extra, 'points', res.length, 'failed', bad.length, rules, bad[0]?.id, bad[0]?.detail);

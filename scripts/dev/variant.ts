import { CampaignRunner } from '../../src/campaign/runner.js';
const [strategy, upgrade, device = 'nrf52840', fault = 'cut', v1 = ''] = process.argv.slice(2);
const r = await CampaignRunner.create({ device, strategy: strategy as any, upgrade: upgrade as any, plan: 'exhaustive', fault: fault as any, imageSize: 'max', ...(v1 ? { v1Size: Number(v1) } : {}), seed: 1, sample: 0 });
const res = [...r.run(Array.from({ length: r.units }, (_, i) => i + 1))];
const bad = res.filter((x) => !x.ok);
const rules: Record<string, number> = {};
for (const b of bad) rules[b.rule!] = (rules[b.rule!] ?? 0) + 1;
console.log(strategy, upgrade, device, fault, 'points', res.length, 'failed', bad.length, rules, bad[0]?.id, bad[0]?.detail);

import { loadMatrixCases } from '../../test/helpers/vectors.js';
import { makeDevice, bootedVersion } from '../../test/conformance/harness.js';
const cases = loadMatrixCases().filter((c) => c.build.strategy === 'swap-scratch' && c.id.includes('nrf52840') && c.scenario === 'perm');
const c = cases[0];
console.log(c.id, c.sweeps.upgrade.points);
const dev = makeDevice(c.layout, c.build.strategy, { maxAlign: c.build.maxAlign, keys: c.build.keyNames });
const start = c.upgradeStep === 1 ? c.before : c.steps[c.upgradeStep - 2].after;
const t0 = performance.now();
let bad = 0;
for (let k = 1; k <= c.sweeps.upgrade.points; k++) {
  dev.core.loadDump(start);
  dev.boot({ at: k });
  const r1 = dev.boot() as any;
  const r2 = dev.boot() as any;
  if (bootedVersion(r1) !== c.sweeps.upgrade.reboot1Versions[k - 1] || bootedVersion(r2) !== c.sweeps.upgrade.reboot2Versions[k - 1]) bad++;
}
console.log('ms', performance.now() - t0, 'bad', bad);

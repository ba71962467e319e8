import { Device } from '../../src/device/device.js';
import { getDevice } from '../../src/device/device-file.js';
import { buildImages, stage } from '../../src/campaign/update.js';
const { geometry } = getDevice('nrf52840');
const strategy = (process.argv[2] ?? 'overwrite-only') as any;
const d = new Device(geometry, { strategy, validatePrimary: false, skipImageChecks: true }, { logEntries: 0 });
const images = await buildImages(d, 'max', strategy);
stage(d, images, 'perm', geometry);
const start = d.core.dump();
const t0 = performance.now();
for (let i = 0; i < 3000; i++) { d.core.loadDump(start); d.boot(); }
console.log(((performance.now() - t0) / 3000 * 1000).toFixed(1), 'us per load+boot');

import { Device } from '../../src/device/device.js';
import { getDevice } from '../../src/device/device-file.js';
import { buildImages, stage } from '../../src/campaign/update.js';
import { timeEach } from '../../bench/report.js';
const { geometry } = getDevice('nrf52840');
const strategy = 'swap-scratch';
const mk = (o: object) => new Device(geometry, { strategy, ...o }, { logEntries: 0 });
const a = mk({}), b = mk({ skipImageChecks: true });
const images = await buildImages(a, 'max', strategy);
const h = (img: Uint8Array) => { const dv = new DataView(img.buffer, img.byteOffset); return img.subarray(0, dv.getUint16(8, true) + dv.getUint32(12, true) + dv.getUint16(10, true)); };
a.core.addKnownRegion(h(images.v1)); a.core.addKnownRegion(h(images.v2));
for (const d of [a, b]) { stage(d, images, 'perm', geometry); d.boot(); }
const ms = timeEach({ cachedIdle: () => a.boot(), skipIdle: () => b.boot(), reboot: () => a.core.reboot() }, { samples: 9 });
for (const [k, v] of Object.entries(ms)) console.log(k.padEnd(12), (v * 1000).toFixed(1), 'us');

import { Device } from '../../src/device/device.js';
import { getDevice } from '../../src/device/device-file.js';
import { buildImages, stage } from '../../src/campaign/update.js';
import { timeEach } from '../../bench/report.js';
const { geometry } = getDevice('nrf52840');
const strategy = (process.argv[2] ?? 'swap-move') as any;
const d = new Device(geometry, { strategy, validatePrimary: false }, { logEntries: 0 });
const images = await buildImages(d, 'max', strategy);
const h = (img: Uint8Array) => { const dv = new DataView(img.buffer, img.byteOffset); return img.subarray(0, dv.getUint16(8, true) + dv.getUint32(12, true) + dv.getUint16(10, true)); };
d.core.addKnownRegion(h(images.v1)); d.core.addKnownRegion(h(images.v2));
stage(d, images, 'perm', geometry);
const start = d.core.dump();
d.boot(); const after = d.core.dump();
const ms = timeEach({
  reboot: () => d.core.reboot(),
  load: () => d.core.loadDump(start),
  idleNoValidation: () => { d.core.loadDump(after); d.boot(); },
  swap: () => { d.core.loadDump(start); d.boot(); },
  compare: () => Buffer.compare(d.core.areaBytes(1).subarray(0, 200000), d.core.areaBytes(2).subarray(0, 200000)),
}, { samples: 9 });
for (const [k, v] of Object.entries(ms)) console.log(k.padEnd(20), (v * 1000).toFixed(1), 'us');

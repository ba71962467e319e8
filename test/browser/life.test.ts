/**
 * A device's life in a browser: headless Chromium loads the package entry (dist/, as package.json's
 * exports name it) as ES modules and lives a day of a device (application, OTA task, server, power loss) with
 * src/app's code — which imports nothing from Node.
 */
import { noChromium } from '../helpers/chromium.js';
import { packagePage, pageInChromium } from '../helpers/package-page.js';
import { describe, expect, it } from 'vitest';

const page = packagePage('brickproof life', `
  import { initCore, DeviceLife } from 'brickproof';
`, `
    await initCore('/build/brickproof.wasm');
    const life = await DeviceLife.create({ device: 'k64f', strategy: 'swap-move', seed: 3, power: { aimed: [{ phase: 'download', fraction: 0.5 }] } });
    life.publish(await life.buildFirmware({ version: '2.0.0' }));
    const r = life.run({ days: 1 });
    window.result = { final: r.final, events: r.milestones.map((m) => m.event) };
`);

describe.skipIf(noChromium)('a device\'s life in headless Chromium', () => {
  const chromium = pageInChromium(page);

  it('lives a day from the browser-safe package code: a power loss mid-download, resumed, installed and confirmed', async () => {
    const result = await chromium.result();
    expect(result).toEqual({
      final: { version: '2.0.0+0', confirmed: true, bricked: false },
      events: ['update-available', 'download-started', 'reboot', 'update-available', 'download-resumed', 'download-completed', 'upgrade-requested', 'reboot', 'image-swapped', 'image-confirmed'],
    });
  });
});

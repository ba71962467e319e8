/**
 * A fleet in a browser (where the viewer will run fleets, in a Web Worker): headless Chromium
 * loads the package entry (dist/, as package.json's exports name it) as ES modules and runs a
 * small fleet through a staged rollout with src/fleet's code — which imports nothing from Node.
 */
import { noChromium } from '../helpers/chromium.js';
import { packagePage, pageInChromium } from '../helpers/package-page.js';
import { describe, expect, it } from 'vitest';

const page = packagePage('brickproof fleet', `
  import { initCore, Fleet } from 'brickproof';
`, `
    await initCore('/build/brickproof.wasm');
    const fleet = new Fleet({
      devices: 24,
      days: 0.5,
      classes: [{ name: 'sensor', weight: 3, device: 'nrf52840', strategy: 'swap-move' }, { name: 'gateway', weight: 1, device: 'k64f', strategy: 'swap-offset' }],
      releases: [{ version: '2.0.0', size: 30000, rollout: { canary: 2, groups: [50, 100], successThreshold: 100 } }],
    });
    const events = [];
    fleet.on((e) => events.push(e.event + ' ' + e.group));
    const r = await fleet.run();
    window.result = { events, totals: r.totals, svg: fleet.chart().startsWith('<svg') };
`);

describe.skipIf(noChromium)('a fleet in headless Chromium', () => {
  const chromium = pageInChromium(page);

  it('runs a staged rollout of a small fleet from the browser-safe package code', async () => {
    const result = await chromium.result();
    expect(result).toEqual({
      events: ['group-started 2.0.0 canary', 'group-succeeded 2.0.0 canary', 'group-started 2.0.0 50%', 'group-succeeded 2.0.0 50%', 'group-started 2.0.0 100%', 'group-succeeded 2.0.0 100%', 'rollout-finished 2.0.0 100%'],
      totals: { devices: 24, succeeded: 24, rolledBack: 0, refused: 0, timedOut: 0, bricked: 0 },
      svg: true,
    });
  });
});

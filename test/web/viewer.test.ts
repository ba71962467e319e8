/**
 * The viewer (web/) in headless Chromium, as a person uses it: built with Vite, served by
 * `brickproof view`, driven by playwright-core. Every figure the page shows is checked
 * against the engine run here in Node. A screenshot of each view is saved under
 * test-results/ for a person to look at.
 * Chromium comes from Debian (`apt-get install chromium`; .ci/run installs it).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, noChromium } from '../helpers/chromium.js';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignRunner, Fleet, type CampaignSpec, type FleetDescription, type FleetReport } from '../../src/index.js';
import { FleetPool } from '../../src/node/fleet-pool.js';
import { start } from '../../src/cli/view.js';
import type { StaticServer } from '../../src/node/static-server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shots = join(root, 'test-results');

const spec = (s: Partial<CampaignSpec>): CampaignSpec => ({ device: 'nrf52840', strategy: 'swap-scratch', upgrade: 'test', plan: 'exhaustive', fault: 'cut', imageSize: 'max', seed: 1, sample: 0, ...s });

describe("the viewer's sources", () => {
  it('import brickproof only through the package entry (and the core file it ships, and the example fleet)', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.ts')) files.push(join(dir, e.name));
      }
    };
    walk(join(root, 'web/src'));
    const allowed = [join(root, 'build/brickproof.wasm'), join(root, 'examples/fleet.json')];
    const outside = files.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm)].map((m) => (m[1] ?? m[2])!).filter((spec) => {
        if (spec === 'brickproof') return false;
        if (!spec.startsWith('.')) return true;
        const target = resolve(dirname(f), spec.replace(/\?url$/, ''));
        return !(target.startsWith(join(root, 'web/src')) || allowed.includes(target));
      }).map((spec) => `${f.slice(root.length)}: ${spec}`),
    );
    expect(files.length).toBeGreaterThan(5);
    expect(outside).toEqual([]);
  });
});

describe.skipIf(noChromium)('the viewer in headless Chromium', () => {
  let out = '';
  let served: StaticServer | undefined;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'brickproof-viewer-'));
    await build({ configFile: join(root, 'web/vite.config.ts'), logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
    const lines: string[] = [];
    served = await start(['--dir', out], (l) => lines.push(l));
    expect(lines.join('')).toMatch(/^brickproof viewer: http:\/\/127\.0\.0\.1:\d+\//);
    mkdirSync(shots, { recursive: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => errors.push(e.message));
    // No request leaves 127.0.0.1: the page works with no network.
    await page.route((url) => url.hostname !== '127.0.0.1', (r) => {
      errors.push(`request to ${r.request().url()}`);
      return r.abort();
    });
    await page.goto(served!.url);
    await page.waitForSelector('#flash-map svg', { timeout: 60_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('steps a swap one flash operation at a time and decodes the trailers as the engine does', async () => {
    const runner = await CampaignRunner.create(spec({}));
    runner.flashBefore(401); // the flash after operation 400
    const status = runner.device.readSwapStatus(1);
    const scratch = runner.device.readSwapState(3);
    await page.locator('#scrub').fill('399');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.textContent('#position')).toContain('step 400/');
    expect(await page.textContent('[data-field="primary-status-records"]')).toContain(`${status.written} / ${status.capacity}`);
    expect(await page.textContent('[data-field="primary-magic"]')).toContain(runner.device.readSwapState(1).magic);
    expect(await page.textContent('[data-field="primary-swap-type"]')).toContain('test (0x02)');
    expect(scratch.magic).toBe('bad'); // the scratch holds image bytes between regions
    expect(await page.textContent('#operation')).toContain('#400 W 1 23c00 400');
    expect(await page.textContent('#decision')).toContain('a TEST upgrade is requested');
    await page.locator('#stepper').screenshot({ path: join(shots, 'viewer-1-flash-map-stepper.png') });
  });

  it('cuts the power at the current step and shows the recovery boot, judged as the campaign judges it', async () => {
    const runner = await CampaignRunner.create(spec({}));
    const expected = runner.single(401);
    await page.keyboard.press('x');
    await page.waitForSelector('#verdict b');
    expect(await page.textContent('#replay-id')).toBe('swap-scratch/nrf52840/test/cut@401');
    expect(await page.textContent('#verdict')).toContain(`recovered in ${expected.boots} power-ons (the first made ${expected.resumeOps} flash operations)`);
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    expect(await page.textContent('#position')).toMatch(/recovery · power-on 1 op 4\//);
    expect(await page.textContent('#decision')).toContain('Power-on 1 after the cut: status records show an interrupted swap: MCUboot RESUMES it');
    expect(await page.locator('#oplist li.recovery').count()).toBeGreaterThan(0);
    await page.locator('#stepper').screenshot({ path: join(shots, 'viewer-2-cut-and-recover.png') });
  });

  it('runs a small campaign in a Web Worker: one cell per cut point, none failing', async () => {
    const s = spec({ strategy: 'swap-move', imageSize: 65536 });
    const units = (await CampaignRunner.create(s)).units;
    await page.selectOption('#strategy', 'swap-move');
    await page.fill('#image-size', '64K');
    await page.click('#run-campaign');
    await page.waitForSelector('#campaign-summary[data-done="true"]', { timeout: 120_000 });
    expect(Number(await page.getAttribute('#campaign-cells', 'data-count'))).toBe(units);
    expect(Number(await page.getAttribute('#strip', 'data-cells'))).toBe(units);
    expect(Number(await page.getAttribute('#strip', 'data-judged'))).toBe(units);
    expect(Number(await page.getAttribute('#campaign-failures', 'data-count'))).toBe(0);
    expect(Number(await page.getAttribute('#campaign-bricked', 'data-count'))).toBe(0);
  });

  it('shows a historical MCUboot bug brick a device, and a click on its cell loads the exact operation', async () => {
    const s = spec({ strategy: 'swap-move', variant: 'pr1597' });
    const runner = await CampaignRunner.create(s);
    const failing = [...runner.run(Array.from({ length: runner.units }, (_, i) => i + 1))].filter((r) => !r.ok);
    expect(failing.map((r) => r.rule)).toEqual(['bricked']);
    await page.selectOption('#preset', 'swap-move@pr1597');
    await page.click('#run-campaign');
    await page.waitForSelector('#campaign-summary[data-done="true"]', { timeout: 120_000 });
    expect(Number(await page.getAttribute('#campaign-cells', 'data-count'))).toBe(runner.units);
    expect(Number(await page.getAttribute('#campaign-bricked', 'data-count'))).toBe(1);
    await page.locator('#campaign').screenshot({ path: join(shots, 'viewer-3-campaign-strip.png') });
    await page.focus('#strip');
    await page.keyboard.press('n');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#replay-id'), { timeout: 30_000 }).toBe(failing[0]!.id);
    expect(await page.textContent('#verdict')).toContain('✗ bricked');
    await page.keyboard.press('End');
    expect(await page.textContent('#decision')).toContain('NO BOOTABLE IMAGE');
    await page.locator('#stepper').screenshot({ path: join(shots, 'viewer-3b-bug-bricks-the-device.png') });
  });

  it("lives a device with a crash-at-boot release and logs the rollback", async () => {
    await page.keyboard.press('2');
    await page.selectOption('#life-behaviour', 'crash-at-boot');
    await page.fill('#life-days', '1');
    await page.click('#life-run');
    await page.waitForSelector('#life-summary[data-done="true"]', { timeout: 120_000 });
    const log = (await page.textContent('#life-log')) ?? '';
    expect(log).toContain('rollback detected');
    expect(log).toContain('2.0.0+0 rolled back after crash');
    expect(await page.textContent('#life-summary')).toContain('runs 2.1.0+0, confirmed');
    await page.locator('#view-life').screenshot({ path: join(shots, 'viewer-4-device-life.png') });
  });

  it('runs a 1 000-device fleet in Web Workers and shows its final counts, and replays a failed device alone', async () => {
    const description = JSON.parse(readFileSync(join(root, 'examples/fleet.json'), 'utf8')) as FleetDescription;
    const pool = new FleetPool(2);
    let expected: FleetReport;
    try {
      expected = await new Fleet(description, { devices: 1000, days: 10, executor: pool }).run();
    } finally {
      await pool.close();
    }
    await page.keyboard.press('3');
    await page.fill('#fleet-devices', '1000');
    await page.fill('#fleet-days', '10');
    await page.click('#fleet-run');
    await page.waitForSelector('#fleet-totals[data-done="true"]', { timeout: 300_000 });
    const count = async (id: string) => Number(await page.getAttribute(`#${id}`, 'data-count'));
    expect({
      devices: await count('fleet-devices-total'),
      succeeded: await count('fleet-succeeded'),
      rolledBack: await count('fleet-rolled-back'),
      refused: await count('fleet-refused'),
      timedOut: await count('fleet-timed-out'),
      bricked: await count('fleet-bricked'),
    }).toEqual(expected.totals);
    expect(expected.totals.devices).toBe(1000);
    expect(await page.textContent('#fleet-events')).toContain('rollout-paused');
    expect(await page.locator('#fleet-chart svg').count()).toBe(1);
    await page.locator('#view-fleet').screenshot({ path: join(shots, 'viewer-5-fleet.png') });
    await page.locator('#fleet-failed button').first().click();
    await expect.poll(() => page.textContent('#fleet-replay'), { timeout: 60_000 }).toContain('rollback-detected');
  });

  it('did all of the above from its own host alone (no other request), with no error on the page or in its workers', () => {
    expect(errors).toEqual([]);
  });
});

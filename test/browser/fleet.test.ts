/**
 * A fleet in a browser (where the viewer will run fleets, in a Web Worker): headless Chromium
 * loads the package entry (dist/, as package.json's exports name it) as ES modules and runs a
 * small fleet through a staged rollout with src/fleet's code — which imports nothing from Node.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../', import.meta.url));
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.json': 'application/json' };

/** Where package.json's exports send `import … from 'brickproof'`. */
const entry = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { exports: Record<string, { default: string }> }).exports['.'].default.replace(/^\.\//, '/');

const page = `<!doctype html><meta charset="utf-8"><title>brickproof fleet</title>
<script type="importmap">{ "imports": {
  "brickproof": "${entry}",
  "@assemblyscript/loader": "/node_modules/@assemblyscript/loader/index.js",
  "@noble/curves/": "/node_modules/@noble/curves/",
  "@noble/hashes/": "/node_modules/@noble/hashes/"
} }</script>
<script type="module">
  import { initCore, Fleet } from 'brickproof';
  try {
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
  } catch (e) {
    window.result = { error: String(e && e.stack || e) };
  }
</script>`;

describe.skipIf(!existsSync(CHROMIUM))('a fleet in headless Chromium', () => {
  let server: Server;
  let browser: Browser;
  let base = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]));
      if (path === '/' || path === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(page);
        return;
      }
      const file = join(root, path);
      if (!file.startsWith(root) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it('runs a staged rollout of a small fleet from the browser-safe package code', async () => {
    const p = await browser.newPage();
    await p.goto(`${base}/`);
    await p.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 60_000 });
    const result = await p.evaluate(() => (window as unknown as { result: unknown }).result);
    expect(result).toEqual({
      events: ['group-started 2.0.0 canary', 'group-succeeded 2.0.0 canary', 'group-started 2.0.0 50%', 'group-succeeded 2.0.0 50%', 'group-started 2.0.0 100%', 'group-succeeded 2.0.0 100%', 'rollout-finished 2.0.0 100%'],
      totals: { devices: 24, succeeded: 24, rolledBack: 0, refused: 0, timedOut: 0, bricked: 0 },
      svg: true,
    });
  });
});

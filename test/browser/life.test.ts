/**
 * A device's life in a browser: headless Chromium loads the package entry (dist/, as package.json's
 * exports name it) as ES modules and lives a day of a device (application, OTA task, server, power loss) with
 * src/app's code — which imports nothing from Node.
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

const page = `<!doctype html><meta charset="utf-8"><title>brickproof life</title>
<script type="importmap">{ "imports": {
  "brickproof": "${entry}",
  "@assemblyscript/loader": "/node_modules/@assemblyscript/loader/index.js",
  "@noble/curves/": "/node_modules/@noble/curves/",
  "@noble/hashes/": "/node_modules/@noble/hashes/",
  "@noble/ciphers/": "/node_modules/@noble/ciphers/"
} }</script>
<script type="module">
  import { initCore, DeviceLife } from 'brickproof';
  try {
    await initCore('/build/brickproof.wasm');
    const life = await DeviceLife.create({ device: 'k64f', strategy: 'swap-move', seed: 3, power: { aimed: [{ phase: 'download', fraction: 0.5 }] } });
    life.publish(await life.buildFirmware({ version: '2.0.0' }));
    const r = life.run({ days: 1 });
    window.result = { final: r.final, events: r.milestones.map((m) => m.event) };
  } catch (e) {
    window.result = { error: String(e && e.stack || e) };
  }
</script>`;

describe.skipIf(!existsSync(CHROMIUM))('a device\'s life in headless Chromium', () => {
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

  it('lives a day from the browser-safe package code: a power loss mid-download, resumed, installed and confirmed', async () => {
    const p = await browser.newPage();
    await p.goto(`${base}/`);
    await p.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 60_000 });
    const result = await p.evaluate(() => (window as unknown as { result: unknown }).result);
    expect(result).toEqual({
      final: { version: '2.0.0+0', confirmed: true, bricked: false },
      events: ['update-available', 'download-started', 'reboot', 'update-available', 'download-resumed', 'download-completed', 'upgrade-requested', 'reboot', 'image-swapped', 'image-confirmed'],
    });
  });
});

/**
 * The same core in a browser: headless Chromium imports the package entry `brickproof` (an
 * import map points it at the compiled library, as a bundler would), compiles the
 * WebAssembly core from a URL and from bytes, hashes with it, and runs a device through a
 * power cut and a resumed swap — no Node APIs involved.
 * Chromium comes from Debian (`apt-get install chromium`; .ci/run installs it).
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

const page = `<!doctype html><meta charset="utf-8"><title>brickproof</title>
<script type="importmap">{ "imports": {
  "brickproof": "${entry}",
  "@assemblyscript/loader": "/node_modules/@assemblyscript/loader/index.js",
  "@noble/curves/": "/node_modules/@noble/curves/",
  "@noble/hashes/": "/node_modules/@noble/hashes/",
  "@noble/ciphers/": "/node_modules/@noble/ciphers/"
} }</script>
<script type="module">
  import { initCore, sha256, PowerCut, Device, resolveGeometry, signImage } from 'brickproof';
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  try {
    await initCore('/build/brickproof.wasm');
    const fromUrl = hex(sha256(new TextEncoder().encode('abc')));
    await initCore(await (await fetch('/build/brickproof.wasm')).arrayBuffer());
    const fromBytes = hex(sha256(new TextEncoder().encode('abc')));
    const geometry = resolveGeometry({ name: 'web', flash: [{ id: 0, sectors: [[4096, 72]], writeAlign: 8 }],
      areas: { primary: { flash: 0, offset: 0, size: 0x20000 }, secondary: { flash: 0, offset: 0x20000, size: 0x20000 }, scratch: { flash: 0, offset: 0x40000, size: 0x1000 } } });
    const dev = new Device(geometry, { strategy: 'swap-scratch' });
    const body = (n, s) => Uint8Array.from({ length: n }, (_, i) => (i * s + 3) & 0xff);
    dev.core.place(1, 0, await signImage(body(30000, 31), { headerSize: 0x200, padHeader: true, version: '1.0.0' }));
    dev.core.place(2, 0, await signImage(body(40000, 17), { headerSize: 0x200, padHeader: true, version: '2.0.0' }));
    dev.setPending(true);
    const cut = dev.boot({ at: 60 });
    const resumed = dev.boot();
    window.result = { fromUrl, fromBytes, cut: cut instanceof PowerCut ? cut.opIndex : null, resumed: { outcome: resumed.outcome, resumed: resumed.resumed, major: resumed.version?.major } };
  } catch (e) {
    window.result = { error: String(e && e.stack || e) };
  }
</script>`;

describe.skipIf(!existsSync(CHROMIUM))('in headless Chromium', () => {
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

  it('compiles the core from a URL and from bytes, hashes, and survives a power cut mid-swap', async () => {
    const p = await browser.newPage();
    await p.goto(`${base}/`);
    await p.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 60_000 });
    const result = await p.evaluate(() => (window as unknown as { result: unknown }).result);
    expect(result).toEqual({
      fromUrl: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      fromBytes: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      cut: 60,
      resumed: { outcome: 'ok', resumed: true, major: 2 },
    });
  });
});

/**
 * A page that imports the package entry as a browser does (ES modules through an import map,
 * `brickproof` resolved as package.json's exports name it), served from the repository on
 * 127.0.0.1, and read back once its script sets `window.result`. One import map for every
 * browser test: a dependency the entry gains is added here once (the fleet test once waited
 * 60 s for @noble/ciphers, missing from its own copy of the map).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './chromium.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.json': 'application/json' };

/** Where package.json's exports send `import … from 'brickproof'`. */
const entry = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { exports: Record<string, { default: string }> }).exports['.'].default.replace(/^\.\//, '/');

/**
 * An HTML page running `imports` then `body` (ES module code that may import 'brickproof' and
 * sets `window.result`); an error thrown by the body becomes `window.result = { error }`.
 */
export function packagePage(title: string, imports: string, body: string): string {
  return `<!doctype html><meta charset="utf-8"><title>${title}</title>
<script type="importmap">{ "imports": {
  "brickproof": "${entry}",
  "@assemblyscript/loader": "/node_modules/@assemblyscript/loader/index.js",
  "@noble/curves/": "/node_modules/@noble/curves/",
  "@noble/hashes/": "/node_modules/@noble/hashes/",
  "@noble/ciphers/": "/node_modules/@noble/ciphers/"
} }</script>
<script type="module">
${imports}
try {
${body}
} catch (e) {
  window.result = { error: String((e && e.stack) || e) };
}
</script>`;
}

/**
 * For a describe block: serves `page` and launches Chromium before its tests, closes both
 * after them; `result()` opens the page and returns what its script put in `window.result`.
 */
export function pageInChromium(page: string): { result(): Promise<unknown> } {
  let served: ServedPage | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    served = await servePage(page);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });
  return { result: () => served!.result(browser!) };
}

export interface ServedPage {
  /** Opens the page in a new tab and returns what its script put in `window.result`. */
  result(browser: Browser): Promise<unknown>;
  close(): Promise<void>;
}

/** Serves `page` at / and the repository's files beside it, on a free port of 127.0.0.1. */
export async function servePage(page: string): Promise<ServedPage> {
  const server = createServer((req, res) => {
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
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    async result(browser) {
      const p = await browser.newPage();
      await p.goto(`${base}/`);
      await p.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 60_000 });
      return p.evaluate(() => (window as unknown as { result: unknown }).result);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * `brickproof view` serves a built viewer on 127.0.0.1 and nothing else: its files, with
 * the content types a browser needs (the WebAssembly core as application/wasm), none
 * outside its folder; bad flags are one-line errors, exit 2.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { start } from '../../src/cli/view.js';
import type { StaticServer } from '../../src/node/static-server.js';

describe('brickproof view', () => {
  let dir = '';
  let served: StaticServer | undefined;
  const printed: string[] = [];

  beforeAll(async () => {
    const parent = mkdtempSync(join(tmpdir(), 'brickproof-view-'));
    dir = join(parent, 'web');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>viewer</title>');
    writeFileSync(join(dir, 'assets', 'core.wasm'), Uint8Array.of(0, 0x61, 0x73, 0x6d));
    writeFileSync(join(parent, 'secret.txt'), 'outside the viewer');
    served = await start(['--dir', dir], (l) => printed.push(l));
  });

  afterAll(async () => {
    await served?.close();
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('prints the address it listens on: 127.0.0.1 and a free port', () => {
    expect(printed.join('')).toBe(`brickproof viewer: http://127.0.0.1:${served!.port}/  (Ctrl-C to stop)\n`);
    expect(served!.port).toBeGreaterThan(0);
  });

  it('serves the page and its assets with their content types', async () => {
    const page = await fetch(served!.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<title>viewer</title>');
    const wasm = await fetch(`${served!.url}assets/core.wasm`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(Uint8Array.of(0, 0x61, 0x73, 0x6d));
  });

  it('serves nothing outside its folder, and nothing that is not there', async () => {
    expect((await fetch(`${served!.url}..%2Fsecret.txt`)).status).not.toBe(200);
    expect((await fetch(`${served!.url}assets/..%2F..%2Fsecret.txt`)).status).not.toBe(200);
    expect((await fetch(`${served!.url}missing.js`)).status).toBe(404);
    expect((await fetch(served!.url, { method: 'POST' })).status).toBe(405);
  });

  it('refuses a bad port or a folder without a built viewer in one line, exit 2', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['view', '--port', 'eighty'])).toBe(2);
      expect(await main(['view', '--port', '70000'])).toBe(2);
      expect(await main(['view', '--dir', join(dir, 'assets')])).toBe(2);
      const lines = err.mock.calls.map((c) => String(c[0]));
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^brickproof view: .*--port.*eighty/);
      expect(lines[2]).toBe(`brickproof view: --dir ${join(dir, 'assets')} holds no index.html (a built viewer)\n`);
    } finally {
      err.mockRestore();
    }
  });
});

/**
 * `brickproof view` serves a built viewer on 127.0.0.1 and nothing else: its files, with
 * the content types a browser needs (the WebAssembly core as application/wasm), none
 * outside its folder; bad flags are one-line errors, exit 2.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { newerSource, start } from '../../src/cli/view.js';
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

/*
 * What a user following the README does: `npm install` (its prepare step builds the viewer
 * into dist/web), then `npx brickproof view`. On a clone where only the library was built,
 * this fails: the command refuses to start ("the viewer is not built").
 */
describe('npx brickproof view after npm install', () => {
  it('serves the viewer npm install built: the page, every file it loads, the WebAssembly core; Ctrl-C ends it with exit 0', async () => {
    const bin = fileURLToPath(new URL('../../bin/brickproof.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'view'], { cwd: tmpdir() });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const url = await new Promise<string | undefined>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const m = /^brickproof viewer: (http:\/\/127\.0\.0\.1:\d+\/) /m.exec(stdout);
        if (m) resolve(m[1]);
      });
      void exited.then(() => resolve(undefined));
    });
    try {
      // A checkout edited since its last build gets a note (below); nothing else.
      expect(stderr.replace(/^brickproof view: note: .* changed after the viewer was built .*\n/, ''), 'brickproof view did not start').toBe('');
      expect(url).toBeDefined();
      const html = await (await fetch(url!)).text();
      expect(html).toContain('<title>brickproof viewer</title>');
      // Every file the page loads, and every chunk or core those load (Vite names them name-HASH.ext).
      const files = new Set([...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => m[1]!));
      expect([...files].some((f) => f.endsWith('.js'))).toBe(true);
      const fetched = new Map<string, Response>();
      for (const file of files) {
        const res = await fetch(`${url}${file}`);
        expect(res.status, file).toBe(200);
        fetched.set(file, res);
        if (file.endsWith('.js')) for (const m of (await res.text()).matchAll(/[\w.-]+-[\w-]{8}\.(?:js|wasm|css)\b/g)) files.add(`assets/${m[0]}`);
      }
      const cores = [...fetched.keys()].filter((f) => f.endsWith('.wasm'));
      expect(cores).toHaveLength(1);
      const core = await fetch(`${url}${cores[0]}`);
      expect(core.headers.get('content-type')).toBe('application/wasm');
      expect(new Uint8Array(await core.arrayBuffer()).subarray(0, 4)).toEqual(Uint8Array.of(0, 0x61, 0x73, 0x6d));
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});

describe('a viewer older than its sources', () => {
  it('is named by the first source changed after the build, in a checkout; never in an installed package (no web/)', () => {
    const pkg = mkdtempSync(join(tmpdir(), 'brickproof-view-pkg-'));
    try {
      const file = (path: string, at: number) => {
        mkdirSync(join(pkg, path, '..'), { recursive: true });
        writeFileSync(join(pkg, path), '');
        utimesSync(join(pkg, path), at, at);
      };
      file('dist/web/index.html', 2_000_000);
      file('src/cli/main.ts', 1_000_000);
      file('build/brickproof.wasm', 1_000_000);
      expect(newerSource(join(pkg, 'dist/web'), pkg)).toBeUndefined(); // no web/: an installed package
      file('web/src/main.ts', 1_000_000);
      expect(newerSource(join(pkg, 'dist/web'), pkg)).toBeUndefined();
      file('src/campaign/runner.ts', 3_000_000);
      expect(newerSource(join(pkg, 'dist/web'), pkg)).toBe(join('src', 'campaign', 'runner.ts'));
      file('src/campaign/runner.ts', 1_000_000);
      file('build/brickproof.wasm', 3_000_000);
      expect(newerSource(join(pkg, 'dist/web'), pkg)).toBe(join('build', 'brickproof.wasm'));
      rmSync(join(pkg, 'web'), { recursive: true });
      expect(newerSource(join(pkg, 'dist/web'), pkg)).toBeUndefined();
    } finally {
      rmSync(pkg, { recursive: true, force: true });
    }
  });
});

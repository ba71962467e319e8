/**
 * The package entry `brickproof` runs in a browser: bundled for the browser with esbuild, it
 * pulls in no Node built-in (directly or through anything it imports). Node-only code lives
 * behind `brickproof/node`, which must not bundle for the browser — the control that shows
 * this test can fail.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function bundleForBrowser(entry: string) {
  return build({ entryPoints: [`${root}${entry}`], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
}

describe('the package entry in a browser', () => {
  it('is what package.json exports as "brickproof" (and "brickproof/node")', () => {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { exports: Record<string, { default: string }> };
    expect(pkg.exports['.'].default).toBe('./dist/index.js');
    expect(pkg.exports['./node'].default).toBe('./dist/node/index.js');
  });

  it('bundles with platform browser, with no Node built-in anywhere in it', async () => {
    const result = await bundleForBrowser('src/index.ts');
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('src/core/sha256.ts');
    const imports = Object.values(result.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path));
    expect(imports.filter((p) => p.startsWith('node:') || ['fs', 'os', 'path', 'worker_threads', 'zlib', 'crypto'].includes(p))).toEqual([]);
  });

  it('refuses brickproof/node, which needs Node (worker threads, files)', async () => {
    await expect(bundleForBrowser('src/node/index.ts')).rejects.toThrow(/node:(os|worker_threads|fs)/);
  });
});

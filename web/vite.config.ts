/**
 * The viewer's build: a static page in dist/web that `brickproof view` serves and any static
 * host can serve (relative asset paths, the WebAssembly core shipped beside the page). The
 * page imports the package entry `brickproof` — its source, so the page and the library it
 * shows are always the same build.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: { alias: [{ find: /^brickproof$/, replacement: fileURLToPath(new URL('../src/index.ts', import.meta.url)) }] },
  worker: { format: 'es' },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The core stays a file of its own, compiled by the browser from its URL.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
  },
  server: { host: '127.0.0.1', fs: { allow: ['..'] } },
});

/**
 * The same core in a browser: headless Chromium imports the package entry `brickproof` (an
 * import map points it at the compiled library, as a bundler would), compiles the
 * WebAssembly core from a URL and from bytes, hashes with it, and runs a device through a
 * power cut and a resumed swap — no Node APIs involved.
 * Chromium comes from Debian (`apt-get install chromium`; .ci/run installs it).
 */
import { noChromium } from '../helpers/chromium.js';
import { packagePage, pageInChromium } from '../helpers/package-page.js';
import { describe, expect, it } from 'vitest';

const page = packagePage('brickproof', `
  import { initCore, sha256, PowerCut, Device, resolveGeometry, signImage } from 'brickproof';
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
`, `
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
`);

describe.skipIf(noChromium)('in headless Chromium', () => {
  const chromium = pageInChromium(page);

  it('compiles the core from a URL and from bytes, hashes, and survives a power cut mid-swap', async () => {
    const result = await chromium.result();
    expect(result).toEqual({
      fromUrl: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      fromBytes: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      cut: 60,
      resumed: { outcome: 'ok', resumed: true, major: 2 },
    });
  });
});

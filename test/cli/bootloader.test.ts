/**
 * The dump-level commands behave like a device at its next reset: `boot`, `confirm` and
 * `pending` on a whole-device dump read out of a (simulated) unit give exactly what the real
 * MCUboot gave on the same flash; `simulate` stages two images and runs the update.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBootCases, vectorsRoot } from '../helpers/vectors.js';
import { cli } from '../campaign/cli-helpers.js';
import { signImage } from '../../src/image/index.js';

const dir = mkdtempSync(join(tmpdir(), 'brickproof-cli-'));
const deviceFile = join(dir, 'mcuboot-boot.json');
const key = `${vectorsRoot}imgtool/keys/ecdsa-p256.pub.pem`;

describe('boot / confirm / pending on a flash dump', () => {
  const c = loadBootCases().find((x) => x.id === 'move/test-confirm')!;
  writeFileSync(deviceFile, JSON.stringify({ ...c.layout, name: 'recorded' }));

  it('replays a recorded test upgrade step by step, in place, with the same trace and the same bytes', async () => {
    const dump = join(dir, 'unit.bin');
    writeFileSync(dump, c.before);
    for (const step of c.steps) {
      const trace = join(dir, `trace-${step.step}.txt`);
      const build = step.action === 'boot' ? ['--key', key] : []; // the application's calls validate nothing
      const r = await cli([step.action === 'boot' ? 'boot' : 'confirm', dump, '--device-file', deviceFile, '--strategy', 'swap-move', ...build, '--trace', trace, '--json']);
      expect(r.code).toBe(0);
      if (step.action === 'boot') {
        expect(readFileSync(trace, 'utf8').split('\n').filter(Boolean)).toEqual(step.traceLines);
        expect(JSON.parse(r.stdout).version).toMatchObject({ major: Number(step.expected.version!.split('.')[0]) });
      }
      expect(Buffer.compare(readFileSync(dump), step.after)).toBe(0);
    }
  });

  it('cuts the power before operation K and leaves the dump as the cut left it (exit 4); the next boot recovers', async () => {
    const dump = join(dir, 'cut.bin');
    writeFileSync(dump, c.before);
    const cut = await cli(['boot', dump, '--device-file', deviceFile, '--strategy', 'swap-move', '--key', key, '--cut-at', '50', '--json']);
    expect(cut.code).toBe(4);
    expect(JSON.parse(cut.stdout).powerCut.atOp).toBe(50);
    expect(Buffer.compare(readFileSync(dump), c.before)).not.toBe(0);
    const next = await cli(['boot', dump, '--device-file', deviceFile, '--strategy', 'swap-move', '--key', key, '--json']);
    expect(next.code).toBe(0);
    const r = JSON.parse(next.stdout);
    expect(r.resumed).toBe(true);
    expect(r.resumedSwap).toBe('test');
    expect(r.version.major).toBe(2);
  });

  it('says which swap a boot resumed (the loader state says none once it is finished)', async () => {
    const dump = join(dir, 'cut-text.bin');
    writeFileSync(dump, c.before);
    expect((await cli(['boot', dump, '--device-file', deviceFile, '--strategy', 'swap-move', '--key', key, '--cut-at', '50'])).code).toBe(4);
    const next = await cli(['boot', dump, '--device-file', deviceFile, '--strategy', 'swap-move', '--key', key]);
    expect(next.stdout).toMatch(/^requested none; resumed an interrupted test swap; boots the primary slot, v2\./);
  });

  it('requests a permanent upgrade with pending --permanent (magic, image_ok, swap_info: three writes)', async () => {
    const p = loadBootCases().find((x) => x.id === 'scratch/pending-api-perm')!;
    const dump = join(dir, 'pending.bin');
    writeFileSync(dump, p.before);
    const r = await cli(['pending', dump, '--device-file', deviceFile, '--permanent', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rc: 0, ops: 3 });
    expect(Buffer.compare(readFileSync(dump), p.steps[0].after)).toBe(0);
  });

  it('exits 1 when the dump does not boot (an erased device)', async () => {
    const e = loadBootCases().find((x) => x.id === 'scratch/empty')!;
    const dump = join(dir, 'empty.bin');
    writeFileSync(dump, e.before);
    const r = await cli(['boot', dump, '--device-file', deviceFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NO BOOTABLE IMAGE/);
  });

  for (const [args, pattern] of [
    [['boot', 'nothing.bin', '--device', 'nrf52840'], /cannot read dump 'nothing.bin'/],
    [['boot', 'x.bin', '--device', 'stm32f4', '--strategy', 'swap-move'], /device stm32f4 cannot run swap-move/],
    [['boot', 'x.bin', '--max-align', '12'], /--max-align 12 must be 8, 16 or 32/],
    [['boot', 'x.bin', '--strategy', 'swap-sideways'], /unknown strategy "swap-sideways"/],
  ] as Array<[string[], RegExp]>) {
    it(`refuses ${args.slice(2).join(' ')} with one line and exit 2`, async () => {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('refuses a device file with overlapping areas before anything is written', async () => {
    const bad = join(dir, 'overlap.json');
    writeFileSync(bad, JSON.stringify({ name: 'bad', flash: [{ id: 0, sectors: [[4096, 64]], writeAlign: 8 }], areas: { primary: { flash: 0, offset: 0, size: 0x10000 }, secondary: { flash: 0, offset: 0x8000, size: 0x10000 } } }));
    const dump = join(dir, 'untouched.bin');
    writeFileSync(dump, new Uint8Array(0x40000).fill(0xff));
    const r = await cli(['boot', dump, '--device-file', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/overlap/);
    expect(readFileSync(dump).every((b) => b === 0xff)).toBe(true);
  });
});

describe('simulate', () => {
  const body = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * seed + 7) & 0xff);

  it('stages two images, runs a test upgrade the application confirms, and reports every boot', async () => {
    const v1 = join(dir, 'v1.bin');
    const v2 = join(dir, 'v2.bin');
    writeFileSync(v1, await signImage(body(40000, 31), { headerSize: 0x200, padHeader: true, version: '1.0.0', align: 4 }));
    writeFileSync(v2, await signImage(body(50000, 17), { headerSize: 0x200, padHeader: true, version: '2.0.0', align: 4 }));
    const out = join(dir, 'after.bin');
    const r = await cli(['simulate', '--device', 'nrf52840', '--strategy', 'swap-offset', '--primary', v1, '--secondary', v2, '--upgrade', 'test', '--confirm', '--boots', '3', '--json', '--dump-flash', out]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.boots.map((b: { swapType: string; version: string }) => [b.swapType, b.version])).toEqual([['test', '2.0.0+0'], ['none', '2.0.0+0'], ['none', '2.0.0+0']]);
    expect(j.boots[0].ops.erase).toBeGreaterThan(0);
    expect(j.boots[2].ops).toEqual({ erase: 0, write: 0 });
    expect(j.final.primary).toMatchObject({ magic: 'good', imageOk: 'set', copyDone: 'set', version: '2.0.0+0' });
    expect(existsSync(out)).toBe(true);
  });

  it('reverts a test upgrade that is never confirmed', async () => {
    const r = await cli(['simulate', '--device', 'nrf52840', '--strategy', 'swap-move', '--primary', join(dir, 'v1.bin'), '--secondary', join(dir, 'v2.bin'), '--boots', '3', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.boots.map((b: { version: string }) => b.version)).toEqual(['2.0.0+0', '1.0.0+0', '1.0.0+0']);
    expect(j.boots[1].swapType).toBe('revert');
  });

  it('refuses an image larger than the strategy allows, naming both sizes, before anything runs', async () => {
    const big = join(dir, 'big.bin');
    writeFileSync(big, await signImage(body(0x33000, 3), { headerSize: 0x200, padHeader: true, version: '3.0.0' }));
    const r = await cli(['simulate', '--device', 'nrf52840', '--strategy', 'swap-move', '--primary', join(dir, 'v1.bin'), '--secondary', big]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/secondary image is \d+ bytes .* but swap-move on nrf52840 allows at most \d+/);
  });
});

describe('the application API', () => {
  it('reads the trailers as MCUboot does after boot_set_pending', async () => {
    const { Device } = await import('../../src/device/device.js');
    const { resolveGeometry } = await import('../../src/device/geometry.js');
    const c = loadBootCases().find((x) => x.id === 'scratch/pending-api')!;
    const dev = new Device(resolveGeometry(c.layout), { strategy: 'swap-scratch', keys: [] });
    dev.core.loadDump(c.before);
    expect(dev.readSwapState(2)).toMatchObject({ magic: 'unset', swapType: 'none' });
    expect(dev.setPending(false)).toBe(0);
    expect(dev.readSwapState(2)).toEqual({ magic: 'good', swapType: 'test', imageNum: 0, copyDone: 'unset', imageOk: 'unset', swapInfo: 0x02, version: '2.0.0+0' });
    expect(dev.setPending(true)).toBe(0); // already scheduled: nothing changes
    expect(dev.readSwapState(2).swapType).toBe('test');
  });
});

/**
 * The command line for MCUboot's other modes (issue 15): `--strategy direct-xip|…`,
 * `--images 2`, `--hw-rollback`, `--bootstrap`, `--enc-key` on boot, simulate and campaign,
 * `sign -E`, `verify --enc-key` — and bad input: one line naming the bad value, exit code 2
 * (or 1 for a failed check), nothing half-written, and a rejected image never booted.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../campaign/cli-helpers.js';

const VECTORS = new URL('../fixtures/vectors/', import.meta.url).pathname;
const ENC = `${VECTORS}imgtool-enc/keys/`;
const dir = mkdtempSync(join(tmpdir(), 'brickproof-modes-'));
const path = (name: string) => join(dir, name);
writeFileSync(path('body1.bin'), Uint8Array.from({ length: 9000 }, (_, i) => (i * 13) & 0xff));
writeFileSync(path('body2.bin'), Uint8Array.from({ length: 11000 }, (_, i) => (i * 29 + 5) & 0xff));

async function sign(out: string, ...flags: string[]): Promise<string> {
  const body = flags.includes('--version') && flags[flags.indexOf('--version') + 1].startsWith('1') ? 'body1.bin' : 'body2.bin';
  const r = await cli(['sign', '--header-size', '0x200', '--pad-header', '--align', '8', ...flags, path(body), path(out)]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return path(out);
}

const oneLine = (r: { code: number; stdout: string; stderr: string }, code: number, fragment: string) => {
  expect(r.code).toBe(code);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(fragment);
  expect(r.stderr).not.toMatch(/\n\s+at /);
};

describe('simulate and boot in the new modes', () => {
  it('direct-xip-revert on k64f: runs the secondary in place, then reverts to the primary when it was never confirmed', async () => {
    const v1 = await sign('x1.bin', '--version', '1.0.0', '--slot-size', '0x20000', '--confirm', '--rom-fixed', '0x20000');
    const v2 = await sign('x2.bin', '--version', '2.0.0', '--rom-fixed', '0x40000');
    const r = await cli(['simulate', '--device', 'k64f', '--strategy', 'direct-xip-revert', '--primary', v1, '--secondary', v2, '--boots', '3', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { boots: Array<{ bootedSlot: string; version: string; ops: { erase: number; write: number } }> };
    expect(out.boots.map((b) => [b.bootedSlot, b.version])).toEqual([['secondary', '2.0.0+0'], ['primary', '1.0.0+0'], ['primary', '1.0.0+0']]);
    expect(out.boots[1].ops.erase).toBe(32);
  });

  it('ram-load reports the RAM copy', async () => {
    const v2 = await sign('r2.bin', '--version', '2.0.0', '--load-addr', '0x20000000');
    const v1 = await sign('r1.bin', '--version', '1.0.0', '--load-addr', '0x20000000');
    const r = await cli(['simulate', '--device', 'k64f', '--strategy', 'ram-load', '--primary', v1, '--secondary', v2, '--boots', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('runs the secondary slot from RAM (');
    expect(r.stdout).toContain('at 0x20000000), v2.0.0+0');
  });

  it('--images 2 on k64f-multi: both images upgrade in one boot; --hw-rollback raises both NV counters', async () => {
    const a1 = await sign('a1.bin', '--version', '1.0.0', '-s', '1');
    const a2 = await sign('a2.bin', '--version', '2.0.0', '-s', '2', '-d', '(1,2.0.0)');
    const b1 = await sign('b1.bin', '--version', '1.0.0', '-s', '1');
    const b2 = await sign('b2.bin', '--version', '2.0.0', '-s', '2', '-d', '(0,2.0.0)');
    const r = await cli(['simulate', '--device', 'k64f-multi', '--images', '2', '--hw-rollback', '--nv-counters', '1,1', '--upgrade', 'perm', '--primary', a1, '--secondary', a2, '--primary1', b1, '--secondary1', b2, '--boots', '1', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { boots: Array<{ version: string; images: Array<{ swapType: string }>; nvCounters: number[] }> };
    expect(out.boots[0]).toMatchObject({ version: '2.0.0+0', images: [{ swapType: 'perm' }, { swapType: 'perm' }], nvCounters: [2, 2] });
  });

  it('--bootstrap with --secondary alone installs into the empty primary', async () => {
    const v2 = await sign('s2.bin', '--version', '2.0.0');
    const r = await cli(['simulate', '--device', 'k64f', '--bootstrap', '--secondary', v2, '--boots', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toContain('boots the primary slot, v2.0.0+0');
  });

  it('sign -E then simulate --enc-key: the encrypted update swaps in; verify needs the key to check it', async () => {
    const v1 = await sign('e1.bin', '--version', '1.0.0');
    const v2 = await sign('e2.bin', '--version', '2.0.0', '-E', `${ENC}enc-p256.pub.pem`);
    oneLine(await cli(['verify', v2]), 1, '--enc-key');
    expect((await cli(['verify', '--enc-key', `${ENC}enc-p256.pem`, v2])).code).toBe(0);
    const r = await cli(['simulate', '--device', 'k64f', '--enc-key', `${ENC}enc-p256.pem`, '--primary', v1, '--secondary', v2, '--upgrade', 'perm', '--boots', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('swap type perm; boots the primary slot, v2.0.0+0');
  });

  it('campaign runs a mode by its flags and names it in the report', async () => {
    const r = await cli(['campaign', '--device', 'k64f', '--strategy', 'swap-scratch', '--upgrade', 'perm', '--hw-rollback', '--image-size', '20000', '--workers', '1', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { summary: Array<{ strategy: string; scenarios: number; bricked: number; failures: number }> };
    expect(report.summary[0]).toMatchObject({ strategy: 'swap-scratch+hw-rollback', bricked: 0, failures: 0 });
    expect(report.summary[0].scenarios).toBeGreaterThan(50);
  });
});

describe('bad input: one line naming the bad value', () => {
  it.each([
    ['an image count the build cannot have', ['boot', '--images', '9', 'x.bin'], '--images 9'],
    ['two images on a device with one pair', ['boot', '--device', 'k64f', '--images', '2', 'x.bin'], 'no primary1 area'],
    ['NV counters without hardware rollback protection', ['boot', '--nv-counters', '3', 'x.bin'], '--nv-counters needs --hw-rollback'],
    ['an NV counter that is not a u32', ['boot', '--hw-rollback', '--nv-counters', '-1', 'x.bin'], '--nv-counters value 1'],
    ['an encryption key of the wrong type', ['boot', '--enc-key', `${VECTORS}imgtool/keys/ed25519.pem`, 'x.bin'], 'expected a P-256 or X25519 private key'],
    ['an encryption key file that is not there', ['boot', '--enc-key', path('missing.pem'), 'x.bin'], "cannot read encryption key"],
    ['encryption with a strategy that does not decrypt', ['boot', '--strategy', 'swap-move', '--enc-key', `${ENC}enc-p256.pem`, 'x.bin'], 'use swap-scratch, not swap-move'],
    ['an AES key length that is not 128 or 256', ['boot', '--enc-key', `${ENC}enc-p256.pem`, '--encrypt-keylen', '192', 'x.bin'], "'192'"],
    ['a RAM window that does not parse', ['boot', '--strategy', 'ram-load', '--ram', '0x20000000', 'x.bin'], "--ram '0x20000000'"],
    ['two images with direct-xip', ['boot', '--device', 'k64f-multi', '--strategy', 'direct-xip', '--images', '2', 'x.bin'], '--images 2 needs a swap strategy'],
    ['a bootstrap campaign without a bootstrap build', ['campaign', '--device', 'k64f', '--upgrade', 'bootstrap', '--strategy', 'swap-scratch'], '--upgrade bootstrap needs a --bootstrap build'],
    ['a hardware-rollback campaign with the random plan', ['campaign', '--device', 'k64f', '--strategy', 'swap-scratch', '--hw-rollback', '--plan', 'random', '--upgrade', 'perm'], 'exhaustive plan'],
    ['an encrypted replay without its key', ['campaign', '--replay', 'swap-scratch+enc=128/k64f/perm/cut@3'], 'give its --enc-key FILE again'],
    ['sign -E with a signing key instead of an encryption key', ['sign', '--header-size', '0x200', '--pad-header', '-E', `${VECTORS}imgtool/keys/ed25519.pub.pem`, path('body1.bin'), path('never.bin')], 'expected a P-256 or X25519 public key'],
  ])('refuses %s', async (_what, argv, fragment) => {
    const r = await cli(argv);
    oneLine(r, 2, fragment);
    expect(r.stdout).toBe('');
  });

  it.each([
    ['a RAM window for a strategy that loads nothing into RAM', ['boot', '--strategy', 'swap-scratch', '--ram', '0x20000000:0x1000', 'x.bin'], '--ram does nothing with swap-scratch'],
    ['bootstrap in a direct-xip build, which boots the secondary in place anyway', ['boot', '--strategy', 'direct-xip', '--bootstrap', 'x.bin'], '--bootstrap does nothing with direct-xip'],
    ['downgrade prevention in a ram-load build, which always picks the highest version', ['boot', '--strategy', 'ram-load', '--downgrade-prevention', 'x.bin'], '--downgrade-prevention does nothing with ram-load'],
    ['a build option on confirm, which only writes the trailer', ['confirm', '--hw-rollback', 'x.bin'], '--hw-rollback does nothing for confirm'],
    ['an encryption key on pending, which only writes the trailer', ['pending', '--enc-key', `${ENC}enc-p256.pem`, 'x.bin'], '--enc-key does nothing for pending'],
    ['a second image pair on confirm, which confirms image 0', ['confirm', '--device', 'k64f-multi', '--images', '2', 'x.bin'], '--images does nothing for confirm'],
    ["image 1's files without --images 2", ['simulate', '--primary', 'a.bin', '--secondary', 'b.bin', '--primary1', 'c.bin'], '--primary1 does nothing without --images 2'],
    ['a mode flag in a lifecycle campaign', ['campaign', '--plan', 'lifecycle', '--hw-rollback'], '--hw-rollback does nothing with --plan lifecycle'],
    ['an encryption key on the replay of a campaign that was not encrypted', ['campaign', '--replay', 'swap-scratch/k64f/perm/cut@3', '--enc-key', `${ENC}enc-p256.pem`], '--enc-key does nothing with --replay of an id without +enc'],
    ['bootstrap in a direct-xip campaign', ['campaign', '--device', 'k64f', '--strategy', 'direct-xip', '--bootstrap', '--upgrade', 'test'], '--bootstrap does nothing with direct-xip'],
    ['an image count that is not a number', ['campaign', '--device', 'k64f-multi', '--images', 'two'], "'two'"],
    ['an unknown mode strategy', ['boot', '--strategy', 'direct-xip-fast', 'x.bin'], '"direct-xip-fast"'],
  ])('refuses %s (a flag that would do nothing, or a bad value)', async (_what, argv, fragment) => {
    const r = await cli(argv);
    oneLine(r, 2, fragment);
    expect(r.stdout).toBe('');
  });

  it('a refused sign writes no output file', async () => {
    await cli(['sign', '--header-size', '0x200', '--pad-header', '-E', `${VECTORS}imgtool/keys/ed25519.pub.pem`, path('body1.bin'), path('never.bin')]);
    expect(() => readFileSync(path('never.bin'))).toThrow();
  });

  it('an image encrypted for another key is never booted: the bootloader erases it and keeps the running image', async () => {
    const v1 = await sign('w1.bin', '--version', '1.0.0');
    const v2 = await sign('w2.bin', '--version', '2.0.0', '-E', `${ENC}enc-x25519.pub.pem`);
    const r = await cli(['simulate', '--device', 'k64f', '--enc-key', `${ENC}enc-p256.pem`, '--primary', v1, '--secondary', v2, '--upgrade', 'perm', '--boots', '1', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { boots: Array<{ version: string }>; final: { secondary: { version: string | null } } };
    expect(out.boots[0].version).toBe('1.0.0+0');
    expect(out.final.secondary.version).toBeNull();
  });

  it('a security counter below the NV counter is refused, and the NV counter never goes down', async () => {
    const v1 = await sign('h1.bin', '--version', '1.0.0', '-s', '5');
    const v2 = await sign('h2.bin', '--version', '2.0.0', '-s', '3');
    const r = await cli(['simulate', '--device', 'k64f', '--hw-rollback', '--nv-counters', '5', '--upgrade', 'perm', '--primary', v1, '--secondary', v2, '--boots', '1', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { boots: Array<{ version: string; nvCounters: number[] }> };
    expect(out.boots[0]).toMatchObject({ version: '1.0.0+0', nvCounters: [5] });
  });
});

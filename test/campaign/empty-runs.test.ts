/**
 * No empty green runs: a campaign whose uninterrupted update never upgrades (an image that
 * does not fit, slots the strategy cannot swap) has nothing to cut into, and says so as a
 * failing `…/cut@0` with the reason in words — which slot is too small, and by how much. A
 * campaign that would run no scenario at all is a usage error.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'brickproof-empty-'));
/** A primary of 64 sectors beside a secondary of 32: no swap strategy can exchange them. */
const uneq = join(dir, 'uneq.json');
writeFileSync(uneq, JSON.stringify({
  name: 'uneq',
  flash: [{ id: 0, sectors: [[4096, 256]], writeAlign: 4 }],
  areas: { primary: { flash: 0, offset: 0, size: 262144 }, secondary: { flash: 0, offset: 262144, size: 131072 }, scratch: { flash: 0, offset: 393216, size: 65536 } },
}));

async function failsAtCut0(args: string[]): Promise<{ id: string; rule: string; detail: string }> {
  const r = await cli(['campaign', '--device-file', uneq, '--upgrade', 'perm', '--workers', '1', '--json', ...args]);
  expect(r.code, r.stderr).toBe(1);
  const report = JSON.parse(r.stdout);
  expect(report.summary).toHaveLength(1);
  expect(report.summary[0]).toMatchObject({ scenarios: 1, bricked: 0, failures: 1, failed: 1 });
  expect(report.failures).toHaveLength(1);
  expect(report.failures[0].id).toMatch(/\/cut@0$/);
  return report.failures[0];
}

describe('an update that cannot happen', () => {
  it('fails …/cut@0 when the slots differ in size (swap-scratch), naming the smaller slot and by how much', async () => {
    const f = await failsAtCut0(['--strategy', 'swap-scratch', '--image-size', '100000']);
    expect(f.id).toBe('swap-scratch/uneq/perm:100000/cut@0');
    expect(f.rule).toBe('no-upgrade');
    expect(f.detail).toMatch(/power-on 1 found the request \(perm\) and left v1\.0\.0 running/);
    expect(f.detail).toMatch(/swap-scratch swaps only slots of equal size: the secondary slot \(131072 bytes\) is 131072 bytes smaller than the primary slot \(262144 bytes\)/);
  });

  it('fails …/cut@0 when the largest image does not fit the secondary slot, saying by how much (no opaque placement error)', async () => {
    const f = await failsAtCut0(['--strategy', 'swap-scratch']);
    expect(f.id).toBe('swap-scratch/uneq/perm/cut@0');
    expect(f.rule).toBe('no-upgrade');
    expect(f.detail).toMatch(/the update \((\d+) bytes\) does not fit the secondary slot \(131072 bytes\): it is \d+ bytes too large/);
    const [, size, over] = /\((\d+) bytes\) does not fit .* it is (\d+) bytes too large/.exec(f.detail)!;
    expect(Number(size) - Number(over)).toBe(131072);
  });

  it('fails …/cut@0 when swap-move\'s slots do not pair up, in sectors and bytes', async () => {
    const f = await failsAtCut0(['--strategy', 'swap-move', '--image-size', '100000']);
    expect(f.detail).toMatch(/swap-move needs the primary slot to have as many sectors as the secondary slot, or one more: it has 64, the secondary slot 32 — the secondary slot is 31 sectors \(126976 bytes\) too small/);
  });

  it('replays …/cut@0 as the failure it is, exit 1', async () => {
    const r = await cli(['campaign', '--replay', 'swap-scratch/uneq/perm:100000/cut@0', '--device-file', uneq]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/power-on 1: requested perm, swap type none; boots v1\.0\.0\+0/);
    expect(r.stdout).toMatch(/result: FAILED \(no-upgrade\) no upgrade happened/);
  });
});

describe('a campaign with nothing to run', () => {
  it('is a usage error when the shard holds no unit', async () => {
    const r = await cli(['campaign', '--device', 'k64f', '--strategy', 'swap-scratch', '--upgrade', 'perm', '--shard', '600/600', '--workers', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^brickproof campaign: --shard 600\/600 holds no scenario of swap-scratch perm: it has \d+ units, so use at most \d+ shards$/);
  });
});

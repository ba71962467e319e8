/**
 * `brickproof life` and `brickproof sign --behaviour/--board`: the command-line contract of
 * issue 10 (the milestone log, the --json shape, exit codes, one-line errors).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MILESTONE_EVENTS } from '../../src/app/milestones.js';
import { parseImage } from '../../src/image/parse.js';
import { cli } from '../campaign/cli-helpers.js';
import { seededBytes } from '../helpers/seeded.js';

let dir: string;
const path = (name: string) => join(dir, name);

async function sign(out: string, version: string, extra: string[] = [], size = 100_000): Promise<void> {
  writeFileSync(path(`${out}.raw`), seededBytes(size, version.length + size));
  const r = await cli(['sign', '-H', '0x20', '--pad-header', '-v', version, ...extra, path(`${out}.raw`), path(out)]);
  expect(r.code, r.stderr).toBe(0);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'brickproof-life-'));
  await sign('v2.bin', '2.0.0');
  await sign('crash.bin', '2.0.0', ['--behaviour', 'crash-at-boot']);
  await sign('v3.bin', '3.0.0', ['--board', 'nrf52840']);
  await sign('huge.bin', '2.0.0', [], 220_000);
  await sign('v1.bin', '1.0.0');
  writeFileSync(path('not-an-image.bin'), seededBytes(4096, 3));
  const key = await cli(['keygen', '-k', path('key.pem'), '-t', 'ed25519']);
  expect(key.code).toBe(0);
});

describe('brickproof life', () => {
  it('prints the milestone log of a device\'s week, one line per milestone, and exits 0', async () => {
    const { code, stdout } = await cli(['life', '--device', 'nrf52840', '--strategy', 'swap-move', '--release', path('v2.bin'), '--days', '7', '--seed', '1']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    const log = lines.filter((l) => !l.startsWith('#'));
    expect(log.map((l) => l.split(/\s+/)[3])).toEqual(['update-available', 'download-started', 'download-completed', 'upgrade-requested', 'reboot', 'image-swapped', 'image-confirmed']);
    expect(log[0]).toMatch(/^0d 00:00:0\d\.\d{3} {2}1\.0\.0\+0 +update-available {2}2\.0\.0\+0, \d+ bytes$/);
    expect(lines.at(-1)).toMatch(/^# 7d 00:00:00\.000: runs 2\.0\.0\+0, confirmed; [\d.]+ mAh spent, [\d.]+ mAh of it on OTA$/);
  });

  it('--json prints { milestones: [{ tMs, event, version, detail }], final: { version, confirmed, bricked }, energy: { totalMah, otaMah } }', async () => {
    const { code, stdout } = await cli(['life', '--release', path('v2.bin'), '--days', '1', '--json']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    for (const m of out.milestones) {
      expect(Object.keys(m).sort()).toEqual(['detail', 'event', 'tMs', 'version']);
      expect(MILESTONE_EVENTS).toContain(m.event);
      expect(typeof m.tMs).toBe('number');
    }
    expect(out.final).toEqual({ version: '2.0.0+0', confirmed: true, bricked: false });
    expect(Object.keys(out.energy).sort()).toEqual(['otaMah', 'totalMah']);
    expect(out.energy.totalMah).toBeGreaterThan(out.energy.otaMah);
    expect(out.energy.otaMah).toBeGreaterThan(0);
  });

  it('offers repeated --release files in order: a crashing one is rolled back, then the next installs', async () => {
    const { code, stdout } = await cli(['life', '--strategy', 'swap-scratch', '--release', path('crash.bin'), '--release', path('v3.bin'), '--days', '1', '--json']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { milestones: Array<{ event: string; detail: string }>; final: unknown };
    expect(out.milestones.find((m) => m.event === 'rollback-detected')?.detail).toBe('2.0.0+0 rolled back after crash');
    expect(out.final).toEqual({ version: '3.0.0+0', confirmed: true, bricked: false });
  });

  it('the same seed prints the same log; power losses come at --power-loss-per-day', async () => {
    const argv = ['life', '--strategy', 'swap-offset', '--release', path('v2.bin'), '--days', '3', '--power-loss-per-day', '4', '--chunk-loss', '0.05', '--seed', '7'];
    const a = await cli(argv);
    const b = await cli(argv);
    expect(b.stdout).toBe(a.stdout);
    expect(a.stdout.match(/reboot {2}power loss/g)?.length).toBeGreaterThan(3);
  });

  it('exits 1 when the life does not end on a bootable image (an unsigned running image on a signed build)', async () => {
    const { code, stdout } = await cli(['life', '--key', path('key.pem'), '--running', path('v1.bin'), '--days', '1']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/BRICKED: no bootable image/);
  });

  for (const [what, argv, message] of [
    ['an unknown state name', ['--current', 'doze=0.1'], /--current: unknown state 'doze'/],
    ['a zero period', ['--send-period', '0'], /--send-period '0' must be a time > 0/],
    ['a negative chunk size', ['--chunk-size', '-64'], /--chunk-size: '-64' is not an integer/],
    ['a zero rate', ['--bandwidth', '0'], /--bandwidth 0 must be > 0/],
    ['a zero power-loss rate', ['--power-loss-per-day', '0'], /--power-loss-per-day 0 must be > 0/],
    ['an unknown power-loss phase', ['--power-loss-at', 'lunch'], /unknown power-loss phase 'lunch'/],
    ['a release that is not an MCUboot image', ['--release', 'NOT_AN_IMAGE'], /is not an MCUboot image/],
    ['a running image that is not an MCUboot image', ['--running', 'NOT_AN_IMAGE'], /--running '.*not-an-image\.bin' is not an MCUboot image/],
    ['a release larger than the slot', ['--release', 'HUGE'], /larger than nrf52840's secondary slot \(212992 bytes\)/],
    ['a signed build with no signed running image', ['--key', 'KEY'], /a signed build \(--key\) boots only signed images: give --running FILE/],
    ['direct-xip, whose OTA side is not modelled', ['--strategy', 'direct-xip'], /strategy direct-xip is not modelled in a device's life/],
    ['ram-load, whose OTA side is not modelled', ['--strategy', 'ram-load-revert'], /strategy ram-load-revert is not modelled in a device's life/],
  ] as const) {
    it(`refuses ${what} with one line and exit 2`, async () => {
      const files: Record<string, string> = { NOT_AN_IMAGE: path('not-an-image.bin'), HUGE: path('huge.bin'), KEY: path('key.pem') };
      const args = argv.map((a) => files[a] ?? a);
      const { code, stderr, stdout } = await cli(['life', ...args]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(message);
    });
  }
});

describe('brickproof sign --behaviour --board', () => {
  it('writes the behaviour and the board id as protected TLVs 0x00b1 and 0x00b2', async () => {
    await sign('both.bin', '2.1.0', ['--behaviour', 'hang', '--board', 'k64f']);
    const image = parseImage(new Uint8Array(readFileSync(path('both.bin'))));
    const tlvs = new Map(image.protectedTlvs!.entries.map((e) => [e.type, new TextDecoder().decode(e.value)]));
    expect(tlvs.get(0xb1)).toBe('hang');
    expect(tlvs.get(0xb2)).toBe('k64f');
  });

  it('refuses an unknown behaviour with one line and exit 2', async () => {
    const { code, stderr } = await cli(['sign', '-H', '0x20', '--pad-header', '--behaviour', 'sulk', path('v2.bin.raw'), path('x.bin')]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe("brickproof sign: --behaviour 'sulk' is not a firmware behaviour (expected one of: healthy, crash-at-boot, fail-health-check, hang, send-fails)");
  });
});

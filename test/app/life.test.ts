/**
 * A device's life, as issue 10's "Done when" lists it: each behaviour of a release, the
 * refusals, the corrupted download, power lost mid-download, and determinism.
 */
import { describe, expect, it } from 'vitest';
import { DeviceLife } from '../../src/app/life.js';
import { generateKey } from '../../src/image/keys.js';
import type { BootStrategy as Strategy } from '../../src/image/strategy.js';
import { events, find, lifeWith } from './helpers.js';

const SWAPS: Strategy[] = ['swap-scratch', 'swap-move', 'swap-offset'];

describe('a healthy update', () => {
  it('is downloaded, requested as a test upgrade, swapped in and confirmed after its first successful SEND', async () => {
    const life = await lifeWith({ device: 'nrf52840', strategy: 'swap-move' }, [{ version: '2.0.0' }]);
    const r = life.run({ days: 1 });
    expect(events(r.milestones)).toEqual(['update-available', 'download-started', 'download-completed', 'upgrade-requested', 'reboot', 'image-swapped', 'image-confirmed']);
    expect(r.final).toEqual({ version: '2.0.0+0', confirmed: true, bricked: false });
    expect(find(r.milestones, 'image-swapped')[0]!.detail).toContain('swap type test');
    expect(life.server.reports.map((x) => `${x.version} ${x.outcome}`)).toEqual(['2.0.0+0 installed']);
  });

  it('is confirmed by the request itself when the upgrade is permanent', async () => {
    const life = await lifeWith({ device: 'k64f', strategy: 'swap-scratch', ota: { upgrade: 'permanent' } }, [{ version: '2.0.0' }]);
    const r = life.run({ days: 1 });
    expect(find(r.milestones, 'image-swapped')[0]!.detail).toContain('swap type perm');
    expect(find(r.milestones, 'image-confirmed')[0]!.detail).toBe('permanent upgrade');
    expect(r.final).toEqual({ version: '2.0.0+0', confirmed: true, bricked: false });
  });
});

describe('a bad release is rolled back at the next reset, and the device keeps working on the old image', () => {
  for (const [behaviour, reason] of [['crash-at-boot', 'crash'], ['hang', 'watchdog'], ['fail-health-check', 'health-check'], ['send-fails', 'health-check']] as const) {
    for (const strategy of SWAPS) {
      it(`${behaviour} with ${strategy}: reverted after the ${reason} reset, reported failed, and the next release installs`, async () => {
        const life = await lifeWith({ device: 'k64f', strategy }, [{ version: '2.0.0', behaviour }, { version: '3.0.0' }]);
        const r = life.run({ days: 1 });
        const reboots = find(r.milestones, 'reboot').map((m) => m.detail);
        expect(reboots[1]).toBe({ crash: 'crash', watchdog: 'watchdog', 'health-check': 'health check failed' }[reason]);
        const rollback = find(r.milestones, 'rollback-detected');
        expect(rollback).toHaveLength(1);
        expect(rollback[0]!.detail).toBe(`2.0.0+0 rolled back after ${reason}`);
        expect(rollback[0]!.version).toBe('1.0.0+0');
        expect(life.server.reports.map((x) => `${x.version} ${x.outcome}`)).toEqual(['2.0.0+0 failed', '3.0.0+0 installed']);
        expect(r.final).toEqual({ version: '3.0.0+0', confirmed: true, bricked: false });
        // The old image kept sending while the bad one was being tried and reverted.
        expect(r.stats.sends.ok).toBeGreaterThan(1000);
      });
    }
  }

  it('overwrite-only cannot roll back: a crash-at-boot release crash-loops, the loop counted rather than simulated', async () => {
    const life = await lifeWith({ device: 'k64f', strategy: 'overwrite-only' }, [{ version: '2.0.0', behaviour: 'crash-at-boot' }]);
    const r = life.run({ days: 1 });
    expect(r.final).toEqual({ version: '2.0.0+0', confirmed: false, bricked: false });
    expect(find(r.milestones, 'rollback-detected')).toHaveLength(0);
    const loop = r.milestones.find((m) => m.repeat);
    expect(loop?.detail).toMatch(/^crash \(repeats every \d+ ms/);
    expect(r.stats.reboots.crash).toBeGreaterThan(100_000);
    expect(r.milestones.length).toBeLessThan(20);
  });
});

describe('a corrupted download', () => {
  it('is detected chunk by chunk, fetched again, and the right bytes are installed', async () => {
    const life = await lifeWith({ device: 'k64f', strategy: 'swap-move', network: { corruption: 0.05, truncation: 0.05 } }, [{ version: '2.0.0', name: 'v2' }]);
    const r = life.run({ days: 1 });
    expect(r.stats.ota.corrupted).toBeGreaterThan(0);
    expect(r.stats.ota.truncated).toBeGreaterThan(0);
    expect(r.stats.upgradesRequested).toEqual(['v2']);
    expect(r.stats.unknownImageBoots).toBe(0);
    expect(r.final).toEqual({ version: '2.0.0+0', confirmed: true, bricked: false });
  });

  it('that the server itself serves (its hash does not match) is refused after the download and never installed', async () => {
    const life = await lifeWith({ device: 'k64f', strategy: 'swap-move' }, [{ version: '2.0.0', corrupt: true }]);
    life.run({ ms: 1 });
    const secondary = life.geometry.areas.find((a) => a.id === 2)!;
    const outside = (dump: Uint8Array) => [dump.slice(0, secondary.start), dump.slice(secondary.start + secondary.size)];
    const before = outside(life.device.core.dump());
    const r = life.run({ days: 1 });
    expect(outside(life.device.core.dump())).toEqual(before);
    expect(find(r.milestones, 'update-refused')[0]!.detail).toMatch(/^2\.0\.0\+0: hash-mismatch/);
    expect(find(r.milestones, 'upgrade-requested')).toHaveLength(0);
    expect(r.stats.upgradesRequested).toEqual([]);
    expect(life.device.readSwapState(2).magic).toBe('unset');
    expect(r.final.version).toBe('1.0.0+0');
  });
});

describe('an incompatible, older or untrusted release is refused before any flash write', () => {
  const cases = [
    ['too large for the strategy', 'too-large', { size: 'max+' }],
    ['not newer than the running version (same version, other bytes)', 'not-newer', { version: '1.0.0', seed: 99 }],
    ['older', 'not-newer', { version: '0.9.0' }],
    ['built for another board', 'wrong-board', { board: 'stm32f4' }],
    ['signed by an untrusted key', 'untrusted-key', { untrusted: true }],
  ] as const;
  for (const [what, reason, spec] of cases) {
    it(`${what}: refused (${reason}), nothing on the device changes`, async () => {
      const key = await generateKey('ed25519');
      const other = await generateKey('ed25519');
      const life = await DeviceLife.create({ device: 'k64f', strategy: 'swap-scratch', keys: [key.publicKey], signingKey: key });
      const s = spec as { size?: string; version?: string; board?: string; untrusted?: boolean; seed?: number };
      const image = await life.buildFirmware({
        version: s.version ?? '2.0.0',
        key: s.untrusted ? other : key,
        board: s.board,
        size: s.size ? life.maxImageSize + 4096 : undefined,
        seed: s.seed,
      });
      life.publish(image, what);
      life.run({ hours: 0.001 }); // power on, boot
      const before = life.device.core.dump();
      const r = life.run({ hours: 2 });
      expect(find(r.milestones, 'update-refused').map((m) => m.detail.split(' ')[1])).toEqual([`${reason}`]);
      expect(r.stats.ota.erases + r.stats.ota.programs).toBe(0);
      expect(life.device.core.dump()).toEqual(before);
      expect(life.device.readSwapState(2).magic).toBe('unset');
      expect(life.server.reports.map((x) => x.outcome)).toEqual(['refused']);
      expect(r.final).toEqual({ version: '1.0.0+0', confirmed: true, bricked: false });
    });
  }
});

describe('power lost in the middle of a download', () => {
  for (const fault of ['cut', 'torn-write', 'bit-noise'] as const) {
    for (const chunkSize of [1024, 1500]) {
      it(`(${fault}, ${chunkSize}-byte chunks) resumes from what flash holds and completes, re-downloading at most what the cut could damage`, async () => {
        const life = await lifeWith(
          { device: 'nrf52840', strategy: 'swap-scratch', ota: { chunkSize }, power: { fault, aimed: [{ phase: 'download', fraction: 0.6 }] } },
          [{ version: '2.0.0', name: 'v2' }],
        );
        const r = life.run({ days: 1 });
        expect(find(r.milestones, 'reboot')[0]!.detail).toMatch(/^power loss during the download/);
        const resumed = find(r.milestones, 'download-resumed');
        expect(resumed).toHaveLength(1);
        const offset = Number(/from offset (\d+)/.exec(resumed[0]!.detail)![1]);
        expect(offset).toBeGreaterThan(0.4 * 204_800);
        expect(r.stats.cuts).toHaveLength(1);
        const cut = r.stats.cuts[0]!;
        expect(cut.redownloadedBytes).toBeLessThanOrEqual(cut.boundBytes);
        expect(cut.boundBytes).toBeLessThanOrEqual(2 * chunkSize);
        expect(r.stats.upgradesRequested).toEqual(['v2']);
        expect(r.final).toEqual({ version: '2.0.0+0', confirmed: true, bricked: false });
      });
    }
  }

  it('costs a restart from offset 0 when progress lives in RAM (Zephyr\'s image manager): every byte before the cut again', async () => {
    const run = async (resume: 'flash' | 'ram') => {
      const life = await lifeWith({ device: 'nrf52840', strategy: 'swap-scratch', ota: { resume }, power: { aimed: [{ phase: 'download', fraction: 0.6 }] } }, [{ version: '2.0.0' }]);
      return life.run({ days: 1 });
    };
    const flash = await run('flash');
    const ram = await run('ram');
    expect(flash.stats.ota.redownloadedBytes).toBeLessThanOrEqual(1024);
    expect(ram.stats.ota.redownloadedBytes).toBeGreaterThan(0.5 * 204_800);
    expect(ram.final).toEqual(flash.final);
  });
});

describe('power lost at the other moments of an update', () => {
  for (const phase of ['swap', 'pending', 'confirm', 'send', 'sensor-init'] as const) {
    for (const strategy of SWAPS) {
      it(`${phase} (${strategy}): the device recovers and ends on the new image, confirmed`, async () => {
        const life = await lifeWith({ device: 'k64f', strategy, power: { aimed: [{ phase, fraction: 0.5 }] } }, [{ version: '2.0.0' }]);
        const r = life.run({ days: 1 });
        expect(r.stats.powerLosses).toBe(1);
        expect(r.final).toEqual({ version: '2.0.0+0', confirmed: true, bricked: false });
        expect(r.stats.unknownImageBoots).toBe(0);
      });
    }
  }

  it('a power loss before the new image confirmed itself reverts it, and the update is tried again rather than reported failed', async () => {
    const life = await lifeWith({ device: 'k64f', strategy: 'swap-move', power: { aimed: [{ phase: 'confirm', fraction: 0 }] } }, [{ version: '2.0.0' }]);
    const r = life.run({ days: 1 });
    expect(find(r.milestones, 'rollback-detected')[0]!.detail).toBe('2.0.0+0 rolled back after power-loss (not its fault: it will be tried again)');
    // The image is still whole in the secondary: nothing is downloaded again.
    expect(find(r.milestones, 'download-resumed')[0]!.detail).toMatch(/from offset (\d+) of \1$/);
    expect(life.server.reports.map((x) => x.outcome)).toEqual(['installed']);
    expect(r.final).toEqual({ version: '2.0.0+0', confirmed: true, bricked: false });
  });
});

it('a release that is the running image already is reported installed, not downloaded again', async () => {
  const key = await generateKey('ed25519');
  const life = await DeviceLife.create({ device: 'k64f', strategy: 'swap-scratch', keys: [key.publicKey], signingKey: key });
  life.publish(await life.buildFirmware({ version: '1.0.0', key }));
  const r = life.run({ hours: 1 });
  expect(events(r.milestones)).toEqual([]);
  expect(life.server.reports.map((x) => x.outcome)).toEqual(['installed']);
});

describe('determinism and explanation', () => {
  const noisy = { device: 'k64f', strategy: 'swap-offset' as const, network: { chunkLoss: 0.05, corruption: 0.01, outagesPerDay: 2 }, power: { lossesPerDay: 6 } };

  it('the same seed gives the same life, byte for byte', async () => {
    const a = (await lifeWith({ ...noisy, seed: 42 }, [{ version: '2.0.0' }])).run({ days: 3 });
    const b = (await lifeWith({ ...noisy, seed: 42 }, [{ version: '2.0.0' }])).run({ days: 3 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const c = (await lifeWith({ ...noisy, seed: 43 }, [{ version: '2.0.0' }])).run({ days: 3 });
    expect(JSON.stringify(c.milestones)).not.toBe(JSON.stringify(a.milestones));
  });

  it('skipping uneventful sample periods lives the same life as simulating each of their events', async () => {
    const fast = await lifeWith({ ...noisy, seed: 5 }, [{ version: '2.0.0' }]);
    const slow = await lifeWith({ ...noisy, seed: 5 }, [{ version: '2.0.0' }]);
    slow.slowPath = true;
    const a = fast.run({ days: 2 });
    const b = slow.run({ days: 2 });
    expect(b.milestones).toEqual(a.milestones);
    expect(b.stats).toEqual(a.stats);
    expect(b.energy.totalMah).toBeCloseTo(a.energy.totalMah, 9);
  });

  it('a device reused by lives with other running images, boots memoized or not, lives each life as a device of its own', async () => {
    const setup = { ...noisy, device: 'k64f', strategy: 'swap-scratch' as const, seed: 3, power: { lossesPerDay: 6 } };
    const alone = await lifeWith(setup);
    const v1 = await alone.buildFirmware({ version: '1.0.0' });
    const other = await alone.buildFirmware({ version: '1.5.0', seed: 2 });
    const v2 = await alone.buildFirmware({ version: '2.0.0' });
    const lifeOn = async (running: Uint8Array, more: { reuseDevice?: DeviceLife['device']; memoBoots?: boolean } = {}) => {
      const life = await DeviceLife.create({ ...setup, running, ...more });
      life.publish(v2);
      return life;
    };
    const own = (await lifeOn(v1, { memoBoots: false })).run({ days: 2 });
    const device = (await lifeOn(other, { memoBoots: false })).device;
    for (const [running, memoBoots] of [[other, false], [v1, false], [v1, true], [other, true], [v1, true], [v1, false]] as const) {
      const life = await lifeOn(running, { reuseDevice: device, memoBoots });
      const r = life.run({ days: 2 });
      if (running === v1) expect(r).toEqual(own);
    }
  });

  it('checking chunks by their SHA-256 and by comparing with the served bytes decide the same', async () => {
    const setup = { ...noisy, seed: 9, power: { aimed: [{ phase: 'download' as const, fraction: 0.3 }], fault: 'torn-write' as const } };
    const a = (await lifeWith(setup, [{ version: '2.0.0' }])).run({ days: 1 });
    const b = (await lifeWith({ ...setup, ota: { hashChunks: true } }, [{ version: '2.0.0' }])).run({ days: 1 });
    expect(b.milestones).toEqual(a.milestones);
  });

  it('explains every reboot: each power-on after the first follows a reboot milestone', async () => {
    const r = (await lifeWith({ ...noisy, seed: 11 }, [{ version: '2.0.0', behaviour: 'crash-at-boot' }, { version: '3.0.0' }])).run({ days: 3 });
    const reboots = find(r.milestones, 'reboot').reduce((n, m) => n + 1 + (m.repeat ?? 0), 0);
    expect(r.stats.boots).toBe(reboots + 1);
    expect(r.stats.powerLosses).toBeGreaterThan(3);
  });

  it('logs the same number of milestones for one update whatever the image size', async () => {
    const counts = [];
    for (const size of [8_192, 40_000, 'max' as const]) {
      const r = (await lifeWith({ device: 'k64f', strategy: 'swap-scratch', network: { chunkLoss: 0.02 } }, [{ version: '2.0.0', size }])).run({ days: 1 });
      counts.push(r.milestones.length);
    }
    expect(new Set(counts).size).toBe(1);
  });
});

describe('energy', () => {
  it('charges the OTA task for the update, and a retry storm costs more than a quiet week', async () => {
    const quiet = (await lifeWith({ device: 'k64f', strategy: 'swap-move' })).run({ days: 7 });
    const update = (await lifeWith({ device: 'k64f', strategy: 'swap-move' }, [{ version: '2.0.0' }])).run({ days: 7 });
    const storm = (await lifeWith({ device: 'k64f', strategy: 'swap-move', ota: { upgrade: 'permanent' } }, [{ version: '2.0.0', behaviour: 'send-fails' }])).run({ days: 7 });
    expect(update.energy.otaMah).toBeGreaterThan(quiet.energy.otaMah);
    expect(update.energy.totalMah - quiet.energy.totalMah).toBeCloseTo(update.energy.otaMah - quiet.energy.otaMah, 1);
    expect(storm.stats.sends.failed).toBeGreaterThan(10_000);
    expect(storm.energy.totalMah).toBeGreaterThan(1.5 * update.energy.totalMah);
  });
});

describe('strategies', () => {
  it('refuses direct-xip and ram-load, whose application side (updating the slot not running) is not modelled', async () => {
    for (const strategy of ['direct-xip', 'ram-load'] as const) {
      await expect(DeviceLife.create({ strategy })).rejects.toThrow(new RegExp(`strategy ${strategy} is not modelled in a device's life`));
    }
  });
});

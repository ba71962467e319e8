/**
 * A fleet's devices are whole device lives: deterministic from one seed, each replayable
 * alone from its id, and — however the fleet skips the time in which nothing happens —
 * the same life the slow, obviously-right path (every event of a DeviceLife) lives.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from '../../src/fleet/fleet.js';
import { FleetLives } from '../../src/fleet/lives.js';
import { parseFleetDeviceId, fleetDeviceId } from '../../src/fleet/replay-id.js';
import { FleetPool } from '../../src/node/fleet-pool.js';
import { fleetOf } from './helpers.js';

/** A fleet where everything goes wrong now and then: outages, lossy links, power losses, a release that fails on one class. */
const noisy = () =>
  fleetOf({
    devices: 90,
    days: 4,
    seed: 7,
    classes: [
      { name: 'sensor', weight: 2, device: 'nrf52840', strategy: 'swap-move', powerLossesPerDay: 3, network: { chunkLoss: 0.03, corruption: 0.01, outagesPerDay: 1, outageHours: 1 } },
      { name: 'gateway', weight: 1, device: 'k64f', strategy: 'swap-scratch', powerLossesPerDay: 1, network: { sendLoss: 0.05, truncation: 0.02 }, checkPeriod: '10m' },
      { name: 'tracker', weight: 1, device: 'nrf52840', strategy: 'overwrite-only', powerLossesPerDay: 2, sendPeriod: '5m', checkPeriod: '30m', upgrade: 'permanent' },
    ],
    releases: [
      { version: '2.0.0', size: 40_000, rollout: { canary: 4, groups: [30, 100], successThreshold: 80, errorThreshold: 40 } },
      { version: '2.1.0', size: 40_000, behaviour: { gateway: 'fail-health-check' }, rollout: { start: '1d', groups: [50, 100], successThreshold: 80, errorThreshold: 40 } },
    ],
  });

const tableOf = (r: Awaited<ReturnType<Fleet['run']>>) => JSON.stringify({ groups: r.groups, events: r.events, totals: r.totals, classes: r.classes });

describe('a fleet run', () => {
  let first: Fleet;
  let table: string;
  beforeAll(async () => {
    first = new Fleet(noisy());
    table = tableOf(await first.run());
  });

  it('gives the same table for the same seed', async () => {
    expect(tableOf(await new Fleet(noisy()).run())).toBe(table);
  });

  it('gives another table for another seed', async () => {
    expect(tableOf(await new Fleet({ ...noisy(), seed: 8 }).run())).not.toBe(table);
  });

  it('lives each device as its full DeviceLife, event by event, would (the slow path)', async () => {
    const fleet = first;
    const lives = new FleetLives(fleet.plan);
    // Every class, devices that updated twice, once, failed, and never got an offer.
    const sample = [...Array(fleet.plan.devices).keys()].filter((d) => d % 9 === 0);
    let compared = 0;
    for (const d of sample) {
      const job = { device: d, cls: fleet.cohorts.classOf[d]!, offers: fleet.offersOf(d), milestones: true };
      const fast = await lives.live(job);
      const slow = await lives.life(job);
      slow.slowPath = true;
      const report = slow.run({ days: fleet.plan.days });
      expect(report.milestones, fleet.deviceId(d)).toEqual(fast.report.milestones);
      expect(report.stats, fleet.deviceId(d)).toEqual(fast.report.stats);
      expect(report.final).toEqual(fast.report.final);
      expect(report.energy.totalMah).toBeCloseTo(fast.report.energy.totalMah, 6);
      expect(slow.server.reports).toEqual(fast.life.server.reports);
      // The fast path skipped most of the events the slow one lived.
      expect(fast.life.sched.executed).toBeLessThan(slow.sched.executed / 20);
      // And the fleet's own record of it is that life.
      const run = fleet.runOf(d);
      if (run) expect({ ...fast.run, milestones: undefined }).toEqual({ ...run, milestones: undefined });
      compared++;
    }
    expect(compared).toBe(10);
  });

  it('replays a device picked from it alone, from its id, to the same end', async () => {
    const description = noisy();
    const fleet = first;
    const r = fleet.report();
    const rolledBack = r.failed.find((f) => f.status === 'rolledBack')!;
    const updated = [...fleet.simulation!.runs.values()].find((x) => x.releases.length === 2 && x.releases[1]!.outcome === 'installed')!;
    for (const device of [rolledBack.device, updated.device]) {
      const id = fleet.deviceId(device);
      expect(parseFleetDeviceId(id).index).toBe(device);
      const alone = await Fleet.replay(description, id);
      const run = fleet.runOf(device)!;
      expect(alone.run.releases).toEqual(run.releases);
      expect(alone.run.final).toEqual(run.final);
      expect(alone.run.brickedAt).toBe(run.brickedAt);
      expect(alone.log.length).toBe(alone.report.milestones.length);
      expect(alone.log.some((l) => l.includes('download-started'))).toBe(true);
    }
  });

  it('lives the same on all cores as in one thread', async () => {
    const pool = new FleetPool(2);
    try {
      const parallel = await new Fleet(noisy(), { executor: pool }).run();
      expect(tableOf(parallel)).toBe(table);
    } finally {
      await pool.close();
    }
  });
});

describe('a fleet device id', () => {
  it('names the class, seed, days and every offer exactly, and reads back', () => {
    const fleet = new Fleet(noisy());
    const cls = fleet.plan.classes[0]!;
    const id = fleetDeviceId(fleet.plan, cls, 17, [{ release: 0, fromMs: 1234.5678 }, { release: 1, fromMs: 86_400_000, untilMs: 90_000_000.25 }]);
    expect(id).toBe('swap-move/nrf52840/fleet:sensor:4d/cut#17~7@2.0.0=1234.5678,2.1.0=86400000-90000000.25');
    expect(parseFleetDeviceId(id)).toEqual({ strategy: 'swap-move', device: 'nrf52840', cls: 'sensor', days: 4, fault: 'cut', index: 17, seed: 7, offers: [{ release: '2.0.0', fromMs: 1234.5678 }, { release: '2.1.0', fromMs: 86_400_000, untilMs: 90_000_000.25 }] });
  });

  it('is refused, with the reason, for another fleet or a malformed id', async () => {
    await expect(Fleet.replay(noisy(), 'swap-move/nrf52840/fleet:nope:4d/cut#1~7')).rejects.toThrow(/this fleet has no class 'nope'/);
    await expect(Fleet.replay(noisy(), 'swap-scratch/nrf52840/fleet:sensor:4d/cut#1~7')).rejects.toThrow(/class 'sensor' of this fleet is swap-move\/nrf52840\/cut/);
    await expect(Fleet.replay(noisy(), 'swap-move/nrf52840/fleet:sensor:4d/cut#1~7@9.9.9=5')).rejects.toThrow(/no release '9.9.9'/);
    await expect(Fleet.replay(noisy(), 'swap-move/nrf52840/lifecycle/cut#1')).rejects.toThrow(/not a fleet device id/);
  });
});


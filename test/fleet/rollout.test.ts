/**
 * Rollout policies over simulated fleets (issue 11): what hawkBit, AWS IoT Jobs and a canary
 * cohort do with a good release, a bad one, and a bootloader with a historical bug — judged
 * from the devices' own lives.
 */
import { describe, expect, it } from 'vitest';
import { Fleet } from '../../src/fleet/fleet.js';
import { rolloutGroups } from '../../src/fleet/cohorts.js';
import { ended, fleetOf, isFailure } from './helpers.js';

describe('a hawkBit-style rollout', () => {
  it('brings a good release to 100 % through every group, with 0 bricked on every strategy MCUboot supports', async () => {
    const fleet = new Fleet(
      fleetOf({
        devices: 160,
        days: 3,
        classes: ['overwrite-only', 'swap-scratch', 'swap-move', 'swap-offset'].map((strategy) => ({ name: strategy, weight: 1, device: 'nrf52840', strategy, powerLossesPerDay: 2, network: { chunkLoss: 0.02 } })),
      }),
    );
    const r = await fleet.run();
    expect(r.totals).toEqual({ devices: 160, succeeded: 160, rolledBack: 0, refused: 0, timedOut: 0, bricked: 0 });
    for (const g of r.groups) {
      expect(g.targeted, g.name).toBe(g.devices);
      expect(g.succeeded, g.name).toBe(g.devices);
    }
    const names = r.events.map((e) => `${e.event} ${e.group}`);
    expect(names).toEqual([
      'group-started 2.0.0 10%', 'group-succeeded 2.0.0 10%',
      'group-started 2.0.0 50%', 'group-succeeded 2.0.0 50%',
      'group-started 2.0.0 100%', 'group-succeeded 2.0.0 100%',
      'rollout-finished 2.0.0 100%',
    ]);
    for (let d = 0; d < 160; d++) expect(fleet.runOf(d)!.final).toEqual({ version: '2.0.0+0', confirmed: true });
    // Power losses happened, during downloads among other moments: the fleet was not spared them.
    expect([...fleet.simulation!.runs.values()].reduce((n, x) => n + x.powerLosses, 0)).toBeGreaterThan(400);
  });

  it('pauses a bad release at the group where its failure rate crosses the error threshold; the devices that got it roll back and keep working', async () => {
    const fleet = new Fleet(fleetOf({ release: { behaviour: { gateway: 'fail-health-check' } } }));
    const r = await fleet.run();
    const sim = fleet.simulation!;
    const pause = r.events.find((e) => e.event === 'rollout-paused')!;
    expect(pause.group).toBe('2.0.0 10%');
    // No group after it started.
    expect(r.groups.filter((g) => g.startedAtMs !== null).map((g) => g.name)).toEqual(['2.0.0 10%']);
    // It paused on the very outcome that took the error rate over 10 %, not one later.
    const group = sim.groups.find((g) => g.name === '2.0.0 10%')!;
    const size = group.to - group.from;
    let failures = 0;
    const crossing = ended(sim, group.name).find((e) => isFailure(e) && (++failures * 100) / size > 10)!;
    expect(crossing.endAt).toBe(pause.tMs);
    expect(((failures - 1) * 100) / size).toBeLessThanOrEqual(10);
    expect(pause.detail).toContain(`${failures} of ${size}`);
    // Every device that failed it is a gateway, rolled back to 1.0.0, confirmed and alive.
    const failed = sim.executions.filter((e) => e.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const e of failed) {
      expect(fleet.plan.classes[fleet.cohorts.classOf[e.device]!]!.name).toBe('gateway');
      const run = fleet.runOf(e.device)!;
      expect(run.final).toEqual({ version: '1.0.0+0', confirmed: true });
      expect(run.brickedAt).toBe(-1);
    }
    // Keeps working: after the rollback it reboots only when the power fails, and it keeps sending.
    const { report } = await Fleet.replay(fleet.plan.source, fleet.deviceId(failed[0]!.device));
    const after = report.milestones.slice(report.milestones.findIndex((m) => m.event === 'rollback-detected') + 1);
    expect(after.filter((m) => m.event === 'reboot' && !m.detail.startsWith('power loss'))).toEqual([]);
    expect(report.stats.sends.ok).toBeGreaterThan(2 * 24 * 60 * 0.9);
    expect(r.totals.bricked).toBe(0);
  });

  it('counts a device that never answers within the in-progress timeout as timed out, an error that can pause the rollout', async () => {
    // 40 kB at 200 B/s: three and a half minutes of download against a 2-minute timeout.
    const fleet = new Fleet(fleetOf({ classes: [{ name: 'slow', weight: 1, device: 'nrf52840', strategy: 'swap-move', network: { bandwidth: 200 } }], release: { rollout: { groups: [10, 100], errorThreshold: 50, inProgressTimeout: '2m' } } }));
    const r = await fleet.run();
    const first = r.groups[0]!;
    expect(first.timedOut).toBe(first.devices);
    expect(r.events.find((e) => e.event === 'rollout-paused')!.detail).toContain('timed out');
    // The devices themselves finished the update: the manager had stopped listening.
    expect(fleet.runOf(fleet.cohorts.order[0]!)!.releases[0]!.outcome).toBe('installed');
  });
});

describe('a canary cohort', () => {
  it('stops a bad release before any percentage group starts, and is the same devices for every release', async () => {
    const canary = { canary: 5, groups: [10, 50, 100], successThreshold: 90, errorThreshold: 30 };
    const description = fleetOf({
      releases: [
        { version: '2.0.0', size: 40_000, rollout: canary },
        { version: '2.1.0', size: 40_000, behaviour: 'crash-at-boot', rollout: { ...canary, start: 'after-previous' } },
      ],
    });
    const fleet = new Fleet(description);
    const r = await fleet.run();
    const byRelease = (name: string) => r.groups.filter((g) => g.release === name);
    expect(byRelease('2.0.0').every((g) => g.succeeded === g.devices)).toBe(true);
    const bad = byRelease('2.1.0');
    expect(bad[0]!.label).toBe('canary');
    expect(bad[0]!.rolledBack).toBeGreaterThan(0);
    expect(bad.slice(1).every((g) => g.targeted === 0)).toBe(true);
    const pause = r.events.find((e) => e.event === 'rollout-paused')!;
    expect(pause.group).toBe('2.1.0 canary');
    // The first failure already makes 100 % unreachable.
    expect(pause.detail).toMatch(/can no longer reach 100%: 1 of 5 failed/);
    const canaries = (release: number) => fleet.simulation!.executions.filter((e) => e.release === release && e.group === fleet.simulation!.groups.find((g) => g.release === release && g.label === 'canary')!.index).map((e) => e.device);
    expect(canaries(1)).toEqual(canaries(0));
    expect(rolloutGroups(fleet.plan.releases[1]!.rollout, 120)[0]).toEqual({ label: 'canary', from: 0, to: 5, successThreshold: 100 });
  });
});

describe('an AWS IoT Jobs-style rollout', () => {
  const aws = (abort: { failureType: 'FAILED' | 'ALL' | 'TIMED_OUT' | 'REJECTED'; minNumberOfExecutedThings: number; thresholdPercentage: number }) => ({
    style: 'aws-iot-jobs' as const,
    maximumPerMinute: 20,
    exponentialRate: { baseRatePerMinute: 4, incrementFactor: 2, rateIncreaseCriteria: { numberOfNotifiedThings: 8 } },
    abortConfig: { criteriaList: [{ action: 'CANCEL' as const, ...abort }] },
  });

  it('notifies devices at the base rate, raised by the increment factor after every N notified, never above the maximum', async () => {
    const fleet = new Fleet(fleetOf({ devices: 60, days: 0.5, release: { rollout: aws({ failureType: 'ALL', minNumberOfExecutedThings: 100, thresholdPercentage: 100 }) } }));
    await fleet.run();
    const times = fleet.simulation!.executions.map((e) => e.notifiedAt);
    const gaps = times.slice(1).map((t, i) => Math.round(t - times[i]!));
    // 4/min until 8 are notified, 8/min until 16, then 16/min, then 20/min (the maximum).
    expect(gaps.slice(0, 7)).toEqual(Array(7).fill(15_000));
    expect(gaps.slice(7, 15)).toEqual(Array(8).fill(7_500));
    expect(gaps.slice(15, 23)).toEqual(Array(8).fill(3_750));
    expect(new Set(gaps.slice(23))).toEqual(new Set([3_000]));
    expect(times).toHaveLength(60);
  });

  it('aborts when the failures reach the threshold — at the moment minNumberOfExecutedThings allows, not later', async () => {
    // Every device fails: the abort is due as soon as 8 executions have ended.
    const fleet = new Fleet(fleetOf({ release: { behaviour: 'crash-at-boot', rollout: aws({ failureType: 'FAILED', minNumberOfExecutedThings: 8, thresholdPercentage: 50 }) } }));
    const r = await fleet.run();
    const sim = fleet.simulation!;
    const abort = r.events.find((e) => e.event === 'rollout-aborted')!;
    const outcomes = ended(sim, '2.0.0 job');
    expect(outcomes[7]!.endAt).toBe(abort.tMs);
    expect(outcomes.filter((e) => e.endAt <= abort.tMs)).toHaveLength(8);
    expect(abort.detail).toMatch(/^FAILED: 8 of 8 executed \(100%\) ≥ 50%/);
    // Cancelled: notified, not picked up by then. They never saw the release and still run 1.0.0.
    const cancelled = sim.executions.filter((e) => e.status === 'canceled');
    expect(cancelled.length).toBeGreaterThan(0);
    for (const e of cancelled) {
      const run = fleet.runOf(e.device)!;
      expect(run.releases[0]!.seen).toBe(-1);
      expect(run.final.version).toBe('1.0.0+0');
    }
    expect(r.groups[0]!.canceled).toBe(cancelled.length);
    expect(r.groups[0]!.targeted).toBeLessThan(120);
  });

  it('aborts at the first outcome that brings the failure share to the threshold once enough have executed', async () => {
    const fleet = new Fleet(fleetOf({ release: { behaviour: { gateway: 'fail-health-check' }, rollout: aws({ failureType: 'ALL', minNumberOfExecutedThings: 10, thresholdPercentage: 20 }) } }));
    const r = await fleet.run();
    const abort = r.events.find((e) => e.event === 'rollout-aborted')!;
    let failures = 0;
    const due = ended(fleet.simulation!, '2.0.0 job').find((e, i) => {
      if (isFailure(e)) failures++;
      return i + 1 >= 10 && (failures * 100) / (i + 1) >= 20;
    })!;
    expect(due.endAt).toBe(abort.tMs);
  });
});

describe('a bootloader with a historical bug in part of the fleet', () => {
  it('bricks the devices that run it; the rollout aborts the release, counting their silence as timed out', async () => {
    // MCUboot PR #2206 (swap-scratch, a trailer larger than a sector): the uninterrupted update of a maximal image bricks.
    const fleet = new Fleet(
      fleetOf({
        devices: 100,
        classes: [
          { name: 'sensor', weight: 80, device: 'nrf52840', strategy: 'swap-move' },
          { name: 'old-boot', weight: 20, device: 'k64f', strategy: 'swap-scratch@pr2206', maxSectors: 1024 },
        ],
        release: {
          size: 'max',
          rollout: { style: 'aws-iot-jobs', canary: 10, exponentialRate: { baseRatePerMinute: 2, incrementFactor: 2, rateIncreaseCriteria: { numberOfSucceededThings: 10 } }, abortConfig: { criteriaList: [{ failureType: 'TIMED_OUT', minNumberOfExecutedThings: 5, thresholdPercentage: 5 }] }, timeoutConfig: { inProgressTimeoutInMinutes: 15 } },
        },
      }),
    );
    const r = await fleet.run();
    const byClass = Object.fromEntries(r.classes.map((c) => [c.class, c]));
    expect(byClass['sensor']!.bricked).toBe(0);
    expect(byClass['old-boot']!.bricked).toBeGreaterThan(0);
    expect(r.totals.bricked).toBe(byClass['old-boot']!.bricked);
    // The manager never hears from a bricked device: its execution times out, and the abort criterion on TIMED_OUT stops the job.
    const abort = r.events.find((e) => e.event === 'rollout-aborted')!;
    expect(abort.detail).toMatch(/^TIMED_OUT: /);
    expect(r.bricked.every((b) => b.tMs < abort.tMs)).toBe(true);
    expect(r.bricked.every((b) => b.id.startsWith('swap-scratch@pr2206/k64f/fleet:old-boot:2d/cut#'))).toBe(true);
    expect(r.totals.bricked).toBeLessThan(byClass['old-boot']!.devices);
  });
});

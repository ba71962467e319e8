/**
 * The browser-safe API of a fleet: `new Fleet(description)`, run until a virtual time,
 * subscribe to rollout events and to the milestones of chosen devices.
 */
import { describe, expect, it } from 'vitest';
import { Fleet, type DeviceMilestone, type RolloutEvent } from '../../src/index.js';
import { fleetOf } from './helpers.js';

const HOUR = 3_600_000;

describe('new Fleet(description)', () => {
  it('runs until a virtual time, delivering the rollout events up to it, then the rest, in order and once', async () => {
    const fleet = new Fleet(fleetOf({ release: { behaviour: { gateway: 'fail-health-check' } } }));
    const seen: RolloutEvent[] = [];
    fleet.on((e) => seen.push(e));
    const early = await fleet.runUntil(60_000);
    expect(fleet.timeMs).toBe(60_000);
    expect(seen.every((e) => e.tMs <= 60_000)).toBe(true);
    expect(early.events).toEqual(seen);
    expect(early.tMs).toBe(60_000);
    const before = seen.length;
    const all = await fleet.run();
    expect(seen.length).toBeGreaterThan(before);
    expect(seen).toEqual(all.events);
    expect(seen.map((e) => e.tMs)).toEqual([...seen.map((e) => e.tMs)].sort((a, b) => a - b));
    // The same fleet run in one go says the same.
    const once = await new Fleet(fleetOf({ release: { behaviour: { gateway: 'fail-health-check' } } })).run();
    expect(once.events).toEqual(all.events);
    expect(once.groups).toEqual(all.groups);
  });

  it('reports the fleet as it stood at the time it was run to', async () => {
    const fleet = new Fleet(fleetOf());
    const start = await fleet.runUntil(60_000);
    // A minute in: the first group is offered the release, and few have finished.
    expect(start.groups[0]!.targeted).toBe(12);
    expect(start.groups[0]!.succeeded).toBeLessThan(12);
    expect(start.groups[1]!.targeted).toBe(0);
    const end = await fleet.run();
    expect(end.totals.succeeded).toBe(120);
  });

  it('tells a watched device\'s milestones as the fleet reaches them', async () => {
    const fleet = new Fleet(fleetOf());
    const device = fleet.cohorts.order[0]!;
    const got: DeviceMilestone[] = [];
    const stop = fleet.watch(device, (m) => got.push(m));
    await fleet.runUntil(HOUR);
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((m) => m.device === device && m.tMs <= HOUR)).toBe(true);
    expect(got.map((m) => m.event)).toEqual(expect.arrayContaining(['update-available', 'download-started', 'download-completed', 'upgrade-requested', 'image-swapped', 'image-confirmed']));
    const n = got.length;
    stop();
    await fleet.run();
    expect(got.length).toBe(n);
    expect(() => fleet.watch(10_000, () => undefined)).toThrow(/device 10000 is not in this fleet of 120/);
  });

  it('tells rollout events and watched milestones as one story, in virtual time order', async () => {
    const fleet = new Fleet(fleetOf({ release: { behaviour: { gateway: 'fail-health-check' } } }));
    const told: Array<[number, string]> = [];
    fleet.on((e) => told.push([e.tMs, e.event]));
    for (const d of fleet.cohorts.order.slice(0, 3)) fleet.watch(d, (m) => told.push([m.tMs, m.event]));
    await fleet.runUntil(2 * HOUR);
    await fleet.run();
    expect(told.filter(([, e]) => e.startsWith('group-')).length).toBeGreaterThan(0);
    expect(told.filter(([, e]) => e === 'image-swapped').length).toBeGreaterThan(0);
    expect(told.map(([t]) => t)).toEqual(told.map(([t]) => t).sort((a, b) => a - b));
  });

  it('draws its chart as SVG from the browser-safe entry', async () => {
    const fleet = new Fleet(fleetOf({ devices: 30, days: 0.5 }));
    await fleet.run();
    const svg = fleet.chart();
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('group-started 2.0.0 10%');
  });
});

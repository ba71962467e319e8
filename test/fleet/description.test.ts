/**
 * A fleet description is checked before anything runs: every mistake is one line naming
 * the field (exit 2 on the command line).
 */
import { describe, expect, it } from 'vitest';
import { planFleet, type FleetDescription } from '../../src/fleet/description.js';
import { classCounts, cohorts, rolloutGroups } from '../../src/fleet/cohorts.js';
import { UsageError } from '../../src/errors.js';
import { fleetOf } from './helpers.js';

/** The description with `edit` applied to a copy. */
function edited(edit: (d: any) => void): FleetDescription {
  const d = structuredClone(fleetOf());
  edit(d);
  return d;
}

const rejects = (d: unknown) => {
  try {
    planFleet(d);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('the description was accepted');
};

describe('a fleet description', () => {
  it.each([
    ['an unknown field', (d: any) => (d.classes[0].bandwith = 5), /^classes\[0\]\.bandwith: unknown field/],
    ['an unknown field in a network', (d: any) => (d.classes[1].network = { loss: 0.1 }), /^classes\[1\]\.network\.loss: unknown field/],
    ['an unknown rollout field for its style', (d: any) => (d.releases[0].rollout.maximumPerMinute = 10), /^releases\[0\]\.rollout\.maximumPerMinute: unknown field \(expected one of: style, start, canary, groups/],
    ['weights that add up to nothing', (d: any) => d.classes.forEach((c: any) => (c.weight = 0)), /^classes\[\]\.weight: the weights add up to 0, not a positive number/],
    ['a negative weight', (d: any) => (d.classes[0].weight = -1), /^classes\[0\]\.weight: -1 must be ≥ 0/],
    ['a group percentage over 100', (d: any) => (d.releases[0].rollout.groups = [10, 120]), /^releases\[0\]\.rollout\.groups\[1\]: 120% is over 100/],
    ['groups that never reach 100 %', (d: any) => (d.releases[0].rollout.groups = [10, 50]), /^releases\[0\]\.rollout\.groups: the groups reach 50% of the fleet and never 100%/],
    ['groups that go backwards', (d: any) => (d.releases[0].rollout.groups = [50, 20, 100]), /^releases\[0\]\.rollout\.groups\[1\]: 20% does not go beyond the previous group's 50%/],
    ['an error threshold over 100', (d: any) => (d.releases[0].rollout.errorThreshold = 101), /^releases\[0\]\.rollout\.errorThreshold: 101 is outside 0–100/],
    ['a negative success threshold', (d: any) => (d.releases[0].rollout.successThreshold = -5), /^releases\[0\]\.rollout\.successThreshold: -5 is outside 0–100/],
    ['an abort threshold outside 0–100', (d: any) => (d.releases[0].rollout = { style: 'aws-iot-jobs', abortConfig: { criteriaList: [{ failureType: 'FAILED', minNumberOfExecutedThings: 5, thresholdPercentage: 150 }] } }), /^releases\[0\]\.rollout\.abortConfig\.criteriaList\[0\]\.thresholdPercentage: 150 is outside 0–100/],
    ['an unknown failure type', (d: any) => (d.releases[0].rollout = { style: 'aws-iot-jobs', abortConfig: { criteriaList: [{ failureType: 'BROKEN', minNumberOfExecutedThings: 5, thresholdPercentage: 10 }] } }), /failureType: "BROKEN" is not one of: FAILED, REJECTED, TIMED_OUT, ALL/],
    ['a release that does not fit a class\'s slot', (d: any) => (d.releases[0].size = 150_000), /^releases\[0\]\.size: 150000 bytes do not fit class 'gateway' \(swap-offset on k64f takes at most 122880\)/],
    ['an unknown behaviour', (d: any) => (d.releases[0].behaviour = { gateway: 'explodes' }), /^releases\[0\]\.behaviour\.gateway: "explodes" is not a firmware behaviour/],
    ['a behaviour for a class that does not exist', (d: any) => (d.releases[0].behaviour = { router: 'hang' }), /^releases\[0\]\.behaviour\.router: unknown field \(expected one of: sensor, gateway\)/],
    ['an unknown device', (d: any) => (d.classes[0].device = 'esp32'), /^classes\[0\]\.device: .*esp32/],
    ['a strategy the device cannot run', (d: any) => ((d.classes[0].device = 'stm32f4'), (d.classes[0].strategy = 'swap-move')), /^classes\[0\]\.strategy: swap-move does not run on stm32f4/],
    ['an unknown bootloader variant', (d: any) => (d.classes[0].strategy = 'swap-move@pr9999'), /^classes\[0\]\.strategy: unknown strategy variant 'swap-move@pr9999'/],
    ['a strategy whose OTA side is not modelled', (d: any) => (d.classes[0].strategy = 'direct-xip'), /^classes\[0\]\.strategy: strategy direct-xip is not modelled in a device's life/],
    ['a time that is not a time', (d: any) => (d.classes[0].checkPeriod = '5 minutes'), /^classes\[0\]\.checkPeriod: "5 minutes" is not a time > 0/],
    ['a probability of 1', (d: any) => (d.classes[0].network = { chunkLoss: 1 }), /^classes\[0\]\.network\.chunkLoss: 1 must be < 1/],
    ['a release not newer than the one before', (d: any) => d.releases.push({ version: '1.5.0', size: 40_000 }), /^releases\[1\]\.version: 1\.5\.0\+0 is not newer than releases\[0\]'s 2\.0\.0\+0/],
    ['two classes of one name', (d: any) => (d.classes[1].name = 'sensor'), /^classes\[1\]\.name: 'sensor' is used by another class/],
    ['no releases', (d: any) => (d.releases = []), /^releases: at least one release is needed/],
    ['a device count that is not a count', (d: any) => (d.devices = 2.5), /^devices: 2\.5 must be an integer/],
  ])('refuses %s, naming the field', (_what, edit, message) => {
    expect(rejects(edited(edit))).toMatch(message);
  });

  it('refuses what is not an object at all', () => {
    expect(rejects([])).toMatch(/^the fleet description: expected an object, got a list/);
    expect(rejects({ ...fleetOf(), classes: 'many' })).toMatch(/^classes: expected a list, got "many"/);
  });

  it('takes sizes as `max`: the largest image each class\'s strategy takes', () => {
    const plan = planFleet(edited((d) => (d.releases[0].size = 'max')));
    expect(plan.releases[0]!.size).toEqual([204_800, 122_880]);
  });
});

describe('the fleet\'s cohorts', () => {
  it('split the devices among the classes exactly by weight (largest remainders)', () => {
    expect(classCounts([60, 25, 15], 10_000)).toEqual([6000, 2500, 1500]);
    expect(classCounts([1, 1, 1], 10)).toEqual([4, 3, 3]);
    const plan = planFleet(fleetOf({ devices: 1000 }));
    const { classOf, order } = cohorts(plan);
    expect(classOf.filter((c) => c === 0).length).toBe(700);
    expect([...order].sort((a, b) => a - b)).toEqual([...Array(1000).keys()]);
  });

  it('cut a staged rollout into cumulative groups, after the canary', () => {
    const plan = planFleet(edited((d) => (d.releases[0].rollout = { canary: 10, groups: [5, 25, 100] })));
    expect(rolloutGroups(plan.releases[0]!.rollout, 1000).map((g) => [g.label, g.from, g.to])).toEqual([['canary', 0, 10], ['5%', 10, 50], ['25%', 50, 250], ['100%', 250, 1000]]);
    const equal = planFleet(edited((d) => (d.releases[0].rollout = { amountGroups: 4 })));
    expect(rolloutGroups(equal.releases[0]!.rollout, 100).map((g) => g.to - g.from)).toEqual([25, 25, 25, 25]);
  });
});

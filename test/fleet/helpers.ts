import type { FleetDescription, ClassDescription, ReleaseDescription } from '../../src/fleet/description.js';
import type { Simulation, Execution } from '../../src/fleet/rollout.js';

/** Two classes on two parts, a little of everything that goes wrong in the field; small images so a test stays quick. */
export function fleetOf(over: Partial<FleetDescription> & { release?: Partial<ReleaseDescription> } = {}): FleetDescription {
  const { release, ...rest } = over;
  return {
    devices: 120,
    days: 2,
    seed: 1,
    classes: [
      { name: 'sensor', weight: 70, device: 'nrf52840', strategy: 'swap-move', powerLossesPerDay: 0.5, network: { chunkLoss: 0.01 } },
      { name: 'gateway', weight: 30, device: 'k64f', strategy: 'swap-offset', powerLossesPerDay: 0.5, chunkSize: 2048 },
    ],
    releases: [{ version: '2.0.0', size: 40_000, rollout: { groups: [10, 50, 100], successThreshold: 90, errorThreshold: 10 }, ...release }],
    ...rest,
  };
}

export const cls = (c: Partial<ClassDescription> & { name: string }): ClassDescription => ({ weight: 1, ...c });

/** The executions of one group, in the order their outcomes arrived. */
export function ended(sim: Simulation, group: string): Execution[] {
  const g = sim.groups.find((x) => x.name === group)!;
  return sim.executions.filter((e) => e.group === g.index && e.endAt >= 0 && e.status !== 'canceled').sort((a, b) => a.endAt - b.endAt);
}

export const isFailure = (e: Execution) => e.status === 'failed' || e.status === 'rejected' || e.status === 'timed-out';

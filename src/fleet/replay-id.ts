/**
 * A fleet device's replay id, in the family of the lifecycle plan's ids
 * (`swap-move/nrf52840/lifecycle/cut#417~7`, src/campaign/plans/lifecycle.ts):
 *
 *   swap-move/nrf52840/fleet:sensor:30d/cut#417~7@2.0.0=3600000,2.1.0=172800000-180000000
 *
 * strategy (or test-only variant) / device profile / `fleet:` class : days / fault model #
 * device index, `~seed` when the fleet's seed is not 1, and after `@` the releases the
 * rollouts offered it: name `=` from when (virtual ms, exact) and `-` until when for an
 * offer withdrawn before the device picked it up. With the fleet description that is all the
 * device's life depends on: `brickproof fleet FLEET.json --replay ID --log` lives it alone.
 */
import { UsageError } from '../errors.js';
import type { ClassPlan, FleetPlan } from './description.js';
import type { Offer } from './lives.js';

export interface FleetDeviceRef {
  strategy: string;
  device: string;
  cls: string;
  days: number;
  fault: string;
  index: number;
  seed: number;
  offers: Array<{ release: string; fromMs: number; untilMs?: number }>;
}

const ID = /^([a-z-]+(?:@[A-Za-z0-9]+)?)\/([A-Za-z0-9._-]+)\/fleet:([A-Za-z0-9._-]+):(\d+(?:\.\d+)?)d\/([a-z-]+)#(\d+)(?:~(\d+))?(?:@(.*))?$/;
const OFFER = /^([A-Za-z0-9._-]+)=(\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?:-(\d+(?:\.\d+)?(?:e[+-]?\d+)?))?$/;

export const isFleetDeviceId = (id: string): boolean => ID.test(id.trim());

export function fleetDeviceId(plan: FleetPlan, cls: ClassPlan, index: number, offers: readonly Offer[]): string {
  const seed = plan.seed === 1 ? '' : `~${plan.seed}`;
  const o = offers.map((x) => `${plan.releases[x.release]!.name}=${x.fromMs}${x.untilMs === undefined || x.untilMs === Infinity ? '' : `-${x.untilMs}`}`).join(',');
  return `${cls.strategyName}/${cls.profile.name}/fleet:${cls.name}:${plan.days}d/${cls.fault}#${index}${seed}${o ? `@${o}` : ''}`;
}

export function parseFleetDeviceId(id: string): FleetDeviceRef {
  const m = ID.exec(id.trim());
  if (!m) throw new UsageError(`replay id '${id}' is not a fleet device id (expected e.g. swap-move/nrf52840/fleet:sensor:30d/cut#417@2.0.0=3600000)`);
  const [, strategy, device, cls, days, fault, index, seed, offerText] = m;
  const offers = (offerText ? offerText.split(',') : []).map((text) => {
    const o = OFFER.exec(text);
    if (!o) throw new UsageError(`replay id '${id}': offer '${text}' is not NAME=FROM_MS or NAME=FROM_MS-UNTIL_MS`);
    return { release: o[1]!, fromMs: Number(o[2]), ...(o[3] === undefined ? {} : { untilMs: Number(o[3]) }) };
  });
  return { strategy: strategy!, device: device!, cls: cls!, days: Number(days), fault: fault!, index: Number(index), seed: seed === undefined ? 1 : Number(seed), offers };
}

/** The class and offers an id names in `plan` (a UsageError when the id is not of this fleet). */
export function resolveFleetDeviceId(plan: FleetPlan, ref: FleetDeviceRef, id: string): { cls: ClassPlan; offers: Offer[] } {
  const cls = plan.classes.find((c) => c.name === ref.cls);
  if (!cls) throw new UsageError(`replay id '${id}': this fleet has no class '${ref.cls}' (it has ${plan.classes.map((c) => c.name).join(', ')})`);
  if (cls.strategyName !== ref.strategy || cls.profile.name !== ref.device || cls.fault !== ref.fault) {
    throw new UsageError(`replay id '${id}': class '${cls.name}' of this fleet is ${cls.strategyName}/${cls.profile.name}/${cls.fault}, not ${ref.strategy}/${ref.device}/${ref.fault}`);
  }
  const offers = ref.offers.map((o) => {
    const r = plan.releases.find((x) => x.name === o.release);
    if (!r) throw new UsageError(`replay id '${id}': this fleet has no release '${o.release}'`);
    return { release: r.index, fromMs: o.fromMs, ...(o.untilMs === undefined ? {} : { untilMs: o.untilMs }) };
  });
  return { cls, offers };
}

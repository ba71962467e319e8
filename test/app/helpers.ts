import { DeviceLife, type LifeSetup } from '../../src/app/life.js';
import type { FirmwareSpec } from '../../src/app/images.js';
import type { Milestone } from '../../src/app/milestones.js';

/** A life on `setup`'s device with `releases` published in order (built for that device). */
export async function lifeWith(setup: LifeSetup, releases: Array<FirmwareSpec & { name?: string; corrupt?: boolean }> = []): Promise<DeviceLife> {
  const life = await DeviceLife.create(setup);
  for (const spec of releases) {
    let bytes = await life.buildFirmware(spec);
    if (spec.corrupt) {
      bytes = bytes.slice();
      bytes[0x200] ^= 0x01; // a body byte: the hash no longer matches
    }
    life.publish(bytes, spec.name);
  }
  return life;
}

export const events = (ms: Milestone[]) => ms.map((m) => m.event);

export const find = (ms: Milestone[], event: Milestone['event']) => ms.filter((m) => m.event === event);

/**
 * The OTA task never starts a flash operation during SENSOR_INIT or SEND: checked by the
 * life's guard (which sees only the two records, not the rule that keeps them apart) over
 * thousands of seeded lives with power losses, outages and lossy links.
 */
import { describe, expect, it } from 'vitest';
import { Application } from '../../src/app/application.js';
import { DeviceLife } from '../../src/app/life.js';
import { makeRelease, type Release } from '../../src/app/server.js';
import { AIM_PHASES } from '../../src/app/power.js';
import { prng } from '../../src/util/prng.js';
import { turn } from '../helpers/turn.js';

const LIVES = 2400;
const BATCH = 300;

let shared: { life: DeviceLife; v1: Uint8Array; v2: Release } | undefined;
async function base() {
  if (!shared) {
    const life = await DeviceLife.create({ device: 'k64f', strategy: 'swap-move' });
    shared = { life, v1: await life.buildFirmware({ version: '1.0.0' }), v2: makeRelease(await life.buildFirmware({ version: '2.0.0' }), 'v2') };
  }
  return shared;
}

/** A busy life: a SEND every 10 s so that OTA work keeps meeting critical paths. */
async function busyLife(seed: number) {
  const { life: b, v1, v2 } = await base();
  const r = prng(seed);
  const life = await DeviceLife.create({
    reuseDevice: b.device,
    device: 'k64f',
    strategy: 'swap-move',
    seed,
    running: v1,
    app: { sendPeriodMs: 10_000, sendMs: 1_500, idleMs: 200 },
    ota: { chunkSize: [512, 1024, 1500][seed % 3]!, checkPeriodMs: 60_000 },
    network: { chunkLoss: 0.05, corruption: 0.01, outagesPerDay: 4, outageHours: 0.2, sendLoss: 0.1 },
    power: { lossesPerDay: 8, fault: (['cut', 'torn-write'] as const)[seed % 2]!, aimed: [{ phase: AIM_PHASES[Math.floor(r() * AIM_PHASES.length)]!, fraction: r() }] },
  });
  life.publish(v2);
  return life;
}

describe('no OTA flash operation ever runs in SENSOR_INIT or SEND', () => {
  for (let from = 0; from < LIVES; from += BATCH) {
    it(`over seeded lives ${from}–${from + BATCH - 1} (6 virtual hours each, power losses, outages, lossy links)`, async () => {
      let ops = 0;
      for (let seed = from; seed < from + BATCH; seed++) {
        const life = await busyLife(seed);
        const r = life.run({ hours: 6 });
        await turn(); // 300 lives in one stretch held the worker for 12 s under load
        ops += r.stats.ota.erases + r.stats.ota.programs;
        expect(r.stats.otaOpsInCriticalState, `seed ${seed}`).toBe(0);
        expect(r.final.bricked, `seed ${seed}`).toBe(false);
      }
      expect(ops).toBeGreaterThan(BATCH * 50);
    });
  }

  it('the check can fail: an OTA task allowed to write during SEND is caught', async () => {
    const original = Application.prototype.mayStartFlash;
    Application.prototype.mayStartFlash = function () {
      return true;
    };
    try {
      let caught = 0;
      for (let seed = 0; seed < 20; seed++) caught += (await busyLife(seed)).run({ hours: 6 }).stats.otaOpsInCriticalState;
      expect(caught).toBeGreaterThan(0);
    } finally {
      Application.prototype.mayStartFlash = original;
    }
  });
});

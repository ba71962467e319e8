/**
 * Watching a life (the viewer's timeline): `life.observe` reports every state the device
 * enters and the OTA task's progress, and watching changes nothing about the life.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceState } from '../../src/app/life.js';
import { lifeWith } from './helpers.js';

async function watched(setup: Parameters<typeof lifeWith>[0], releases: Parameters<typeof lifeWith>[1]) {
  const life = await lifeWith(setup, releases);
  const states: Array<[number, DeviceState]> = [];
  const ota: Array<[number, number, number]> = [];
  life.observe({ state: (t, s) => states.push([t, s]), ota: (t, c, size) => ota.push([t, c.bytesWritten, size]) });
  const report = life.run({ days: 1 });
  return { life, states, ota, report };
}

describe('an observed life', () => {
  it('reports the bootloader, SENSOR_INIT and every IDLE, SEND and WAIT, in time order', async () => {
    const { states } = await watched({ device: 'k64f', strategy: 'swap-move' }, []);
    expect(states.slice(0, 5).map((s) => s[1])).toEqual(['BOOT', 'SENSOR_INIT', 'IDLE', 'SEND', 'WAIT']);
    expect(states.every(([t], i) => i === 0 || t >= states[i - 1]![0])).toBe(true);
    // A SEND a minute for a day, each its own state (the quiet periods are not lumped).
    expect(states.filter((s) => s[1] === 'SEND').length).toBeGreaterThanOrEqual(1439);
  });

  it('reports the download from 0 to the image size, and a resumed download from where flash left it', async () => {
    const { ota, states, report } = await watched({ device: 'k64f', strategy: 'swap-move', power: { aimed: [{ phase: 'download', fraction: 0.5 }] } }, [{ version: '2.0.0' }]);
    const size = ota[0]![2];
    expect(ota[0]![1]).toBe(0);
    expect(ota.at(-1)![1]).toBe(size);
    const off = states.findIndex((s) => s[1] === 'OFF');
    expect(off).toBeGreaterThan(0);
    expect(states[off + 1]![1]).toBe('BOOT');
    const resumed = report.milestones.find((m) => m.event === 'download-resumed')!;
    const from = Number(/from offset (\d+)/.exec(resumed.detail)![1]);
    const first = ota.find(([t]) => t >= resumed.tMs)!;
    expect(from).toBeGreaterThan(0);
    expect(first[1]).toBe(from);
  });

  it('marks the crash loop of a firmware that crashes at every boot (overwrite-only cannot roll back) as LOOP', async () => {
    const { states } = await watched({ device: 'k64f', strategy: 'overwrite-only' }, [{ version: '2.0.0', behaviour: 'crash-at-boot' }]);
    expect(states.some((s) => s[1] === 'LOOP')).toBe(true);
  });

  it('lives the same life as an unobserved one', async () => {
    const setup = { device: 'nrf52840', strategy: 'swap-scratch' as const, seed: 5, power: { lossesPerDay: 6 }, network: { chunkLoss: 0.02 } };
    const releases = [{ version: '2.0.0', behaviour: 'fail-health-check' as const }, { version: '2.1.0' }];
    const plain = (await lifeWith(setup, releases)).run({ days: 1 });
    const { report } = await watched(setup, releases);
    expect(report.milestones).toEqual(plain.milestones);
    expect(report.final).toEqual(plain.final);
  });
});

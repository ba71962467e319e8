/**
 * One device's life in a Web Worker (src/app's DeviceLife, observed): every state the device
 * enters and the OTA task's progress, sent back with the milestone log and the report.
 */
import { DeviceLife, type AimPhase, type Behaviour, type BootStrategy, type DeviceProfile, type DeviceState, type FaultModel, type LifeReport } from 'brickproof';
import { engineReady } from '../engine.js';

export interface LifeRequest {
  device: string | DeviceProfile;
  strategy: BootStrategy;
  behaviour: Behaviour;
  /** Offer a healthy v2.1.0 after the first release. */
  thenGood: boolean;
  permanent: boolean;
  days: number;
  seed: number;
  lossesPerDay: number;
  fault: FaultModel;
  aimed?: { phase: AimPhase; fraction: number };
  chunkLoss: number;
}

export const STATES: DeviceState[] = ['SENSOR_INIT', 'IDLE', 'SEND', 'WAIT', 'HUNG', 'BOOT', 'OFF', 'LOOP', 'BRICKED'];

export type LifeMessage =
  | { type: 'done'; report: LifeReport; stateT: Float64Array; stateCode: Uint8Array; ota: Float64Array; endMs: number; wallMs: number; imageSize: number }
  | { type: 'error'; message: string };

self.onmessage = async (e: MessageEvent<LifeRequest>) => {
  const q = e.data;
  try {
    await engineReady();
    const t0 = performance.now();
    const life = await DeviceLife.create({
      device: q.device,
      strategy: q.strategy,
      seed: q.seed,
      ota: { upgrade: q.permanent ? 'permanent' : 'test' },
      network: { chunkLoss: q.chunkLoss },
      power: { lossesPerDay: q.lossesPerDay, fault: q.fault, aimed: q.aimed ? [q.aimed] : [] },
    });
    const release = await life.buildFirmware({ version: '2.0.0', behaviour: q.behaviour });
    life.publish(release);
    if (q.thenGood) life.publish(await life.buildFirmware({ version: '2.1.0' }));
    const t: number[] = [];
    const code: number[] = [];
    const ota: number[] = [];
    life.observe({
      state: (tMs, s) => {
        t.push(tMs);
        code.push(STATES.indexOf(s));
      },
      ota: (tMs, ctx, size) => ota.push(tMs, ctx.bytesWritten, size),
    });
    const report = life.run({ days: q.days });
    const msg: LifeMessage = {
      type: 'done',
      report,
      stateT: Float64Array.from(t),
      stateCode: Uint8Array.from(code),
      ota: Float64Array.from(ota),
      endMs: q.days * 86_400_000,
      wallMs: performance.now() - t0,
      imageSize: release.length,
    };
    (self as unknown as Worker).postMessage(msg, [msg.stateT.buffer, msg.stateCode.buffer, msg.ota.buffer]);
  } catch (err) {
    (self as unknown as Worker).postMessage({ type: 'error', message: (err as Error).message } satisfies LifeMessage);
  }
};

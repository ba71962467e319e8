/**
 * The device's life after the update is requested (or after a cut): power-ons, and what the
 * application does once the new image runs — confirm it, or erase the secondary slot —
 * until the device settles. Written once for all strategies (littlefs' rule: the runner
 * injects the power loss, the life only says what the device does); the oracle
 * (oracle.ts) judges each power-on. It is both how the uninterrupted update is recorded and
 * how a device recovers after a cut.
 */
import { isDeviceFault, isPowerCut, type LogEntry } from '../core/index.js';
import { erasedValueOf } from '../core/index.js';
import { versionString, type BootResult, type Device } from '../device/device.js';
import { PRIMARY, SECONDARY } from '../device/geometry.js';
import { runningImage, type UpdateImages, type Which } from './images.js';
import { checkPowerOn, crash, noConvergence, secondaryEmpty, type Failure } from './oracle.js';
import type { Upgrade } from './spec.js';

/** One call of the device's life: a power-on, the application confirming, or it erasing the secondary. */
export interface Call {
  kind: CallKind;
  ops: RecordedOp[];
  boot?: BootResult;
  /** Which image the primary held after a boot (direct-xip, ram-load: the slot it ran). */
  image?: Which | null;
  /** A confirm of a slot other than image 0's primary: boot_set_next(area, active, confirm). */
  area?: number;
}

export type CallKind = 'boot' | 'confirm' | 'erase';

export interface RecordedOp extends LogEntry {
  /** Written bytes (writes only). */
  bytes?: Uint8Array;
}

export interface Life {
  calls: Call[];
  /** How it ended; absent when it did not converge or a boot failed. */
  end?: EndState;
  failure?: Failure;
}

export interface EndState {
  image: Which;
  version: string;
  /** The primary trailer's image_ok once everything settled (direct-xip, ram-load: the running slot's). */
  imageOk: 'set' | 'unset' | 'bad';
  /** With hardware rollback protection: the NV security counters, per image. */
  nv?: number[];
}

const MAX_BOOTS = 8;

/** A harness bug: nothing armed a cut, yet one fired. */
function unexpectedCut(what: string): Error {
  return new Error(`unexpected power cut during ${what}: no cut was armed`);
}

/**
 * Powers the device on until it settles: a boot that changes nothing and an application
 * with nothing to do. After each boot the application runs: with a `test` upgrade the new
 * image confirms itself (boot_set_confirmed); with `revert` it never does; with `perm` it
 * has nothing to do; with `erase-secondary` the new image, still unconfirmed, erases the
 * secondary slot if anything is in it (to download another image) and the device resets.
 * With `record`, every call's flash operations are kept (with data). `after` names the
 * power-ons in failure details ("after the cut").
 */
export function live(dev: Device, images: UpdateImages, upgrade: Upgrade, record: boolean, after = 'after the cut'): Life {
  const calls: Call[] = [];
  for (let i = 0; i < MAX_BOOTS; i++) {
    const emptyBefore = secondaryEmpty(dev, images);
    let b: ReturnType<Device['boot']>;
    try {
      b = dev.boot();
    } catch (e) {
      if (!isDeviceFault(e)) throw e;
      // The power-on that broke a flash rule is kept, with the operations it made before.
      calls.push({ kind: 'boot', ops: record ? recorded(dev) : [] });
      return { calls, failure: crash(e, i + 1, after) };
    }
    if (isPowerCut(b)) throw unexpectedCut(`power-on ${i + 1} ${after}`);
    const r = b;
    const image = r.outcome === 'ok' ? runningImage(dev, images, r) : null;
    calls.push({ kind: 'boot', ops: record ? recorded(dev) : [], boot: r, image });
    const failure = checkPowerOn(dev, images, r, image, emptyBefore, i + 1, after);
    if (failure) return { calls, failure };
    // The slot whose image_ok says the running image is confirmed: image 0's primary, or the
    // slot direct-xip and ram-load run from.
    const runningSlot = r.activeSlot !== undefined ? r.slot : PRIMARY;
    const apps: Array<{ kind: CallKind; area?: number }> = [];
    if (upgrade === 'test' && image === 'v2') {
      // The new release confirms itself: every image's primary (or the slot it runs from).
      const areas = r.activeSlot !== undefined ? [r.slot] : Array.from({ length: dev.options.images }, (_, n) => (n === 0 ? PRIMARY : PRIMARY + 2 * n + 1));
      for (const area of areas) if (dev.readSwapState(area).imageOk === 'unset') apps.push(area === PRIMARY ? { kind: 'confirm' } : { kind: 'confirm', area });
    } else if (upgrade === 'erase-secondary' && image === 'v2' && dev.readSwapState(PRIMARY).imageOk === 'unset' && !areaErased(dev, SECONDARY)) {
      apps.push({ kind: 'erase' });
    }
    let appOps = 0;
    for (const app of apps) {
      let c: ReturnType<Device['setConfirmed']> | ReturnType<Device['eraseArea']>;
      try {
        c = app.kind === 'confirm' ? (app.area !== undefined ? dev.setNext(app.area, true, true) : dev.setConfirmed()) : dev.eraseArea(SECONDARY);
      } catch (e) {
        if (!isDeviceFault(e)) throw e;
        calls.push({ ...app, ops: record ? recorded(dev) : [] });
        return { calls, failure: crash(e, i + 1, after, app.kind === 'confirm' ? "the application's boot_set_confirmed()" : "the application's erase of the secondary") };
      }
      if (isPowerCut(c)) throw unexpectedCut(`the application's ${app.kind} ${after}`);
      const counters = dev.core.counters();
      appOps += counters.writeOps + counters.eraseOps;
      calls.push({ ...app, ops: record ? recorded(dev) : [] });
    }
    if (r.ops.erase + r.ops.write === 0 && appOps === 0) {
      // checkPowerOn passed: the primary (or the chosen slot) holds an installed image.
      const nv = dev.options.hwRollback ? { nv: dev.nvCounters.slice(0, dev.options.images) } : {};
      return { calls, end: { image: image!, version: versionString(r.version), imageOk: dev.readSwapState(runningSlot).imageOk, ...nv } };
    }
  }
  const last = calls.filter((c) => c.kind === 'boot').pop()?.boot;
  return { calls, failure: noConvergence(MAX_BOOTS, last) };
}

/** The flash operations of the device's last call, with the bytes each write programmed. */
export function recorded(dev: Device): RecordedOp[] {
  const core = dev.core;
  if (core.logOverflowed) throw new Error('op log overflowed while recording the update; raise logDataBytes');
  const u8 = core.peek();
  return core.log().map((e) => (e.data !== undefined ? { ...e, bytes: u8.slice(core.logDataPtr + e.data, core.logDataPtr + e.data + e.length) } : e));
}

function areaErased(dev: Device, area: number): boolean {
  const bytes = dev.core.peekArea(area);
  const e = erasedValueOf(dev.geometry, dev.core.area(area));
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== e) return false;
  return true;
}

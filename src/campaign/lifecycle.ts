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
import type { PowerOn, PowerOnMemo, StateKey } from './memo.js';
import { checkPowerOn, crash, noConvergence, secondaryEmpty, worded, type Failure } from './oracle.js';
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
  /** With a memo: the life's first power-on as the memo keeps it (and how it goes on from there). */
  first?: PowerOn;
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

export interface LiveOptions {
  /** Keep every call's flash operations (with data); the memo is then not used. */
  record?: boolean;
  /** Run the first power-on even when the memo knows it, and keep its operations. */
  recordFirst?: boolean;
  /** How failure details name the power-ons ("after the cut"). */
  after?: string;
  /** Power-ons already seen, by the flash they start from (memo.ts). */
  memo?: PowerOnMemo;
}

/**
 * Powers the device on until it settles: a boot that changes nothing and an application
 * with nothing to do. After each boot the application runs: with a `test` upgrade the new
 * image confirms itself (boot_set_confirmed); with `revert` it never does; with `perm` it
 * has nothing to do; with `erase-secondary` the new image, still unconfirmed, erases the
 * secondary slot if anything is in it (to download another image) and the device resets.
 * With a memo, a power-on from a state the campaign already powered on from takes the rest
 * of its life from the memo, and every power-on run here is added to it.
 */
export function live(dev: Device, images: UpdateImages, upgrade: Upgrade, options: LiveOptions = {}): Life {
  const { record = false, after = 'after the cut' } = options;
  const memo = record ? undefined : options.memo;
  // The power-ons run here: the memo's node (without operations) and the calls as returned.
  const ran: Array<{ key?: StateKey; powerOn: PowerOn; calls: readonly Call[] }> = [];
  const callsSoFar = () => ran.flatMap((r) => r.calls);
  let life: Life | undefined;
  for (let i = 0; i < MAX_BOOTS && !life; i++) {
    const key = memo?.key();
    if (memo && !(i === 0 && options.recordFirst)) {
      const known = memo.get(key!);
      const rest = known && (i === 0 && after === 'after the cut' ? lifeFrom(known) : follow(known, i, after));
      if (rest) {
        memo.hits++;
        if (!ran.length) return rest; // nothing ran: nothing to add to the memo
        ran[ran.length - 1].powerOn.next = known;
        life = { ...rest, calls: [...callsSoFar(), ...rest.calls] };
        break;
      }
    }
    const recording = record || (i === 0 && options.recordFirst === true);
    const powerOn = powerOnOnce(dev, images, upgrade, recording, `power-on ${i + 1} ${after}`);
    const node = recording && memo ? { ...powerOn, calls: powerOn.calls.map((c) => ({ ...c, ops: [] })) } : powerOn;
    if (ran.length) ran[ran.length - 1].powerOn.next = node;
    ran.push({ key, powerOn: node, calls: powerOn.calls });
    if (powerOn.failure) life = { calls: callsSoFar(), failure: worded(powerOn.failure, i + 1, after) };
    else if (powerOn.end) life = { calls: callsSoFar(), end: powerOn.end };
  }
  life ??= { calls: callsSoFar(), failure: noConvergence(MAX_BOOTS, ran[ran.length - 1].calls[0].boot) };
  if (memo) {
    for (const r of ran) memo.set(r.key!, r.powerOn);
    life.first = ran.length ? ran[0].powerOn : life.first;
  }
  return life;
}

/**
 * The life that starts with a known power-on, or undefined when the memo does not know all
 * of it. Assembled once per power-on (a double-cut campaign asks for the same few lives
 * hundreds of thousands of times); callers do not change it.
 */
export function lifeFrom(first: PowerOn): Life | undefined {
  if (first.life) return first.life;
  const life = follow(first, 0, 'after the cut');
  if (life) {
    life.first = first;
    first.life = life;
  }
  return life;
}

/**
 * The rest of a life from a known power-on at place `i` (0-based), as `live` would find it:
 * undefined when the memo does not know how it goes on (the life that recorded it ran out of
 * power-ons before this one would).
 */
function follow(first: PowerOn, i: number, after: string): Life | undefined {
  const calls: Call[] = [];
  let p: PowerOn | undefined = first;
  for (let n = i; n < MAX_BOOTS; n++) {
    if (!p) return undefined;
    calls.push(...p.calls);
    if (p.failure) return { calls, failure: worded(p.failure, n + 1, after) };
    if (p.end) return { calls, end: p.end };
    if (n === MAX_BOOTS - 1) return { calls, failure: noConvergence(MAX_BOOTS, p.calls[0].boot) };
    p = p.next;
  }
  return undefined;
}

/** One power-on: the boot, judged by the power-on rules, then the application's call if it makes one. */
function powerOnOnce(dev: Device, images: UpdateImages, upgrade: Upgrade, record: boolean, which: string): PowerOn {
  const kept = dev.core.keepsLogData;
  dev.core.keepLogData(record && kept);
  try {
    return powerOnLogged(dev, images, upgrade, record, which);
  } finally {
    dev.core.keepLogData(kept);
  }
}

function powerOnLogged(dev: Device, images: UpdateImages, upgrade: Upgrade, record: boolean, which: string): PowerOn {
  const emptyBefore = secondaryEmpty(dev, images);
  let b: ReturnType<Device['boot']>;
  try {
    b = dev.boot();
  } catch (e) {
    if (!isDeviceFault(e)) throw e;
    // The power-on that broke a flash rule is kept, with the operations it made before.
    return { calls: [{ kind: 'boot', ops: record ? recorded(dev) : [] }], failure: crash(e) };
  }
  if (isPowerCut(b)) throw unexpectedCut(which);
  return afterBoot(dev, images, upgrade, b, emptyBefore, record, which);
}

/**
 * What follows a boot that ran to its end: the power-on rules judge it, then the
 * application makes its call if it has one (a test upgrade's new image confirms itself; with
 * erase-secondary it erases the secondary). `emptyBefore`: the secondary slot was empty at
 * power-on (secondaryEmpty, read before the boot). A power-on whose cut was aimed past its
 * end (the random plan) goes on through here too.
 */
export function afterBoot(dev: Device, images: UpdateImages, upgrade: Upgrade, r: BootResult, emptyBefore: boolean, record: boolean, which: string): PowerOn {
  const image = r.outcome === 'ok' ? runningImage(dev, images, r) : null;
  const calls: Call[] = [{ kind: 'boot', ops: record ? recorded(dev) : [], boot: r, image }];
  const failure = checkPowerOn(dev, images, r, image, emptyBefore);
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
      return { calls, failure: crash(e, app.kind === 'confirm' ? "the application's boot_set_confirmed()" : "the application's erase of the secondary") };
    }
    if (isPowerCut(c)) throw unexpectedCut(`the application's ${app.kind} after ${which}`);
    const counters = dev.core.counters();
    appOps += counters.writeOps + counters.eraseOps;
    calls.push({ ...app, ops: record ? recorded(dev) : [] });
  }
  if (r.ops.erase + r.ops.write === 0 && appOps === 0) {
    // checkPowerOn passed: the primary (or the chosen slot) holds an installed image.
    const nv = dev.options.hwRollback ? { nv: dev.nvCounters.slice(0, dev.options.images) } : {};
    return { calls, end: { image: image!, version: versionString(r.version), imageOk: dev.readSwapState(runningSlot).imageOk, ...nv } };
  }
  return { calls };
}

/** The flash operations of the device's last call, with the bytes each write programmed. */
export function recorded(dev: Device): RecordedOp[] {
  const core = dev.core;
  if (core.logOverflowed) throw new Error('op log overflowed while recording the update; raise logDataBytes');
  return core.recordedLog();
}

function areaErased(dev: Device, area: number): boolean {
  const bytes = dev.core.peekArea(area);
  const e = erasedValueOf(dev.geometry, dev.core.area(area));
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== e) return false;
  return true;
}

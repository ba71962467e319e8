/**
 * Boots that move nothing, answered from memory. A device's week powers on dozens of times
 * with flash that no boot has changed since the last power-on — a power loss while it only
 * samples, a health-check or crash loop, the first boot of every life of a campaign — and
 * each such boot spent a new module instance, the primary's hash and its signature check to
 * give the same answer again (measured: 43 of 45 power-ons of a lifecycle life, 1.7 ms of
 * its 3.7 ms).
 *
 * Why the answer is the same: a boot runs a fresh bootloader (no RAM survives a reset), so
 * what it does depends on the flash it powers on with, the NV security counters, and the
 * device's build (fixed per Device, but for the flash model's strictness, which is in the
 * key) — the reasoning of the campaign memo (src/campaign/memo.ts). A boot is remembered
 * only when it changed none of that: no erase, no program, no failed write, the NV counters
 * as they were, and no RAM window loaded (ram-load builds are not remembered). Replaying
 * it changes nothing either, so the life goes on from the same flash, with the same result
 * in its hands; only the module instance, its counters and op log — which nothing reads
 * before the next call into MCUboot resets them — are not redone.
 *
 * States are named by the core's flash digest (assembly/flash.ts): looked up by its first
 * 64-bit sum and confirmed by the second, the strictness and the NV counters.
 */
import { CTRL } from '../ctrl-layout.js';
import type { Device, BootResult } from '../device/device.js';

/**
 * Distinct states kept per device before the memo starts again. Measured: the first 2 000
 * lives of the lifecycle plan remembered 597 states over their 16 devices (most states
 * recur from life to life: the running image with nothing, or a whole release, beside it).
 */
const MAX_STATES = 8192;

interface Entry {
  key: number[];
  result: BootResult;
}

const memos = new WeakMap<Device, BootMemo>();

export class BootMemo {
  private readonly states = new Map<number, Entry>();
  /** The state the last lookup named, for `remember`. */
  private pending: number[] | undefined;
  /** Boots answered from memory. */
  hits = 0;

  private constructor(private readonly device: Device) {
    device.core.enableDigest();
  }

  /** The memo of `device`, shared by every life that reuses it. */
  static of(device: Device): BootMemo {
    let m = memos.get(device);
    if (!m) memos.set(device, (m = new BootMemo(device)));
    return m;
  }

  /** The flash, strictness and NV counters as they are now. */
  private key(): number[] {
    const core = this.device.core;
    const k: number[] = core.digest();
    k.push(core.ctrl('CTRL_FLAGS'));
    // Device.nvCounters, without its array per call (measured: 3 % of a health-check loop).
    for (let i = 0; i < CTRL.MAX_IMAGES; i++) k.push(core.peek32(CTRL.CTRL_NV_COUNTERS + 4 * i));
    return k;
  }

  /** What a boot from the device's state now gives, when a boot from it was remembered. */
  lookup(): BootResult | undefined {
    const k = this.key();
    const e = this.states.get(k[0]! + (k[1]! & 0x1fffff) * 2 ** 32);
    this.pending = k;
    if (!e || e.key.length !== k.length || e.key.some((x, i) => x !== k[i])) return undefined;
    this.hits++;
    this.pending = undefined;
    return e.result;
  }

  /** The boot just run from the state the last lookup named, kept when it changed nothing. */
  remember(result: BootResult): void {
    const k = this.pending;
    this.pending = undefined;
    if (!k) return;
    const c = this.device.core.counters();
    if (c.eraseOps || c.writeOps || c.bytesErased || c.bytesProgrammed || c.failedWrites || result.ramLoad) return;
    for (let i = 0; i < CTRL.MAX_IMAGES; i++) if (this.device.core.peek32(CTRL.CTRL_NV_COUNTERS + 4 * i) !== k[5 + i]) return;
    if (this.states.size >= MAX_STATES) this.states.clear();
    this.states.set(k[0]! + (k[1]! & 0x1fffff) * 2 ** 32, { key: k, result });
  }
}

/**
 * Memoized power-ons: what the device did from a power-on until it settled, kept by the flash
 * it powered on with.
 *
 * Why this is sound: a power-on runs a fresh bootloader (a new module instance: no RAM
 * survives a reset), so the boot, the application's call after it (fixed by the upgrade kind,
 * one memo per campaign) and every power-on after those depend on the flash at that power-on
 * and on nothing else the simulator keeps (its counters, wear, erased-from marks and image
 * cache never steer a boot) — except the NV security counters of a hardware-rollback build,
 * which is why such a campaign gets no memo (runner.ts, where the build modes are gone
 * through). Two scenarios that power on with the same flash therefore live
 * the same life from there, and the oracle judges each as usual (the scenario still decides,
 * e.g., whether a cut in the confirm write may end on the old image).
 *
 * States are named by the core's flash digest (assembly/flash.ts, "flash digest"): looked up
 * by its first 64-bit sum and confirmed by the second, so a false hit needs both to collide.
 */
import type { Core } from '../core/index.js';
import type { Call, EndState, Life } from './lifecycle.js';
import type { PowerOnFailure } from './oracle.js';

/** One power-on of a life: its calls, and how the life goes on from it. */
export interface PowerOn {
  /** The boot, and the application's call after it when it made one (operations not kept). */
  readonly calls: readonly Call[];
  /** A rule this power-on broke: the life ends here. */
  readonly failure?: PowerOnFailure;
  /** The device settled here: the life ends here. */
  readonly end?: EndState;
  /**
   * The next power-on; absent when the life ends here, or when the life that recorded it ran
   * out of power-ons first (what follows is then unknown: see `follow`).
   */
  next?: PowerOn;
  /** The life that starts with this power-on, once assembled (lifecycle.ts lifeFrom). */
  life?: Life;
}

/** A flash state as the memo names it: the digest's four 32-bit words (A low, A high, B low, B high). */
export type StateKey = readonly [number, number, number, number];

interface Entry {
  key: StateKey;
  powerOn: PowerOn;
}

export class PowerOnMemo {
  private readonly states = new Map<number, Entry>();
  /** Power-ons answered from the memo. */
  hits = 0;
  /** Lookups whose first sum matched a state whose second did not (a collision, detected). */
  collisions = 0;
  /** Test hook: look states up by only this many low bits of the first sum (forces collisions). */
  private lookupBits = 53;

  constructor(private readonly core: Core) {
    core.enableDigest();
  }

  /** The flash as it is now. */
  key(): StateKey {
    return this.core.digest();
  }

  private slot(k: StateKey): number {
    if (this.lookupBits >= 53) return k[0] + (k[1] & 0x1fffff) * 2 ** 32;
    return k[0] % 2 ** this.lookupBits;
  }

  /** What followed a power-on from this state, when a scenario already powered on from it. */
  get(k: StateKey): PowerOn | undefined {
    const e = this.states.get(this.slot(k));
    if (!e) return undefined;
    if (e.key[0] !== k[0] || e.key[1] !== k[1] || e.key[2] !== k[2] || e.key[3] !== k[3]) {
      this.collisions++;
      return undefined;
    }
    return e.powerOn;
  }

  set(k: StateKey, powerOn: PowerOn): void {
    this.states.set(this.slot(k), { key: k, powerOn });
  }

  /** Distinct power-on states held. */
  get size(): number {
    return this.states.size;
  }

  /** The states held, as numbers (to count distinct states over several threads). */
  stateIds(): number[] {
    return [...this.states.keys()];
  }

  /** Forgets every state (a benchmark measuring what one campaign pays). */
  clear(): void {
    this.states.clear();
  }

  /** Test hook: name states by `bits` (< 32) bits of the first sum only, so different states share a name. */
  narrowLookup(bits: number): void {
    this.lookupBits = bits;
    this.states.clear();
  }
}

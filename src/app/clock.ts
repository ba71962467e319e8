/**
 * The virtual clock: a discrete-event scheduler over virtual milliseconds. Nothing in a
 * device's life reads the real time or uses a timer; every action is an event at a virtual
 * instant, and the clock jumps from one event to the next, so a week in which the device
 * mostly sleeps costs what its events cost, not what its milliseconds would.
 *
 * Events at the same instant run in the order they were scheduled (a binary heap ordered
 * by time, then by a sequence number), so the same seed gives the same life, byte for byte.
 */
import { MinHeap } from '../util/heap.js';

interface Entry {
  t: number;
  seq: number;
  fn: () => void;
  /** The epoch it belongs to, or -1 for events that always run. */
  epoch: number;
}

const before = (a: Entry, b: Entry) => a.t < b.t || (a.t === b.t && a.seq < b.seq);

export class Scheduler {
  private readonly heap = new MinHeap<Entry>(before);
  private seq = 0;
  private current = 0;
  private stopped = false;
  /** Where the running `run()` stops: work that would reach past it must be left to events. */
  horizon = Infinity;
  /**
   * Events scheduled with `atEpoch` run only while this is still the epoch they were
   * scheduled in: a reset bumps it, and everything the device had planned is dropped (its
   * RAM is gone) without a wrapper closure per event.
   */
  epoch = 0;
  /** Events run so far (a benchmark's events per second). */
  executed = 0;

  /** The current virtual time (ms). */
  get now(): number {
    return this.current;
  }

  /** Time of the earliest pending event that will still run, or Infinity. */
  get next(): number {
    const h = this.heap;
    // Events of a past epoch would be dropped when popped: drop them now, so they do not
    // hold back work that may skip ahead to the next real event.
    let first = h.peek();
    while (first && first.epoch !== -1 && first.epoch !== this.epoch) {
      h.pop();
      first = h.peek();
    }
    return first ? first.t : Infinity;
  }

  /** Schedules `fn` at virtual time `t` (never in the past). */
  at(t: number, fn: () => void): void {
    this.push(t, fn, -1);
  }

  /** Like `at`, but dropped if the epoch has changed by then. */
  atEpoch(t: number, fn: () => void): void {
    this.push(t, fn, this.epoch);
  }

  private push(t: number, fn: () => void, epoch: number): void {
    this.heap.push({ t: t > this.current ? t : this.current, seq: this.seq++, fn, epoch });
  }

  /**
   * Runs events in time order up to and including `until`, then leaves the clock at
   * `until` (unless stopped earlier).
   */
  run(until: number): void {
    this.stopped = false;
    this.horizon = until;
    while (!this.stopped && this.heap.size && this.heap.peek()!.t <= until) {
      const e = this.heap.pop();
      if (e.epoch !== -1 && e.epoch !== this.epoch) continue;
      this.current = e.t;
      this.executed++;
      e.fn();
    }
    if (!this.stopped && until > this.current) this.current = until;
    this.horizon = Infinity;
  }

  /** Ends the running `run()` after the current event (the device died for good). */
  stop(): void {
    this.stopped = true;
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}

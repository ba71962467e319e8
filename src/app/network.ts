/**
 * The network between a device and its update server: latency, bandwidth, per-request loss,
 * truncated and corrupted responses, and outages lasting hours (Poisson arrivals, seeded).
 * One random draw per request, from the network's own stream.
 */

export interface NetworkOptions {
  /** Round-trip latency of a request (ms). */
  latencyMs: number;
  /** Link rate (bytes per second). */
  bytesPerSecond: number;
  /** Probability that a request or its response is lost (the device times out). */
  chunkLoss: number;
  /** Probability that a response arrives truncated. */
  truncation: number;
  /** Probability that a response arrives with a flipped byte. */
  corruption: number;
  /** Probability that one SEND of the application fails outside outages. */
  sendLoss: number;
  /** Outages per day (Poisson); 0 = none. */
  outagesPerDay: number;
  /** Mean outage length (hours); each lasts 0.5–1.5 times this. */
  outageHours: number;
  /** How long a device waits for a response before it calls the request failed (ms). */
  timeoutMs: number;
}

export const DEFAULT_NETWORK: NetworkOptions = {
  latencyMs: 50,
  bytesPerSecond: 20_000,
  chunkLoss: 0,
  truncation: 0,
  corruption: 0,
  sendLoss: 0,
  outagesPerDay: 0,
  outageHours: 2,
  timeoutMs: 5_000,
};

export type Delivery = 'ok' | 'lost' | 'truncated' | 'corrupted' | 'down';

export interface Transfer {
  outcome: Delivery;
  /** When the device has the response, or gives up on it. */
  doneAt: number;
  /** For truncated responses: how many bytes arrived; for corrupted ones: which byte flipped. */
  at: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export class Network {
  /** Outage windows [start, end), in time order, generated as far as `generatedTo`. */
  private readonly outages: number[] = [];
  private generatedTo = 0;
  private nextOutage: number;
  /** Outages are off from this time on (a campaign's settling phase). */
  private calmFrom = Infinity;
  requests = 0;
  bytes = 0;

  constructor(
    readonly options: NetworkOptions,
    private readonly rnd: () => number,
    private readonly outageRnd: () => number,
  ) {
    this.nextOutage = this.drawGap();
  }

  private drawGap(): number {
    const rate = this.options.outagesPerDay;
    return rate > 0 ? (-Math.log(1 - this.outageRnd()) / rate) * DAY_MS : Infinity;
  }

  /** No outage starts at or after `t` (a campaign lets the device settle). */
  calm(t: number): void {
    this.calmFrom = t;
  }

  /** Whether the network is down at virtual time `t` (outages are generated lazily, in order). */
  isDown(t: number): boolean {
    while (this.generatedTo <= t && this.nextOutage !== Infinity) {
      const start = this.nextOutage;
      if (start >= this.calmFrom) {
        this.nextOutage = Infinity;
        break;
      }
      const length = (0.5 + this.outageRnd()) * this.options.outageHours * HOUR_MS;
      this.outages.push(start, start + length);
      this.generatedTo = start + length;
      this.nextOutage = start + length + this.drawGap();
    }
    // Windows are few (hours long): scanning from the end finds the one that matters.
    const o = this.outages;
    for (let i = o.length - 2; i >= 0; i -= 2) {
      if (o[i + 1]! <= t) return false;
      if (o[i]! <= t) return true;
    }
    return false;
  }

  /** Whether an outage overlaps [from, to). */
  downDuring(from: number, to: number): boolean {
    this.isDown(to); // generates the windows up to `to`
    const o = this.outages;
    for (let i = o.length - 2; i >= 0; i -= 2) {
      if (o[i + 1]! <= from) return false;
      if (o[i]! < to) return true;
    }
    return false;
  }

  /**
   * The earliest time from `t` at which the network is down (`t` itself if it is down then),
   * or `limit` if that is sooner. Windows are generated no further than isDown(limit) would.
   */
  nextDownAt(t: number, limit: number): number {
    if (this.isDown(t)) return t;
    for (;;) {
      // Not down at `t`: every window ending after `t` starts after it; the earliest is wanted.
      const o = this.outages;
      let first = Infinity;
      for (let i = o.length - 2; i >= 0 && o[i + 1]! > t; i -= 2) first = o[i]!;
      if (first !== Infinity) return Math.min(first, limit);
      if (this.nextOutage === Infinity || this.generatedTo > limit) return limit;
      this.isDown(Math.min(this.generatedTo, limit));
    }
  }

  /** The random number the next request's fate is drawn from (see transferWith). */
  draw(): number {
    return this.rnd();
  }

  /** A request at `t` whose response carries `bytes` bytes. */
  transfer(t: number, bytes: number): Transfer {
    return this.transferWith(t, bytes, this.rnd());
  }

  /** The same, its fate drawn already (`r`, from draw()). */
  transferWith(t: number, bytes: number, r: number): Transfer {
    const o = this.options;
    this.requests++;
    const airtime = o.latencyMs + (bytes * 1000) / o.bytesPerSecond;
    if (this.isDown(t) || this.isDown(t + airtime)) return { outcome: 'down', doneAt: t + o.timeoutMs, at: 0 };
    if (r < o.chunkLoss) return { outcome: 'lost', doneAt: t + o.timeoutMs, at: 0 };
    this.bytes += bytes;
    let p = o.chunkLoss + o.truncation;
    if (r < p) {
      // Where it was cut, from the same draw (no second number needed).
      const arrived = Math.floor(((r - o.chunkLoss) / o.truncation) * bytes);
      return { outcome: 'truncated', doneAt: t + o.latencyMs + (arrived * 1000) / o.bytesPerSecond, at: arrived };
    }
    p += o.corruption;
    if (r < p) return { outcome: 'corrupted', doneAt: t + airtime, at: Math.floor(((r - p + o.corruption) / o.corruption) * bytes) };
    return { outcome: 'ok', doneAt: t + airtime, at: 0 };
  }
}

import { prng } from '../../src/util/prng.js';

/**
 * Deterministic randomness for tests: the same seed gives the same numbers on every machine
 * and every run, so a failure replays exactly (the project's mulberry32, src/util/prng.ts).
 */
export const seededRandom = prng;

/** `n` bytes from the generator (or from a new one seeded with `seed`). */
export function seededBytes(n: number, seed: number | (() => number)): Uint8Array {
  const next = typeof seed === 'number' ? seededRandom(seed) : seed;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const v = (next() * 2 ** 32) >>> 0;
    out[i] = v;
    if (i + 1 < n) out[i + 1] = v >>> 8;
    if (i + 2 < n) out[i + 2] = v >>> 16;
    if (i + 3 < n) out[i + 3] = v >>> 24;
  }
  return out;
}

/** An integer in [lo, hi]. */
export const randomInt = (next: () => number, lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));

/**
 * Deterministic randomness for tests: the same seed gives the same numbers on every machine
 * and every run, so a failure replays exactly (mulberry32: small, fast, and good enough to
 * pick lengths and fill buffers; not for anything that needs to be unpredictable).
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

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

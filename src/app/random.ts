/**
 * Seeded randomness for a device's life. Each part of the world (the application's SEND
 * outcomes, the OTA task's jitter, the network, the outages, the power) draws from its own
 * stream derived from the life's seed, so that skipping uneventful time in one part cannot
 * shift the numbers another part sees: the same seed gives the same life whichever path
 * the simulation takes through it.
 */
import { prng } from '../util/prng.js';

export const STREAM = { app: 1, ota: 2, network: 3, outages: 4, power: 5, faults: 6 } as const;

/** murmur3's 32-bit finaliser over the seed and a stream number. */
function mix(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function stream(seed: number, which: keyof typeof STREAM): () => number {
  return prng(mix(seed >>> 0, STREAM[which]));
}

/** A 64-bit seed for the flash model's fault PRNG, from two draws. */
export function faultSeed(next: () => number): bigint {
  return (BigInt(Math.floor(next() * 2 ** 32)) << 32n) | BigInt(Math.floor(next() * 2 ** 32));
}

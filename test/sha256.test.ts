/**
 * The WebAssembly SHA-256 (assembly/sha256.ts, assembly/sha256-compress.ts) through its public
 * functions: FIPS 180-4's examples first, then node:crypto as the oracle on every length
 * around the padding's block boundaries, on large inputs, and fed in random pieces.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256, sha256Parts } from '../src/core/index.js';
import { randomInt, seededBytes, seededRandom } from './helpers/seeded.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => new TextEncoder().encode(s);
const reference = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('sha256 on the FIPS 180-4 examples', () => {
  // FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf").
  const vectors: Array<[string, Uint8Array, string]> = [
    ['the empty message', new Uint8Array(0), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['"abc" (one block)', ascii('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'the 448-bit message (padding needs a second block)',
      ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    ],
    [
      'the 896-bit message',
      ascii('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'),
      'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
    ],
    ['one million "a"', new Uint8Array(1_000_000).fill(0x61), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
  ];

  for (const [name, message, digest] of vectors) {
    it(`hashes ${name}`, () => {
      expect(hex(sha256(message))).toBe(digest);
    });
    it(`hashes ${name} fed in pieces`, () => {
      const third = Math.floor(message.length / 3);
      expect(hex(sha256Parts([message.subarray(0, third), message.subarray(third, 2 * third), message.subarray(2 * third)]))).toBe(digest);
    });
  }
});

describe('sha256 against node:crypto', () => {
  it('agrees on seeded random messages of every length from 0 to 1100 bytes', () => {
    const next = seededRandom(0x5a256);
    const mismatches: number[] = [];
    for (let n = 0; n <= 1100; n++) {
      const message = seededBytes(n, next);
      if (hex(sha256(message)) !== reference(message)) mismatches.push(n);
    }
    expect(mismatches).toEqual([]);
  });

  it('agrees on lengths at the padding boundaries (55, 56, 63, 64, 65 mod 64) up to 1 MiB', () => {
    const big = seededBytes((1 << 20) + 128, 20260726);
    const lengths: number[] = [];
    for (const blocks of [0, 1, 2, 63, 1024, 16383, 16384]) {
      for (const tail of [55, 56, 63, 64, 65]) lengths.push(blocks * 64 + tail);
    }
    const mismatches = lengths.filter((n) => hex(sha256(big.subarray(0, n))) !== reference(big.subarray(0, n)));
    expect(lengths).toContain(1 << 20);
    expect(mismatches).toEqual([]);
  });

  it('agrees on messages larger than the piece it copies into the core at once', () => {
    const message = seededBytes(9 * (1 << 20) + 65, 7);
    expect(hex(sha256(message))).toBe(reference(message));
    // Around the 64 KiB piece: one piece, and one piece and a bit.
    for (const n of [65535, 65536, 65537, 131071, 131072, 131073]) expect(hex(sha256(message.subarray(0, n))), `${n} bytes`).toBe(reference(message.subarray(0, n)));
  });

  it('gives the same digest however the message is split into pieces, empty pieces included', () => {
    const next = seededRandom(42);
    const message = seededBytes(1 << 20, next);
    for (let trial = 0; trial < 40; trial++) {
      const cuts = Array.from({ length: randomInt(next, 0, 12) }, () => randomInt(next, 0, message.length)).sort((a, b) => a - b);
      // Short pieces around block boundaries are where a streaming hash goes wrong.
      if (trial % 4 === 0) cuts.push(...[55, 56, 63, 64, 65, 127, 128, 129].map((x) => Math.min(message.length, (cuts.at(-1) ?? 0) + x)));
      cuts.sort((a, b) => a - b);
      const parts = [0, ...cuts].map((from, i, all) => message.subarray(from, all[i + 1] ?? message.length));
      expect(hex(sha256Parts(parts)), `cuts ${cuts.join(',')}`).toBe(reference(message));
    }
  });

  it('streams pieces larger than the piece it copies into the core at once', () => {
    const message = seededBytes(5 * (1 << 20) + 3, 99);
    const parts = [message.subarray(0, 3), message.subarray(3, 4_500_000 + 3), message.subarray(4_500_000 + 3)];
    expect(hex(sha256Parts(parts))).toBe(reference(message));
    expect(hex(sha256Parts([]))).toBe(reference(new Uint8Array(0)));
  });

  it('returns a new array on each call, which later calls do not overwrite', () => {
    const first = sha256(ascii('abc'));
    const second = sha256(ascii('abd'));
    expect(hex(first)).toBe(reference(ascii('abc')));
    expect(hex(second)).toBe(reference(ascii('abd')));
    expect(first.buffer).not.toBe(second.buffer);
  });
});

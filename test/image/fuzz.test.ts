/**
 * Property test: good images damaged at random (byte flips in each part, truncation,
 * rewritten length fields). The parser only ever throws ImageFormatError, verify never
 * throws, and verify never accepts an image whose hashed region, hash or signature changed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseKey } from '../../src/image/index.js';
import { manifest, readVector } from './fixtures.js';
import { makeBase, mutationArb, runMutation } from './mutations.js';

const BASES = ['none-1000-a1', 'ecdsa-4096-seccnt7', 'ecdsa-4096-deps', 'ed25519-4096-seccnt3', 'rsa-1000-a1', 'ecdsa-4096-a8-pad'];

describe('damaged images', () => {
  for (const name of BASES) {
    const v = manifest.vectors.find((x) => x.name === name)!;
    it(`never crash the parser and are never wrongly accepted (${name})`, async () => {
      const keys = v.trusted_key === 'none' ? [] : [parseKey(readVector(manifest.keys[v.trusted_key]!.public_pem))];
      const base = makeBase(name, readVector(v.file), keys, v.slot_size);
      let covered = 0;
      await fc.assert(
        fc.asyncProperty(mutationArb(base), async (m) => {
          const outcome = await runMutation(base, m);
          if (outcome.mustReject) covered++;
          expect(outcome.parserCrash).toBeUndefined();
          expect(outcome.verifyCrash).toBeUndefined();
          if (outcome.mustReject) expect(outcome.accepted).toBe(false);
        }),
        { numRuns: 1500, seed: 0x1ca7 },
      );
      // Most damage lands in covered bytes; the property is not vacuous.
      expect(covered).toBeGreaterThan(750);
    });
  }
});

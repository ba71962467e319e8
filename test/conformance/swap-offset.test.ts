/**
 * Swap using offset (reference/mcuboot.md §5.4): what the recorded replays in
 * mcuboot-boot.test.ts and mcuboot-matrix.test.ts do not show by themselves — where the
 * images and the unprotected TLV sizes end up, an update uploaded at the wrong address,
 * MCUboot's off-by-one when resuming at the last index, and the largest image each matrix
 * configuration accepts (the matrix' oversize_check, which was recorded without dumps).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKey, signImage, type PrivateKey } from '../../src/image/index.js';
import { vectorsRoot } from '../helpers/vectors.js';
import { allMatrixCases, boot, bootCase, bootedVersion, deviceFor, flashBefore, matrixCase, opCount, runSweepPoint } from './harness.js';

const testRevert = bootCase('offset/test-revert');

describe('swap-offset in the recorded vectors', () => {
  it('covers every offset configuration of the matrix: k64f at write sizes 1, 2, 4, 8, erased 0x00, ECDSA, and nrf52840', () => {
    const cases = allMatrixCases().filter((c) => c.build.strategy === 'swap-offset');
    expect(cases.map((c) => c.id).sort()).toEqual(
      ['k64f-offset-w1-eff-hash', 'k64f-offset-w2-eff-hash', 'k64f-offset-w4-eff-hash', 'k64f-offset-w8-e00-hash', 'k64f-offset-w8-eff-ecdsa', 'k64f-offset-w8-eff-hash', 'nrf52840-offset-w4-eff-hash']
        .flatMap((cfg) => [`${cfg}/perm`, `${cfg}/test-revert`]).sort(),
    );
  });
});

describe('swap-offset on the mcuboot-boot layout', () => {
  it('records both unprotected TLV sizes in the primary trailer, primary image first', () => {
    // v1 (primary) carries 0x97 bytes of unprotected TLVs, v2 0x98 (its ECDSA DER is a byte longer).
    const dev = deviceFor(testRevert);
    boot(dev);
    expect([...dev.core.flash.subarray(0x1ffd0, 0x1ffd4)]).toEqual([0x97, 0x00, 0x98, 0x00]);
    boot(dev); // the revert: the images have traded places, so have the sizes
    expect([...dev.core.flash.subarray(0x1ffd0, 0x1ffd4)]).toEqual([0x98, 0x00, 0x97, 0x00]);
  });

  it('leaves the old image at secondary offset 0 after an upgrade, and the new one back one sector in after the revert', () => {
    const before = testRevert.before;
    const dev = deviceFor(testRevert, before);
    const magicAt = (d: Uint8Array, off: number) => d[off] === 0x3d && d[off + 1] === 0xb8 && d[off + 2] === 0xf3 && d[off + 3] === 0x96;
    expect(magicAt(before, 0x21000)).toBe(true);
    boot(dev);
    expect(dev.core.flash[0x20000 + 20]).toBe(1); // v1's major version, at the start of the secondary
    boot(dev);
    const reverted = dev.core.dump();
    expect(magicAt(reverted, 0x20000)).toBe(false);
    expect(reverted.subarray(0x21000, 0x21000 + 0x5000)).toEqual(before.subarray(0x21000, 0x21000 + 0x5000));
  });

  it('erases a TEST request uploaded at the start of the secondary slot instead of one sector in ("wrong upload address")', () => {
    // Not recorded by the vectors: the test-revert start with the update moved down one sector.
    const d = testRevert.before;
    d.copyWithin(0x20000, 0x21000, 0x21000 + 0x7000);
    d.fill(0xff, 0x27000, 0x28000);
    const dev = deviceFor(testRevert, d);
    const r = boot(dev);
    expect(r.requested).toBe('test');
    expect(r.swapType).toBe('none');
    expect(bootedVersion(r)).toBe('1.0.0+0');
    expect(r.ops).toEqual({ erase: 32, write: 0 });
    expect(dev.core.flash.subarray(0x20000, 0x40000).every((b) => b === 0xff)).toBe(true);
  });
});

describe('swap-offset on the nrf52840 layout', () => {
  it("redoes a skipped sector when resuming at the last index, as MCUboot's off-by-one makes it (nrf52840 test upgrade, k = 309)", () => {
    // Resuming at the last index, the loader reads the primary header from the primary slot,
    // which already holds the new, larger image: the erase+copy of secondary sector 26 that
    // the clean run skipped happens (5 extra ops); the revert then gives identical flash.
    const c = matrixCase('nrf52840-offset-w4-eff-hash/test-revert');
    const sw = c.sweeps.upgrade;
    expect(sw.kReboot1FlashDiffersFromCleanStep).toEqual([309]);
    const dev = deviceFor(c);
    dev.boot({ at: 309 });
    const resumed = boot(dev);
    expect(opCount(resumed)).toBe(sw.points - 308 + 5);
    expect(dev.trace().slice(0, 6)).toEqual(['E 2 1a000 1000', 'W 2 1a000 400', 'W 2 1a400 400', 'W 2 1a800 400', 'W 2 1ac00 400', 'W 1 33c98 4']);
    const p = runSweepPoint(dev, flashBefore(c, 1), 309);
    expect(p.reboot1Ops).toBe(sw.reboot1Ops[308]);
    expect(p.hash1).not.toBe(c.steps[0].sha256After);
    expect(p.hash2).toBe(c.steps[1].sha256After);
  });
});

describe('swap-offset: the largest image it accepts (matrix oversize_check)', () => {
  const configs = [...new Map(allMatrixCases().filter((c) => c.build.strategy === 'swap-offset').map((c) => [c.config, c] as const)).values()];
  let ecdsa: PrivateKey | undefined;

  for (const c of configs) {
    const rec = c.oversize!;
    it(`${c.config}: installs a ${rec.max.v2TotalSize}-byte update and erases one of a byte more`, async () => {
      const layout = c.matrixLayout;
      const align = layout.write_alignment;
      const erasedVal = layout.erased_value;
      const key = c.build.signature === 'ecdsa' ? (ecdsa ??= parseKey(readFileSync(`${vectorsRoot}imgtool/keys/ecdsa-p256.pem`)) as PrivateKey) : undefined;
      const sector = layout.sectors[0][0];
      const tlvs = key ? 4 + 36 + 36 + 76 : 4 + 36;
      const image = (version: string, body: number, seed: [number, number], slotSize: number) =>
        signImage(
          Uint8Array.from({ length: 0x200 + body }, (_, i) => (i < 0x200 ? 0 : ((i - 0x200) * seed[0] + seed[1]) & 0xff)),
          { headerSize: 0x200, align, version, erasedVal, key, padSig: !!key, slotSize },
        );
      const slot = layout.areas.find((a) => a.id === 1)!.size;
      const v1 = await image('1.0.0', 1000, [31, 7], slot);
      for (const [which, want] of [['max', rec.max], ['max_plus_1', rec.maxPlus1]] as const) {
        const v2 = await image('2.0.0', want.v2TotalSize - 0x200 - tlvs, [17, 3], slot - sector);
        expect(v2.length, which).toBe(want.v2TotalSize);
        const dev = deviceFor(c, new Uint8Array(layout.device_size).fill(erasedVal));
        dev.core.place(1, 0, v1);
        dev.core.place(2, sector, v2);
        expect(dev.setPending(false), which).toBe(want.pendingRc);
        const r = boot(dev);
        expect(r.requested.toUpperCase(), which).toBe(want.requestedSwapType);
        expect(r.swapType.toUpperCase(), which).toBe(want.swapType);
        expect(bootedVersion(r), which).toBe(want.bootedVersion);
        expect(opCount(r), which).toBe(want.ops);
        expect(r.ops.erase, which).toBe(want.erases);
        const secondary = dev.core.flash.subarray(slot, 2 * slot);
        expect(secondary.every((b) => b === erasedVal), which).toBe(want.secondaryErasedAfter);
      }
    });
  }
});

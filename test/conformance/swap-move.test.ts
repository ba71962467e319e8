/**
 * Swap using move (reference/mcuboot.md §5.3): what the recorded replays in mcuboot-boot.test.ts
 * and mcuboot-matrix.test.ts do not show by themselves — the power-loss behaviour MCUboot's
 * swap-move relies on or has been fixed for (issue numbers in the test names), the images it
 * refuses, and the nrf52840-unequal-slots layout, for which no run was recorded.
 */
import { describe, expect, it } from 'vitest';
import { isPowerCut } from '../../src/core/index.js';
import { Device } from '../../src/device/device.js';
import { getDevice } from '../../src/device/device-file.js';
import { maxImageSize, parseImage, signImage } from '../../src/image/index.js';
import { allMatrixCases, boot, bootCase, bootedVersion, cutRange, deviceFor, deviceHash, inGroups, matrixCase, opCount, runSweepPoint, sampledCutPoints } from './harness.js';

const V1 = '1.0.0+0';
const V2 = '2.0.0+0';

/** Trailer bytes of the k64f/mcuboot-boot primary slot (0x20000 bytes, BOOT_MAX_ALIGN 8). */
const PRIMARY_SWAP_INFO = 0x20000 - 40;
const PRIMARY_IMAGE_OK = 0x20000 - 24;
const PRIMARY_MAGIC = 0x20000 - 16;

describe('swap-move in the recorded vectors', () => {
  it('has every recorded swap-move case: k64f at alignments 1, 2, 4, 8, erased 0x00, ECDSA, MAX_ALIGN 32, and nrf52840', () => {
    const cases = allMatrixCases().filter((c) => c.build.strategy === 'swap-move');
    expect(new Set(cases.map((c) => c.config))).toEqual(new Set([
      'k64f-move-w1-eff-hash', 'k64f-move-w2-eff-hash', 'k64f-move-w4-eff-hash', 'k64f-move-w8-eff-hash',
      'k64f-move-w8-e00-hash', 'k64f-move-w8-eff-ecdsa', 'k64f-move-w32-eff-hash-ma32', 'nrf52840-move-w4-eff-hash',
    ]));
    expect(cases).toHaveLength(15); // perm for each, test-revert for all but MAX_ALIGN 32
  });
});

describe('swap-move power-loss behaviour MCUboot relies on', () => {
  const testRevert = matrixCase('k64f-move-w8-eff-hash/test-revert');

  it('turns a revert cut after fixup_revert (ops 5..10) into a PERM swap of the same images, as MCUboot does', () => {
    const dev = deviceFor(testRevert);
    boot(dev);
    const afterUpgrade = dev.core.dump();
    for (const k of [4, 5, 10, 11]) {
      const p = runSweepPoint(dev, afterUpgrade, k);
      const quirk = k >= 5 && k <= 10;
      expect(p.reboot1.swapType, `k=${k}`).toBe(quirk ? 'perm' : 'revert');
      expect([bootedVersion(p.reboot1), bootedVersion(p.reboot2)], `k=${k}`).toEqual([V1, V1]);
    }
    // The only trace of it: the primary's swap_info says PERM (0x03) instead of REVERT (0x04).
    dev.core.loadDump(afterUpgrade);
    dev.boot({ at: 7 });
    boot(dev);
    expect(dev.core.read(1, PRIMARY_SWAP_INFO, 1)[0]).toBe(0x03);
  });

  it('finds the header moved up to sector 1 when the power fails right after the last move record (MCUboot #1588)', () => {
    const dev = deviceFor(testRevert);
    boot(dev);
    const trace = dev.trace();
    // The swap phase begins by erasing primary sector 0; the primary header is then only in sector 1.
    const k = trace.indexOf('E 1 0 1000') + 1;
    expect(k).toBeGreaterThan(1);
    for (const at of [k, k + 1, k + 2]) {
      dev.core.loadDump(testRevert.before);
      expect(isPowerCut(dev.boot({ at }))).toBe(true);
      const r = boot(dev);
      expect({ outcome: r.outcome, resumed: r.resumed, version: bootedVersion(r) }, `cut at ${at}`).toEqual({ outcome: 'ok', resumed: true, version: V2 });
    }
  });

  it('rebuilds an imgtool-padded primary trailer before a test swap instead of resuming from it (MCUboot #829)', () => {
    const c = bootCase('move/test-revert');
    const dev = deviceFor(c);
    // What `imgtool --pad --confirm` leaves on the primary: magic GOOD and image_ok SET, no swap_size.
    const magic = dev.core.read(2, PRIMARY_MAGIC, 16);
    dev.core.place(1, PRIMARY_MAGIC, magic);
    dev.core.place(1, PRIMARY_IMAGE_OK, Uint8Array.of(1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    const r = boot(dev);
    expect(dev.trace()).toEqual(c.steps[0].traceLines);
    expect(bootedVersion(r)).toBe(V2);
    // Still a test: the new image is not confirmed, so the next boot reverts.
    expect(dev.core.read(1, PRIMARY_IMAGE_OK, 1)[0]).toBe(0xff);
    expect(bootedVersion(boot(dev))).toBe(V1);
  });

  it('clears a REVERT primary trailer when the secondary slot has no image (stuck revert, MCUboot 33094fc5)', () => {
    const c = bootCase('move/test-revert');
    const dev = deviceFor(c, c.steps[0].after);
    dev.core.place(2, 0, new Uint8Array(0x1000).fill(0xff)); // the app erased the secondary's first sector
    const r = boot(dev);
    expect(dev.trace()).toEqual(['E 2 1f000 1000', 'E 1 1f000 1000']);
    expect({ requested: r.requested, type: r.swapType, version: bootedVersion(r) }).toEqual({ requested: 'revert', type: 'none', version: V2 });
    expect(dev.core.read(1, PRIMARY_MAGIC, 16).every((b) => b === 0xff)).toBe(true);
    expect(boot(dev)).toMatchObject({ requested: 'none', ops: { erase: 0, write: 0 } });
  });

  it('still reverts when the power tears the secondary magic written by fixup_revert (MCUboot #1966)', () => {
    const dev = deviceFor(matrixCase('k64f-move-w1-eff-hash/test-revert'));
    boot(dev);
    const afterUpgrade = dev.core.dump();
    boot(dev); // an uninterrupted revert, for its trace
    const magicWrite = dev.trace().indexOf('W 2 1fff0 10') + 1;
    expect(magicWrite).toBe(4);
    let torn = 0;
    for (let seed = 1n; seed <= 12n; seed++) {
      const p = runSweepPoint(dev, afterUpgrade, magicWrite, { fault: 'torn-write', seed });
      if (!p.cut) throw new Error('expected a power cut');
      if (p.cut.done > 0) torn++;
      expect([bootedVersion(p.reboot1), bootedVersion(p.reboot2)], `seed ${seed}, ${p.cut.done} of 16 magic bytes written`).toEqual([V1, V1]);
    }
    expect(torn).toBeGreaterThan(0);
  });

  it('keeps the decided swap type when the image leaves no spare sector: no swap, but copy_done is written (boot_perform_update)', () => {
    const dev = deviceFor(bootCase('move/test-revert'));
    // A primary image that claims to reach into sector 30 (0x1e004 bytes: header, payload, a
    // bare TLV info). Swap-move needs sector 31 free besides the trailer sector, so swap_run
    // refuses; MCUboot's caller still marks the test swap done.
    const hdr = dev.core.read(1, 0, 32);
    const view = new DataView(hdr.buffer, hdr.byteOffset);
    const hdrSize = view.getUint16(8, true);
    view.setUint32(12, 0x1e000 - hdrSize, true);
    view.setUint16(10, 0, true);
    dev.core.place(1, 0, hdr);
    dev.core.place(1, 0x1e000, Uint8Array.of(0x07, 0x69, 0x04, 0x00));
    const r = boot(dev);
    expect(dev.trace()).toEqual(['W 1 1ffe0 8']);
    expect(r.outcome).toBe('no-image'); // the primary image is not valid either
  });
});

describe('swap-move on the nrf52840-unequal-slots layout (primary one sector larger; no recorded vectors)', () => {
  // 60 primary sectors, 59 secondary, write size 4: the layout MCUboot's docs recommend for
  // swap-move. It gains a sector over equal slots: 0x3a000 bytes instead of 0x39000.
  const geometry = getDevice('nrf52840-unequal-slots').geometry;
  const max = maxImageSize('swap-move', { slotSize: 0x3c000, secondarySlotSize: 0x3b000, writeSize: 4 });
  const slot = (name: string) => geometry.areas.find((a) => a.name === name)!;
  const PRIMARY = 1, SECONDARY = 2;

  /** A hash-only image of exactly `total` bytes (header + body + TLVs), imgtool-style. */
  async function image(total: number, version: string, body: (i: number) => number, request?: 'test'): Promise<Uint8Array> {
    const sign = (len: number) => {
      const input = new Uint8Array(0x200 + len);
      for (let i = 0; i < len; i++) input[0x200 + i] = body(i);
      return signImage(input, { headerSize: 0x200, align: 4, version, slotSize: slot(request ? 'secondary' : 'primary').size, pad: request === 'test' });
    };
    const probe = await sign(1000);
    const tlvs = parseImage(probe).imageEnd - 0x200 - 1000;
    return sign(total - 0x200 - tlvs);
  }

  async function device(v2Total: number): Promise<Device> {
    const dev = new Device(geometry, { strategy: 'swap-move' });
    dev.core.place(PRIMARY, 0, await image(max, '1.0.0', (i) => (i * 31 + 7) & 0xff));
    dev.core.place(SECONDARY, 0, await image(v2Total, '2.0.0', (i) => (i * 17 + 3) & 0xff, 'test'));
    return dev;
  }

  const trailer = (dev: Device, area: number) => {
    const end = slot(area === PRIMARY ? 'primary' : 'secondary').size;
    const b = dev.core.read(area, end - 48, 48);
    return { swapInfo: b[8], copyDone: b[16], imageOk: b[24], magicSet: b.subarray(32).some((x) => x !== 0xff) };
  };

  it('computes the maximum image size MCUboot documents for this layout: 0x3a000', () => {
    expect(max).toBe(0x3a000);
  });

  it('swaps a maximum-size test image in, reverts it on the next boot, then rests', async () => {
    const dev = await device(max);
    const up = boot(dev);
    expect({ type: up.swapType, v: bootedVersion(up) }).toEqual({ type: 'test', v: V2 });
    // 58 sectors hold the image: 58 moves (each one erase and a record), 2 × 58 swap steps.
    expect(up.ops.erase).toBe(1 + 1 + 58 + 2 * 58);
    expect(trailer(dev, PRIMARY)).toEqual({ swapInfo: 0x02, copyDone: 0x01, imageOk: 0xff, magicSet: true });
    expect(trailer(dev, SECONDARY)).toEqual({ swapInfo: 0xff, copyDone: 0xff, imageOk: 0xff, magicSet: false });
    const revert = boot(dev);
    expect({ type: revert.swapType, v: bootedVersion(revert) }).toEqual({ type: 'revert', v: V1 });
    expect(trailer(dev, PRIMARY)).toEqual({ swapInfo: 0x04, copyDone: 0x01, imageOk: 0x01, magicSet: true });
    const rest = boot(dev);
    expect({ ops: opCount(rest), v: bootedVersion(rest) }).toEqual({ ops: 0, v: V1 });
  });

  it('rejects an image one byte over the maximum and erases the whole secondary slot', async () => {
    const dev = await device(max + 1);
    const r = boot(dev);
    expect({ type: r.swapType, v: bootedVersion(r), erases: r.ops.erase, writes: r.ops.write }).toEqual({ type: 'none', v: V1, erases: 59, writes: 0 });
    expect(dev.core.read(SECONDARY, 0, slot('secondary').size).every((b) => b === 0xff)).toBe(true);
  });

  describe('ends byte-identical to an uninterrupted run after a power cut before any sampled op', async () => {
    // One uninterrupted test upgrade and its revert, made once while the tests are collected;
    // every test starts its cut points from these dumps (runSweepPoint loads them).
    const dev = await device(max);
    const start = dev.core.dump();
    boot(dev);
    const upgraded = dev.core.dump();
    const upgradedHash = deviceHash(dev);
    const upgradeOps = dev.trace().length;
    boot(dev);
    const reverted = deviceHash(dev);
    const revertOps = dev.trace().length;

    for (const ks of inGroups(sampledCutPoints(upgradeOps))) {
      it(`of the upgrade (${cutRange(ks)} of ${upgradeOps}): boots v2, then v1 after the revert`, () => {
        for (const k of ks) {
          const p = runSweepPoint(dev, start, k);
          expect([bootedVersion(p.reboot1), bootedVersion(p.reboot2)], `upgrade k=${k}`).toEqual([V2, V1]);
          expect(p.hash1, `upgrade k=${k}`).toBe(upgradedHash);
          expect(p.hash2, `upgrade k=${k}`).toBe(reverted);
        }
      });
    }
    for (const ks of inGroups(sampledCutPoints(revertOps))) {
      it(`of the revert (${cutRange(ks)} of ${revertOps}): boots v1`, () => {
        for (const k of ks) {
          const p = runSweepPoint(dev, upgraded, k);
          expect([bootedVersion(p.reboot1), bootedVersion(p.reboot2)], `revert k=${k}`).toEqual([V1, V1]);
          // A cut between fixup_revert and the secondary trailer erase (ops 5..10) makes the
          // next boot a PERM swap: the same bytes but swap_info 0x03.
          if (k >= 5 && k <= 10) expect(trailer(dev, PRIMARY).swapInfo, `revert k=${k}`).toBe(0x03);
          else expect(p.hash2, `revert k=${k}`).toBe(reverted);
        }
      });
    }
  });
});

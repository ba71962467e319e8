/**
 * Swap using offset (reference/mcuboot.md §5.4) against MCUboot 2.4.0's real boot code:
 * the recorded mcuboot-boot scenarios and mcuboot-matrix cases must give the same erase and
 * write calls in the same order, the same flash bytes and the same boot results, and every
 * power cut of the recorded sweeps must recover exactly as MCUboot recovered — booted
 * versions, the op count of the resuming boot, and the device bytes after each reboot.
 *
 * The default run sweeps every cut point of the k64f w8 cases, of the nrf52840 cases and of
 * the mcuboot-boot sweeps, and a fixed subset of the other matrix configurations (the
 * trailer set-up, every 10th op, the last ops); BRICKPROOF_FULL=1 sweeps every point.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPowerCut, type PowerCut } from '../src/core.js';
import { Device, type BootResult } from '../src/device/device.js';
import { resolveGeometry } from '../src/device/geometry.js';
import { geometryFromMatrixLayout } from '../src/device/profiles.js';
import { parseKey, signImage, type PrivateKey } from '../src/image/index.js';
import {
  BOOT_DIR, MATRIX_DIR, SHARED, bootDevice, bootScenarios, bootSweep, gunzip, matrixCases, matrixDevice, matrixDumpBefore,
  runAction, sha256Hex, sweepPoint, traceLines, trustedEcdsaKey, versionChar, versionText, type MatrixCase, type MatrixSweep,
} from './device/mcuboot-vectors.js';

const FULL = !!process.env.BRICKPROOF_FULL;
const SWAP_TYPE_NAMES: Record<number, string> = { 1: 'none', 2: 'test', 3: 'perm', 4: 'revert', 5: 'fail' };
const SWAP_TYPE_BY_TEXT: Record<string, string> = { NONE: 'none', TEST: 'test', PERM: 'perm', REVERT: 'revert', FAIL: 'fail' };

function bootResult(r: BootResult | PowerCut | number): BootResult {
  if (typeof r === 'number' || isPowerCut(r)) throw new Error('expected a completed boot');
  return r;
}

describe('swap-offset: the mcuboot-boot scenarios', () => {
  for (const sc of bootScenarios('offset')) {
    it(`${sc.name}: the same flash operations, flash bytes and boot results as MCUboot`, () => {
      const dev = bootDevice('offset');
      dev.core.loadDump(gunzip(join(BOOT_DIR, 'offset', sc.name, '00-before.bin.gz')));
      for (const st of sc.steps) {
        const r = runAction(dev, st.action);
        const where = `${sc.name} step ${st.step} (${st.action})`;
        if (st.op_trace) expect(dev.trace(), where).toEqual(traceLines(join(BOOT_DIR, st.op_trace)));
        expect(sha256Hex(dev.core.dump()), where).toBe(sha256Hex(gunzip(join(BOOT_DIR, st.dump))));
        if (st.action === 'boot') {
          const b = bootResult(r);
          expect(b.outcome === 'ok', where).toBe(st.result.ok);
          expect(versionText(b), where).toBe(st.result.version);
          expect(b.swapType, where).toBe(SWAP_TYPE_NAMES[st.result.swap_type!]);
        } else {
          expect(r, where).toBe(st.result.rc);
        }
      }
    });
  }

  it('records both unprotected TLV sizes in the primary trailer, primary image first', () => {
    // v1 (primary) carries 0x97 bytes of unprotected TLVs, v2 0x98 (its ECDSA DER is a byte longer).
    const dev = bootDevice('offset');
    dev.core.loadDump(gunzip(join(BOOT_DIR, 'offset', 'test-revert', '00-before.bin.gz')));
    dev.boot();
    const word = dev.core.dump().subarray(0x1ffd0, 0x1ffd4);
    expect([...word]).toEqual([0x97, 0x00, 0x98, 0x00]);
    dev.boot(); // the revert: the images have traded places, so have the sizes
    expect([...dev.core.dump().subarray(0x1ffd0, 0x1ffd4)]).toEqual([0x98, 0x00, 0x97, 0x00]);
  });

  it('leaves the old image at secondary offset 0 after an upgrade, and the new one back one sector in after the revert', () => {
    const dev = bootDevice('offset');
    const before = gunzip(join(BOOT_DIR, 'offset', 'test-revert', '00-before.bin.gz'));
    dev.core.loadDump(before);
    const magicAt = (d: Uint8Array, off: number) => d[off] === 0x3d && d[off + 1] === 0xb8 && d[off + 2] === 0xf3 && d[off + 3] === 0x96;
    expect(magicAt(before, 0x21000)).toBe(true);
    dev.boot();
    const upgraded = dev.core.dump();
    expect(upgraded[0x20000 + 20]).toBe(1); // v1's major version, at the start of the secondary
    dev.boot();
    const reverted = dev.core.dump();
    expect(magicAt(reverted, 0x20000)).toBe(false);
    expect(reverted.subarray(0x21000, 0x21000 + 0x5000)).toEqual(before.subarray(0x21000, 0x21000 + 0x5000));
  });

  it('erases a TEST request uploaded at the start of the secondary slot instead of one sector in ("wrong upload address")', () => {
    // Not recorded by the vectors: the test-revert start with the update moved down one sector.
    const dev = bootDevice('offset');
    const d = gunzip(join(BOOT_DIR, 'offset', 'test-revert', '00-before.bin.gz'));
    d.copyWithin(0x20000, 0x21000, 0x21000 + 0x7000);
    d.fill(0xff, 0x27000, 0x28000);
    dev.core.loadDump(d);
    const r = bootResult(dev.boot());
    expect(r.requested).toBe('test');
    expect(r.swapType).toBe('none');
    expect(versionText(r)).toBe('1.0.0+0');
    expect(r.ops).toEqual({ erase: 32, write: 0 });
    expect(dev.core.dump().subarray(0x20000, 0x40000).every((b) => b === 0xff)).toBe(true);
  });

  for (const boot of ['test-upgrade-boot', 'perm-upgrade-boot', 'revert-boot']) {
    it(`recovers like MCUboot from a power cut before every operation of the ${boot.replace(/-/g, ' ')}`, () => {
      const sw = bootSweep('offset', boot);
      const dev = bootDevice('offset');
      const before = gunzip(sw.start);
      expect(sw.rows).toHaveLength(sw.ops);
      for (const row of sw.rows) {
        const p = sweepPoint(dev, before, row.k);
        const where = `k=${row.k} (${row.op})`;
        expect(p.cut, where).toBe(true);
        [p.reboot1, p.reboot2].forEach((r, i) => {
          expect(r.outcome === 'ok', `${where} reboot ${i + 1}`).toBe(row.reboots[i].ok);
          expect(versionText(r), `${where} reboot ${i + 1}`).toBe(row.reboots[i].version);
          expect(r.swapType, `${where} reboot ${i + 1}`).toBe(SWAP_TYPE_BY_TEXT[row.reboots[i].swap_type]);
        });
      }
    });
  }
});

/** The cut points swept by default for a configuration (all of them with BRICKPROOF_FULL). */
function sweptPoints(c: MatrixCase, sw: MatrixSweep): number[] {
  const all = Array.from({ length: sw.points }, (_, i) => i + 1);
  if (FULL || c.config === 'k64f-offset-w8-eff-hash' || c.layout.name.startsWith('nrf52840')) return all;
  return all.filter((k) => k <= 24 || k % 10 === 0 || k > sw.points - 3);
}

describe('swap-offset: the mcuboot-matrix cases', () => {
  const cases = matrixCases('offset');

  it('covers every offset configuration of the matrix: k64f at write sizes 1, 2, 4, 8, erased 0x00, ECDSA, and nrf52840', () => {
    expect(cases.map((c) => c.id).sort()).toEqual(
      ['k64f-offset-w1-eff-hash', 'k64f-offset-w2-eff-hash', 'k64f-offset-w4-eff-hash', 'k64f-offset-w8-e00-hash', 'k64f-offset-w8-eff-ecdsa', 'k64f-offset-w8-eff-hash', 'nrf52840-offset-w4-eff-hash']
        .flatMap((cfg) => [`${cfg}/perm`, `${cfg}/test-revert`]).sort(),
    );
  });

  for (const c of cases) {
    describe(c.id, () => {
      it('makes the same flash operations and leaves the same device bytes as MCUboot at every step', () => {
        const dev = matrixDevice(c);
        dev.core.loadDump(matrixDumpBefore(c, 1));
        for (const st of c.steps) {
          const r = runAction(dev, st.action);
          const where = `step ${st.step} (${st.action})`;
          if (st.trace) expect(dev.trace(), where).toEqual(traceLines(join(MATRIX_DIR, st.trace)));
          expect(sha256Hex(dev.core.dump()), where).toBe(st.sha256_after);
          if (typeof r !== 'number' && st.result.ok !== undefined) {
            expect(r.outcome === 'ok', where).toBe(st.result.ok);
            expect(versionText(r), where).toBe(st.result.version);
          }
        }
      });

      for (const [name, sw] of Object.entries(c.power_fail_sweeps)) {
        const points = sweptPoints(c, sw);
        it(`recovers like MCUboot from a cut before op k of the ${name} boot (${points.length} of ${sw.points} points)`, () => {
          const dev = matrixDevice(c);
          const before = matrixDumpBefore(c, sw.boot_step);
          for (const k of points) {
            const p = sweepPoint(dev, before, k);
            const where = `k=${k}`;
            expect(p.cut, where).toBe(true);
            expect(versionChar(p.reboot1) + versionChar(p.reboot2), where).toBe(sw.reboot1_versions[k - 1] + sw.reboot2_versions[k - 1]);
            expect(versionChar(p.reboot1) + versionChar(p.reboot2), where).toBe(sw.expected_versions);
            expect(p.reboot1Ops, `${where}: ops of the resuming boot`).toBe(sw.reboot1_ops[k - 1]);
            expect(p.hash1, `${where}: device after reboot 1`).toBe(sw.flash_sha256_classes[parseInt(sw.reboot1_flash_class[k - 1], 36)]);
            expect(p.hash2, `${where}: device after reboot 2`).toBe(sw.flash_sha256_classes[parseInt(sw.reboot2_flash_class[k - 1], 36)]);
          }
        });
      }
    });
  }

  it("redoes a skipped sector when resuming at the last index, as MCUboot's off-by-one makes it (nrf52840 test upgrade, k = 309)", () => {
    // Resuming at the last index, the loader reads the primary header from the primary slot,
    // which already holds the new, larger image: the erase+copy of secondary sector 26 that
    // the clean run skipped happens (5 extra ops); the revert then gives identical flash.
    const c = cases.find((x) => x.id === 'nrf52840-offset-w4-eff-hash/test-revert')!;
    const sw = c.power_fail_sweeps.upgrade;
    expect(sw.k_reboot1_flash_differs_from_clean_step).toEqual([309]);
    const dev = matrixDevice(c);
    dev.core.loadDump(matrixDumpBefore(c, 1));
    dev.boot({ at: 309 });
    const resumed = bootResult(dev.boot());
    expect(resumed.ops.erase + resumed.ops.write).toBe(sw.points - 308 + 5);
    expect(dev.trace().slice(0, 6)).toEqual(['E 2 1a000 1000', 'W 2 1a000 400', 'W 2 1a400 400', 'W 2 1a800 400', 'W 2 1ac00 400', 'W 1 33c98 4']);
    const p = sweepPoint(dev, matrixDumpBefore(c, 1), 309);
    expect(p.reboot1Ops).toBe(sw.reboot1_ops[308]);
    expect(p.hash1).not.toBe(c.steps[0].sha256_after);
    expect(p.hash2).toBe(c.steps[1].sha256_after);
  });
});

describe('swap-offset: the largest image it accepts (matrix oversize_check)', () => {
  const manifest = JSON.parse(readFileSync(join(MATRIX_DIR, 'manifest.json'), 'utf8'));
  const results: Record<string, any> = manifest.oversize_check.results;
  const configs = [...new Map(matrixCases('offset').map((c) => [c.config, c] as const)).values()];
  let ecdsa: PrivateKey | undefined;

  for (const c of configs) {
    const rec = results[c.config];
    it(`${c.config}: installs a ${rec.max.v2_total_size}-byte update and erases one of a byte more`, async () => {
      const align = c.layout.write_alignment;
      const erasedVal = c.layout.erased_value;
      const key = c.build.signature === 'ecdsa' ? (ecdsa ??= parseKey(readFileSync(join(SHARED, 'imgtool', 'keys', 'ecdsa-p256.pem'))) as PrivateKey) : undefined;
      const sector = c.layout.sectors[0][0];
      const tlvs = key ? 4 + 36 + 36 + 76 : 4 + 36;
      const image = (version: string, body: number, seed: [number, number], slotSize: number) =>
        signImage(
          Uint8Array.from({ length: 0x200 + body }, (_, i) => (i < 0x200 ? 0 : ((i - 0x200) * seed[0] + seed[1]) & 0xff)),
          { headerSize: 0x200, align, version, erasedVal, key, padSig: !!key, slotSize },
        );
      const slot = c.layout.areas.find((a) => a.id === 1)!.size;
      const v1 = await image('1.0.0', 1000, [31, 7], slot);
      for (const [which, want] of [['max', rec.max], ['max_plus_1', rec.max_plus_1]] as const) {
        const v2 = await image('2.0.0', want.v2_total_size - 0x200 - tlvs, [17, 3], slot - sector);
        expect(v2.length, which).toBe(want.v2_total_size);
        const dev = new Device(resolveGeometry(geometryFromMatrixLayout(c.layout)), {
          strategy: 'swap-offset',
          keys: key ? [trustedEcdsaKey()] : [],
        });
        dev.core.loadDump(new Uint8Array(c.layout.device_size).fill(erasedVal));
        dev.core.place(1, 0, v1);
        dev.core.place(2, sector, v2);
        expect(dev.setPending(false), which).toBe(want.pending_rc);
        const r = bootResult(dev.boot());
        expect(r.requested, which).toBe(want.requested_swap_type.toLowerCase());
        expect(r.swapType, which).toBe(want.swap_type.toLowerCase());
        expect(versionText(r), which).toBe(want.booted_version);
        expect(r.ops.erase + r.ops.write, which).toBe(want.ops);
        expect(r.ops.erase, which).toBe(want.erases);
        const secondary = dev.core.dump().subarray(slot, 2 * slot);
        expect(secondary.every((b) => b === erasedVal), which).toBe(want.secondary_erased_after);
      }
    });
  }
});

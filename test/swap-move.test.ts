/**
 * Swap using move (reference/mcuboot.md §5.3) against the real MCUboot 2.4.0 boot code: the
 * same flash erase and write calls in the same order, the same flash afterwards, the same
 * booted image — for every recorded scenario, every matrix case, and after a power cut
 * before every single operation of every recorded upgrade and revert.
 *
 * The matrix sweeps cover 12 259 cut points. By default a deterministic subset of each sweep
 * runs (the trailer and fixup steps at the start, every 13th point, and the tail);
 * BRICKPROOF_FULL=1 runs every point.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isPowerCut } from '../src/core.js';
import { Device, versionString, type BootResult } from '../src/device/device.js';
import { getDevice } from '../src/device/device-file.js';
import { maxImageSize, parseImage, signImage } from '../src/image/index.js';
import {
  bootDevice, bootDir, bootScenarios, bootSweeps, deviceHash, gunzip, matrixCases, matrixDevice, matrixDir, opCount, readTrace,
  runAction, sameResult, sha256Hex, sweep, versionChar, type BootSweepRow, type MatrixCase,
} from './mcuboot-vectors.js';

const FULL = !!process.env.BRICKPROOF_FULL;

/** Cut points of a sweep of `n` ops that run by default (all of them with BRICKPROOF_FULL). */
function cutPoints(n: number): number[] {
  const ks: number[] = [];
  for (let k = 1; k <= n; k++) if (FULL || k <= 24 || k > n - 12 || k % 13 === 0) ks.push(k);
  return ks;
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  const i = a.findIndex((x, j) => x !== b[j]);
  return i < 0 ? 'none' : `0x${i.toString(16)}: 0x${a[i].toString(16)} vs 0x${b[i].toString(16)}`;
}

/** Trailer bytes of the k64f/mcuboot-boot primary slot (0x20000 bytes, BOOT_MAX_ALIGN 8). */
const PRIMARY_SWAP_INFO = 0x20000 - 40;
const PRIMARY_IMAGE_OK = 0x20000 - 24;
const PRIMARY_MAGIC = 0x20000 - 16;

describe('swap-move replays MCUboot 2.4.0 (vectors/mcuboot-boot)', () => {
  for (const { name, steps } of bootScenarios('move')) {
    it(`${name}: every step makes the recorded flash operations and leaves the recorded flash`, () => {
      const dev = bootDevice('move', `move/${name}/00-before.bin.gz`);
      for (const st of steps) {
        const r = runAction(dev, st.action);
        if (st.op_trace) expect(dev.trace(), `step ${st.step} trace`).toEqual(readTrace(bootDir + st.op_trace));
        expect(firstDifference(dev.core.flash, gunzip(bootDir + st.dump)), `step ${st.step} flash`).toBe('none');
        if (st.action === 'boot' && st.result) {
          const b = r as BootResult;
          expect({ ok: b.outcome === 'ok', version: b.version && versionString(b.version), type: b.swapType }, `step ${st.step}`).toEqual({
            ok: st.result.ok,
            version: st.result.ok ? st.result.version : undefined,
            type: ['', 'none', 'test', 'perm', 'revert', 'fail'][st.result.swap_type],
          });
        }
      }
    });
  }

  for (const sw of bootSweeps('move')) {
    it(`${sw.name}: after a power cut before any of its ${sw.uninterrupted_ops} ops, two boots give the recorded images and swap types`, () => {
      const rows: BootSweepRow[] = JSON.parse(readFileSync(bootDir + sw.table, 'utf8'));
      expect(rows.length).toBe(sw.uninterrupted_ops);
      const dev = bootDevice('move', sw.from);
      const before = dev.core.dump();
      const got = [...sweep(dev, before, rows.map((r) => r.k), false)].map((p) => ({
        k: p.k,
        op: p.op,
        reboots: [p.reboot1, p.reboot2].map((r) => ({ ok: r.outcome === 'ok', version: versionString(r.version), swap_type: r.swapType.toUpperCase() })),
      }));
      const want = rows.map((r) => ({
        k: r.k,
        op: r.op,
        reboots: r.reboots.map((x) => ({ ok: x.ok, version: x.ok ? x.version : '-', swap_type: x.swap_type })),
      }));
      expect(got).toEqual(want);
    });
  }
});

describe('swap-move replays MCUboot 2.4.0 across geometries (vectors/mcuboot-matrix)', () => {
  const cases = matrixCases('move');

  it('has every recorded swap-move case: k64f at alignments 1, 2, 4, 8, erased 0x00, ECDSA, MAX_ALIGN 32, and nrf52840', () => {
    expect(new Set(cases.map((c) => c.config))).toEqual(new Set([
      'k64f-move-w1-eff-hash', 'k64f-move-w2-eff-hash', 'k64f-move-w4-eff-hash', 'k64f-move-w8-eff-hash',
      'k64f-move-w8-e00-hash', 'k64f-move-w8-eff-ecdsa', 'k64f-move-w32-eff-hash-ma32', 'nrf52840-move-w4-eff-hash',
    ]));
    expect(cases).toHaveLength(15); // perm for each, test-revert for all but MAX_ALIGN 32
  });

  for (const c of cases) {
    describe(c.id, () => {
      /** The device before each step (index = step − 1), recorded while replaying. */
      const before: Uint8Array[] = [];

      it(`accepts an image of exactly 0x${c.max_image_size.toString(16)} bytes and replays every step operation by operation`, () => {
        const dev = matrixDevice(c);
        for (const st of c.steps) {
          before[st.step - 1] = dev.core.dump();
          const r = runAction(dev, st.action);
          expect(dev.trace(), `step ${st.step} trace`).toEqual(readTrace(matrixDir + st.trace));
          expect(deviceHash(dev), `step ${st.step} device (first difference ${firstDifference(dev.core.flash, gunzip(matrixDir + st.dump_after))})`).toBe(st.sha256_after);
          if (st.action === 'boot' && st.result) expect(sameResult(r as BootResult, st.result), `step ${st.step} result`).toBe(true);
        }
      });

      for (const [name, sw] of Object.entries(c.power_fail_sweeps)) {
        const ks = cutPoints(sw.points);
        it(`${name} boot: recovers like MCUboot after a power cut before op k (${ks.length} of ${sw.points} points): versions, resume ops, flash`, async () => {
          const start = before[sw.boot_step - 1] ?? stepStart(c, sw.boot_step);
          const dev = matrixDevice(c);
          const got: string[] = [];
          const want: string[] = [];
          for (const p of sweep(dev, start, ks)) {
            // A full sweep runs for seconds: let the worker answer the test runner meanwhile.
            if (got.length % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
            const i = p.k - 1;
            got.push(`k=${p.k} ${versionChar(p.reboot1)}${versionChar(p.reboot2)} ops=${opCount(p.reboot1)} flash=${p.hash1.slice(0, 12)},${p.hash2.slice(0, 12)}`);
            const h1 = sw.flash_sha256_classes[parseInt(sw.reboot1_flash_class[i], 36)];
            const h2 = sw.flash_sha256_classes[parseInt(sw.reboot2_flash_class[i], 36)];
            want.push(`k=${p.k} ${sw.reboot1_versions[i]}${sw.reboot2_versions[i]} ops=${sw.reboot1_ops[i]} flash=${h1.slice(0, 12)},${h2.slice(0, 12)}`);
          }
          expect(got).toEqual(want);
          expect(new Set(want.map((w) => w.split(' ')[1]))).toEqual(new Set([sw.expected_versions]));
        });
      }
    });
  }
});

/** The device before step `n` of a case, replayed from 00-before (when run in isolation). */
function stepStart(c: MatrixCase, n: number): Uint8Array {
  const dev = matrixDevice(c);
  for (const st of c.steps) {
    if (st.step === n) break;
    runAction(dev, st.action);
  }
  return dev.core.dump();
}

describe('swap-move power-loss behaviour MCUboot relies on', () => {
  const testRevert = matrixCases('move').find((c) => c.id === 'k64f-move-w8-eff-hash/test-revert')!;

  it('turns a revert cut after fixup_revert (ops 5..10) into a PERM swap of the same images, as MCUboot does', () => {
    const dev = matrixDevice(testRevert);
    runAction(dev, 'boot');
    const afterUpgrade = dev.core.dump();
    for (const p of sweep(dev, afterUpgrade, [4, 5, 10, 11])) {
      const quirk = p.k >= 5 && p.k <= 10;
      expect(p.reboot1.swapType, `k=${p.k}`).toBe(quirk ? 'perm' : 'revert');
      expect(versionChar(p.reboot1) + versionChar(p.reboot2), `k=${p.k}`).toBe('11');
    }
    // The only trace of it: the primary's swap_info says PERM (0x03) instead of REVERT (0x04).
    dev.core.loadDump(afterUpgrade);
    dev.boot({ at: 7 });
    runAction(dev, 'boot');
    expect(dev.core.read(1, PRIMARY_SWAP_INFO, 1)[0]).toBe(0x03);
  });

  it('finds the header moved up to sector 1 when the power fails right after the last move record (MCUboot #1588)', () => {
    const dev = matrixDevice(testRevert);
    runAction(dev, 'boot');
    const trace = dev.trace();
    // The swap phase begins by erasing primary sector 0; the primary header is then only in sector 1.
    const k = trace.indexOf('E 1 0 1000') + 1;
    expect(k).toBeGreaterThan(1);
    for (const at of [k, k + 1, k + 2]) {
      dev.core.loadDump(before0(testRevert));
      expect(isPowerCut(dev.boot({ at }))).toBe(true);
      const r = runAction(dev, 'boot') as BootResult;
      expect({ outcome: r.outcome, resumed: r.resumed, version: versionChar(r) }, `cut at ${at}`).toEqual({ outcome: 'ok', resumed: true, version: '2' });
    }
  });

  it('rebuilds an imgtool-padded primary trailer before a test swap instead of resuming from it (MCUboot #829)', () => {
    const dev = bootDevice('move', 'move/test-revert/00-before.bin.gz');
    // What `imgtool --pad --confirm` leaves on the primary: magic GOOD and image_ok SET, no swap_size.
    const magic = dev.core.read(2, PRIMARY_MAGIC, 16);
    dev.core.place(1, PRIMARY_MAGIC, magic);
    dev.core.place(1, PRIMARY_IMAGE_OK, Uint8Array.of(1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    const r = runAction(dev, 'boot') as BootResult;
    expect(dev.trace()).toEqual(readTrace(bootDir + 'move/test-revert/01-trace-boot.txt.gz'));
    expect(versionChar(r)).toBe('2');
    // Still a test: the new image is not confirmed, so the next boot reverts.
    expect(dev.core.read(1, PRIMARY_IMAGE_OK, 1)[0]).toBe(0xff);
    expect(versionChar(runAction(dev, 'boot') as BootResult)).toBe('1');
  });

  it('clears a REVERT primary trailer when the secondary slot has no image (stuck revert, MCUboot 33094fc5)', () => {
    const dev = bootDevice('move', 'move/test-revert/01-after-boot.bin.gz');
    dev.core.place(2, 0, new Uint8Array(0x1000).fill(0xff)); // the app erased the secondary's first sector
    const r = runAction(dev, 'boot') as BootResult;
    expect(dev.trace()).toEqual(['E 2 1f000 1000', 'E 1 1f000 1000']);
    expect({ requested: r.requested, type: r.swapType, version: versionChar(r) }).toEqual({ requested: 'revert', type: 'none', version: '2' });
    expect(dev.core.read(1, PRIMARY_MAGIC, 16).every((b) => b === 0xff)).toBe(true);
    expect(runAction(dev, 'boot') as BootResult).toMatchObject({ requested: 'none', ops: { erase: 0, write: 0 } });
  });

  it('still reverts when the power tears the secondary magic written by fixup_revert (MCUboot #1966)', () => {
    const w1 = matrixCases('move').find((c) => c.id === 'k64f-move-w1-eff-hash/test-revert')!;
    const dev = matrixDevice(w1);
    runAction(dev, 'boot');
    const afterUpgrade = dev.core.dump();
    runAction(dev, 'boot'); // an uninterrupted revert, for its trace
    const magicWrite = dev.trace().indexOf('W 2 1fff0 10') + 1;
    expect(magicWrite).toBe(4);
    let torn = 0;
    for (let seed = 1n; seed <= 12n; seed++) {
      dev.core.loadDump(afterUpgrade);
      const cut = dev.boot({ at: magicWrite, fault: 'torn-write', seed });
      if (!isPowerCut(cut)) throw new Error('expected a power cut');
      if (cut.done > 0) torn++;
      const r1 = runAction(dev, 'boot') as BootResult;
      const r2 = runAction(dev, 'boot') as BootResult;
      expect(`${versionChar(r1)}${versionChar(r2)}`, `seed ${seed}, ${cut.done} of 16 magic bytes written`).toBe('11');
    }
    expect(torn).toBeGreaterThan(0);
  });

  it('keeps the decided swap type when the image leaves no spare sector: no swap, but copy_done is written (boot_perform_update)', () => {
    const dev = bootDevice('move', 'move/test-revert/00-before.bin.gz');
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
    const r = runAction(dev, 'boot') as BootResult;
    expect(dev.trace()).toEqual(['W 1 1ffe0 8']);
    expect(r.outcome).toBe('no-image'); // the primary image is not valid either
  });
});

function before0(c: MatrixCase): Uint8Array {
  return gunzip(`${matrixDir}${c.path}/00-before.bin.gz`);
}

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
    const up = runAction(dev, 'boot') as BootResult;
    expect({ type: up.swapType, v: versionChar(up) }).toEqual({ type: 'test', v: '2' });
    // 58 sectors hold the image: 58 moves (each one erase and a record), 2 × 58 swap steps.
    expect(up.ops.erase).toBe(1 + 1 + 58 + 2 * 58);
    expect(trailer(dev, PRIMARY)).toEqual({ swapInfo: 0x02, copyDone: 0x01, imageOk: 0xff, magicSet: true });
    expect(trailer(dev, SECONDARY)).toEqual({ swapInfo: 0xff, copyDone: 0xff, imageOk: 0xff, magicSet: false });
    const revert = runAction(dev, 'boot') as BootResult;
    expect({ type: revert.swapType, v: versionChar(revert) }).toEqual({ type: 'revert', v: '1' });
    expect(trailer(dev, PRIMARY)).toEqual({ swapInfo: 0x04, copyDone: 0x01, imageOk: 0x01, magicSet: true });
    const rest = runAction(dev, 'boot') as BootResult;
    expect({ ops: opCount(rest), v: versionChar(rest) }).toEqual({ ops: 0, v: '1' });
  });

  it('rejects an image one byte over the maximum and erases the whole secondary slot', async () => {
    const dev = await device(max + 1);
    const r = runAction(dev, 'boot') as BootResult;
    expect({ type: r.swapType, v: versionChar(r), erases: r.ops.erase, writes: r.ops.write }).toEqual({ type: 'none', v: '1', erases: 59, writes: 0 });
    expect(dev.core.read(SECONDARY, 0, slot('secondary').size).every((b) => b === 0xff)).toBe(true);
  });

  it('ends byte-identical to an uninterrupted run after a power cut before any sampled op of the upgrade and the revert', async () => {
    const dev = await device(max);
    const start = dev.core.dump();
    runAction(dev, 'boot');
    const upgraded = dev.core.dump();
    const upgradeOps = dev.trace().length;
    runAction(dev, 'boot');
    const reverted = deviceHash(dev);
    const revertOps = dev.trace().length;

    for (const p of sweep(dev, start, cutPoints(upgradeOps))) {
      expect(`${versionChar(p.reboot1)}${versionChar(p.reboot2)}`, `upgrade k=${p.k}`).toBe('21');
      expect(p.hash1, `upgrade k=${p.k}`).toBe(sha256Hex(upgraded));
      expect(p.hash2, `upgrade k=${p.k}`).toBe(reverted);
    }
    for (const p of sweep(dev, upgraded, cutPoints(revertOps))) {
      expect(`${versionChar(p.reboot1)}${versionChar(p.reboot2)}`, `revert k=${p.k}`).toBe('11');
      // A cut between fixup_revert and the secondary trailer erase (ops 5..10) makes the
      // next boot a PERM swap: the same bytes but swap_info 0x03.
      if (p.k >= 5 && p.k <= 10) expect(trailer(dev, PRIMARY).swapInfo, `revert k=${p.k}`).toBe(0x03);
      else expect(p.hash2, `revert k=${p.k}`).toBe(reverted);
    }
  });
});

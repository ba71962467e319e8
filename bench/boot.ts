/**
 * The bootloader's cost, per strategy on nrf52840 with maximal images: one complete
 * permanent upgrade (with validation: SHA-256 of the secondary before and of the primary
 * after; without: no hashing at all — the simulator's skipImageChecks — the swap alone), one power-on with
 * nothing to do, and — the floor — a plain memory.fill + memory.copy inside the module of
 * the bytes the upgrade erases and programs. Target (issue 4): the upgrade without
 * validation within 3× of that copy.
 */
import { Device } from '../src/device/device.js';
import { getDevice } from '../src/device/device-file.js';
import { buildImages } from '../src/campaign/images.js';
import { stage } from '../src/device/staging.js';
import { SWAP_STRATEGIES as BOOT_STRATEGIES } from '../src/image/strategy.js';
import { printTable, round3, timeEach, writeResults, type Row } from './report.js';

const TARGET = 3;

export async function run(): Promise<void> {
  const { geometry } = getDevice('nrf52840');
  const rows: Row[] = [];
  const out: Record<string, unknown>[] = [];
  for (const strategy of BOOT_STRATEGIES) {
    const validating = new Device(geometry, { strategy }, { logEntries: 0 });
    const swapOnly = new Device(geometry, { strategy, validatePrimary: false, skipImageChecks: true }, { logEntries: 0 });
    const images = await buildImages(validating, 'max');
    const staged = (d: Device) => { stage(d, { running: images.v1, update: images.v2, permanent: true }); return d.core.dump(); };
    const startV = staged(validating);
    const startS = staged(swapOnly);
    const upgrade = (d: Device, start: Uint8Array) => () => {
      d.core.loadDump(start);
      d.boot();
    };
    // What one upgrade moves, and the state after it (for the idle boot).
    validating.core.loadDump(startV);
    const r = validating.boot();
    if (!('outcome' in r) || r.outcome !== 'ok') throw new Error(`${strategy}: the upgrade did not boot`);
    const { bytesErased, bytesProgrammed } = validating.core.counters();
    const after = validating.core.dump();
    const idle = () => {
      validating.core.loadDump(after);
      validating.boot();
    };
    const load = () => validating.core.loadDump(after);
    const floorCore = swapOnly.core;
    const floor = () => floorCore.call((ex) => ex.bench(3, 1, bytesErased, bytesProgrammed));
    const ms = timeEach(
      { withValidation: upgrade(validating, startV), swapOnly: upgrade(swapOnly, startS), idle, load, floor },
      { samples: 9, sampleMs: 80 },
    );
    // Every timed call reloads the flash first (a dump copy): take that out.
    const up = ms.withValidation - ms.load;
    const sw = ms.swapOnly - ms.load;
    const id = ms.idle - ms.load;
    rows.push({ strategy, 'MiB moved': round3((bytesErased + bytesProgrammed) / 2 ** 20), 'upgrade ms': round3(up), 'swap only ms': round3(sw), 'idle boot ms': round3(id), 'copy ms': round3(ms.floor), 'swap/copy': round3(sw / ms.floor), target: `≤ ${TARGET}×` });
    out.push({ strategy, bytesErased, bytesProgrammed, upgradeMs: round3(up), swapOnlyMs: round3(sw), idleBootMs: round3(id), copyMs: round3(ms.floor), ratio: round3(sw / ms.floor) });
  }
  printTable('One permanent upgrade of maximal images on nrf52840 (median; flash reload subtracted)', rows);
  writeResults('boot', { device: 'nrf52840', target: TARGET, rows: out });
}

if (process.argv[1] && /bench[\\/]boot\.ts$/.test(process.argv[1])) await run();

/**
 * `brickproof simulate --device D --strategy S --primary a.bin --secondary b.bin
 *  --upgrade test|perm [--confirm] [--boots N] [--trace] [--json] [--dump-flash out.bin]`
 *
 * Stages the images as a programmer and the application would (the running image in the
 * primary slot, the update in the secondary — one sector in for swap-offset — then
 * boot_set_pending), boots N times, confirming the new image after the first boot if asked,
 * and prints each boot's decision (and with --trace every flash operation).
 */
import { isPowerCut } from '../core.js';
import { CheckFailed, UsageError } from '../errors.js';
import type { BootResult } from '../device/device.js';
import { PRIMARY, SECONDARY } from '../device/geometry.js';
import { decodeTrailerState, type SlotTrailerState } from '../device/trailer-state.js';
import { type FlagSpecs, helpText, parseArgs, parseInteger } from './args.js';
import { BOOTLOADER_FLAGS, bootloaderFromArgs, describeBoot } from './bootloader-options.js';
import { printJson, readImageFile, writeImageFile } from './image-io.js';

const SPECS: FlagSpecs = {
  ...BOOTLOADER_FLAGS,
  primary: { type: 'string', metavar: 'FILE', help: 'the running image (signed), placed at the start of the primary slot' },
  secondary: { type: 'string', metavar: 'FILE', help: 'the update (signed), placed in the secondary slot' },
  upgrade: { type: 'string', metavar: 'test|perm', help: 'what the application requests (default test)' },
  confirm: { type: 'boolean', help: 'the application confirms the new image after the first boot' },
  boots: { type: 'string', metavar: 'N', help: 'power-ons to simulate (default 2)' },
  trace: { type: 'boolean', help: 'print every flash operation of every boot' },
  json: { type: 'boolean', help: 'print the result as JSON' },
  'dump-flash': { type: 'string', metavar: 'FILE', help: 'write the whole flash at the end' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPECS);
  if (args.bool('help')) {
    process.stdout.write(helpText('simulate', 'Stage two images, request an upgrade, boot N times.', SPECS));
    return 0;
  }
  const choice = bootloaderFromArgs(args);
  const upgrade = args.string('upgrade') ?? 'test';
  if (upgrade !== 'test' && upgrade !== 'perm') throw new UsageError(`--upgrade '${upgrade}' must be test or perm`);
  const boots = args.string('boots') === undefined ? 2 : parseInteger(args.string('boots')!, '--boots', { min: 1, max: 1000 });
  const primaryPath = args.string('primary');
  const secondaryPath = args.string('secondary');
  if (!primaryPath || !secondaryPath) throw new UsageError('--primary FILE and --secondary FILE are both required');
  const primary = readImageFile(primaryPath, 'primary image').bytes;
  const secondary = readImageFile(secondaryPath, 'secondary image').bytes;

  const dev = choice.make();
  const g = choice.device.geometry;
  const slot = (id: number) => g.areas.find((a) => a.id === id)!;
  const secondaryOffset = choice.strategy === 'swap-offset' ? slot(SECONDARY).sectorSizes[0] : 0;
  for (const [what, bytes, id, off] of [['primary', primary, PRIMARY, 0], ['secondary', secondary, SECONDARY, secondaryOffset]] as const) {
    const max = dev.maxImageSize(id === PRIMARY ? 0 : 1);
    const imageSize = imageTotalSize(bytes);
    if (imageSize !== undefined && imageSize > max) {
      throw new UsageError(`${what} image is ${imageSize} bytes (header + body + TLVs) but ${choice.strategy} on ${g.name} allows at most ${max}`);
    }
    if (off + bytes.length > slot(id).size) throw new UsageError(`${what} image file is ${bytes.length} bytes, larger than the ${slot(id).size}-byte ${what} slot`);
  }
  dev.core.place(PRIMARY, 0, primary);
  dev.core.place(SECONDARY, secondaryOffset, secondary);
  const pending = dev.setPending(upgrade === 'perm');
  if (isPowerCut(pending) || pending !== 0) throw new CheckFailed(`boot_set_pending failed (rc ${String(pending)}): the secondary's trailer magic is corrupt`);

  const results: Array<BootResult & { trace?: string[] }> = [];
  for (let i = 0; i < boots; i++) {
    const r = dev.boot();
    if (isPowerCut(r)) throw new Error('unexpected power cut');
    const trace = dev.trace();
    results.push(args.bool('trace') ? { ...r, trace } : r);
    if (!args.bool('json')) {
      process.stdout.write(`boot ${i + 1}: ${describeBoot(r)}\n`);
      if (args.bool('trace')) for (const l of trace) process.stdout.write(`  ${l}\n`);
    }
    if (i === 0 && args.bool('confirm') && r.outcome === 'ok') {
      const c = dev.setConfirmed();
      if (!args.bool('json')) process.stdout.write(`app: boot_set_confirmed() -> ${String(isPowerCut(c) ? 'cut' : c)}\n`);
    }
  }
  const final = { primary: decodeTrailerState(dev, PRIMARY), secondary: decodeTrailerState(dev, SECONDARY) };
  const dumpPath = args.string('dump-flash');
  if (dumpPath) writeImageFile(dumpPath, dev.core.dump());
  if (args.bool('json')) {
    printJson({
      boots: results.map((r) => ({
        swapType: r.swapType,
        requested: r.requested,
        bootedSlot: r.outcome === 'ok' ? 'primary' : null,
        version: r.version ? `${r.version.major}.${r.version.minor}.${r.version.revision}+${r.version.build}` : null,
        resumed: r.resumed,
        ops: r.ops,
        ...(r.trace ? { trace: r.trace } : {}),
      })),
      final,
    });
  } else {
    for (const [name, s] of Object.entries(final) as Array<[string, SlotTrailerState]>) {
      process.stdout.write(`final ${name}: magic ${s.magic}, image_ok ${s.imageOk}, copy_done ${s.copyDone}, version ${s.version ?? '-'}\n`);
    }
  }
  return results.at(-1)!.outcome === 'ok' ? 0 : 1;
}

/** header + body + TLVs of a signed image file, or undefined when it has no readable TLV area. */
function imageTotalSize(b: Uint8Array): number | undefined {
  if (b.length < 32) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (dv.getUint32(0, true) !== 0x96f3b83d) return undefined;
  const off = dv.getUint16(8, true) + dv.getUint32(12, true);
  const prot = dv.getUint16(10, true);
  if (off + prot + 4 > b.length) return undefined;
  return off + prot + dv.getUint16(off + prot + 2, true);
}

/**
 * `brickproof simulate --device D --strategy S --primary a.bin --secondary b.bin
 *  --upgrade test|perm [--confirm] [--boots N] [--trace] [--json] [--dump-flash out.bin]`
 *
 * Stages the images as a programmer and the application would (the running image in the
 * primary slot, the update in the secondary — one sector in for swap-offset — then
 * boot_set_pending), boots N times, confirming the new image after the first boot if asked,
 * and prints each boot's decision (and with --trace every flash operation).
 */
import { isPowerCut } from '../core/index.js';
import { CheckFailed, UsageError } from '../errors.js';
import type { BootResult, SlotState } from '../device/device.js';
import { checkFits, stage, stageBootstrap, stageImage, updateOffset } from '../device/staging.js';
import { PRIMARY, SECONDARY } from '../device/geometry.js';
import { type FlagSpecs, helpText, parseArgs, parseInteger } from './args.js';
import { BOOTLOADER_FLAGS, bootloaderFromArgs, describeBoot } from './options.js';
import { checkOutputPath, printJson, readImageFile, writeImageFile } from './image-io.js';
import { verifyImage } from '../image/verify.js';

const SPECS: FlagSpecs = {
  ...BOOTLOADER_FLAGS,
  primary: { type: 'string', metavar: 'FILE', help: 'the running image (signed), placed at the start of the primary slot' },
  secondary: { type: 'string', metavar: 'FILE', help: 'the update (signed), placed in the secondary slot' },
  primary1: { type: 'string', metavar: 'FILE', help: "with --images 2: image 1's running image (area primary1)" },
  secondary1: { type: 'string', metavar: 'FILE', help: "with --images 2: image 1's update (area secondary1), requested as image 0's is" },
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
  if (args.bool('confirm') && upgrade === 'perm') throw new UsageError('--confirm does nothing with --upgrade perm: a permanent upgrade is confirmed already (image_ok is set by the request)');
  const boots = args.string('boots') === undefined ? 2 : parseInteger(args.string('boots')!, '--boots', { min: 0, max: 1000 });
  const primaryPath = args.string('primary');
  const secondaryPath = args.string('secondary');
  const dumpPath = args.string('dump-flash');
  if (dumpPath !== undefined) checkOutputPath(dumpPath, '--dump-flash');
  const dev = choice.make();
  for (const flag of ['primary1', 'secondary1']) {
    if (args.has(flag) && dev.options.images < 2) throw new UsageError(`--${flag} does nothing without --images 2: it is image 1's file`);
  }
  // Bootstrap: nothing in the primary, the image in the secondary, nothing requested.
  const bootstrapOnly = dev.options.bootstrap && !primaryPath;
  if (!secondaryPath || (!primaryPath && !bootstrapOnly)) throw new UsageError('--primary FILE and --secondary FILE are both required (with --bootstrap, --secondary alone installs into an empty primary)');
  const secondary = readImageFile(secondaryPath, 'secondary image').bytes;
  checkFits(dev, 'secondary image', secondary, SECONDARY, updateOffset(dev.core.area(SECONDARY), choice.strategy));
  if (bootstrapOnly) {
    stageBootstrap(dev, secondary);
  } else {
    const primary = readImageFile(primaryPath!, 'primary image').bytes;
    checkFits(dev, 'primary image', primary, PRIMARY, 0);
    const pending = stage(dev, { running: primary, update: secondary, permanent: upgrade === 'perm' });
    if (isPowerCut(pending) || pending !== 0) throw new CheckFailed(`boot_set_pending failed (rc ${String(pending)}): the secondary's trailer magic is corrupt`);
  }
  for (let i = 1; i < dev.options.images; i++) {
    const p = args.string(i === 1 ? 'primary1' : `primary${i}`);
    const u = args.string(i === 1 ? 'secondary1' : `secondary${i}`);
    if (!p || !u) throw new UsageError(`--images ${dev.options.images}: give image ${i}'s files too (--primary${i} FILE --secondary${i} FILE)`);
    const pending = stageImage(dev, i, readImageFile(p, `image ${i} primary image`).bytes, readImageFile(u, `image ${i} secondary image`).bytes, upgrade === 'perm');
    if (isPowerCut(pending) || pending !== 0) throw new CheckFailed(`boot_set_next for image ${i} failed (rc ${String(pending)})`);
  }

  // Why the bootloader would turn the update down (its validation: `brickproof verify`'s
  // rules with this build's keys and geometry), said when the first boot does not upgrade.
  const secondaryArea = dev.core.area(SECONDARY);
  const verdict = await verifyImage(secondary, {
    keys: choice.keys,
    slotSize: secondaryArea.size,
    strategy: choice.strategy,
    geometry: { sectorSize: secondaryArea.sectorSizes[0], writeSize: dev.geometry.devices.find((d) => d.id === secondaryArea.device)?.writeAlign, maxAlign: dev.options.maxAlign, maxSectors: dev.options.maxSectors },
    ...(dev.options.encKey ? { encryptionKey: dev.options.encKey } : {}),
  });
  const rejected = verdict.ok ? undefined : { slot: 'secondary', code: verdict.code, message: verdict.message };

  const results: Array<BootResult & { trace?: string[] }> = [];
  for (let i = 0; i < boots; i++) {
    const r = dev.boot();
    if (isPowerCut(r)) throw new Error('unexpected power cut');
    const trace = dev.trace();
    results.push(args.bool('trace') ? { ...r, trace } : r);
    if (!args.bool('json')) {
      const nv = dev.options.hwRollback ? `; NV counters ${dev.nvCounters.slice(0, dev.options.images).join(', ')}` : '';
      process.stdout.write(`boot ${i + 1}: ${describeBoot(r)}${nv}\n`);
      if (i === 0 && r.activeSlot === undefined && r.requested !== 'none' && r.swapType === 'none' && !r.resumed) {
        process.stdout.write(rejected ? `  the bootloader rejected the secondary image: ${rejected.code}: ${rejected.message}\n` : '  the secondary image validates: the bootloader refused the layout (slots it cannot swap), not the image\n');
      }
      if (args.bool('trace')) for (const l of trace) process.stdout.write(`  ${l}\n`);
    }
    if (i === 0 && args.bool('confirm') && r.outcome === 'ok') {
      // The running image confirms itself: the slot it runs from (direct-xip, ram-load), and every image's primary.
      const areas = r.activeSlot !== undefined ? [r.slot] : Array.from({ length: dev.options.images }, (_, n) => (n === 0 ? PRIMARY : SECONDARY + 2 * n));
      for (const area of areas) {
        const c = dev.setNext(area, true, true);
        if (!args.bool('json')) process.stdout.write(`app: boot_set_next(area ${area}, active, confirm) -> ${String(isPowerCut(c) ? 'cut' : c)}\n`);
      }
    }
  }
  const final = { primary: dev.readSwapState(PRIMARY), secondary: dev.readSwapState(SECONDARY) };
  if (dumpPath) writeImageFile(dumpPath, dev.core.dump());
  if (args.bool('json')) {
    printJson({
      boots: results.map((r) => ({
        swapType: r.swapType,
        requested: r.requested,
        bootedSlot: r.outcome === 'ok' ? (r.slot === SECONDARY ? 'secondary' : 'primary') : null,
        ...(r.images.length > 1 ? { images: r.images } : {}),
        ...(r.ramLoad ? { ramLoad: r.ramLoad } : {}),
        ...(dev.options.hwRollback ? { nvCounters: dev.nvCounters.slice(0, dev.options.images) } : {}),
        version: r.version ? `${r.version.major}.${r.version.minor}.${r.version.revision}+${r.version.build}` : null,
        resumed: r.resumed,
        ops: r.ops,
        ...(r.trace ? { trace: r.trace } : {}),
      })),
      final,
      ...(rejected && results[0] && results[0].swapType === 'none' ? { rejected } : {}),
    });
  } else {
    for (const [name, s] of Object.entries(final) as Array<[string, SlotState]>) {
      process.stdout.write(`final ${name}: magic ${s.magic}, image_ok ${s.imageOk}, copy_done ${s.copyDone}, version ${s.version ?? '-'}\n`);
    }
  }
  return results.length === 0 || results.at(-1)!.outcome === 'ok' ? 0 : 1;
}

/**
 * `brickproof boot DUMP.bin`, `confirm DUMP.bin`, `pending DUMP.bin [--permanent]`: one
 * power-on of the bootloader, or one application call, on a whole-device dump (all flash
 * devices concatenated in id order), written back in place — exactly what a real device
 * does at its next reset. `--cut-at K` cuts the power before operation K; the dump then
 * holds the flash as the cut left it.
 */
import { readFileSync } from 'node:fs';
import { isPowerCut, type PowerCut } from '../core/index.js';
import { CheckFailed, UsageError } from '../errors.js';
import type { BootResult } from '../device/device.js';
import { type FlagSpecs, helpText, parseArgs, parseInteger } from './args.js';
import { BOOTLOADER_FLAGS, bootloaderFromArgs, describeBoot } from './options.js';
import { printJson, writeImageFile, writeTextFile } from './image-io.js';

type Action = 'boot' | 'confirm' | 'pending';

const COMMON: FlagSpecs = {
  ...BOOTLOADER_FLAGS,
  'cut-at': { type: 'string', metavar: 'K', help: 'cut the power before flash operation K (1-based)' },
  trace: { type: 'string', metavar: 'FILE', help: 'write every flash operation: E|W <area> <offset hex> <length hex>' },
  json: { type: 'boolean', help: 'print the result as JSON' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

const SUMMARY: Record<Action, string> = {
  boot: 'Power on the bootloader once over a whole-device dump, in place.',
  confirm: "Run the application's boot_set_confirmed() on a whole-device dump, in place.",
  pending: "Run the application's boot_set_pending() on a whole-device dump, in place.",
};

export function command(action: Action) {
  const specs: FlagSpecs = action === 'pending' ? { ...COMMON, permanent: { type: 'boolean', help: 'request a permanent upgrade (image_ok set)' } } : COMMON;
  const positional = { min: 1, max: 1, names: ['DUMP'] };
  return async function run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, specs, positional);
    if (args.bool('help')) {
      process.stdout.write(helpText(action, SUMMARY[action], specs, positional));
      return 0;
    }
    const choice = bootloaderFromArgs(args);
    const path = args.positionals[0]!;
    let dump: Uint8Array;
    try {
      dump = new Uint8Array(readFileSync(path));
    } catch (e) {
      throw new UsageError(`cannot read dump '${path}' (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const cutAt = args.string('cut-at') === undefined ? 0 : parseInteger(args.string('cut-at')!, '--cut-at', { min: 1 });
    const dev = choice.make();
    dev.core.loadDump(dump);
    let r: BootResult | number | PowerCut;
    if (action === 'boot') r = dev.boot({ at: cutAt });
    else if (action === 'confirm') r = dev.setConfirmed({ at: cutAt });
    else r = dev.setPending(args.bool('permanent'), { at: cutAt });
    const traceFile = args.string('trace');
    if (traceFile) writeTextFile(traceFile, dev.trace().map((l) => `${l}\n`).join(''));
    writeImageFile(path, dev.core.dump());

    if (isPowerCut(r)) {
      const cut = { powerCut: { atOp: r.opIndex, kind: r.kind, area: r.area, offset: r.offset, length: r.length } };
      if (args.bool('json')) printJson({ action, ...cut, ops: dev.trace().length });
      else process.stdout.write(`power cut before op ${r.opIndex} (${r.kind} area ${r.area} at 0x${r.offset.toString(16)}, 0x${r.length.toString(16)} bytes); ${dev.trace().length} ops happened\n`);
      return 0;
    }
    if (typeof r === 'number') {
      if (args.bool('json')) printJson({ action, rc: r, ops: dev.trace().length });
      else process.stdout.write(`${action === 'confirm' ? 'boot_set_confirmed' : 'boot_set_pending'}() returned ${r}; ${dev.trace().length} flash ops\n`);
      if (r !== 0) throw new CheckFailed(`${action} failed with MCUboot rc ${r} (the trailer's magic is corrupt)`);
      return 0;
    }
    const nv = dev.options.hwRollback ? { nvCounters: dev.nvCounters.slice(0, dev.options.images) } : {};
    if (args.bool('json')) printJson({ action, ...r, ...nv });
    else process.stdout.write(`${describeBoot(r)}${nv.nvCounters ? `; NV counters ${nv.nvCounters.join(', ')}` : ''}\n`);
    return r.outcome === 'ok' ? 0 : 1;
  };
}

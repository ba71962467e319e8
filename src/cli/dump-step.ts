/**
 * `brickproof boot DUMP.bin`, `confirm DUMP.bin`, `pending DUMP.bin [--permanent]`: one
 * power-on of the bootloader, or one application call, on a whole-device dump (all flash
 * devices concatenated in id order), written back in place — exactly what a real device
 * does at its next reset. `--cut-at K` cuts the power before operation K; the dump then
 * holds the flash as the cut left it, and the command exits POWER_CUT_EXIT (4). A K past
 * the last operation is refused (exit 2) with the dump untouched.
 */
import { readFileSync } from 'node:fs';
import { isDeviceFault, isPowerCut, type PowerCut } from '../core/index.js';
import { CheckFailed, UsageError } from '../errors.js';
import type { BootResult } from '../device/device.js';
import { type FlagSpecs, helpText, parseArgs, parseInteger } from './args.js';
import { BOOTLOADER_FLAGS, bootloaderFromArgs, describeBoot } from './options.js';
import { checkOutputPath, printJson, writeImageFile, writeTextFile } from './image-io.js';

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

/**
 * The exit code of a boot (or call) that the power cut asked for by `--cut-at` interrupted:
 * neither "booted" (0) nor "does not boot" (1) — the dump holds the flash as the cut left it.
 */
export const POWER_CUT_EXIT = 4;

export function command(action: Action) {
  const specs: FlagSpecs = action === 'pending' ? { ...COMMON, permanent: { type: 'boolean', help: 'request a permanent upgrade (image_ok set)' } } : COMMON;
  const positional = { min: 1, max: 1, names: ['DUMP'] };
  return async function run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, specs, positional);
    if (args.bool('help')) {
      process.stdout.write(helpText(action, SUMMARY[action], specs, positional));
      return 0;
    }
    if (action !== 'boot') {
      // The application's calls write trailers only: they neither validate nor copy images.
      for (const flag of ['key', 'no-validate-primary', 'overwrite-fast', 'downgrade-prevention', 'hw-rollback', 'nv-counters', 'bootstrap', 'enc-key', 'encrypt-keylen', 'ram', 'images']) {
        if (args.has(flag)) throw new UsageError(`--${flag} does nothing for ${action}: the application's ${action === 'confirm' ? 'boot_set_confirmed()' : 'boot_set_pending()'} only writes image 0's trailer (it is a boot option)`);
      }
    }
    const choice = bootloaderFromArgs(args);
    const path = args.positionals[0]!;
    const cutAt = args.string('cut-at') === undefined ? 0 : parseInteger(args.string('cut-at')!, '--cut-at', { min: 1 });
    const traceFile = args.string('trace');
    if (traceFile !== undefined) checkOutputPath(traceFile, '--trace');
    let dump: Uint8Array;
    try {
      dump = new Uint8Array(readFileSync(path));
    } catch (e) {
      throw new UsageError(`cannot read dump '${path}' (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const dev = choice.make();
    dev.core.loadDump(dump);
    let r: BootResult | number | PowerCut;
    try {
      if (action === 'boot') r = dev.boot({ at: cutAt });
      else if (action === 'confirm') r = dev.setConfirmed({ at: cutAt });
      else r = dev.setPending(args.bool('permanent'), { at: cutAt });
    } catch (e) {
      if (!isDeviceFault(e)) throw e;
      // Real MCUboot misbehaves on such a dump too; the simulator says what it found instead.
      throw new UsageError(`the ${action === 'boot' ? 'bootloader' : `application's ${action} call`} ${e.message.replace(/^flash rule broken: /, 'broke a flash rule on this dump: ')} — a dump written by another build (--strategy, --max-align, --max-sectors, the device) reads as garbage to this one; the dump is left unchanged`);
    }
    const ops = dev.trace().length;
    if (cutAt > 0 && !isPowerCut(r)) {
      throw new UsageError(`--cut-at ${cutAt} is past the end of this ${action === 'boot' ? 'boot' : 'call'}: it made ${ops} flash operation${ops === 1 ? '' : 's'}, so no power was cut; the dump is left unchanged`);
    }
    if (traceFile) writeTextFile(traceFile, dev.trace().map((l) => `${l}\n`).join(''));
    writeImageFile(path, dev.core.dump());

    if (isPowerCut(r)) {
      const cut = { powerCut: { atOp: r.opIndex, kind: r.kind, area: r.area, offset: r.offset, length: r.length } };
      if (args.bool('json')) printJson({ action, ...cut, ops });
      else process.stdout.write(`power cut before op ${r.opIndex} (${r.kind} area ${r.area} at 0x${r.offset.toString(16)}, 0x${r.length.toString(16)} bytes); ${ops} ops happened\n`);
      return POWER_CUT_EXIT;
    }
    if (typeof r === 'number') {
      if (args.bool('json')) printJson({ action, rc: r, ops });
      else process.stdout.write(`${action === 'confirm' ? 'boot_set_confirmed' : 'boot_set_pending'}() returned ${r}; ${ops} flash ops\n`);
      if (r !== 0) throw new CheckFailed(`${action} failed with MCUboot rc ${r} (the trailer's magic is corrupt)`);
      return 0;
    }
    const nv = dev.options.hwRollback ? { nvCounters: dev.nvCounters.slice(0, dev.options.images) } : {};
    if (args.bool('json')) printJson({ action, ...r, ...nv });
    else process.stdout.write(`${describeBoot(r)}${nv.nvCounters ? `; NV counters ${nv.nvCounters.join(', ')}` : ''}\n`);
    return r.outcome === 'ok' ? 0 : 1;
  };
}

/**
 * Flags shared by the commands that run the simulated bootloader (boot, confirm, pending,
 * simulate, campaign): which device, which MCUboot build.
 */
import { UsageError } from '../errors.js';
import { Device, type BootResult, versionString } from '../device/device.js';
import { getDevice } from '../device/device-file.js';
import { assertStrategyAllowed, type ResolvedProfile } from '../device/profiles.js';
import { parseStrategy, BOOT_STRATEGIES, type BootStrategy } from '../image/strategy.js';
import { publicKeyOf } from '../image/keys.js';
import { type FlagSpecs, type ParsedArgs, parseInteger } from './args.js';
import { readKeyFile } from './image-io.js';

export const BOOTLOADER_FLAGS: FlagSpecs = {
  device: { type: 'string', metavar: 'NAME', help: 'built-in device profile (default nrf52840)' },
  'device-file': { type: 'string', metavar: 'FILE', help: "a JSON device file for your own part" },
  strategy: { type: 'string', metavar: 'NAME', help: `upgrade strategy: ${BOOT_STRATEGIES.join(', ')} (default swap-scratch)` },
  key: { type: 'string', multiple: true, metavar: 'PUB.pem', help: "the bootloader's built-in public key; repeatable; none = hash-only build" },
  'max-align': { type: 'string', metavar: 'N', help: 'BOOT_MAX_ALIGN: 8, 16 or 32 (default 8)' },
  'max-sectors': { type: 'string', metavar: 'N', help: 'MCUBOOT_MAX_IMG_SECTORS (default 128)' },
  'no-validate-primary': { type: 'boolean', help: 'build without MCUBOOT_VALIDATE_PRIMARY_SLOT' },
  'overwrite-fast': { type: 'boolean', help: 'MCUBOOT_OVERWRITE_ONLY_FAST (overwrite-only)' },
  'downgrade-prevention': { type: 'boolean', help: 'MCUBOOT_DOWNGRADE_PREVENTION' },
};

export interface BootloaderChoice {
  device: ResolvedProfile;
  strategy: BootStrategy;
  make(): Device;
}

export function bootloaderFromArgs(args: ParsedArgs): BootloaderChoice {
  const device = getDevice(args.string('device'), args.string('device-file'));
  const strategy = parseStrategy(args.string('strategy') ?? 'swap-scratch');
  assertStrategyAllowed(device, strategy);
  const maxAlign = args.string('max-align') === undefined ? 8 : parseInteger(args.string('max-align')!, '--max-align');
  if (![8, 16, 32].includes(maxAlign)) throw new UsageError(`--max-align ${maxAlign} must be 8, 16 or 32`);
  const maxSectors = args.string('max-sectors') === undefined ? 128 : parseInteger(args.string('max-sectors')!, '--max-sectors', { min: 1, max: 4096 });
  const keys = args.strings('key').map((path) => publicKeyOf(readKeyFile(path)));
  const options = {
    strategy,
    maxAlign: maxAlign as 8 | 16 | 32,
    maxSectors,
    keys,
    validatePrimary: !args.bool('no-validate-primary'),
    overwriteFast: args.bool('overwrite-fast'),
    downgradePrevention: args.bool('downgrade-prevention'),
  };
  const make = () => new Device(device.geometry, options);
  make(); // refuses impossible combinations before anything is read or written
  return { device, strategy, make };
}

/** One line about a boot, as a firmware engineer reads a serial log. */
export function describeBoot(r: BootResult): string {
  const did = r.resumed ? `resumed an interrupted swap (${r.swapType})` : r.swapType === 'none' ? 'nothing to do' : `swap type ${r.swapType}`;
  const booted = r.outcome === 'ok' ? `boots the primary slot, v${versionString(r.version)}` : r.outcome === 'panic' ? 'PANIC: the bootloader hangs' : 'NO BOOTABLE IMAGE: the device does not boot';
  return `requested ${r.requested}; ${did}; ${booted} — ${r.ops.erase + r.ops.write} flash ops (${r.ops.erase} erase, ${r.ops.write} write)`;
}

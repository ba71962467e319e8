/**
 * The options every command that runs the simulated bootloader shares (boot, confirm,
 * pending, simulate, campaign): which device, which strategy, which MCUboot build. Each is
 * declared once here and validated once, by the same function the library uses, so a
 * mistake gets the same one-line message whichever command it is made in.
 */
import { Device, type BootResult, versionString } from '../device/device.js';
import { assertStrategyAllowed, type ResolvedProfile } from '../device/profiles.js';
import { publicKeyOf, type PublicKey } from '../image/keys.js';
import { BOOT_STRATEGIES, parseStrategy, type BootStrategy } from '../image/strategy.js';
import { UsageError } from '../errors.js';
import { type FlagSpecs, type ParsedArgs } from './args.js';
import { BUILD_FLAGS, buildFromArgs, DEVICE_FLAGS, deviceFromArgs } from './device-options.js';
import { readKeyFile } from './image-io.js';

export { BUILD_FLAGS, buildFromArgs, DEVICE_FLAGS, deviceFromArgs };

/** One bootloader: device, strategy, build, keys (boot, confirm, pending, simulate). */
export const BOOTLOADER_FLAGS: FlagSpecs = {
  ...DEVICE_FLAGS,
  strategy: { type: 'string', metavar: 'NAME', help: `upgrade strategy: ${BOOT_STRATEGIES.join(', ')} (default swap-scratch)` },
  key: { type: 'string', multiple: true, metavar: 'PUB.pem', help: "the bootloader's built-in public key; repeatable; none = hash-only build" },
  ...BUILD_FLAGS,
  'no-validate-primary': { type: 'boolean', help: 'build without MCUBOOT_VALIDATE_PRIMARY_SLOT' },
  'overwrite-fast': { type: 'boolean', help: 'MCUBOOT_OVERWRITE_ONLY_FAST (overwrite-only)' },
  'downgrade-prevention': { type: 'boolean', help: 'MCUBOOT_DOWNGRADE_PREVENTION' },
};

/** --key, repeatable: the bootloader's built-in public keys. */
export function keysFromArgs(args: ParsedArgs): PublicKey[] {
  return args.strings('key').map((path) => publicKeyOf(readKeyFile(path)));
}

export interface BootloaderChoice {
  device: ResolvedProfile;
  strategy: BootStrategy;
  /** The build's built-in public keys (none: hash-only). */
  keys: PublicKey[];
  make(): Device;
}

export function bootloaderFromArgs(args: ParsedArgs): BootloaderChoice {
  const device = deviceFromArgs(args);
  const strategy = parseStrategy(args.string('strategy') ?? 'swap-scratch');
  assertStrategyAllowed(device, strategy);
  if (args.bool('overwrite-fast') && strategy !== 'overwrite-only') throw new UsageError(`--overwrite-fast does nothing with ${strategy}: it is MCUBOOT_OVERWRITE_ONLY_FAST, an overwrite-only option`);
  const options = {
    strategy,
    ...buildFromArgs(args),
    keys: keysFromArgs(args),
    validatePrimary: !args.bool('no-validate-primary'),
    overwriteFast: args.bool('overwrite-fast'),
    downgradePrevention: args.bool('downgrade-prevention'),
  };
  const make = () => new Device(device.geometry, options);
  make(); // refuses impossible combinations before anything is read or written
  return { device, strategy, keys: options.keys, make };
}

/** One line about a boot, as a firmware engineer reads a serial log. */
export function describeBoot(r: BootResult): string {
  const did = r.resumed ? `resumed an interrupted swap (${r.swapType})` : r.swapType !== 'none' ? `swap type ${r.swapType}` : r.requested === 'none' ? 'nothing to do' : 'did NOT upgrade';
  const booted = r.outcome === 'ok' ? `boots the primary slot, v${versionString(r.version)}` : r.outcome === 'panic' ? 'PANIC: the bootloader hangs' : 'NO BOOTABLE IMAGE: the device does not boot';
  return `requested ${r.requested}; ${did}; ${booted} — ${r.ops.erase + r.ops.write} flash ops (${r.ops.erase} erase, ${r.ops.write} write)`;
}

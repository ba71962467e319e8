/**
 * The options every command that runs the simulated bootloader shares (boot, confirm,
 * pending, simulate, campaign): which device, which strategy, which MCUboot build. Each is
 * declared once here and validated once, by the same function the library uses, so a
 * mistake gets the same one-line message whichever command it is made in.
 */
import { readFileSync } from 'node:fs';
import { Device, parseImageCount, type BootloaderOptions, type BootResult, versionString } from '../device/device.js';
import { assertStrategyAllowed, type ResolvedProfile } from '../device/profiles.js';
import { parseEncryptionKey, type EncryptionKey } from '../image/encryption.js';
import { publicKeyOf, type PublicKey } from '../image/keys.js';
import { BOOT_STRATEGIES, parseStrategy, STRATEGY_INFO, type BootStrategy } from '../image/strategy.js';
import { UsageError } from '../errors.js';
import { type FlagSpecs, type ParsedArgs, parseInteger } from './args.js';
import { BUILD_FLAGS, buildFromArgs, DEVICE_FLAGS, deviceFromArgs, MODE_FLAGS } from './device-options.js';
import { readKeyFile } from './image-io.js';

export { BUILD_FLAGS, buildFromArgs, DEVICE_FLAGS, deviceFromArgs, MODE_FLAGS };

/** The mode options of MODE_FLAGS, checked. */
export function modesFromArgs(args: ParsedArgs): Partial<BootloaderOptions> & { nvCounters?: number[] } {
  const out: Partial<BootloaderOptions> & { nvCounters?: number[] } = {};
  const images = args.string('images');
  if (images !== undefined) out.images = parseImageCount(parseInteger(images, '--images'));
  if (args.bool('hw-rollback')) out.hwRollback = true;
  const nv = args.string('nv-counters');
  if (nv !== undefined) {
    if (!args.bool('hw-rollback')) throw new UsageError('--nv-counters needs --hw-rollback (a build without it has no security counters)');
    out.nvCounters = nv.split(',').map((v, i) => parseInteger(v.trim(), `--nv-counters value ${i + 1}`, { min: 0, max: 0xffffffff }));
  }
  if (args.bool('bootstrap')) out.bootstrap = true;
  const encKey = args.string('enc-key');
  const keylen = args.string('encrypt-keylen');
  if (keylen !== undefined && encKey === undefined) throw new UsageError('--encrypt-keylen needs --enc-key');
  if (encKey !== undefined) {
    out.encKey = readEncryptionKeyFile(encKey);
    if (keylen !== undefined && keylen !== '128' && keylen !== '256') throw new UsageError(`--encrypt-keylen '${keylen}' must be 128 or 256`);
    out.encKeySize = keylen === '256' ? 32 : 16;
  }
  const ram = args.string('ram');
  if (ram !== undefined) {
    const m = /^([^:]+):([^:]+)$/.exec(ram);
    if (!m) throw new UsageError(`--ram '${ram}' must be START:SIZE, e.g. 0x20000000:0x40000`);
    out.ram = { start: parseInteger(m[1]!, '--ram start', { min: 0, max: 0xffffffff }), size: parseInteger(m[2]!, '--ram size', { min: 1, max: 0x10000000 }) };
  }
  return out;
}

/** A private encryption key file (imgtool's `-E` key pair's private half), or a one-line error naming it. */
export function readEncryptionKeyFile(path: string): EncryptionKey {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new UsageError(`cannot read encryption key '${path}' (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseEncryptionKey(bytes, `encryption key '${path}'`);
}

/** One bootloader: device, strategy, build, keys (boot, confirm, pending, simulate). */
export const BOOTLOADER_FLAGS: FlagSpecs = {
  ...DEVICE_FLAGS,
  strategy: { type: 'string', metavar: 'NAME', help: `upgrade strategy: ${BOOT_STRATEGIES.join(', ')} (default swap-scratch)` },
  key: { type: 'string', multiple: true, metavar: 'PUB.pem', help: "the bootloader's built-in public key; repeatable; none = hash-only build" },
  ...BUILD_FLAGS,
  'no-validate-primary': { type: 'boolean', help: 'build without MCUBOOT_VALIDATE_PRIMARY_SLOT' },
  'overwrite-fast': { type: 'boolean', help: 'MCUBOOT_OVERWRITE_ONLY_FAST (overwrite-only)' },
  'downgrade-prevention': { type: 'boolean', help: 'MCUBOOT_DOWNGRADE_PREVENTION' },
  ...MODE_FLAGS,
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
  /** A device with this build and, with --nv-counters, those NV counters. */
  make(): Device;
}

export function bootloaderFromArgs(args: ParsedArgs): BootloaderChoice {
  const device = deviceFromArgs(args);
  const strategy = parseStrategy(args.string('strategy') ?? 'swap-scratch');
  assertStrategyAllowed(device, strategy);
  if (args.bool('overwrite-fast') && strategy !== 'overwrite-only') throw new UsageError(`--overwrite-fast does nothing with ${strategy}: it is MCUBOOT_OVERWRITE_ONLY_FAST, an overwrite-only option`);
  const info = STRATEGY_INFO[strategy];
  if (args.has('ram') && !info.loadsToRam) throw new UsageError(`--ram does nothing with ${strategy}: it is the RAM window ram-load and ram-load-revert copy the image into`);
  if (info.flow === 'select') {
    // Direct-xip and ram-load boot the highest valid version where it lies: MCUboot's
    // bootstrap and downgrade checks belong to the swap flow (boot_prepare_image_for_update).
    for (const flag of ['bootstrap', 'downgrade-prevention']) {
      if (args.has(flag)) throw new UsageError(`--${flag} does nothing with ${strategy}: it is a swap-flow option (${strategy} boots the highest valid version in place)`);
    }
  }
  const { nvCounters, ...modes } = modesFromArgs(args);
  const options = {
    strategy,
    ...buildFromArgs(args),
    keys: keysFromArgs(args),
    validatePrimary: !args.bool('no-validate-primary'),
    overwriteFast: args.bool('overwrite-fast'),
    downgradePrevention: args.bool('downgrade-prevention'),
    ...modes,
  };
  const make = () => {
    const d = new Device(device.geometry, options);
    if (nvCounters) d.nvCounters = nvCounters;
    return d;
  };
  make(); // refuses impossible combinations before anything is read or written
  return { device, strategy, keys: options.keys, make };
}

/** One line about a boot, as a firmware engineer reads a serial log. */
export function describeBoot(r: BootResult): string {
  const ops = `${r.ops.erase + r.ops.write} flash ops (${r.ops.erase} erase, ${r.ops.write} write)`;
  const fail = r.outcome === 'panic' ? 'PANIC: the bootloader hangs' : 'NO BOOTABLE IMAGE: the device does not boot';
  if (r.activeSlot !== undefined) {
    // Direct-xip / ram-load: no swap, a slot is chosen.
    const slot = r.activeSlot === 0 ? 'primary' : 'secondary';
    const ram = r.ramLoad ? ` from RAM (${r.ramLoad.size} bytes at 0x${r.ramLoad.address.toString(16)})` : ' in place';
    return `${r.outcome === 'ok' ? `runs the ${slot} slot${ram}, v${versionString(r.version)}` : fail} — ${ops}`;
  }
  const did = r.resumed ? `resumed an interrupted ${r.resumedSwap && r.resumedSwap !== 'none' ? `${r.resumedSwap} ` : ''}swap` : r.swapType !== 'none' ? `swap type ${r.swapType}` : r.requested === 'none' ? 'nothing to do' : 'did NOT upgrade';
  const booted = r.outcome === 'ok' ? `boots the primary slot, v${versionString(r.version)}` : fail;
  const others = r.images.length > 1 ? `; ${r.images.slice(1).map((m, i) => `image ${i + 1}: requested ${m.requested}, swap type ${m.swapType}`).join('; ')}` : '';
  return `requested ${r.requested}; ${did}${others}; ${booted} — ${ops}`;
}

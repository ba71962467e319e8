/**
 * The device and bootloader-build options a campaign shares with the commands that run one
 * bootloader (options.ts): which device, which MCUboot build. Apart from options.ts, which
 * also reads key files, so that a campaign's command loads no signature code (measured:
 * the curve libraries behind key files took a tenth of its start).
 */
import { parseMaxAlign, parseMaxSectors } from '../device/device.js';
import { getDevice } from '../device/device-file.js';
import type { ResolvedProfile } from '../device/profiles.js';
import { type FlagSpecs, type ParsedArgs, parseInteger } from './args.js';

/** The device: a built-in profile or the user's device file. */
export const DEVICE_FLAGS: FlagSpecs = {
  device: { type: 'string', metavar: 'NAME', help: 'built-in device profile (default nrf52840)' },
  'device-file': { type: 'string', metavar: 'FILE', help: 'a JSON device file for your own part' },
};

/** The bootloader build options a campaign can vary too. */
export const BUILD_FLAGS: FlagSpecs = {
  'max-align': { type: 'string', metavar: '8|16|32', help: 'BOOT_MAX_ALIGN (default 8)' },
  'max-sectors': { type: 'string', metavar: 'N', help: 'MCUBOOT_MAX_IMG_SECTORS (default 128)' },
};

/** MCUboot's other build modes (boot, simulate, campaign): images, anti-rollback, bootstrap, encryption. */
export const MODE_FLAGS: FlagSpecs = {
  images: { type: 'string', metavar: 'N', help: 'MCUBOOT_IMAGE_NUMBER: image pairs (areas primary/secondary, primary1/secondary1, …; default 1)' },
  'hw-rollback': { type: 'boolean', help: 'MCUBOOT_HW_ROLLBACK_PROT: SEC_CNT checked against NV security counters, raised as MCUboot raises them' },
  'nv-counters': { type: 'string', metavar: 'N[,N…]', help: 'with --hw-rollback: the NV security counters at power-on, per image (default 0)' },
  bootstrap: { type: 'boolean', help: "MCUBOOT_BOOTSTRAP: an empty primary gets the secondary's valid image" },
  'enc-key': { type: 'string', metavar: 'FILE', help: 'MCUBOOT_ENC_IMAGES: the built-in private key (P-256 or X25519 PEM) that decrypts images while swapping' },
  'encrypt-keylen': { type: 'string', metavar: '128|256', help: 'with --enc-key: AES key length of the build (default 128)' },
  ram: { type: 'string', metavar: 'START:SIZE', help: 'ram-load: the executable RAM window (default 0x20000000:0x40000)' },
};

/** --device / --device-file (not both; neither is the default device). */
export function deviceFromArgs(args: ParsedArgs, deviceFile = args.string('device-file')): ResolvedProfile {
  return getDevice(args.string('device'), deviceFile);
}

/** --max-align and --max-sectors, when given. */
export function buildFromArgs(args: ParsedArgs): { maxAlign?: 8 | 16 | 32; maxSectors?: number } {
  const out: { maxAlign?: 8 | 16 | 32; maxSectors?: number } = {};
  const align = args.string('max-align');
  const sectors = args.string('max-sectors');
  if (align !== undefined) out.maxAlign = parseMaxAlign(parseInteger(align, '--max-align'));
  if (sectors !== undefined) out.maxSectors = parseMaxSectors(parseInteger(sectors, '--max-sectors'));
  return out;
}

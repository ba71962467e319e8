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

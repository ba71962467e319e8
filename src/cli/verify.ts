/**
 * `brickproof verify -k KEY IMAGE`: the bootloader's validation (hash, KEYHASH key
 * selection, signature, and with `--slot-size` the header and size limits of the chosen
 * strategy). Exit 0 accepted, 1 rejected (the message names the rule), 2 bad usage.
 */
import { CheckFailed, UsageError } from '../errors.js';
import { STRATEGIES, formatVersion, hex, verifyImage } from '../image/index.js';
import { isStrategy } from '../image/strategy.js';
import { type FlagSpecs, helpText, parseArgs, parseInteger } from './args.js';
import { printJson, readImageFile, readKeyFile } from './image-io.js';
import { readEncryptionKeyFile } from './options.js';

const SPECS: FlagSpecs = {
  key: { type: 'string', short: 'k', multiple: true, metavar: 'FILE', help: 'trusted key (public or private); repeatable; none = hash-only' },
  'slot-size': { type: 'string', short: 'S', metavar: 'N', help: 'slot size: check header bounds and maximum image size' },
  strategy: { type: 'string', metavar: 'NAME', help: `strategy for the size limit: ${STRATEGIES.join(', ')} (default swap-scratch)` },
  'sector-size': { type: 'string', metavar: 'N', help: 'sector size for the size limit (default 4096)' },
  align: { type: 'string', metavar: 'N', help: 'flash write size for the size limit (default 8)' },
  'max-align': { type: 'string', metavar: 'N', help: 'BOOT_MAX_ALIGN (default 8)' },
  'max-sectors': { type: 'string', short: 'M', metavar: 'N', help: 'BOOT_MAX_IMG_SECTORS (default 128)' },
  'security-counter': { type: 'string', metavar: 'N', help: 'stored security counter: SEC_CNT must be at least this' },
  'enc-key': { type: 'string', metavar: 'FILE', help: 'private encryption key (P-256 or X25519 PEM): an encrypted body is decrypted before it is hashed' },
  json: { type: 'boolean', help: 'print the result as JSON' },
};
const POSITIONAL = { min: 1, max: 1, names: ['IMAGE'] };

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPECS, POSITIONAL);
  if (args.bool('help')) {
    process.stdout.write(helpText('verify', 'Validate an image as MCUboot does.', SPECS, POSITIONAL));
    return 0;
  }
  const int = (flag: string) => {
    const v = args.string(flag);
    return v === undefined ? undefined : parseInteger(v, `--${flag}`, { min: 0 });
  };
  if (!args.has('slot-size')) {
    for (const flag of ['strategy', 'sector-size', 'align', 'max-align', 'max-sectors']) {
      if (args.has(flag)) throw new UsageError(`--${flag} does nothing without -S/--slot-size: it shapes the maximum image size, which is checked only for a given slot size`);
    }
  }
  const strategy = args.string('strategy') ?? 'swap-scratch';
  if (!isStrategy(strategy)) throw new UsageError(`--strategy '${strategy}' is not one of ${STRATEGIES.join(', ')}`);
  const keys = args.strings('key').map(readKeyFile);
  const path = args.positionals[0]!;
  const { bytes } = readImageFile(path, 'image');
  const result = await verifyImage(bytes, {
    keys,
    slotSize: int('slot-size'),
    strategy,
    geometry: { sectorSize: int('sector-size'), writeSize: int('align'), maxAlign: int('max-align'), maxSectors: int('max-sectors') },
    securityCounter: int('security-counter'),
    ...(args.has('enc-key') ? { encryptionKey: readEncryptionKeyFile(args.string('enc-key')!) } : {}),
  });

  if (args.bool('json')) {
    printJson(
      result.ok
        ? { ok: true, image: path, version: formatVersion(result.image.header.version), hash: result.hash, digest: result.digest, keyIndex: result.keyIndex ?? null, pure: result.pure, imageSize: result.imageSize, maxImageSize: result.maxImageSize ?? null }
        : { ok: false, image: path, code: result.code, message: result.message },
    );
    return result.ok ? 0 : 1;
  }
  if (!result.ok) throw new CheckFailed(`${path}: ${result.code}: ${result.message}`);
  process.stdout.write(`Image was correctly validated\nImage version: ${formatVersion(result.image.header.version)}\nImage digest: ${hex(result.digest)}\n`);
  return 0;
}

/**
 * `brickproof sign`: imgtool's `sign` with the same flag names, so a build script can call
 * either. Reads raw binary or Intel HEX (by extension), writes the same way.
 */
import { UsageError } from '../errors.js';
import { type CustomTlv, type Dependency, type HashName, type PrivateKey, parseImage, parseVersion, signImage, tlvName } from '../image/index.js';
import { type FlagSpecs, helpText, parseArgs, parseInteger } from './args.js';
import { printJson, readImageFile, readKeyFile, writeImageFile } from './image-io.js';
import { firmwareTlvs, parseBehaviour, parseBoard } from '../app/firmware.js';
import { readFileSync } from 'node:fs';
import { parseEncryptionPublicKey, type EncryptionPublicKey } from '../image/encryption.js';

/** imgtool's `-E` key file, or a one-line error naming it. */
function readEncryptionPublicKey(path: string): EncryptionPublicKey {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new UsageError(`cannot read encryption key '${path}' (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseEncryptionPublicKey(bytes, `encryption key '${path}'`);
}

const SPECS: FlagSpecs = {
  key: { type: 'string', short: 'k', metavar: 'FILE', help: 'private signing key (PKCS#8 PEM); none = hash-only image' },
  'public-key-format': { type: 'string', metavar: 'hash|full', help: 'KEYHASH TLV (hash, default) or the full PUBKEY' },
  align: { type: 'string', metavar: 'N', help: 'flash write size: 1, 2, 4, 8, 16, 32 (default 1)' },
  'max-align': { type: 'string', metavar: 'N', help: 'BOOT_MAX_ALIGN for the trailer: 8, 16, 32 (default max(8, align))' },
  version: { type: 'string', short: 'v', metavar: 'VER', help: 'image version MAJOR.MINOR.REVISION+BUILD (default 0.0.0)' },
  'security-counter': { type: 'string', short: 's', metavar: 'N|auto', help: 'add a SEC_CNT TLV; auto = from the version' },
  dependencies: { type: 'string', short: 'd', metavar: '"(ID,VER)…"', help: 'DEPENDENCY TLVs, e.g. "(1,2.0.0+0)"' },
  'pad-sig': { type: 'boolean', help: 'pad ECDSA signatures to 72 bytes' },
  'header-size': { type: 'string', short: 'H', metavar: 'N', help: 'header size (required)' },
  'pad-header': { type: 'boolean', help: 'prepend the header area instead of expecting zeros in the input' },
  'slot-size': { type: 'string', short: 'S', metavar: 'N', help: 'slot size: image + trailer must fit' },
  pad: { type: 'boolean', help: 'pad to the slot size and write the trailer magic (test upgrade)' },
  confirm: { type: 'boolean', help: 'also set image_ok (permanent upgrade); implies --pad' },
  'max-sectors': { type: 'string', short: 'M', metavar: 'N', help: 'sectors the trailer status area covers (default 128)' },
  'overwrite-only': { type: 'boolean', help: 'use the overwrite-only trailer size' },
  endian: { type: 'string', short: 'e', metavar: 'little', help: 'byte order (only little is supported)' },
  'erased-val': { type: 'string', short: 'R', metavar: '0|0xff', help: 'value of erased flash (default 0xff)' },
  'load-addr': { type: 'string', short: 'L', metavar: 'ADDR', help: 'RAM load address (sets RAM_LOAD)' },
  'rom-fixed': { type: 'string', metavar: 'ADDR', help: 'flash address the image is linked for (sets ROM_FIXED)' },
  'hex-addr': { type: 'string', short: 'x', metavar: 'ADDR', help: 'base address of a .hex output' },
  'custom-tlv': { type: 'string', arity: 2, multiple: true, metavar: 'TAG VALUE', help: 'protected TLV 0xa0..0xfffe; VALUE 0x-hex or text' },
  'non-bootable': { type: 'boolean', help: 'mark the image non-bootable' },
  sha: { type: 'string', metavar: '256|384|512', help: 'image hash (default 256)' },
  pure: { type: 'boolean', help: 'Ed25519 over the image itself (SIG_PURE)' },
  behaviour: { type: 'string', metavar: 'NAME', help: 'simulated firmware behaviour (protected TLV 0x00b1): healthy, crash-at-boot, fail-health-check, hang, send-fails' },
  board: { type: 'string', metavar: 'ID', help: 'board id the image is built for (protected TLV 0x00b2); none = any board' },
  encrypt: { type: 'string', short: 'E', metavar: 'FILE', help: 'encrypt the body for this P-256 or X25519 public key (ECIES; ENC_EC256 / ENC_X25519 TLV)' },
  'encrypt-keylen': { type: 'string', metavar: '128|256', help: 'AES key length with -E (default 128)' },
  clear: { type: 'boolean', help: 'with -E: the ENC TLV and flag, the body left in the clear (an image flashed into a primary)' },
  json: { type: 'boolean', help: 'print a JSON summary on stdout' },
};
const POSITIONAL = { min: 2, max: 2, names: ['INFILE', 'OUTFILE'] };

export function parseDependencies(text: string): Dependency[] {
  const re = /\(\s*(\d+)\s*,\s*([^)\s]+)\s*\)/g;
  const deps: Dependency[] = [];
  let rest = text;
  for (const m of text.matchAll(re)) {
    deps.push({ imageId: Number(m[1]), version: parseVersion(m[2]!) });
    rest = rest.replace(m[0], '');
  }
  if (deps.length === 0 || rest.replace(/[\s,]/g, '') !== '') {
    throw new UsageError(`--dependencies '${text}' is not a list of (IMAGE_ID,VERSION) pairs, e.g. "(1,2.0.0+0)"`);
  }
  return deps;
}

/** imgtool's custom TLV value: `0x…` is hex bytes, anything else is UTF-8 text. */
export function parseCustomTlv([tagText, valueText]: string[]): CustomTlv {
  const type = parseInteger(tagText!, '--custom-tlv tag');
  let value: Uint8Array;
  if (valueText!.startsWith('0x')) {
    const digits = valueText!.slice(2);
    if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) throw new UsageError(`--custom-tlv ${tagText} value '${valueText}' is not an even number of hex digits`);
    value = Uint8Array.from(digits.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
  } else {
    value = new TextEncoder().encode(valueText);
  }
  return { type, value };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPECS, POSITIONAL);
  if (args.bool('help')) {
    process.stdout.write(helpText('sign', 'Build and sign an MCUboot image (imgtool-compatible flags).', SPECS, POSITIONAL));
    return 0;
  }
  const [infile, outfile] = args.positionals as [string, string];
  const int = (flag: string, range?: { min?: number; max?: number }) => {
    const v = args.string(flag);
    return v === undefined ? undefined : parseInteger(v, `--${flag}`, range);
  };

  const headerSize = int('header-size');
  if (headerSize === undefined) throw new UsageError('--header-size is required');
  const endian = args.string('endian');
  if (endian !== undefined && endian !== 'little') throw new UsageError(`--endian '${endian}' is not supported (expected little)`);
  const format = args.string('public-key-format') ?? 'hash';
  if (format !== 'hash' && format !== 'full') throw new UsageError(`--public-key-format '${format}' is not hash or full`);
  const shaText = args.string('sha') ?? '256';
  const sha = ({ '256': 'sha256', '384': 'sha384', '512': 'sha512', auto: 'sha256' } as Record<string, HashName>)[shaText];
  if (!sha) throw new UsageError(`--sha '${shaText}' is not 256, 384 or 512`);
  const erasedText = args.string('erased-val');
  if (erasedText !== undefined && !['0', '0xff', '0xFF', '255'].includes(erasedText)) throw new UsageError(`--erased-val '${erasedText}' is not 0 or 0xff`);
  const sc = args.string('security-counter');
  const key: PrivateKey | undefined = args.has('key') ? toPrivate(readKeyFile(args.string('key')!), args.string('key')!) : undefined;

  const keylenText = args.string('encrypt-keylen');
  if (keylenText !== undefined && keylenText !== '128' && keylenText !== '256') throw new UsageError(`--encrypt-keylen '${keylenText}' must be 128 or 256`);
  if ((keylenText !== undefined || args.bool('clear')) && !args.has('encrypt')) throw new UsageError(`${args.bool('clear') ? '--clear' : '--encrypt-keylen'} needs -E KEY`);
  const encryptTo = args.has('encrypt') ? readEncryptionPublicKey(args.string('encrypt')!) : undefined;

  const input = readImageFile(infile);
  const image = await signImage(input.bytes, {
    key,
    headerSize,
    padHeader: args.bool('pad-header'),
    align: int('align'),
    maxAlign: int('max-align'),
    version: args.string('version'),
    securityCounter: sc === undefined ? undefined : sc === 'auto' ? 'auto' : parseInteger(sc, '--security-counter', { min: 0, max: 0xffffffff }),
    dependencies: args.has('dependencies') ? parseDependencies(args.string('dependencies')!) : undefined,
    customTlvs: [
      ...args.tuples('custom-tlv').map(parseCustomTlv),
      ...firmwareTlvs({ behaviour: args.has('behaviour') ? parseBehaviour(args.string('behaviour')!) : undefined, board: args.has('board') ? parseBoard(args.string('board')!) : undefined }),
    ],
    slotSize: int('slot-size', { min: 1 }),
    pad: args.bool('pad'),
    confirm: args.bool('confirm'),
    overwriteOnly: args.bool('overwrite-only'),
    erasedVal: erasedText === undefined ? undefined : parseInteger(erasedText, '--erased-val'),
    loadAddr: int('load-addr', { min: 0, max: 0xffffffff }),
    romFixed: int('rom-fixed', { min: 0, max: 0xffffffff }),
    nonBootable: args.bool('non-bootable'),
    publicKeyFormat: format,
    pure: args.bool('pure'),
    maxSectors: int('max-sectors', { min: 1 }),
    padSig: args.bool('pad-sig'),
    hash: sha,
    ...(encryptTo ? { encryptTo, encryptKeyLen: keylenText === '256' ? 32 : 16, clear: args.bool('clear') } : {}),
  });
  writeImageFile(outfile, image, int('hex-addr') ?? input.baseAddr);

  if (args.bool('json')) {
    const parsed = parseImage(image);
    const hashTlv = parsed.tlvs.entries[0]!;
    printJson({
      output: outfile,
      size: image.length,
      imageSize: parsed.imageEnd,
      hash: { type: tlvName(hashTlv.type), value: hashTlv.value },
      key: key ? { type: key.type } : null,
      tlvs: [...(parsed.protectedTlvs?.entries ?? []), ...parsed.tlvs.entries].map((e) => ({ type: e.type, name: tlvName(e.type), len: e.value.length })),
    });
  }
  return 0;
}

function toPrivate(key: ReturnType<typeof readKeyFile>, path: string): PrivateKey {
  if (key.kind !== 'private') throw new UsageError(`key file '${path}' holds a public key; signing needs the private key`);
  return key;
}

/**
 * `brickproof getpub -k FILE [-e lang-c|pem|raw] [-o OUT]`: the public key of a key file.
 * `raw` is the DER MCUboot embeds and hashes (SubjectPublicKeyInfo, PKCS#1 for RSA);
 * `lang-c` (the default, as in imgtool) is the same bytes as a C array.
 */
import { UsageError } from '../errors.js';
import { publicKeyCArray, publicKeyOf, publicKeyPem } from '../image/index.js';
import { type FlagSpecs, helpText, parseArgs } from './args.js';
import { printJson, readKeyFile, writeTextFile } from './image-io.js';

const ENCODINGS = ['lang-c', 'pem', 'raw'] as const;
const SPECS: FlagSpecs = {
  key: { type: 'string', short: 'k', metavar: 'FILE', help: 'key file (private or public; required)' },
  encoding: { type: 'string', short: 'e', metavar: 'ENC', help: `output encoding: ${ENCODINGS.join(', ')} (default lang-c)` },
  output: { type: 'string', short: 'o', metavar: 'FILE', help: 'write to FILE instead of stdout' },
  json: { type: 'boolean', help: 'print type, DER (hex) and PEM as JSON' },
};

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPECS);
  if (args.bool('help')) {
    process.stdout.write(helpText('getpub', 'Print the public key of a key file.', SPECS));
    return 0;
  }
  const path = args.string('key');
  if (!path) throw new UsageError('--key FILE is required');
  const encoding = args.string('encoding') ?? 'lang-c';
  if (!(ENCODINGS as readonly string[]).includes(encoding)) throw new UsageError(`--encoding '${encoding}' is not one of ${ENCODINGS.join(', ')}`);
  const pub = publicKeyOf(readKeyFile(path));
  if (args.bool('json')) {
    printJson({ key: path, type: pub.type, der: pub.keyBytes, pem: publicKeyPem(pub) });
    return 0;
  }
  const out: string | Uint8Array = encoding === 'raw' ? pub.keyBytes : encoding === 'pem' ? publicKeyPem(pub) : publicKeyCArray(pub);
  const target = args.string('output');
  if (target) writeTextFile(target, out);
  else process.stdout.write(out);
  return 0;
}

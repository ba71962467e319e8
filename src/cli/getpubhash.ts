/**
 * `brickproof getpubhash -k FILE [-e lang-c|raw] [-o OUT]`: the KEYHASH MCUboot compares,
 * SHA-256 of the key bytes `getpub -e raw` prints.
 */
import { UsageError } from '../errors.js';
import { cArray } from '../image/keys.js';
import { keyHash, publicKeyOf } from '../image/index.js';
import { type FlagSpecs, helpText, parseArgs } from './args.js';
import { printJson, readKeyFile, writeTextFile } from './image-io.js';

const ENCODINGS = ['lang-c', 'raw'] as const;
const SPECS: FlagSpecs = {
  key: { type: 'string', short: 'k', metavar: 'FILE', help: 'key file (private or public; required)' },
  encoding: { type: 'string', short: 'e', metavar: 'ENC', help: `output encoding: ${ENCODINGS.join(', ')} (default lang-c)` },
  output: { type: 'string', short: 'o', metavar: 'FILE', help: 'write to FILE instead of stdout' },
  json: { type: 'boolean', help: 'print type and hash (hex) as JSON' },
};

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPECS);
  if (args.bool('help')) {
    process.stdout.write(helpText('getpubhash', 'Print the KEYHASH of a key file.', SPECS));
    return 0;
  }
  const path = args.string('key');
  if (!path) throw new UsageError('--key FILE is required');
  const encoding = args.string('encoding') ?? 'lang-c';
  if (!(ENCODINGS as readonly string[]).includes(encoding)) throw new UsageError(`--encoding '${encoding}' is not one of ${ENCODINGS.join(', ')}`);
  const key = readKeyFile(path);
  const hash = keyHash(key);
  if (args.bool('json')) {
    printJson({ key: path, type: publicKeyOf(key).type, hash });
    return 0;
  }
  const name = `${publicKeyOf(key).type.replace(/-.*/, '')}_pub_key_hash`;
  const out = encoding === 'raw' ? hash : cArray(name, hash);
  const target = args.string('output');
  if (target) writeTextFile(target, out);
  else process.stdout.write(out);
  return 0;
}

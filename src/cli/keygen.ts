/**
 * `brickproof keygen -k FILE -t TYPE`: a new private key as a PKCS#8 PEM file, as imgtool
 * writes it — readable by its owner only (mode 0600), and never over an existing file
 * unless `--force`.
 */
import { UsageError } from '../errors.js';
import { KEY_TYPES, generateKey, isKeyType, keyHash, privateKeyPem } from '../image/index.js';
import { type FlagSpecs, helpText, parseArgs } from './args.js';
import { checkOutputPath, printJson, writeTextFile } from './image-io.js';

const SPECS: FlagSpecs = {
  key: { type: 'string', short: 'k', metavar: 'FILE', help: 'where to write the private key (required)' },
  type: { type: 'string', short: 't', metavar: 'TYPE', help: `key type: ${KEY_TYPES.join(', ')}` },
  password: { type: 'boolean', short: 'p', help: 'encrypt the key with a password (not supported)' },
  force: { type: 'boolean', help: 'overwrite an existing key file' },
  json: { type: 'boolean', help: 'print the key type and KEYHASH as JSON' },
};

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPECS);
  if (args.bool('help')) {
    process.stdout.write(helpText('keygen', 'Generate a signing key.', SPECS));
    return 0;
  }
  const path = args.string('key');
  const type = args.string('type');
  if (!path) throw new UsageError('--key FILE is required');
  if (!type) throw new UsageError(`--type is required (one of: ${KEY_TYPES.join(', ')})`);
  if (!isKeyType(type)) throw new UsageError(`unknown key type '${type}' (expected one of: ${KEY_TYPES.join(', ')})`);
  if (args.bool('password')) throw new UsageError('--password: encrypted key files are not supported');
  // A signing key overwritten by accident is a release that can no longer be signed.
  checkOutputPath(path, '--key', { overwrite: args.bool('force') });
  const key = await generateKey(type);
  writeTextFile(path, privateKeyPem(key), 0o600);
  if (args.bool('json')) printJson({ key: path, type, keyHash: keyHash(key) });
  return 0;
}

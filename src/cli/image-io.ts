/**
 * File input and output for the image commands, as imgtool does it: a `.hex` extension
 * means Intel HEX (its data from the lowest address, gaps filled with 0xff), anything else
 * raw binary. Outputs are written atomically, so a failed command leaves no file behind.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import intelHex from 'nrf-intel-hex';
import { UsageError } from '../errors.js';
import { type Key, parseKey } from '../image/index.js';
import { writeFileAtomic } from '../node/atomic-write.js';

// nrf-intel-hex is CommonJS (`module.exports = MemoryMap`) while its typings declare an ES
// default export, so under NodeNext the default import is typed as the module namespace.
type MemoryMapClass = typeof intelHex.default;
type MemoryMap = InstanceType<MemoryMapClass>;
const MemoryMap: MemoryMapClass = (intelHex as unknown as { default?: MemoryMapClass }).default ?? (intelHex as unknown as MemoryMapClass);

export const isHexPath = (path: string): boolean => path.toLowerCase().endsWith('.hex');

function readBytes(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${what} '${path}'${code ? ` (${code})` : ''}`);
  }
}

/** The bytes of an image or firmware file, and the address a .hex file placed them at. */
export function readImageFile(path: string, what = 'input'): { bytes: Uint8Array; baseAddr: number } {
  const raw = readBytes(path, what);
  if (!isHexPath(path)) return { bytes: raw, baseAddr: 0 };
  let map: MemoryMap;
  try {
    map = MemoryMap.fromHex(new TextDecoder().decode(raw));
  } catch (e) {
    throw new UsageError(`${what} '${path}' is not valid Intel HEX: ${(e as Error).message}`);
  }
  const addrs = [...map.keys()];
  if (addrs.length === 0) return { bytes: new Uint8Array(0), baseAddr: 0 };
  const start = Math.min(...addrs);
  const end = Math.max(...[...map].map(([a, b]) => a + b.length));
  return { bytes: map.slicePad(start, end - start, 0xff), baseAddr: start };
}

/** Writes `bytes` to `path` (Intel HEX at `baseAddr` for .hex), whole or not at all. */
export function writeImageFile(path: string, bytes: Uint8Array, baseAddr = 0): void {
  try {
    if (isHexPath(path)) {
      const map = new MemoryMap([[baseAddr, bytes]]);
      writeFileAtomic(path, `${map.asHexString()}\n`);
    } else {
      writeFileAtomic(path, bytes);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write '${path}'${code ? ` (${code})` : ''}`);
  }
}

/**
 * Refuses an output path that cannot be written, before the command does its work: a
 * missing folder, a folder where the file should go. `flag` names the option in the message.
 * With `overwrite: false`, an existing file is refused too (`--force` says otherwise).
 */
export function checkOutputPath(path: string, flag: string, o: { overwrite?: boolean } = {}): void {
  const dir = dirname(path);
  if (!existsSync(dir)) throw new UsageError(`${flag} '${path}': folder '${dir}' does not exist`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${flag} '${path}': '${dir}' is not a folder`);
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) throw new UsageError(`${flag} '${path}' is a folder`);
  if (o.overwrite === false) throw new UsageError(`${flag} '${path}' already exists (--force overwrites it)`);
}

/** Writes a text or binary file whole (`mode` for a private key: 0o600). */
export function writeTextFile(path: string, data: string | Uint8Array, mode?: number): void {
  try {
    writeFileAtomic(path, data, mode);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write '${path}'${code ? ` (${code})` : ''}`);
  }
}

export function readKeyFile(path: string): Key {
  return parseKey(readBytes(path, 'key file'), `key file '${path}'`);
}

export { printJson } from './output.js';

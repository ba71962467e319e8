/**
 * The compiled WebAssembly module: compiled once per process (or browser page), and the
 * facts about it every instance needs (where its own data starts, how many pages it wants).
 */
import { CTRL } from '../ctrl-layout.js';

let compiled: WebAssembly.Module | undefined;

/** Where the Node build keeps the module: build/ beside src/ (and beside dist/). */
const DEFAULT_WASM_URL = new URL('../../build/brickproof.wasm', import.meta.url);

type WasmSource = WebAssembly.Module | BufferSource | URL | string | Response;

/**
 * Compiles the core once per process (or browser page). In Node it is optional: the first
 * use compiles build/brickproof.wasm synchronously. In a browser call it first, with the
 * module's URL, its bytes or a fetch Response.
 */
export async function initCore(source?: WasmSource): Promise<void> {
  if (source instanceof WebAssembly.Module) {
    compiled = source;
    return;
  }
  if (source === undefined) {
    compiled = compiledModule();
    return;
  }
  if (typeof Response !== 'undefined' && source instanceof Response) {
    compiled = await WebAssembly.compile(await source.arrayBuffer());
    return;
  }
  if (source instanceof URL || typeof source === 'string') {
    const url = source instanceof URL ? source : new URL(source, typeof location !== 'undefined' ? location.href : undefined);
    if (url.protocol === 'file:') {
      compiled = new WebAssembly.Module(new Uint8Array(nodeFs().readFileSync(url)));
    } else {
      compiled = await WebAssembly.compile(await (await fetch(url)).arrayBuffer());
    }
    return;
  }
  compiled = await WebAssembly.compile(source as BufferSource);
}

/**
 * Node's fs without importing it (the package entry must load in a browser): through
 * `process.getBuiltinModule`, present from Node 20.16 / 22.3.
 */
function nodeFs(): typeof import('node:fs') {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  if (!fs) throw new Error('brickproof: call `await initCore(wasmUrlOrBytes)` before using the core outside Node');
  return fs;
}

/** The compiled module; in Node, compiled from build/ on first use. */
export function compiledModule(): WebAssembly.Module {
  if (!compiled) {
    const fs = nodeFs();
    let bytes: Uint8Array;
    try {
      bytes = fs.readFileSync(DEFAULT_WASM_URL);
    } catch {
      throw new Error(`brickproof: the WebAssembly core is not built (${DEFAULT_WASM_URL.pathname}); run \`npm run asbuild\``);
    }
    compiled = new WebAssembly.Module(new Uint8Array(bytes));
  }
  return compiled;
}

/**
 * Host functions the core imports (signature checks and decryption, src/device/host.ts).
 * Instances that never validate an image (hashing, probing) get these refusing defaults.
 */
export const NO_HOST = { hostFindKey: () => -1, hostVerify: () => 0, hostUnwrapKey: () => 0, hostAesCtr: () => {} };

export const PAGE = 65536;

/**
 * Where the module's own data starts (ARENA_LIMIT) and how many pages its memory needs to be
 * instantiated: the arena and one page for its data, which is what the module's memory import
 * asks for (asconfig.json initialMemory; test/core.test.ts checks the two agree). Its heap
 * grows the memory itself. Read from src/ctrl-layout.ts, which the build generates from the
 * assembly/ctrl.ts the module is compiled from — not from a probe instance, whose 64 MiB
 * memory cost 3–6 ms of every command's start; the first Core checks that the module it
 * runs says the same (a module from another build is refused there).
 */
export function moduleInfo(): { arenaLimit: number; pages: number } {
  return { arenaLimit: CTRL.ARENA_LIMIT, pages: CTRL.ARENA_LIMIT / PAGE + 1 };
}

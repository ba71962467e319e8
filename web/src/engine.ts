/**
 * The WebAssembly core, compiled once per page and once per worker from the file Vite ships
 * beside the page (no network beyond the page's own host).
 */
import { initCore } from 'brickproof';
import wasmUrl from '../../build/brickproof.wasm?url';

let ready: Promise<void> | undefined;

export function engineReady(): Promise<void> {
  return (ready ??= initCore(new URL(wasmUrl, self.location.href)));
}

// The brickproof WebAssembly core: what the host (src/core.ts) may call.
//
// Kept deliberately short. Every reboot is a new instance, and V8 builds a JS wrapper for
// each exported function when it instantiates: measured, about 1 µs per export (a module
// with 30 trivial exports instantiates in ~28 µs, with one in ~3 µs). The control block's
// layout reaches the host through src/ctrl-layout.ts (generated), not as exported globals.
export { ARENA_LIMIT, heapBase } from './ctrl';
export { flashWrite, flashErase, flashRead } from './flash';
export { sha256, sha256Init, sha256Update, sha256Final } from './sha256';
export { boot, maxImageSize as bootMaxImageSize } from './boot';
export { appSetPending, appSetConfirmed } from './app';
export { bench } from './bench';

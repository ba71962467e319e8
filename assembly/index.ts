// The brickproof WebAssembly core: what the host (src/core.ts) may call.
// The control block's layout reaches the host through src/ctrl-layout.ts (generated), not
// as exported globals: each export makes every new instance (every reboot) slower.
export { ARENA_LIMIT, heapBase } from './ctrl';
export {
  flashWrite, flashErase, flashRead, flashIsErased, areaExists, areaSectorCount, areaSectorOff,
  areaSectorSize, areaSectorIndex, nextRandom,
} from './flash';
export { sha256, sha256Init, sha256Update, sha256Final } from './sha256';
export { boot, swapTypeFromTrailers } from './boot';
export { appSetPending, appSetConfirmed } from './app';
export { maxImageSize as bootMaxImageSize } from './boot';
export { benchFlashPasses, benchCopyPasses, benchMoveBytes } from './bench';

// The brickproof WebAssembly core: what the host (src/core.ts) may call.
export * from './ctrl';
export {
  flashWrite, flashErase, flashRead, flashIsErased, areaExists, areaSectorCount, areaSectorOff,
  areaSectorSize, areaSectorIndex, nextRandom,
} from './flash';
export { sha256, sha256Init, sha256Update, sha256Final } from './sha256';
export { boot, swapTypeFromTrailers } from './boot';
export { appSetPending, appSetConfirmed } from './app';
export { maxImageSize as bootMaxImageSize } from './boot';
export { benchFlashPasses, benchCopyPasses } from './bench';

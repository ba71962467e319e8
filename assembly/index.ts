// The brickproof WebAssembly core: what the host (src/core.ts) may call, through one
// exported function.
//
// Every reboot is a new instance, and V8 builds a JS wrapper for each exported function at
// every instantiation: measured, about 1 µs per export (a module with 30 trivial exports
// instantiates in ~28 µs, with one in ~3 µs). So the host calls `call(fn, a, b, c, d)` with
// an FN_* selector (assembly/ctrl.ts, mirrored into src/ctrl-layout.ts by the build), and
// src/core.ts turns that back into named, typed methods.
import {
  ARENA_LIMIT, FN_APP_SET_CONFIRMED, FN_APP_SET_NEXT, FN_APP_SET_PENDING, FN_ARENA_LIMIT, FN_BENCH, FN_BOOT, FN_FLASH_ERASE, FN_FLASH_READ,
  FN_FLASH_DIGEST, FN_FLASH_WRITE, FN_SNAPSHOT_APPLY, FN_SNAPSHOT_DIGEST, FN_SNAPSHOT_RESTORE, FN_MAX_IMAGE_SIZE, FN_SHA256, FN_SHA256_FINAL, FN_SHA256_INIT, FN_SHA256_UPDATE,
} from './ctrl';
import { flashDigest, flashErase, flashRead, flashWrite, snapshotApply, snapshotDigest, snapshotRestore } from './flash';
import { sha256, sha256Final, sha256Init, sha256Update } from './sha256';
import { boot } from './boot/boot';
import { chooseStrategy } from './swap/registry';
import { appSetConfirmed, appSetNext, appSetPending } from './app';
import { bench } from './bench';

export function call(fn: u32, a: u32, b: u32, c: u32, d: u32): u32 {
  switch (fn) {
    case FN_FLASH_WRITE: return <u32>flashWrite(a, b, <usize>c, d);
    case FN_FLASH_ERASE: flashErase(a, b, c); return 0;
    case FN_FLASH_READ: flashRead(a, b, <usize>c, d); return 0;
    case FN_SHA256: sha256(<usize>a, <usize>b, <usize>c); return 0;
    case FN_SHA256_INIT: sha256Init(); return 0;
    case FN_SHA256_UPDATE: sha256Update(<usize>a, <usize>b); return 0;
    case FN_SHA256_FINAL: sha256Final(<usize>a); return 0;
    case FN_BOOT: return <u32>boot();
    case FN_MAX_IMAGE_SIZE: return chooseStrategy().maxImageSize(<i32>a);
    case FN_APP_SET_PENDING: return <u32>appSetPending(a != 0);
    case FN_APP_SET_CONFIRMED: return <u32>appSetConfirmed();
    case FN_APP_SET_NEXT: return <u32>appSetNext(a, b != 0, c != 0);
    case FN_BENCH: return bench(a, b, c, d);
    case FN_ARENA_LIMIT: return ARENA_LIMIT;
    case FN_FLASH_DIGEST: flashDigest(); return 0;
    case FN_SNAPSHOT_APPLY: snapshotApply(<usize>a, b, c, d); return 0;
    case FN_SNAPSHOT_RESTORE: snapshotRestore(<usize>a); return 0;
    case FN_SNAPSHOT_DIGEST: snapshotDigest(<usize>a); return 0;
  }
  throw new Error('unknown core function');
}

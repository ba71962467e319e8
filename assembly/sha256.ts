// SHA-256 (FIPS 180-4), streaming, reading its input in place: the bootloader hashes an
// image straight out of the flash memory, with no copy. One hashing context per instance
// (a boot hashes one region at a time).

import { compressBlocks } from './sha256-compress';

// FIPS 180-4 §5.3.3: first 32 bits of the fractional parts of the square roots of the first
// 8 primes.
const H0: u32 = 0x6a09e667, H1: u32 = 0xbb67ae85, H2: u32 = 0x3c6ef372, H3: u32 = 0xa54ff53a;
const H4: u32 = 0x510e527f, H5: u32 = 0x9b05688c, H6: u32 = 0x1f83d9ab, H7: u32 = 0x5be0cd19;

const state: usize = memory.data(32);
const pending: usize = memory.data(64); // a partial block waiting for more input
let pendingLen: usize = 0;
let totalLen: u64 = 0;

export function sha256Init(): void {
  store<u32>(state, H0, 0); store<u32>(state, H1, 4); store<u32>(state, H2, 8); store<u32>(state, H3, 12);
  store<u32>(state, H4, 16); store<u32>(state, H5, 20); store<u32>(state, H6, 24); store<u32>(state, H7, 28);
  pendingLen = 0;
  totalLen = 0;
}

export function sha256Update(p: usize, len: usize): void {
  totalLen += <u64>len;
  if (pendingLen > 0) {
    const take = min<usize>(64 - pendingLen, len);
    memory.copy(pending + pendingLen, p, take);
    pendingLen += take;
    p += take;
    len -= take;
    if (pendingLen < 64) return;
    compressBlocks(state, pending, 1);
    pendingLen = 0;
  }
  const blocks = len >> 6;
  if (blocks > 0) compressBlocks(state, p, blocks);
  const rest = len & 63;
  if (rest > 0) {
    memory.copy(pending, p + (blocks << 6), rest);
    pendingLen = rest;
  }
}

/** Pads (FIPS 180-4 §5.1.1), compresses the last block(s) and writes the 32-byte digest to `out`. */
export function sha256Final(out: usize): void {
  const bits = totalLen << 3;
  store<u8>(pending + pendingLen, 0x80);
  pendingLen++;
  if (pendingLen > 56) {
    memory.fill(pending + pendingLen, 0, 64 - pendingLen);
    compressBlocks(state, pending, 1);
    pendingLen = 0;
  }
  memory.fill(pending + pendingLen, 0, 56 - pendingLen);
  store<u64>(pending, bswap<u64>(bits), 56);
  compressBlocks(state, pending, 1);
  for (let i: usize = 0; i < 32; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(state + i)));
  pendingLen = 0;
}

export function sha256(p: usize, len: usize, out: usize): void {
  sha256Init();
  sha256Update(p, len);
  sha256Final(out);
}

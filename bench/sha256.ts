/**
 * SHA-256 throughput: brickproof's WebAssembly core against hash-wasm (C compiled to
 * WebAssembly), @noble/hashes (plain JS) and node:crypto (OpenSSL, native), on 1 KiB
 * (per-call overhead: a header, a TLV area), 64 KiB and 16 MiB (a whole slot).
 * Targets: brickproof at least 1.2× hash-wasm on 16 MiB and 1.0× on 1 KiB.
 */
import { createHash } from 'node:crypto';
import { createSHA256 } from 'hash-wasm';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { sha256 as brickproofSha256 } from '../src/core/index.js';
import { printTable, round3, timeEach, writeResults, type Row } from './report.js';

const SIZES = [
  { label: '1 KiB', bytes: 1 << 10 },
  { label: '64 KiB', bytes: 64 << 10 },
  { label: '16 MiB', bytes: 16 << 20 },
];

/** Deterministic filler (xorshift32): the bytes do not matter to SHA-256's speed, but repeatability does. */
function fill(n: number, seed = 0x2545f491): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export async function run(): Promise<void> {
  const hashWasm = await createSHA256();
  const impls: Record<string, (d: Uint8Array) => Uint8Array> = {
    brickproof: (d) => brickproofSha256(d),
    'hash-wasm': (d) => hashWasm.init().update(d).digest('binary'),
    '@noble/hashes': (d) => nobleSha256(d),
    'node:crypto': (d) => createHash('sha256').update(d).digest(),
  };

  const rows: Row[] = [];
  const results: Array<Record<string, string | number>> = [];
  for (const size of SIZES) {
    const data = fill(size.bytes);
    const expected = hex(impls['node:crypto'](data));
    for (const [name, f] of Object.entries(impls)) {
      if (hex(f(data)) !== expected) throw new Error(`${name} gives a wrong SHA-256 on ${size.label}`);
    }
    const fns = Object.fromEntries(Object.entries(impls).map(([name, f]) => [name, () => f(data)]));
    const big = size.bytes >= 1 << 20;
    const ms = timeEach(fns, big ? { samples: 9, sampleMs: 1 } : { samples: 15, sampleMs: 40 });
    for (const name of Object.keys(impls)) {
      const mbs = size.bytes / 1e6 / (ms[name] / 1e3);
      const ratio = ms['hash-wasm'] / ms[name];
      rows.push({ size: size.label, implementation: name, 'MB/s': round3(mbs), 'µs/call': round3(ms[name] * 1e3), '× hash-wasm': round3(ratio) });
      results.push({ size: size.label, bytes: size.bytes, implementation: name, mbPerSec: round3(mbs), usPerCall: round3(ms[name] * 1e3), ratioToHashWasm: round3(ratio) });
    }
  }
  printTable('SHA-256 (median of repeated runs; × hash-wasm > 1 is faster)', rows);
  const ratio = (label: string) => results.find((r) => r.size === label && r.implementation === 'brickproof')!.ratioToHashWasm as number;
  const targets = [
    { size: '16 MiB', atLeast: 1.2, measured: ratio('16 MiB') },
    { size: '1 KiB', atLeast: 1.0, measured: ratio('1 KiB') },
  ].map((t) => ({ ...t, met: t.measured >= t.atLeast }));
  for (const t of targets) console.log(`target brickproof ≥ ${t.atLeast}× hash-wasm on ${t.size}: ${t.measured}× — ${t.met ? 'met' : 'NOT met'}`);
  writeResults('sha256', { unit: { mbPerSec: '1e6 bytes per second', usPerCall: 'microseconds' }, results, targets });
}

if (process.argv[1] && /bench[\\/]sha256\.ts$/.test(process.argv[1])) await run();

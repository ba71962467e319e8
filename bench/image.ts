/**
 * Verifying a 1 MiB signed image (ECDSA P-256, Ed25519, and RSA-2048 for comparison): ms per
 * `verifyImage`, split into hashing the hashed region (WebAssembly SHA-256) and checking
 * the signature. Keys are the imgtool test keys from test/fixtures/vectors/imgtool/keys.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type PrivateKey, parseImage, parseKey, signImage, verifyImage } from '../src/image/index.js';
import { digest } from '../src/image/digest.js';
import { SIGNATURE_TLVS } from '../src/image/layout.js';
import { verifySignature } from '../src/image/signature.js';
import { median, printTable, round3, timePerCall, writeResults, type Row } from './report.js';

const keysDir = fileURLToPath(new URL('../test/fixtures/vectors/imgtool/keys/', import.meta.url));
const BODY = 1 << 20;
const HEADER = 0x200;

/** Median ms per call of an async function, over `samples` timed batches after a warm-up. */
async function timeAsync(fn: () => Promise<unknown>, { samples = 9, warmup = 2, sampleMs = 200 } = {}): Promise<number> {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    if (performance.now() - t0 >= sampleMs / 4) break;
    n *= 2;
  }
  const times: number[] = [];
  for (let s = 0; s < warmup + samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    if (s >= warmup) times.push((performance.now() - t0) / n);
  }
  return median(times);
}

export async function run(): Promise<void> {
  const input = new Uint8Array(HEADER + BODY);
  for (let i = 0; i < BODY; i++) input[HEADER + i] = (i * 31 + 7) & 0xff;
  const rows: Row[] = [];
  const results: Record<string, unknown>[] = [];
  for (const name of ['ecdsa-p256', 'ed25519', 'rsa-2048']) {
    const key = parseKey(readFileSync(`${keysDir}${name}.pem`)) as PrivateKey;
    const bytes = await signImage(input, { key, headerSize: HEADER, align: 8, version: '1.0.0' });
    const image = parseImage(bytes);
    const region = bytes.subarray(0, image.hashedRegion.end);
    const sig = image.tlvs.entries.find((e) => SIGNATURE_TLVS.has(e.type))!;
    const d = digest('sha256', region);
    const check = await verifyImage(bytes, { keys: [key.publicKey], slotSize: 0x110000 });
    if (!check.ok) throw new Error(`${name} image does not verify: ${check.message}`);

    const total = await timeAsync(() => verifyImage(bytes, { keys: [key.publicKey], slotSize: 0x110000 }));
    const hashing = timePerCall(() => digest('sha256', region), { samples: 9, warmup: 2, sampleMs: 200 });
    const signature = await timeAsync(async () => verifySignature(key.publicKey, sig.type, sig.value, { digest: d, hashedRegion: region }));
    const row = { key: name, imageBytes: bytes.length, verifyMs: round3(total), hashMs: round3(hashing), signatureMs: round3(signature), otherMs: round3(Math.max(0, total - hashing - signature)) };
    rows.push(row);
    results.push(row);
  }
  printTable('verifyImage on a 1 MiB image (median ms per call)', rows);
  writeResults('image', { unit: { ms: 'milliseconds per verify' }, bodyBytes: BODY, results });
}

if (process.argv[1] && /bench[\\/]image\.ts$/.test(process.argv[1])) await run();

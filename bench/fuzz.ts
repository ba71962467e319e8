/**
 * 100 000 random mutations of good imgtool images (the generator of test/image/fuzz.test.ts):
 * how many were wrongly accepted (damage to the hashed region, hash or signature that
 * verify let through — must be 0), how many crashed the parser or verify (must be 0), and
 * the rate. `--runs N` and `--seed S` override the defaults.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseKey } from '../src/image/index.js';
import { makeBase, mutationArb, runMutation, type Mutation } from '../test/image/mutations.js';
import { printTable, round3, writeResults, type Row } from './report.js';

const vectorsDir = fileURLToPath(new URL('../test/fixtures/vectors/imgtool/', import.meta.url));
const BASES = ['none-1000-a1', 'ecdsa-4096-seccnt7', 'ecdsa-4096-deps', 'ed25519-4096-seccnt3', 'rsa-1000-a1', 'ecdsa-4096-a8-pad'];

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export async function run(): Promise<void> {
  const total = flag('runs', 100_000);
  const seed = flag('seed', 20260726);
  const manifest = JSON.parse(readFileSync(`${vectorsDir}manifest.json`, 'utf8')) as {
    keys: Record<string, { public_pem: string }>;
    vectors: { name: string; file: string; trusted_key: string; slot_size: number }[];
  };
  const rows: Row[] = [];
  const t0All = performance.now();
  const totals = { mutations: 0, mustReject: 0, rejected: 0, wronglyAccepted: 0, crashes: 0 };
  const failures: { base: string; mutation: Mutation; what: string }[] = [];
  for (const [i, name] of BASES.entries()) {
    const v = manifest.vectors.find((x) => x.name === name)!;
    const keys = v.trusted_key === 'none' ? [] : [parseKey(readFileSync(`${vectorsDir}${manifest.keys[v.trusted_key]!.public_pem}`))];
    const base = makeBase(name, new Uint8Array(readFileSync(`${vectorsDir}${v.file}`)), keys, v.slot_size);
    const mutations = fc.sample(mutationArb(base), { numRuns: Math.floor(total / BASES.length) + (i < total % BASES.length ? 1 : 0), seed: seed + i });
    const counts = { mutations: 0, mustReject: 0, rejected: 0, wronglyAccepted: 0, crashes: 0 };
    const t0 = performance.now();
    for (const m of mutations) {
      const o = await runMutation(base, m);
      counts.mutations++;
      if (o.mustReject) counts.mustReject++;
      if (!o.accepted) counts.rejected++;
      if (o.mustReject && o.accepted) {
        counts.wronglyAccepted++;
        failures.push({ base: name, mutation: m, what: 'accepted' });
      }
      if (o.parserCrash || o.verifyCrash) {
        counts.crashes++;
        failures.push({ base: name, mutation: m, what: String(o.parserCrash ?? o.verifyCrash) });
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    rows.push({ image: name, ...counts, perSecond: round3(counts.mutations / seconds) });
    totals.mutations += counts.mutations;
    totals.mustReject += counts.mustReject;
    totals.rejected += counts.rejected;
    totals.wronglyAccepted += counts.wronglyAccepted;
    totals.crashes += counts.crashes;
  }
  const seconds = (performance.now() - t0All) / 1000;
  rows.push({ image: 'all', ...totals, perSecond: round3(totals.mutations / seconds) });
  printTable(`image fuzz: ${totals.mutations} mutations (seed ${seed}); wronglyAccepted and crashes must be 0`, rows);
  console.log(`wrongly accepted: ${totals.wronglyAccepted}, crashes: ${totals.crashes}, ${round3(totals.mutations / seconds)} mutations/s`);
  writeResults('fuzz', { seed, results: rows, wronglyAccepted: totals.wronglyAccepted, crashes: totals.crashes, mutationsPerSecond: round3(totals.mutations / seconds), failures: failures.slice(0, 20) });
  if (totals.wronglyAccepted > 0 || totals.crashes > 0) process.exitCode = 1;
}

if (process.argv[1] && /bench[\\/]fuzz\.ts$/.test(process.argv[1])) await run();

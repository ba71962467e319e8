/**
 * What every benchmark shares: timing (warm up, repeat, take the median), an aligned table
 * for people, and a JSON file for machines (bench/results/NAME.json, with the machine it
 * ran on so that two files can be compared honestly).
 */
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../src/node/atomic-write.js';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Row = Record<string, string | number>;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Median milliseconds per call of each function. Each function first runs for `warmupMs`
 * (so that V8 has tiered its JS and WebAssembly up to optimized code before any timing:
 * measured on the loaded 2-core machine, sha256() of 55 bytes timed from its first call
 * came out at 1.4 µs, and at 0.28 µs after a warm-up);
 * then each sample runs it enough times to last about `sampleMs`. The functions take turns
 * sample by sample, so that a change of machine load hits them all alike and their ratios
 * stay fair. The first `warmup` samples are dropped.
 */
export function timeEach<K extends string>(
  fns: Record<K, () => unknown>,
  { samples = 11, warmup = 0, warmupMs = 300, sampleMs = 50 } = {},
): Record<K, number> {
  const names = Object.keys(fns) as K[];
  const calls = {} as Record<K, number>;
  const times = {} as Record<K, number[]>;
  for (const name of names) {
    const fn = fns[name];
    const start = performance.now();
    let lateStart = 0;
    let lateCalls = 0;
    for (let now = start; now - start < warmupMs || lateCalls < 2; now = performance.now()) {
      fn();
      // Calibrate on the second half of the warm-up, when the code is optimized.
      if (!lateStart && now - start >= warmupMs / 2) lateStart = now;
      if (lateStart) lateCalls++;
    }
    const perCall = (performance.now() - lateStart) / lateCalls;
    calls[name] = Math.max(1, Math.round(sampleMs / perCall));
    times[name] = [];
  }
  for (let s = 0; s < warmup + samples; s++) {
    for (const name of names) {
      const fn = fns[name];
      const n = calls[name];
      const t0 = performance.now();
      for (let i = 0; i < n; i++) fn();
      if (s >= warmup) times[name].push((performance.now() - t0) / n);
    }
  }
  const out = {} as Record<K, number>;
  for (const name of names) out[name] = median(times[name]);
  return out;
}

/** Median milliseconds per call of one function (see timeEach). */
export function timePerCall(fn: () => unknown, options?: Parameters<typeof timeEach>[1]): number {
  return timeEach({ fn }, options).fn;
}

/** Prints rows as an aligned table: text columns left-aligned, numbers right-aligned. */
export function printTable(title: string, rows: Row[]): void {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | number | undefined) => (v === undefined ? '' : String(v));
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const isNum = cols.map((c) => rows.every((r) => r[c] === undefined || typeof r[c] === 'number'));
  const line = (vals: string[]) => vals.map((v, i) => (isNum[i] ? v.padStart(width[i]) : v.padEnd(width[i]))).join('  ').trimEnd();
  console.log(`\n${title}\n`);
  console.log(line(cols));
  console.log(line(width.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => cell(r[c]))));
  console.log();
}

export function machine() {
  const cpu = cpus();
  return { cpu: cpu[0]?.model.trim() ?? 'unknown', cores: cpu.length, node: process.version, platform: `${process.platform}-${process.arch}`, date: new Date().toISOString() };
}

/** Writes bench/results/NAME.json ({ bench, machine, ...data }) whole or not at all, and returns its path. */
export function writeResults(name: string, data: Record<string, unknown>): string {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  writeFileAtomic(path, JSON.stringify({ bench: name, machine: machine(), ...data }, null, 2) + '\n');
  console.log(`wrote ${path}`);
  return path;
}

/** Rounds for display and JSON: 3 significant digits is all a benchmark can claim. */
export const round3 = (x: number) => Number(x.toPrecision(3));

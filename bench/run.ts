/**
 * Runs benchmarks: `tsx bench/run.ts [name ...] [--flag value ...]`. A benchmark is any
 * bench/NAME.ts that exports `run(): Promise<void>` (and prints its table and writes
 * bench/results/NAME.json with ./report.ts); with no names, all of them run, in name order.
 * Flags after the names are left in process.argv for the benchmarks to read.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const HELPERS = new Set(['run', 'report']);
const dir = fileURLToPath(new URL('.', import.meta.url));
const known = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !HELPERS.has(f.slice(0, -3)))
  .map((f) => f.slice(0, -3))
  .sort();

const args = process.argv.slice(2);
const firstFlag = args.findIndex((a) => a.startsWith('-'));
const names = firstFlag < 0 ? args : args.slice(0, firstFlag);
const unknown = names.filter((n) => !known.includes(n));
if (unknown.length) {
  console.error(`bench: no benchmark named ${unknown.map((n) => `'${n}'`).join(', ')} (known: ${known.join(', ')})`);
  process.exit(2);
}

for (const name of names.length ? names : known) {
  console.log(`\n=== ${name}`);
  const mod = (await import(`./${name}.ts`)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') throw new Error(`bench/${name}.ts does not export run()`);
  await mod.run();
}

// Dev tool: replays the recorded MCUboot runs (test/fixtures/vectors/mcuboot-boot and
// mcuboot-matrix) through the conformance harness and prints what differs: per case, the
// first step that differs (trace line, result, device bytes); with --sweeps, every cut point
// of every sweep (the first 5 that differ per sweep, and a count).
//
//   node scripts/build-wasm.js && npx tsx scripts/dev/replay.ts [strategy…] [--sweeps] [--case S]…
//
// Strategies by either name (move or swap-move); default: all four. --case keeps
// the cases whose id contains S (`--case nrf52840`, `--case move/test-revert`). Exits 1 when
// anything differs.
import type { Device } from '../../src/device/device.js';
import type { BootStrategy } from '../../src/image/strategy.js';
import {
  allBootCases, allMatrixCases, bootSweepDifferences, caseDifferences, deviceFor, flashBefore, matrixSweepDifferences, opLine, runSweepPoint,
  type SweepPoint,
} from '../../test/conformance/harness.js';
import { BOOT_STRATEGIES } from '../../src/image/strategy.js';
import { STRATEGY_OF, type BootCase, type MatrixCase, type VectorStrategy } from '../../test/helpers/vectors.js';

const args = process.argv.slice(2);
const withSweeps = args.includes('--sweeps');
const caseFilters = args.flatMap((a, i) => (args[i - 1] === '--case' ? [a] : []));
const named = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--case');
const strategies: BootStrategy[] = named.map((s) => {
  const strategy = STRATEGY_OF[s as VectorStrategy] ?? (BOOT_STRATEGIES.includes(s as BootStrategy) ? (s as BootStrategy) : undefined);
  if (!strategy) throw new Error(`unknown strategy ${s}: expected one of ${[...Object.keys(STRATEGY_OF), ...BOOT_STRATEGIES].join(', ')}`);
  return strategy;
});

let casesOk = 0, casesBad = 0, pointsOk = 0, pointsBad = 0;

/** Replays a case's steps if it is wanted, printing the first differences; false when it is not wanted. */
function replayCase(c: BootCase | MatrixCase, strategy: BootStrategy): boolean {
  if (!(strategies.length ? strategies : BOOT_STRATEGIES).includes(strategy)) return false;
  if (caseFilters.length && !caseFilters.some((f) => c.id.includes(f))) return false;
  const d = caseDifferences(c);
  for (const x of d) console.log(`${c.id} ${x}`);
  if (d.length) casesBad++;
  else casesOk++;
  return true;
}

/** Runs the cut points `ks` of a sweep from `start`, printing the first 5 that differ and a count. */
function replaySweep(name: string, dev: Device, start: Uint8Array, ks: number[], compare: (p: SweepPoint) => string[]): void {
  let bad = 0;
  for (const k of ks) {
    const p = runSweepPoint(dev, start, k);
    const d = compare(p);
    if (d.length === 0) continue;
    if (bad < 5) console.log(`${name} k=${k}${p.cut ? ` (${opLine(p.cut)})` : ''}: ${d.join('; ')}`);
    bad++;
  }
  pointsOk += ks.length - bad;
  pointsBad += bad;
  if (bad) console.log(`${name}: ${ks.length - bad}/${ks.length} points match`);
}

for (const c of allBootCases()) {
  if (!replayCase(c, c.strategy) || !withSweeps) continue;
  for (const s of c.sweeps) {
    replaySweep(`${s.id} sweep`, deviceFor(c, s.start), s.start, s.rows.map((r) => r.k), (p) => bootSweepDifferences(p, s.rows[p.k - 1]));
  }
}

for (const c of allMatrixCases()) {
  if (!replayCase(c, c.build.strategy) || !withSweeps) continue;
  for (const s of [c.sweeps.upgrade, c.sweeps.revert]) {
    if (!s) continue;
    const start = flashBefore(c, s.bootStep);
    const ks = Array.from({ length: s.points }, (_, i) => i + 1);
    replaySweep(`${c.id} ${s.kind} sweep`, deviceFor(c, start), start, ks, (p) => matrixSweepDifferences(p, s));
  }
}

console.log(`cases: ${casesOk} match, ${casesBad} differ` + (withSweeps ? `; sweep points: ${pointsOk} match, ${pointsBad} differ` : ''));
process.exitCode = casesBad || pointsBad ? 1 : 0;

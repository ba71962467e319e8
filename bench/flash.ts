/**
 * The NOR flash model's cost: erase + program + read of a 1 MiB area of 4 KiB sectors, the
 * loop running inside the module (assembly/bench.ts), against the same bytes moved with plain
 * memory.fill/memory.copy inside the module. Target: the model within 3× of the plain copy.
 */
import { Core } from '../src/core/index.js';
import { resolveGeometry } from '../src/device/geometry.js';
import { printTable, round3, timeEach, writeResults, type Row } from './report.js';

const AREA = 1; // primary
const AREA_BYTES = 1 << 20;
const SECTOR = 4096;
const TARGET = 3;

const geometry = resolveGeometry({
  name: 'bench-1mib-4k',
  flash: [{ id: 0, sectors: [[SECTOR, (2 * AREA_BYTES) / SECTOR]], writeAlign: 8 }],
  areas: {
    primary: { flash: 0, offset: 0, size: AREA_BYTES },
    secondary: { flash: 0, offset: AREA_BYTES, size: AREA_BYTES },
  },
});

const KIND = { benchFlashPasses: 1, benchCopyPasses: 2 } as const;

export async function run(): Promise<void> {
  const withLog = new Core(geometry); // as the simulator runs: strict, op log on
  const noLog = new Core(geometry, { logEntries: 0 });
  const pass = (core: Core, name: 'benchFlashPasses' | 'benchCopyPasses') => () => {
    core.clearLog(); // a full log stops recording: keep it recording, as in a real run
    return core.call((ex) => ex.bench(KIND[name], AREA, 1, 0));
  };

  // The model and the plain copy must leave the same bytes, or the comparison means nothing.
  const ops = pass(withLog, 'benchFlashPasses')();
  const modelBytes = withLog.areaBytes(AREA).slice();
  pass(noLog, 'benchCopyPasses')();
  if (Buffer.compare(modelBytes, noLog.areaBytes(AREA)) !== 0) throw new Error('the flash model and the plain copy left different bytes');
  const expectedOps = (AREA_BYTES / SECTOR) * 3;
  if (ops !== expectedOps) throw new Error(`a pass did ${ops} operations, expected ${expectedOps}`);

  const ms = timeEach(
    {
      'flash model, op log on': pass(withLog, 'benchFlashPasses'),
      'flash model, op log off': pass(noLog, 'benchFlashPasses'),
      'memory.fill + memory.copy': pass(noLog, 'benchCopyPasses'),
    },
    { samples: 15, sampleMs: 60 },
  );
  const floor = ms['memory.fill + memory.copy'];
  const rows: Row[] = [];
  const results = Object.entries(ms).map(([name, t]) => {
    const r = { loop: name, msPerPass: round3(t), mbPerSec: round3(AREA_BYTES / 1e6 / (t / 1e3)), nsPerOp: round3((t * 1e6) / ops), timesCopy: round3(t / floor) };
    rows.push({ loop: r.loop, 'ms/pass': r.msPerPass, 'MB/s': r.mbPerSec, 'ns/op': r.nsPerOp, '× copy': r.timesCopy });
    return r;
  });
  printTable(`1 MiB area, 4 KiB sectors: erase + program + read per sector (${ops} ops per pass, MB/s of area; median)`, rows);
  const worst = Math.max(...results.filter((r) => r.loop.startsWith('flash model')).map((r) => r.timesCopy));
  const met = worst <= TARGET;
  console.log(`target flash model within ${TARGET}× of the plain copy: ${worst}× — ${met ? 'met' : 'NOT met'}`);
  writeResults('flash', {
    unit: { msPerPass: 'milliseconds per pass over the area', nsPerOp: 'nanoseconds per erase, program or read' },
    area: { bytes: AREA_BYTES, sector: SECTOR, writeAlign: 8, chunk: 4096 },
    opsPerPass: ops,
    results,
    target: { withinTimesCopy: TARGET, measured: worst, met },
  });
}

if (process.argv[1] && /bench[\\/]flash\.ts$/.test(process.argv[1])) await run();

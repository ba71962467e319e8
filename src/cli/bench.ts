/**
 * `brickproof bench --strategies all|LIST [--device NAME | --device-file FILE] [--sizes LIST]
 *  [--step SIZE] [--upgrades LIST] [--repeat N] [--overwrite-fast] [--json] [--out DIR]
 *  [--no-chart]`
 *
 * Measures the upgrade strategies against each other on one device (issue 12): a table on
 * stdout (or `{ "results": [...] }` with --json) and an SVG chart written whole to
 * DIR/strategies-<device>.svg (default bench/results/).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { parseStrategy, SWAP_STRATEGIES, type BootStrategy } from '../image/strategy.js';
import { BENCH_UPGRADES, benchStrategies, supportedStrategies, type BenchUpgrade } from '../bench/strategies.js';
import { strategyChart } from '../bench/chart.js';
import { formatTable } from '../bench/table.js';
import { writeFileAtomic } from '../node/atomic-write.js';
import { type FlagSpecs, helpText, parseArgs, parseInteger } from './args.js';
import { printJson } from './image-io.js';
import { DEVICE_FLAGS, deviceFromArgs } from './options.js';

const SPECS: FlagSpecs = {
  strategies: { type: 'string', metavar: 'all|LIST', help: `strategies to compare: all, or a comma list of ${SWAP_STRATEGIES.join(', ')} (default all)` },
  ...DEVICE_FLAGS,
  sizes: { type: 'string', metavar: 'LIST', help: 'image sizes (header + payload + TLVs), comma-separated, in bytes or with K (KiB); default: 64K steps up to the largest that fits' },
  step: { type: 'string', metavar: 'SIZE', help: 'step of the default sizes (default 64K)' },
  upgrades: { type: 'string', metavar: 'LIST', help: `${BENCH_UPGRADES.join(', ')} (default both)` },
  repeat: { type: 'string', metavar: 'N', help: 'simulate each case N times for its wall time, keep the median (default 3)' },
  'overwrite-fast': { type: 'boolean', help: 'MCUBOOT_OVERWRITE_ONLY_FAST for overwrite-only' },
  json: { type: 'boolean', help: 'print { "results": [...] } instead of the table' },
  out: { type: 'string', metavar: 'DIR', help: 'where the SVG chart goes (default bench/results)' },
  'no-chart': { type: 'boolean', help: 'do not write the chart' },
};

/** A size as people write it: 65536, 0x10000, 64K, 64KiB. */
function parseSize(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(k|kib|kb)\s*$/i.exec(text);
  if (m) {
    const bytes = Number(m[1]) * 1024;
    if (!Number.isInteger(bytes) || bytes <= 0) throw new UsageError(`${what}: '${text}' is not a whole number of bytes`);
    return bytes;
  }
  return parseInteger(text, what, { min: 1 });
}

function parseList<T>(text: string, what: string, parse: (item: string) => T): T[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`${what} '${text}' has an empty item (expected a comma-separated list)`);
  return items.map(parse);
}

function parseUpgrade(text: string): BenchUpgrade {
  const t = text.toLowerCase();
  if ((BENCH_UPGRADES as readonly string[]).includes(t)) return t as BenchUpgrade;
  throw new UsageError(`--upgrades: unknown upgrade '${text}' (expected ${BENCH_UPGRADES.join(' or ')})`);
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPECS);
  if (args.bool('help')) {
    process.stdout.write(helpText('bench', 'Compare upgrade strategies on one device: on-device update time, flash wear, largest image, revert.', SPECS));
    return 0;
  }
  if (args.has('out') && args.bool('no-chart')) throw new UsageError('--out does nothing with --no-chart: it is where the chart goes');
  const device = deviceFromArgs(args);
  const supported = supportedStrategies(device);
  const strategiesText = args.string('strategies') ?? 'all';
  let strategies: BootStrategy[];
  if (strategiesText.trim().toLowerCase() === 'all') {
    strategies = supported;
  } else {
    strategies = [...new Set(parseList(strategiesText, '--strategies', (s) => parseStrategy(s)))];
    const refused = strategies.filter((s) => !supported.includes(s));
    if (refused.length) throw new UsageError(`device ${device.name} cannot run ${refused.join(', ')} (it supports: ${supported.join(', ') || 'none of brickproof\'s strategies'})`);
  }
  if (strategies.length === 0) throw new UsageError(`device ${device.name} supports none of brickproof's strategies`);
  const sizes = args.has('sizes') ? parseList(args.string('sizes')!, '--sizes', (s) => parseSize(s, '--sizes')) : undefined;
  const step = args.has('step') ? parseSize(args.string('step')!, '--step') : undefined;
  if (sizes && step !== undefined) throw new UsageError('give either --sizes or --step, not both');
  const upgrades = args.has('upgrades') ? [...new Set(parseList(args.string('upgrades')!, '--upgrades', parseUpgrade))] : [...BENCH_UPGRADES];
  const repeat = args.has('repeat') ? parseInteger(args.string('repeat')!, '--repeat', { min: 1, max: 100 }) : 3;

  const results = await benchStrategies(device, { strategies, sizes, step, upgrades, repeat, overwriteFast: args.bool('overwrite-fast') });

  let chartPath: string | undefined;
  if (!args.bool('no-chart')) {
    const dir = args.string('out') ?? join('bench', 'results');
    try {
      mkdirSync(dir, { recursive: true });
      chartPath = join(dir, `strategies-${device.name}.svg`);
      writeFileAtomic(chartPath, strategyChart(results));
    } catch (e) {
      throw new UsageError(`cannot write the chart under ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  if (args.bool('json')) {
    printJson({ results });
  } else {
    process.stdout.write(`${device.name}: ${strategies.join(', ')}; device seconds are flash operations priced at the datasheet maxima (typ: typical figures, - where the datasheet gives none); sim ms: brickproof's wall time, median of ${repeat} (machine-dependent)\n\n`);
    process.stdout.write(formatTable(results));
  }
  if (chartPath) process.stderr.write(`chart: ${chartPath}\n`);
  return 0;
}

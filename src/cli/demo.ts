/**
 * `brickproof demo`: a short, real job on the built-in default device. For every strategy
 * this version builds, it signs two images, stages a test upgrade, boots, lets the
 * application confirm, boots again, and prints the flash map, the decisions and the
 * SHA-256 of each slot's image hashed in place by the WebAssembly core.
 */
import { isPowerCut, sha256 } from '../core/index.js';
import { Device } from '../device/device.js';
import { getDevice } from '../device/device-file.js';
import { hashedLength, headerAt, signImage } from '../image/index.js';
import { headerOffsets, stage } from '../device/staging.js';
import { PRIMARY, SECONDARY } from '../device/geometry.js';
import { describeBoot } from './options.js';
import { SWAP_STRATEGIES } from '../image/strategy.js';
import { type FlagSpecs, helpText, parseArgs } from './args.js';
import { printJson } from './image-io.js';

const SPECS: FlagSpecs = {
  device: { type: 'string', metavar: 'NAME', help: 'built-in device profile (default nrf52840)' },
  json: { type: 'boolean', help: 'print the walk-through as JSON' },
};
const hex = (n: number) => `0x${n.toString(16)}`;
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** A firmware body whose bytes depend on its version, so the two images differ everywhere. */
function body(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * (seed * 2 + 29) + seed) & 0xff);
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPECS);
  if (args.bool('help')) {
    process.stdout.write(helpText('demo', 'One test upgrade per strategy on a built-in device, step by step.', SPECS));
    return 0;
  }
  const device = getDevice(args.string('device'));
  const g = device.geometry;
  const report: unknown[] = [];
  if (!args.bool('json')) {
    process.stdout.write(`device ${g.name}: ${g.size / 1024} KiB of flash\n`);
    for (const a of g.areas) {
      const sectors = a.uniformSector ? `${a.sectorCount} × ${a.uniformSector / 1024} KiB` : a.sectorSizes.map((s) => `${s / 1024}K`).join(' ');
      process.stdout.write(`  ${a.name.padEnd(10)} ${hex(a.start).padStart(8)} +${hex(a.size).padEnd(8)} ${sectors}\n`);
    }
  }
  for (const strategy of SWAP_STRATEGIES.filter((s) => !device.excluded.includes(s))) {
    const dev = new Device(g, { strategy });
    const primarySize = g.areas.find((a) => a.id === PRIMARY)!.size;
    const v1 = await signImage(body(Math.floor(primarySize / 3), 1), { headerSize: 0x200, padHeader: true, version: '1.0.0', align: g.devices[0].writeAlign });
    const v2 = await signImage(body(Math.floor(primarySize / 2), 2), { headerSize: 0x200, padHeader: true, version: '2.0.0', align: g.devices[0].writeAlign });
    const steps: Array<{ step: string; detail: string }> = [];
    const pending = stage(dev, { running: v1, update: v2, permanent: false });
    steps.push({ step: 'app: boot_set_pending(test)', detail: `rc ${String(pending)}, ${dev.trace().length} writes` });
    for (const [label, confirmAfter] of [['boot 1', true], ['boot 2', false]] as const) {
      const r = dev.boot();
      steps.push({ step: label, detail: isPowerCut(r) ? 'power cut' : describeBoot(r) });
      if (confirmAfter) {
        const c = dev.setConfirmed();
        steps.push({ step: 'app: boot_set_confirmed()', detail: `rc ${String(c)}` });
      }
    }
    const wear = dev.core.wear();
    const digests = [PRIMARY, SECONDARY].map((id) => {
      const area = dev.core.peekArea(id);
      // After a swap-offset upgrade the old image sits at the start of the secondary.
      const at = headerOffsets(dev.core.area(id)).find((o) => headerAt(area, o));
      const header = at === undefined ? undefined : headerAt(area, at)!;
      const { major, minor, revision } = header?.version ?? {};
      return {
        area: id === PRIMARY ? 'primary' : 'secondary',
        version: header ? `${major}.${minor}.${revision}` : null,
        sha256: header ? toHex(sha256(area.subarray(at, at! + hashedLength(header)))) : null,
      };
    });
    report.push({ strategy, steps, digests, maxSectorErases: Math.max(...wear) });
    if (!args.bool('json')) {
      process.stdout.write(`\n${strategy}: test upgrade v1.0.0 → v2.0.0, confirmed by the application\n`);
      for (const s of steps) process.stdout.write(`  ${s.step.padEnd(28)} ${s.detail}\n`);
      for (const d of digests) process.stdout.write(`  ${d.area.padEnd(10)} v${d.version ?? '-'} sha256 ${d.sha256 ?? '(empty)'}\n`);
      process.stdout.write(`  most-erased sector: ${Math.max(...wear)} erases\n`);
    }
  }
  if (args.bool('json')) printJson({ device: g.name, runs: report });
  return 0;
}

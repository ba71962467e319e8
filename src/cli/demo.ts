/**
 * `brickproof demo`: a short, real job on the built-in default device. For every strategy
 * this version builds, it signs two images, stages a test upgrade, boots, lets the
 * application confirm, boots again, and prints the flash map, the decisions and the
 * SHA-256 of each slot's image hashed in place by the WebAssembly core.
 */
import { isPowerCut, sha256 } from '../core.js';
import { Device } from '../device/device.js';
import { getDevice } from '../device/device-file.js';
import { PRIMARY, SECONDARY } from '../device/geometry.js';
import { signImage } from '../image/index.js';
import { describeBoot } from './bootloader-options.js';
import { STRATEGIES } from '../device/strategy.js';
import { type FlagSpecs, parseArgs } from './args.js';
import { printJson } from './image-io.js';

const SPECS: FlagSpecs = { device: { type: 'string', metavar: 'NAME' }, json: { type: 'boolean' } };
const hex = (n: number) => `0x${n.toString(16)}`;
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** A firmware body whose bytes depend on its version, so the two images differ everywhere. */
function body(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * (seed * 2 + 29) + seed) & 0xff);
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPECS);
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
  for (const strategy of STRATEGIES.filter((s) => !device.excluded.includes(s))) {
    const dev = new Device(g, { strategy });
    const primarySize = g.areas.find((a) => a.id === PRIMARY)!.size;
    const v1 = await signImage(body(Math.floor(primarySize / 3), 1), { headerSize: 0x200, padHeader: true, version: '1.0.0', align: g.devices[0].writeAlign });
    const v2 = await signImage(body(Math.floor(primarySize / 2), 2), { headerSize: 0x200, padHeader: true, version: '2.0.0', align: g.devices[0].writeAlign });
    // swap-offset takes the update one sector into the secondary slot (§5.4).
    const secondaryOffset = strategy === 'swap-offset' ? g.areas.find((a) => a.id === SECONDARY)!.sectorSizes[0] : 0;
    dev.core.place(PRIMARY, 0, v1);
    dev.core.place(SECONDARY, secondaryOffset, v2);
    const steps: Array<{ step: string; detail: string }> = [];
    const pending = dev.setPending(false);
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
      const area = dev.core.areaBytes(id);
      // After a swap-offset upgrade the old image sits at the start of the secondary.
      const at = [0, secondaryOffset].find((o) => new DataView(area.buffer, area.byteOffset + o).getUint32(0, true) === 0x96f3b83d) ?? 0;
      const bytes = area.subarray(at);
      const dv = new DataView(bytes.buffer, bytes.byteOffset);
      const hashed = dv.getUint32(0, true) === 0x96f3b83d ? dv.getUint16(8, true) + dv.getUint32(12, true) + dv.getUint16(10, true) : 0;
      return { area: id === PRIMARY ? 'primary' : 'secondary', version: hashed ? `${bytes[20]}.${bytes[21]}.${dv.getUint16(22, true)}` : null, sha256: hashed ? toHex(sha256(bytes.subarray(0, hashed))) : null };
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

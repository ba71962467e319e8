/**
 * Flash geometry: flash devices (sector runs, write alignment, erased value) and the flash
 * areas MCUboot uses on them. This is the `flash` + `areas` part of a device file
 * (DESIGN.md, "Device files"); `resolveGeometry` checks it and flattens it into the
 * absolute tables the WebAssembly flash model reads.
 */
import { UsageError } from '../errors.js';
import { AREA_IDS } from '../ctrl-layout.js';
import type { AreaSpec, FlashDeviceSpec, Geometry, GeometrySpec, ResolvedArea, ResolvedDevice, ResolvedSector } from '../core/index.js';

export type { AreaSpec, FlashDeviceSpec, Geometry, GeometrySpec, ResolvedArea, ResolvedDevice, ResolvedSector };

/** Area ids of the first image's slots and the scratch area (assembly/ctrl.ts AREA_*). */
export const PRIMARY = AREA_IDS.primary;
export const SECONDARY = AREA_IDS.secondary;
export const SCRATCH = AREA_IDS.scratch;

/** Area names and their trace ids. */
export function areaId(name: string): number {
  if (Object.hasOwn(AREA_IDS, name)) return AREA_IDS[name as keyof typeof AREA_IDS];
  // Image n's pair follows image 1's, two ids per image.
  const m = /^(primary|secondary)([1-9])$/.exec(name);
  if (m) return AREA_IDS[`${m[1] as 'primary' | 'secondary'}1`] + 2 * (Number(m[2]) - 1);
  throw new UsageError(`unknown flash area '${name}' (expected bootloader, primary, secondary, scratch, primaryN or secondaryN)`);
}

const isPow2 = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

function checkInt(what: string, v: unknown, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new UsageError(`${what} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** Flash offsets in the core are u32. */
const MAX_FLASH_BYTES = 2 ** 32;
/** A 4 GiB part in 4 KiB sectors; far beyond any layout MCUboot runs on. */
const MAX_SECTORS = 2 ** 20;

export function resolveGeometry(spec: GeometrySpec): Geometry {
  const name = spec.name ?? 'device';
  if (!Array.isArray(spec.flash) || spec.flash.length === 0) throw new UsageError(`${name}: 'flash' must list at least one flash device`);
  const devices: ResolvedDevice[] = [];
  const sectors: ResolvedSector[] = [];
  const byId = new Map<number, { dev: ResolvedDevice; firstSector: number; sectorCount: number }>();
  let base = 0;
  const ordered = [...spec.flash].sort((a, b) => a.id - b.id);
  for (const f of ordered) {
    const id = checkInt(`${name}: flash device id`, f.id);
    if (byId.has(id)) throw new UsageError(`${name}: flash device id ${id} appears twice`);
    const align = f.writeAlign;
    if (!isPow2(align) || align > 32) throw new UsageError(`${name}: flash ${id} writeAlign ${JSON.stringify(align)} is not a power of two from 1 to 32`);
    const erased = f.erasedValue ?? 0xff;
    if (erased !== 0xff && erased !== 0) throw new UsageError(`${name}: flash ${id} erasedValue ${JSON.stringify(erased)} must be 255 or 0`);
    if (!Array.isArray(f.sectors) || f.sectors.length === 0) throw new UsageError(`${name}: flash ${id} has no sectors`);
    const firstSector = sectors.length;
    let size = 0;
    for (const run of f.sectors) {
      if (!Array.isArray(run) || run.length !== 2) throw new UsageError(`${name}: flash ${id} sector run ${JSON.stringify(run)} must be [size, count]`);
      const sz = checkInt(`${name}: flash ${id} sector size`, run[0], 1);
      const count = checkInt(`${name}: flash ${id} sector count`, run[1], 1);
      if (sz < align) throw new UsageError(`${name}: flash ${id} sector size ${sz} is smaller than its write alignment ${align}`);
      if (sz % align !== 0) throw new UsageError(`${name}: flash ${id} sector size ${sz} is not a multiple of its write alignment ${align}`);
      // Checked before the sectors are listed: a mistyped count must not exhaust memory first.
      if (base + size + sz * count > MAX_FLASH_BYTES) throw new UsageError(`${name}: flash ${id} sector run [${sz}, ${count}] takes the flash past ${MAX_FLASH_BYTES} bytes (the core addresses flash with 32-bit offsets)`);
      if (sectors.length + count > MAX_SECTORS) throw new UsageError(`${name}: flash ${id} sector run [${sz}, ${count}] takes the device past ${MAX_SECTORS} sectors`);
      for (let i = 0; i < count; i++) {
        sectors.push({ start: base + size, size: sz, device: id });
        size += sz;
      }
    }
    const dev = { id, base, size, writeAlign: align, erasedValue: erased };
    devices.push(dev);
    byId.set(id, { dev, firstSector, sectorCount: sectors.length - firstSector });
    base += size;
  }

  const areas: ResolvedArea[] = [];
  if (!spec.areas || typeof spec.areas !== 'object') throw new UsageError(`${name}: 'areas' must name at least primary and secondary`);
  for (const [areaName, a] of Object.entries(spec.areas)) {
    const id = areaId(areaName);
    const flashId = checkInt(`${name}: area ${areaName} flash`, a.flash);
    const d = byId.get(flashId);
    if (!d) throw new UsageError(`${name}: area ${areaName} is on flash ${flashId}, which is not defined`);
    const offset = checkInt(`${name}: area ${areaName} offset`, a.offset);
    const size = checkInt(`${name}: area ${areaName} size`, a.size, 1);
    if (offset + size > d.dev.size) {
      throw new UsageError(`${name}: area ${areaName} [${hex(offset)}, ${hex(offset + size)}) runs past the end of flash ${flashId} (${hex(d.dev.size)} bytes)`);
    }
    const start = d.dev.base + offset;
    const devSectors = sectors.slice(d.firstSector, d.firstSector + d.sectorCount);
    const first = devSectors.findIndex((s) => s.start === start);
    if (first < 0) throw new UsageError(`${name}: area ${areaName} offset ${hex(offset)} is not on a sector boundary of flash ${flashId}`);
    let end = first;
    let covered = 0;
    while (covered < size && end < devSectors.length) covered += devSectors[end++].size;
    if (covered !== size) throw new UsageError(`${name}: area ${areaName} size ${hex(size)} is not a whole number of sectors from offset ${hex(offset)}`);
    const sectorSizes = devSectors.slice(first, end).map((s) => s.size);
    const uniform = sectorSizes.every((s) => s === sectorSizes[0]) ? sectorSizes[0] : 0;
    areas.push({ name: areaName, id, device: flashId, offset, start, size, firstSector: d.firstSector + first, sectorCount: end - first, uniformSector: uniform, sectorSizes });
  }
  for (const required of ['primary', 'secondary']) {
    if (!areas.some((a) => a.name === required)) throw new UsageError(`${name}: the ${required} area is missing`);
  }
  const sorted = [...areas].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (sorted[i].start < prev.start + prev.size) {
      throw new UsageError(`${name}: areas ${prev.name} and ${sorted[i].name} overlap at ${hex(sorted[i].start)}`);
    }
  }
  areas.sort((a, b) => a.id - b.id);
  return { name, devices, sectors, areas, size: base, spec };
}

export function findArea(g: Geometry, id: number): ResolvedArea {
  const a = g.areas.find((x) => x.id === id);
  if (!a) throw new UsageError(`${g.name}: no flash area with id ${id}`);
  return a;
}

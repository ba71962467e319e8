/**
 * The layouts of the recorded `mcuboot-matrix` vectors (test/fixtures/vectors/mcuboot-matrix)
 * as device files: what the conformance tests build their devices from.
 */
import { UsageError } from '../../src/errors.js';
import type { AreaSpec, GeometrySpec } from '../../src/device/geometry.js';

const area = (offset: number, size: number, flash = 0): AreaSpec => ({ flash, offset, size });

/** The `layout` object of a case in test/fixtures/vectors/mcuboot-matrix/manifest.json. */
export interface MatrixLayout {
  name: string;
  device_size: number;
  /** Sectors of the one device, `[size, count]` runs in address order. */
  sectors: Array<[number, number]>;
  write_alignment: number;
  erased_value: number;
  /** id 1 primary, 2 secondary, 3 scratch; offsets from the start of the (only) device. */
  areas: Array<{ id: number; name: string; offset: number; size: number }>;
  erased_value_hex?: string;
}

/** Area name for a trace id: the inverse of geometry.ts `areaId`. */
function areaName(id: number): string {
  if (id === 0) return 'bootloader';
  if (id === 1) return 'primary';
  if (id === 2) return 'secondary';
  if (id === 3) return 'scratch';
  if (Number.isInteger(id) && id >= 4 && id <= 21) return `${id % 2 === 0 ? 'primary' : 'secondary'}${(id - 2) >> 1}`;
  throw new UsageError(`matrix layout: area id ${id} has no name (expected 0 to 21)`);
}

/** A GeometrySpec for an mcuboot-matrix `layout` (one flash device, areas by trace id). */
export function geometryFromMatrixLayout(layout: MatrixLayout): GeometrySpec {
  const total = layout.sectors.reduce((sum, [size, count]) => sum + size * count, 0);
  if (total !== layout.device_size) {
    throw new UsageError(`matrix layout ${layout.name}: sectors add up to ${total} bytes but device_size is ${layout.device_size}`);
  }
  const areas: Record<string, AreaSpec> = {};
  for (const a of layout.areas) {
    const name = areaName(a.id);
    if (areas[name]) throw new UsageError(`matrix layout ${layout.name}: area id ${a.id} appears twice`);
    areas[name] = area(a.offset, a.size);
  }
  return {
    name: layout.name,
    flash: [{ id: 0, sectors: layout.sectors.map(([size, count]) => [size, count] as [number, number]), writeAlign: layout.write_alignment, erasedValue: layout.erased_value }],
    areas,
  };
}

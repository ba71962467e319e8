/**
 * A flash geometry as the core lays it out: flash devices concatenated in id order, their
 * sectors, and the areas MCUboot uses, all in absolute offsets. `src/device/geometry.ts`
 * builds one from a device file (`resolveGeometry`); the core only reads it.
 */

/** Part of a device file: one flash device. */
export interface FlashDeviceSpec {
  id: number;
  /** `[size, count]` runs in address order. */
  sectors: Array<[number, number]>;
  writeAlign: number;
  /** 255 (NOR, default) or 0. */
  erasedValue?: number;
}

/** Part of a device file: one flash area, within its flash device. */
export interface AreaSpec {
  flash: number;
  offset: number;
  size: number;
}

/** The `flash` + `areas` part of a device file (DESIGN.md, "Device files"). */
export interface GeometrySpec {
  name?: string;
  flash: FlashDeviceSpec[];
  /** `primary`, `secondary`, optional `scratch`, further pairs `primary1`/`secondary1`…, optional `bootloader`. */
  areas: Record<string, AreaSpec>;
}

export interface ResolvedDevice {
  id: number;
  /** Offset of the device in the concatenated flash (and in a whole-device dump). */
  base: number;
  size: number;
  writeAlign: number;
  erasedValue: number;
}

export interface ResolvedSector {
  /** Offset in the concatenated flash. */
  start: number;
  size: number;
  device: number;
}

export interface ResolvedArea {
  name: string;
  /** The id in traces (AREA_IDS): 1 primary, 2 secondary, 3 scratch, 4/5 the second pair, … (0 bootloader). */
  id: number;
  device: number;
  /** Offset within its flash device, as the device file gives it. */
  offset: number;
  /** Offset in the concatenated flash. */
  start: number;
  size: number;
  firstSector: number;
  sectorCount: number;
  /** Sector size when uniform, else 0. */
  uniformSector: number;
  sectorSizes: number[];
}

export interface Geometry {
  name: string;
  devices: ResolvedDevice[];
  sectors: ResolvedSector[];
  areas: ResolvedArea[];
  /** Total bytes of all devices (= size of a whole-device dump). */
  size: number;
  spec: GeometrySpec;
}

/** The erased value of the flash device an area lives on. */
export function erasedValueOf(g: Geometry, area: ResolvedArea): number {
  return g.devices.find((d) => d.id === area.device)!.erasedValue;
}

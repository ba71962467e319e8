/**
 * A user's own part as a JSON device file (`--device-file board.json`, DESIGN.md "Device
 * files"): the shape of a built-in profile, plus optional `excluded` strategies and `timing`.
 * Every mistake is a one-line UsageError that names the file, the field and the bad value;
 * the layout rules themselves (alignment, sector boundaries, overlaps) are resolveGeometry's.
 */
import { UsageError } from '../errors.js';
import { areaId, type AreaSpec, type FlashDeviceSpec } from './geometry.js';
import { DEFAULT_DEVICE, findProfile, resolveProfile, type DeviceProfile, type FlashTiming, type ResolvedProfile } from './profiles.js';
import { parseStrategy, type BootStrategy } from '../image/strategy.js';

/**
 * The characters a device name may use: the ones a replay id can carry between its slashes
 * (`swap-move/<device>/perm/cut@417`), so every scenario found on the device replays.
 */
export const DEVICE_NAME_CHARS = 'A-Za-z0-9._-';
const DEVICE_NAME = new RegExp(`^[${DEVICE_NAME_CHARS}]+$`);

const TOP_KEYS = ['name', 'flash', 'areas', 'excluded', 'timing'];
const FLASH_KEYS = ['id', 'sectors', 'writeAlign', 'erasedValue'];
const AREA_KEYS = ['flash', 'offset', 'size'];
const TIMING_KEYS = ['flash', 'eraseMs', 'eraseMsTypical', 'eraseBytes', 'eraseBySize', 'programUs', 'programUsTypical', 'programBytes', 'endurance'];

type Json = Record<string, unknown>;

const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

function object(where: string, v: unknown, keys: string[], required: string[]): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError(`${where} must be an object, got ${show(v)}`);
  const o = v as Json;
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) throw new UsageError(`${where} has unknown key '${k}' (expected ${keys.join(', ')})`);
  }
  for (const k of required) {
    if (!(k in o)) throw new UsageError(`${where} is missing '${k}'`);
  }
  return o;
}

function integer(where: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new UsageError(`${where} must be an integer ≥ ${min}, got ${show(v)}`);
  return v;
}

function positive(where: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new UsageError(`${where} must be a number > 0, got ${show(v)}`);
  return v;
}

function flashDevice(where: string, v: unknown): FlashDeviceSpec {
  const o = object(where, v, FLASH_KEYS, ['id', 'sectors', 'writeAlign']);
  if (!Array.isArray(o.sectors) || o.sectors.length === 0) throw new UsageError(`${where}.sectors must be a non-empty list of [size, count] runs, got ${show(o.sectors)}`);
  const sectors = o.sectors.map((run: unknown, i): [number, number] => {
    if (!Array.isArray(run) || run.length !== 2) throw new UsageError(`${where}.sectors[${i}] must be [size, count], got ${show(run)}`);
    return [integer(`${where}.sectors[${i}] size`, run[0], 1), integer(`${where}.sectors[${i}] count`, run[1], 1)];
  });
  const spec: FlashDeviceSpec = { id: integer(`${where}.id`, o.id, 0), sectors, writeAlign: integer(`${where}.writeAlign`, o.writeAlign, 1) };
  if ('erasedValue' in o) spec.erasedValue = integer(`${where}.erasedValue`, o.erasedValue, 0);
  return spec;
}

function areas(where: string, v: unknown): Record<string, AreaSpec> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError(`${where} must be an object of named areas, got ${show(v)}`);
  const out: Record<string, AreaSpec> = {};
  for (const [name, a] of Object.entries(v as Json)) {
    try {
      areaId(name);
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${where}: ${e.message}`);
      throw e;
    }
    const o = object(`${where}.${name}`, a, AREA_KEYS, AREA_KEYS);
    out[name] = {
      flash: integer(`${where}.${name}.flash`, o.flash, 0),
      offset: integer(`${where}.${name}.offset`, o.offset, 0),
      size: integer(`${where}.${name}.size`, o.size, 1),
    };
  }
  // A second image needs both of its slots; resolveGeometry only insists on the first pair.
  for (const name of Object.keys(out)) {
    const m = /^(primary|secondary)([1-9])$/.exec(name);
    if (!m) continue;
    const partner = `${m[1] === 'primary' ? 'secondary' : 'primary'}${m[2]}`;
    if (!out[partner]) throw new UsageError(`${where}: ${name} has no ${partner} (a further image needs both slots)`);
  }
  return out;
}

function excluded(where: string, v: unknown): BootStrategy[] {
  if (!Array.isArray(v)) throw new UsageError(`${where} must be a list of strategy names, got ${show(v)}`);
  const out: BootStrategy[] = [];
  v.forEach((s, i) => {
    let strategy: BootStrategy;
    try {
      strategy = parseStrategy(s);
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${where}[${i}]: ${e.message}`);
      throw e;
    }
    if (out.includes(strategy)) throw new UsageError(`${where} names ${strategy} twice`);
    out.push(strategy);
  });
  return out;
}

function timing(where: string, v: unknown, flashIds: number[]): FlashTiming | FlashTiming[] {
  if (Array.isArray(v)) {
    if (v.length === 0) throw new UsageError(`${where} must be one set of figures or a non-empty list of them, got []`);
    const list = v.map((t, i) => timingFor(`${where}[${i}]`, t, flashIds, true));
    const seen = new Set<number>();
    for (const [i, t] of list.entries()) {
      if (seen.has(t.flash!)) throw new UsageError(`${where}[${i}] describes flash ${t.flash} again`);
      seen.add(t.flash!);
    }
    return list;
  }
  return timingFor(where, v, flashIds, false);
}

/** One set of datasheet figures; in a list each names its flash device. */
function timingFor(where: string, v: unknown, flashIds: number[], inList: boolean): FlashTiming {
  const o = object(where, v, TIMING_KEYS, inList ? ['flash', 'programUs', 'programBytes'] : ['programUs', 'programBytes']);
  if (!('eraseMs' in o) && !('eraseBySize' in o)) throw new UsageError(`${where} is missing 'eraseMs' (or 'eraseBySize')`);
  const t: FlashTiming = {
    programUs: positive(`${where}.programUs`, o.programUs),
    programBytes: integer(`${where}.programBytes`, o.programBytes, 1),
  };
  if ('flash' in o) {
    t.flash = integer(`${where}.flash`, o.flash, 0);
    if (!flashIds.includes(t.flash)) throw new UsageError(`${where}.flash ${t.flash} is not a flash device of this file (it has ${flashIds.join(', ')})`);
  }
  if ('eraseMs' in o) t.eraseMs = positive(`${where}.eraseMs`, o.eraseMs);
  if ('eraseMsTypical' in o) t.eraseMsTypical = positive(`${where}.eraseMsTypical`, o.eraseMsTypical);
  if ('eraseBytes' in o) t.eraseBytes = integer(`${where}.eraseBytes`, o.eraseBytes, 1);
  if ('programUsTypical' in o) t.programUsTypical = positive(`${where}.programUsTypical`, o.programUsTypical);
  if ('endurance' in o) t.endurance = integer(`${where}.endurance`, o.endurance, 1);
  if ('eraseBySize' in o) {
    if (!Array.isArray(o.eraseBySize) || o.eraseBySize.length === 0) throw new UsageError(`${where}.eraseBySize must be a non-empty list of [sectorSize, maxMs, typicalMs?], got ${show(o.eraseBySize)}`);
    t.eraseBySize = o.eraseBySize.map((row: unknown, i) => {
      const at = `${where}.eraseBySize[${i}]`;
      if (!Array.isArray(row) || row.length < 2 || row.length > 3) throw new UsageError(`${at} must be [sectorSize, maxMs, typicalMs?], got ${show(row)}`);
      const size = integer(`${at} sectorSize`, row[0], 1);
      const max = positive(`${at} maxMs`, row[1]);
      if (row.length === 2) return [size, max];
      const typical = positive(`${at} typicalMs`, row[2]);
      if (typical > max) throw new UsageError(`${at} typicalMs ${typical} is above maxMs ${max} (typical figures cannot exceed the maximum)`);
      return [size, max, typical];
    });
  }
  for (const [typ, max] of [['eraseMsTypical', 'eraseMs'], ['programUsTypical', 'programUs']] as const) {
    if (t[typ] !== undefined && t[max] !== undefined && t[typ]! > t[max]!) throw new UsageError(`${where}.${typ} ${t[typ]} is above ${max} ${t[max]} (typical figures cannot exceed the maximum)`);
  }
  return t;
}

/**
 * Checks the text of a device file, layout rules included, and returns it as a profile.
 * `source` names the file in messages; `defaultName` is the profile name when the file gives
 * none.
 */
export function parseDeviceFile(text: string, source = 'device file', defaultName = 'device'): DeviceProfile {
  return readDeviceFile(text, source, defaultName).profile;
}

function readDeviceFile(text: string, source: string, defaultName: string): ResolvedProfile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${source} is not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const o = object(source, json, TOP_KEYS, ['flash', 'areas']);
  if ('name' in o && (typeof o.name !== 'string' || o.name.trim() === '')) throw new UsageError(`${source}: name must be a non-empty string, got ${show(o.name)}`);
  const name = (o.name as string | undefined) ?? defaultName;
  if (!DEVICE_NAME.test(name)) {
    throw new UsageError(`${source}: device name ${show(name)}${'name' in o ? '' : ' (from the file name)'} may use only letters, digits, '.', '_' and '-' (the characters a replay id carries)`);
  }
  if (!Array.isArray(o.flash) || o.flash.length === 0) throw new UsageError(`${source}: flash must be a non-empty list of flash devices, got ${show(o.flash)}`);
  const profile: DeviceProfile = {
    name,
    flash: o.flash.map((f: unknown, i) => flashDevice(`${source}: flash[${i}]`, f)),
    areas: areas(`${source}: areas`, o.areas),
    excluded: 'excluded' in o ? excluded(`${source}: excluded`, o.excluded) : [],
  };
  if ('timing' in o) profile.timing = timing(`${source}: timing`, o.timing, profile.flash.map((f) => f.id));
  try {
    return resolveProfile(profile);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${source}: ${e.message}`);
    throw e;
  }
}

function nodeFs(): typeof import('node:fs') {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  if (!fs) throw new UsageError('device files can only be read in Node; pass the profile object instead');
  return fs;
}

function readFile(path: string): string {
  try {
    return nodeFs().readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read device file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

const baseName = (path: string) => path.split(/[\\/]/).pop()!.replace(/\.json$/i, '') || 'device';

/** Reads and checks a device file; the profile is named after the file when it gives no name. */
export function loadDeviceFile(path: string): DeviceProfile {
  return readDeviceFile(readFile(path), path, baseName(path)).profile;
}

/**
 * The device a command runs on: a built-in profile by name (`--device`), a device file
 * (`--device-file`), or the default device when given neither.
 */
export function getDevice(name?: string, deviceFile?: string): ResolvedProfile {
  if (name !== undefined && deviceFile !== undefined) throw new UsageError(`give either a device name ('${name}') or a device file (${deviceFile}), not both`);
  if (deviceFile !== undefined) return readDeviceFile(readFile(deviceFile), deviceFile, baseName(deviceFile));
  return resolveProfile(findProfile(name ?? DEFAULT_DEVICE));
}

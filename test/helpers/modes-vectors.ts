/**
 * Typed loader for test/fixtures/vectors/mcuboot-modes: recordings of MCUboot's real boot code
 * (commit 2d4bacc3, v2.4.0) for the modes beside the four swaps — direct-xip(-revert),
 * ram-load(-revert), multi-image with dependencies, downgrade prevention, hardware rollback
 * counters, bootstrap and encrypted images. Read that folder's README.md for what each field
 * means; this file only turns the manifest into typed cases, checks that it is consistent, and
 * reads dumps and traces when asked (every dump read gunzips a fresh copy).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { GeometrySpec } from '../../src/device/geometry.js';
import type { BootStrategy } from '../../src/image/strategy.js';
import { geometryFromMatrixLayout } from './matrix-layout.js';
import { vectorsRoot, type SwapTypeName } from './vectors.js';

export const modesVectorsDir = `${vectorsRoot}mcuboot-modes/`;

/** The build names of the manifest (`builds`). */
export type ModesBuildName =
  | 'dxip' | 'dxip-revert' | 'multi-scratch' | 'overwrite-downgrade' | 'scratch-downgrade' | 'scratch-hwrb' | 'overwrite-hwrb'
  | 'scratch-bootstrap' | 'move-bootstrap' | 'offset-bootstrap' | 'ramload' | 'ramload-revert' | 'scratch-enc';

/** A build as brickproof's bootloader options say it. */
export interface ModesBuild {
  name: ModesBuildName;
  strategy: BootStrategy;
  /** MCUBOOT_IMAGE_NUMBER. */
  images: 1 | 2;
  downgradePrevention: boolean;
  hwRollback: boolean;
  bootstrap: boolean;
  /** MCUBOOT_ENC_IMAGES with MCUBOOT_ENCRYPT_EC256: the private key built in. */
  encKeyPath?: string;
  defines: string[];
}

/** The executable RAM window of ram-load builds. */
export interface RamWindow {
  start: number;
  size: number;
}

/** `boot_set_next(area, active, confirm)`, the direct-xip / ram-load application API. */
export interface SetNext {
  area: number;
  active: boolean;
  confirm: boolean;
}

export type ModesAction = 'boot' | 'confirm' | SetNext;

export interface PerImageResult {
  /** Swap builds: boot_swap_type_multi(i) before the boot, and the type left in the loader. */
  requested?: SwapTypeName;
  swapType?: SwapTypeName;
  /** Direct-xip / ram-load: 0 primary, 1 secondary, -1 none. */
  activeSlot?: number;
  /** Ram-load: the RAM address the image was copied to, and the bytes copied. */
  imgDst?: number;
  imgSz?: number;
}

export interface ModesOps {
  erase: number;
  write: number;
  total: number;
  violations: number;
}

export interface ModesStep {
  step: number;
  action: ModesAction;
  /** The manifest's spelling (`boot`, `confirm`, `setnext:2:1:1`). */
  actionName: string;
  /** boot_go's result (boots), or the rc of the application call. */
  ok?: boolean;
  version?: string | null;
  /** Flash offset of the booted slot. */
  imageOff?: number | null;
  perImage?: PerImageResult[];
  rc?: number;
  ops: ModesOps;
  readonly traceLines: string[];
  readonly after: Uint8Array;
  sha256After: string;
  /** HW rollback builds: the NV security counters after the step, [image 0, image 1]. */
  nvAfter?: [number, number];
  /** Ram-load: the whole RAM window after the boot, and its SHA-256. */
  readonly ramAfter?: Uint8Array;
  ramSha256?: string;
  /** Encrypted builds: area 1 holds its header's version's plaintext body. */
  primaryPlaintext?: boolean;
  /** The recorder's own decoding of the dump, per area id; a debugging aid. */
  areasAfter: Record<string, unknown>;
}

export interface ModesImage {
  name: string;
  version: string;
  body: string;
  bodyLen: number;
  imgtoolArgs: string[];
  fileSize: number;
  placedAt: { area: number; offsetInArea: number; deviceOffset: number };
}

/** A power-fail sweep of one boot of a case, decoded per k (index k − 1). */
export interface ModesSweep {
  name: string;
  /** The swept step; the sweep starts from the device (and counters) before it. */
  bootStep: number;
  points: number;
  /** First digit of the booted version per k, `-` = boot failed. */
  reboot1Booted: string[];
  reboot2Booted: string[];
  /** First version digit of each primary after the reboot (image 0, then image 1). */
  reboot1Primaries: string[];
  reboot2Primaries: string[];
  reboot1Ops: number[];
  reboot1FlashSha256: string[];
  reboot2FlashSha256: string[];
  reboot1Nv?: Array<[number, number]>;
  reboot2Nv?: Array<[number, number]>;
  reboot1PrimaryPlaintext?: boolean[];
  reboot2PrimaryPlaintext?: boolean[];
  violations: number;
}

export interface ModesCase {
  /** `<build>/<scenario>`. */
  id: string;
  group: string;
  description: string;
  build: ModesBuild;
  layoutName: string;
  layout: GeometrySpec;
  ram?: RamWindow;
  images: ModesImage[];
  nvBefore?: [number, number];
  readonly before: Uint8Array;
  steps: ModesStep[];
  sweeps: ModesSweep[];
}

// ---- raw manifest ------------------------------------------------------------------------

interface RawLayout {
  device_size: number;
  flash: Array<{ id: number; sectors: Array<[number, number]>; writeAlign: number; erasedValue: number }>;
  areas: Record<string, { flash: number; offset: number; size: number; role: string }>;
  ram?: { start: number; size: number };
}

interface RawStep {
  step: number;
  action: string;
  result: {
    ok?: boolean;
    version?: string | null;
    image_off?: number;
    rc?: number;
    per_image?: Array<{ requested_swap_type_name?: string; swap_type_name?: string; active_slot?: number; img_dst?: number; img_sz?: number }>;
    ops: { erase: number; write: number; total: number; violations: number };
  };
  trace: string;
  trace_ops: number;
  dump_after: string;
  sha256_after: string;
  nv_counters_after?: [number, number];
  ram_after?: string;
  ram_sha256?: string;
  primary_plaintext?: boolean;
  areas_after: Record<string, unknown>;
}

interface RawSweep {
  boot_step: number;
  points: number;
  reboot1_booted: string;
  reboot2_booted: string;
  reboot1_primaries: string[];
  reboot2_primaries: string[];
  reboot1_ops: number[];
  flash_sha256_classes: string[];
  reboot1_flash_class: number[];
  reboot2_flash_class: number[];
  reboot1_nv?: Array<[string, string]>;
  reboot2_nv?: Array<[string, string]>;
  reboot1_primary_plaintext?: boolean[];
  reboot2_primary_plaintext?: boolean[];
  violations: number;
}

interface RawCase {
  id: string;
  group: string;
  build: string;
  layout: string;
  path: string;
  description: string;
  images: Array<{ name: string; version: string; body: string; body_len: number; imgtool_args: string[]; file_size: number; placed_at: { area: number; offset_in_area: number; device_offset: number } }>;
  nv_counters_before?: [number, number];
  steps: RawStep[];
  power_fail_sweeps: Record<string, RawSweep>;
}

interface ModesManifest {
  format: string;
  builds: Record<string, string[]>;
  layouts: Record<string, RawLayout>;
  cases: RawCase[];
}

let manifestCache: ModesManifest | undefined;

export function modesManifest(): ModesManifest {
  manifestCache ??= JSON.parse(readFileSync(`${modesVectorsDir}manifest.json`, 'utf8')) as ModesManifest;
  return manifestCache;
}

// ---- decoding ----------------------------------------------------------------------------

const gunzipFile = (path: string): Uint8Array => new Uint8Array(gunzipSync(readFileSync(path)));

function lazy<T extends object>(target: T, name: string, load: () => unknown, keep: boolean): void {
  Object.defineProperty(target, name, {
    enumerable: true,
    configurable: true,
    get() {
      const value = load();
      if (keep) Object.defineProperty(target, name, { enumerable: true, value });
      return value;
    },
  });
}

const SWAP_NAMES: readonly SwapTypeName[] = ['NONE', 'TEST', 'PERM', 'REVERT', 'FAIL', 'PANIC'];

function swapName(v: string | undefined, where: string): SwapTypeName | undefined {
  if (v === undefined) return undefined;
  if (!(SWAP_NAMES as readonly string[]).includes(v)) throw new Error(`${where}: unknown swap type ${JSON.stringify(v)}`);
  return v as SwapTypeName;
}

const STRATEGY_DEFINES: Array<[string, BootStrategy]> = [
  ['MCUBOOT_RAM_LOAD_REVERT', 'ram-load-revert' as BootStrategy],
  ['MCUBOOT_RAM_LOAD', 'ram-load' as BootStrategy],
  ['MCUBOOT_DIRECT_XIP_REVERT', 'direct-xip-revert' as BootStrategy],
  ['MCUBOOT_DIRECT_XIP', 'direct-xip' as BootStrategy],
  ['MCUBOOT_OVERWRITE_ONLY', 'overwrite-only'],
  ['MCUBOOT_SWAP_USING_MOVE', 'swap-move'],
  ['MCUBOOT_SWAP_USING_OFFSET', 'swap-offset'],
  ['MCUBOOT_SWAP_USING_SCRATCH', 'swap-scratch'],
];

function build(name: string, defines: string[]): ModesBuild {
  const has = (d: string) => defines.some((x) => x === d || x.startsWith(`${d} `) || x.startsWith(`${d}=`));
  const strategy = STRATEGY_DEFINES.find(([d]) => has(d))?.[1];
  if (!strategy) throw new Error(`mcuboot-modes build ${name}: no strategy define in ${defines.join(' ')}`);
  const images = defines.includes('MCUBOOT_IMAGE_NUMBER=2') ? 2 : 1;
  return {
    name: name as ModesBuildName,
    strategy,
    images,
    downgradePrevention: has('MCUBOOT_DOWNGRADE_PREVENTION'),
    hwRollback: has('MCUBOOT_HW_ROLLBACK_PROT'),
    bootstrap: has('MCUBOOT_BOOTSTRAP'),
    ...(has('MCUBOOT_ENC_IMAGES') ? { encKeyPath: `${vectorsRoot}imgtool-enc/keys/enc-p256.pem` } : {}),
    defines,
  };
}

function action(text: string, where: string): ModesAction {
  if (text === 'boot' || text === 'confirm') return text;
  const m = /^setnext:(\d+):([01]):([01])$/.exec(text);
  if (!m) throw new Error(`${where}: unknown action ${JSON.stringify(text)}`);
  return { area: Number(m[1]), active: m[2] === '1', confirm: m[3] === '1' };
}

function layout(name: string, raw: RawLayout): GeometrySpec {
  if (raw.flash.length !== 1) throw new Error(`mcuboot-modes layout ${name}: ${raw.flash.length} flash devices, expected one`);
  const f = raw.flash[0];
  return geometryFromMatrixLayout({
    name: `mcuboot-modes-${name}`,
    device_size: raw.device_size,
    sectors: f.sectors,
    write_alignment: f.writeAlign,
    erased_value: f.erasedValue,
    areas: Object.entries(raw.areas).map(([id, a]) => ({ id: Number(id), name: a.role, offset: a.offset, size: a.size })),
  });
}

function digits(s: string, points: number, where: string): string[] {
  if (s.length !== points) throw new Error(`${where}: ${s.length} characters for ${points} points`);
  return [...s];
}

function perK<T>(list: T[] | undefined, points: number, where: string): T[] | undefined {
  if (list === undefined) return undefined;
  if (list.length !== points) throw new Error(`${where}: ${list.length} entries for ${points} points`);
  return list;
}

function sweep(name: string, s: RawSweep, where: string): ModesSweep {
  const n = s.points;
  const cls = (c: number[], what: string) =>
    perK(c, n, `${where} ${what}`)!.map((i) => {
      const h = s.flash_sha256_classes[i];
      if (h === undefined) throw new Error(`${where} ${what}: class ${i} of ${s.flash_sha256_classes.length}`);
      return h;
    });
  const nv = (l: Array<[string, string]> | undefined, what: string) => perK(l, n, `${where} ${what}`)?.map(([a, b]) => [Number(a), Number(b)] as [number, number]);
  return {
    name,
    bootStep: s.boot_step,
    points: n,
    reboot1Booted: digits(s.reboot1_booted, n, `${where} reboot1_booted`),
    reboot2Booted: digits(s.reboot2_booted, n, `${where} reboot2_booted`),
    reboot1Primaries: perK(s.reboot1_primaries, n, `${where} reboot1_primaries`)!,
    reboot2Primaries: perK(s.reboot2_primaries, n, `${where} reboot2_primaries`)!,
    reboot1Ops: perK(s.reboot1_ops, n, `${where} reboot1_ops`)!,
    reboot1FlashSha256: cls(s.reboot1_flash_class, 'reboot1_flash_class'),
    reboot2FlashSha256: cls(s.reboot2_flash_class, 'reboot2_flash_class'),
    ...(s.reboot1_nv ? { reboot1Nv: nv(s.reboot1_nv, 'reboot1_nv'), reboot2Nv: nv(s.reboot2_nv, 'reboot2_nv') } : {}),
    ...(s.reboot1_primary_plaintext
      ? { reboot1PrimaryPlaintext: perK(s.reboot1_primary_plaintext, n, `${where} reboot1_primary_plaintext`), reboot2PrimaryPlaintext: perK(s.reboot2_primary_plaintext, n, `${where} reboot2_primary_plaintext`) }
      : {}),
    violations: s.violations,
  };
}

function step(raw: RawStep, i: number, where: string): ModesStep {
  const at = `${where} step ${raw.step}`;
  if (raw.step !== i + 1) throw new Error(`${at}: steps out of order`);
  const r = raw.result;
  const act = action(raw.action, at);
  const s = {
    step: raw.step,
    action: act,
    actionName: raw.action,
    ops: { erase: r.ops.erase, write: r.ops.write, total: r.ops.total, violations: r.ops.violations },
    sha256After: raw.sha256_after,
    areasAfter: raw.areas_after,
    ...(raw.nv_counters_after ? { nvAfter: raw.nv_counters_after } : {}),
    ...(raw.ram_sha256 ? { ramSha256: raw.ram_sha256 } : {}),
    ...(raw.primary_plaintext !== undefined ? { primaryPlaintext: raw.primary_plaintext } : {}),
  } as ModesStep;
  if (act === 'boot') {
    if (r.ok === undefined || !r.per_image) throw new Error(`${at}: a boot result without ok or per_image`);
    Object.assign(s, {
      ok: r.ok,
      version: r.ok ? r.version : null,
      imageOff: r.ok ? r.image_off : null,
      perImage: r.per_image.map((p) => ({
        ...(p.requested_swap_type_name !== undefined ? { requested: swapName(p.requested_swap_type_name, at) } : {}),
        ...(p.swap_type_name !== undefined ? { swapType: swapName(p.swap_type_name, at) } : {}),
        ...(p.active_slot !== undefined ? { activeSlot: p.active_slot } : {}),
        ...(p.img_dst !== undefined ? { imgDst: p.img_dst, imgSz: p.img_sz } : {}),
      })),
    });
  } else {
    if (r.rc === undefined) throw new Error(`${at}: an application call without rc`);
    s.rc = r.rc;
  }
  if (raw.trace_ops !== r.ops.total) throw new Error(`${at}: ${raw.trace_ops} trace ops for ${r.ops.total} ops`);
  lazy(s, 'traceLines', () => gunzipSync(readFileSync(`${modesVectorsDir}${raw.trace}`)).toString('utf8').split('\n').filter((l) => l !== ''), true);
  lazy(s, 'after', () => gunzipFile(`${modesVectorsDir}${raw.dump_after}`), false);
  if (raw.ram_after) lazy(s, 'ramAfter', () => gunzipFile(`${modesVectorsDir}${raw.ram_after}`), false);
  return s;
}

/** Every mcuboot-modes case, in manifest order. */
export function loadModesCases(): ModesCase[] {
  const m = modesManifest();
  if (m.format !== 'mcuboot-modes/1') throw new Error(`mcuboot-modes: unknown format ${m.format}`);
  const builds = new Map(Object.entries(m.builds).map(([name, d]) => [name, build(name, d)]));
  return m.cases.map((c) => {
    const where = `mcuboot-modes ${c.id}`;
    const b = builds.get(c.build);
    if (!b) throw new Error(`${where}: unknown build ${c.build}`);
    const l = m.layouts[c.layout];
    if (!l) throw new Error(`${where}: unknown layout ${c.layout}`);
    const steps = c.steps.map((s, i) => step(s, i, where));
    const sweeps = Object.entries(c.power_fail_sweeps).map(([name, s]) => {
      const sw = sweep(name, s, `${where} sweep ${name}`);
      if (sw.bootStep < 1 || sw.bootStep > steps.length || steps[sw.bootStep - 1].action !== 'boot') throw new Error(`${where} sweep ${name}: step ${sw.bootStep} is not a boot`);
      if (steps[sw.bootStep - 1].ops.total !== sw.points) throw new Error(`${where} sweep ${name}: ${sw.points} points for a boot of ${steps[sw.bootStep - 1].ops.total} ops`);
      return sw;
    });
    const mc = {
      id: c.id,
      group: c.group,
      description: c.description,
      build: b,
      layoutName: c.layout,
      layout: layout(c.layout, l),
      ...(l.ram ? { ram: { start: l.ram.start, size: l.ram.size } } : {}),
      images: c.images.map((i) => ({
        name: i.name, version: i.version, body: i.body, bodyLen: i.body_len, imgtoolArgs: i.imgtool_args, fileSize: i.file_size,
        placedAt: { area: i.placed_at.area, offsetInArea: i.placed_at.offset_in_area, deviceOffset: i.placed_at.device_offset },
      })),
      ...(c.nv_counters_before ? { nvBefore: c.nv_counters_before } : {}),
      steps,
      sweeps,
    } as unknown as ModesCase;
    lazy(mc, 'before', () => gunzipFile(`${modesVectorsDir}${c.path}/00-before.bin.gz`), false);
    return mc;
  });
}

/**
 * Typed loaders for the recorded runs of the real MCUboot C code (commit 2d4bacc3, v2.4.0):
 * test/fixtures/vectors/mcuboot-boot (one layout, four strategies, ten scenarios, power-fail
 * sweeps as row tables) and test/fixtures/vectors/mcuboot-matrix (68 cases over alignments,
 * erased values, layouts and image sizes, sweeps in compact per-k strings). Read
 * docs/vectors.md for what each field means to the bootloader.
 *
 * The vectors sit at test/fixtures/vectors relative to the repository root, in CI as here.
 * Manifests are parsed once per process. Dumps are read only when asked for, and every read
 * gunzips a fresh copy that the caller may change (whole dumps of every matrix step would
 * otherwise stay in memory: about 85 MB). Traces are small and are kept once read.
 * A vector that contradicts itself (a per-k string of the wrong length, a class index out of
 * range, an unknown action) throws here rather than misleading a test.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parseTraceLine, traceLine } from '../../src/core/index.js';
import type { GeometrySpec } from '../../src/device/geometry.js';
import { findProfile } from '../../src/device/profiles.js';
import { geometryFromMatrixLayout, type MatrixLayout } from './matrix-layout.js';
import type { BootStrategy } from '../../src/image/strategy.js';

export const vectorsRoot = fileURLToPath(new URL('../fixtures/vectors/', import.meta.url));
export const bootVectorsDir = `${vectorsRoot}mcuboot-boot/`;
export const matrixVectorsDir = `${vectorsRoot}mcuboot-matrix/`;
const keysDir = `${vectorsRoot}imgtool/keys/`;

// ---- shared vocabulary ------------------------------------------------------------------

/** The strategy names the vectors use (directory names, `build.strategy`). */
export type VectorStrategy = 'scratch' | 'move' | 'offset' | 'overwrite';

export const STRATEGY_OF: Record<VectorStrategy, BootStrategy> = {
  scratch: 'swap-scratch',
  move: 'swap-move',
  offset: 'swap-offset',
  overwrite: 'overwrite-only',
};

/** MCUboot's BOOT_SWAP_TYPE_* codes (the manifests' `swap_type_codes`). */
export type SwapTypeName = 'NONE' | 'TEST' | 'PERM' | 'REVERT' | 'FAIL' | 'PANIC';
const SWAP_TYPES: Record<number, SwapTypeName> = { 1: 'NONE', 2: 'TEST', 3: 'PERM', 4: 'REVERT', 5: 'FAIL', 255: 'PANIC' };

function swapType(code: number, where: string): SwapTypeName {
  const name = SWAP_TYPES[code];
  if (!name) throw new Error(`${where}: unknown swap type code ${code}`);
  return name;
}

/**
 * What a step does: `boot` is one power-on of the bootloader (boot_go); the others are the
 * application's calls: `confirm` = boot_set_confirmed(), `pendingN` = boot_set_pending(N).
 */
export type AppAction = 'confirm' | 'pending0' | 'pending1';
export type StepAction = 'boot' | AppAction;
const ACTIONS: readonly StepAction[] = ['boot', 'confirm', 'pending0', 'pending1'];

/** Flash operations of one call (erase and write calls; reads are free and not ops). */
export interface OpCounts {
  erase: number;
  write: number;
  /** erase + write: the number of cut points of the call. */
  total: number;
  bytesErased: number;
  bytesWritten: number;
  /** Misaligned or double writes; 0 in every recorded run. */
  violations: number;
  /** flash_area_read calls, for curiosity only. */
  reads: number;
}

/** What the real boot_go did. */
export interface BootOutcome {
  ok: boolean;
  /** boot_go's return code: 0, or -1 when no image could be booted. */
  rc: number;
  /** The booted image's version as MCUboot prints it (`2.0.0+0`); null when !ok. */
  version: string | null;
  /** Device offset of the slot it boots; null when !ok. */
  imageOff: number | null;
  /** Swap type held by the loader after boot_go (what it did, see docs/vectors.md). */
  swapType: SwapTypeName;
  /** boot_swap_type() read from the trailers just before boot_go (what was asked). */
  requestedSwapType: SwapTypeName;
  ops: OpCounts;
}

/** What the real application call did. */
export interface AppCallOutcome {
  rc: number;
  /** boot_set_pending's argument; null for confirm. */
  permanent: boolean | null;
  ops: OpCounts;
}

interface StepBase<State> {
  /** 1-based, as the `NN-` of the file names. */
  step: number;
  /** The whole device after the step (a fresh copy on every read). */
  readonly after: Uint8Array;
  afterPath: string;
  /** The recorders' own decoding of the dump after the step; a debugging aid, not an oracle. */
  stateAfter: State;
}

export interface BootStep<State = unknown> extends StepBase<State> {
  action: 'boot';
  expected: BootOutcome;
  /** Every erase/write of the boot, in order: `E|W <area id> <offset hex> <length hex>`. */
  readonly traceLines: string[];
}

export interface AppStep<State = unknown> extends StepBase<State> {
  action: AppAction;
  expected: AppCallOutcome;
  /** Present in mcuboot-matrix; mcuboot-boot recorded no traces of application calls. */
  readonly traceLines?: string[];
}

export type VectorStep<State = unknown> = BootStep<State> | AppStep<State>;

/** One line of a trace. Area ids: 1 primary, 2 secondary, 3 scratch. */
export interface TraceOp {
  kind: 'E' | 'W';
  area: number;
  offset: number;
  length: number;
}

/** Trace lines are read and written by the core's one trace format (src/core/trace.ts). */
export { parseTraceLine, traceLine as formatTraceOp };

// ---- file access -------------------------------------------------------------------------

const gunzipFile = (path: string): Uint8Array => new Uint8Array(gunzipSync(readFileSync(path)));

function readTrace(path: string): string[] {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  return text.split('\n').filter((line) => line !== '');
}

/** Defines `name` on `target` as a getter that reads a dump afresh on every access. */
function dumpProperty<T extends object>(target: T, name: string, path: string): void {
  Object.defineProperty(target, name, { enumerable: true, get: () => gunzipFile(path) });
}

/** Defines `name` on `target` as a value computed on first access and then kept. */
function lazyProperty<T extends object, V>(target: T, name: string, load: () => V): void {
  Object.defineProperty(target, name, {
    enumerable: true,
    configurable: true,
    get() {
      const value = load();
      Object.defineProperty(target, name, { enumerable: true, value });
      return value;
    },
  });
}

interface RawOps {
  erase: number;
  write: number;
  read?: number;
  bytes_erased: number;
  bytes_written: number;
  total: number;
  violations: number;
}

const opCounts = (o: RawOps): OpCounts => ({
  erase: o.erase,
  write: o.write,
  total: o.total,
  bytesErased: o.bytes_erased,
  bytesWritten: o.bytes_written,
  violations: o.violations,
  reads: o.read ?? 0,
});

interface RawResult {
  cmd: string;
  rc: number;
  ops: RawOps;
  ok?: boolean;
  version?: string;
  image_off?: number;
  swap_type?: number;
  requested_swap_type?: number;
  permanent?: number;
  interrupted?: boolean;
}

function action(value: string, where: string): StepAction {
  if (!(ACTIONS as readonly string[]).includes(value)) throw new Error(`${where}: unknown action ${JSON.stringify(value)}`);
  return value as StepAction;
}

/** A step object from the manifest's result; `trace` is the gzip trace path, if recorded. */
function makeStep<State>(where: string, stepNo: number, act: StepAction, r: RawResult, afterPath: string, stateAfter: State, trace: string | undefined): VectorStep<State> {
  const base = { step: stepNo, afterPath, stateAfter } as StepBase<State>;
  dumpProperty(base, 'after', afterPath);
  if (trace !== undefined) lazyProperty(base, 'traceLines', () => readTrace(trace));
  if (act === 'boot') {
    if (trace === undefined) throw new Error(`${where}: a boot step without a trace`);
    if (r.ok === undefined || r.swap_type === undefined || r.requested_swap_type === undefined) throw new Error(`${where}: a boot result without ok or swap types`);
    if (r.ok && (r.version === undefined || r.image_off === undefined)) throw new Error(`${where}: a successful boot without version or image offset`);
    const expected: BootOutcome = {
      ok: r.ok,
      rc: r.rc,
      version: r.ok ? r.version! : null,
      imageOff: r.ok ? r.image_off! : null,
      swapType: swapType(r.swap_type, where),
      requestedSwapType: swapType(r.requested_swap_type, where),
      ops: opCounts(r.ops),
    };
    return Object.assign(base, { action: 'boot' as const, expected }) as BootStep<State>;
  }
  const expected: AppCallOutcome = { rc: r.rc, permanent: r.permanent === undefined ? null : r.permanent === 1, ops: opCounts(r.ops) };
  return Object.assign(base, { action: act, expected }) as AppStep<State>;
}

/** The trusted public key of a build, as `--key` takes it; the vectors' private keys sign. */
const publicKey = (name: string) => `${keysDir}${name}.pub.pem`;

// ---- mcuboot-boot --------------------------------------------------------------------------

/** A slot as the mcuboot-boot recorder decoded it (manifest `state_after.primary` …). */
export interface BootSlotState {
  header_at?: number;
  version?: string;
  img_size?: number;
  hashed_sha256?: string;
  trailer_last64_hex: string;
  magic: string;
  image_ok: number;
  copy_done: number;
  swap_info: number;
  swap_size: number;
  /** swap-offset only: the extra trailer word at slot_end − 48. */
  unprot_tlv_size_secondary?: number;
  unprot_tlv_size_primary?: number;
}

export interface BootDeviceState {
  primary: BootSlotState;
  secondary: BootSlotState;
  scratch_erased: boolean;
}

export type BootScenario =
  | 'test-revert'
  | 'test-confirm'
  | 'perm'
  | 'pending-api'
  | 'pending-api-perm'
  | 'bad-body'
  | 'wrong-key'
  | 'no-upgrade'
  | 'empty'
  | 'secondary-only';

export interface BootBuild {
  strategy: BootStrategy;
  /** MCUBOOT_BOOT_MAX_ALIGN. */
  maxAlign: number;
  /** MCUBOOT_MAX_IMG_SECTORS. */
  maxSectors: number;
  /** MCUBOOT_VALIDATE_PRIMARY_SLOT: every build of both sets has it. */
  validatePrimarySlot: true;
  /** Trusted keys' names (`../imgtool/keys/<name>.pem`); empty = hash only. */
  keyNames: string[];
  /** The same keys as public-key PEM paths, for `--key`. */
  keys: string[];
}

export type BootSweepKind = 'test-upgrade-boot' | 'revert-boot' | 'perm-upgrade-boot';

export interface SweepReboot {
  ok: boolean;
  version: string | null;
  swapType: SwapTypeName;
  crashed: boolean;
  violations: number;
}

/** One cut point of an mcuboot-boot sweep. */
export interface BootSweepRow {
  /** The boot was stopped before op k (ops 1..k-1 happened). */
  k: number;
  /** The op that did not happen, as a trace line: the k-th line of the clean boot's trace. */
  op: string;
  interrupted: boolean;
  /** The two uninterrupted boots after the cut. */
  reboots: [SweepReboot, SweepReboot];
  /** Version in the primary slot at the end. */
  primaryVersionFinal: string;
}

export interface BootSweep {
  /** `<strategy>-<kind>`, the file name in sweeps/. */
  id: string;
  vectorStrategy: VectorStrategy;
  strategy: BootStrategy;
  kind: BootSweepKind;
  /** The case (`<strategy>/<scenario>`) whose step is swept. */
  caseId: string;
  /** The swept step of that case; the sweep starts from the dump before it. */
  step: number;
  readonly start: Uint8Array;
  startPath: string;
  uninterruptedOps: number;
  /** Versions booted by reboot 1 and reboot 2 after every cut. */
  expectedAfterRecovery: [string, string];
  kNotMatchingExpected: number[];
  allRecoveredToValidImage: boolean;
  maxWriteViolations: number;
  outcomeHistogram: Record<string, number>;
  rows: BootSweepRow[];
}

export interface BootCase {
  /** `<strategy>/<scenario>`, the folder of its dumps. */
  id: string;
  vectorStrategy: VectorStrategy;
  strategy: BootStrategy;
  scenario: BootScenario;
  description: string;
  layout: GeometrySpec;
  build: BootBuild;
  readonly before: Uint8Array;
  beforePath: string;
  beforeState: BootDeviceState;
  steps: VectorStep<BootDeviceState>[];
  /** The sweeps that start from one of this case's dumps. */
  sweeps: BootSweep[];
}

interface RawBootStep {
  step: number;
  action: string;
  result: RawResult;
  dump: string;
  op_trace?: string;
  state_after: BootDeviceState;
}

interface RawBootSweepSummary {
  from: string;
  uninterrupted_ops: number;
  expected_after_recovery: [string, string];
  k_not_matching_expected: number[];
  table: string;
  interruption_points: number;
  all_recovered_to_valid_image: boolean;
  outcome_histogram: Record<string, number>;
  max_write_violations: number;
}

interface RawBootSweepRow {
  k: number;
  op: string;
  interrupted: boolean;
  reboots: Array<{ ok: boolean; version?: string; swap_type: SwapTypeName; crashed: boolean; violations: number }>;
  primary_version_final: string;
}

/** The parts of mcuboot-boot/manifest.json the loaders read. */
export interface BootManifest {
  format: string;
  flash_layout: {
    device_size: number;
    sector_size: number;
    write_alignment: number;
    erased_value: string;
    areas: Array<{ id: number; name: string; offset: number; size: number }>;
  };
  config: { common_defines: string[]; builds: Record<string, string[]> };
  swap_type_codes: Record<string, string>;
  op_counts: Record<VectorStrategy, Record<string, RawOps>>;
  strategies: Record<
    VectorStrategy,
    {
      scenarios: Record<string, { description: string; steps: RawBootStep[]; dumps: string[]; before: BootDeviceState }>;
      power_fail_sweeps: Record<string, RawBootSweepSummary>;
    }
  >;
}

let bootManifestCache: BootManifest | undefined;

export function bootManifest(): BootManifest {
  bootManifestCache ??= JSON.parse(readFileSync(`${bootVectorsDir}manifest.json`, 'utf8')) as BootManifest;
  return bootManifestCache;
}

/** `MCUBOOT_BOOT_MAX_ALIGN=8` → 8, from a defines list. */
function define(defines: string[], name: string): number {
  const d = defines.find((x) => x.startsWith(`${name}=`));
  if (!d) throw new Error(`the build defines no ${name}`);
  return Number(d.slice(name.length + 1));
}

function bootBuild(m: BootManifest, vs: VectorStrategy): BootBuild {
  const defines = m.config.common_defines;
  const lines = m.config.builds[vs];
  if (!lines) throw new Error(`mcuboot-boot: no build for ${vs}`);
  // "MCUBOOT_SIGN_EC256 (trusted key: ecdsa-p256)"
  const keyNames = lines.flatMap((l) => /trusted key: ([\w-]+)/.exec(l)?.[1] ?? []);
  if (!defines.includes('MCUBOOT_VALIDATE_PRIMARY_SLOT')) throw new Error('mcuboot-boot: builds without MCUBOOT_VALIDATE_PRIMARY_SLOT');
  return {
    strategy: STRATEGY_OF[vs],
    maxAlign: define(defines, 'MCUBOOT_BOOT_MAX_ALIGN'),
    maxSectors: define(defines, 'MCUBOOT_MAX_IMG_SECTORS'),
    validatePrimarySlot: true,
    keyNames,
    keys: keyNames.map(publicKey),
  };
}

const SWEEP_KINDS: readonly BootSweepKind[] = ['test-upgrade-boot', 'revert-boot', 'perm-upgrade-boot'];

function bootSweep(vs: VectorStrategy, kind: string, s: RawBootSweepSummary, caseDumps: Map<string, { caseId: string; step: number }>): BootSweep {
  const id = `${vs}-${kind}`;
  if (!(SWEEP_KINDS as readonly string[]).includes(kind)) throw new Error(`mcuboot-boot: unknown sweep ${id}`);
  const origin = caseDumps.get(s.from);
  if (!origin) throw new Error(`mcuboot-boot: sweep ${id} starts from ${s.from}, which no case lists`);
  const raw = JSON.parse(readFileSync(`${bootVectorsDir}${s.table}`, 'utf8')) as RawBootSweepRow[];
  const rows = raw.map((r, i): BootSweepRow => {
    if (r.k !== i + 1 || r.reboots.length !== 2) throw new Error(`mcuboot-boot: sweep ${id} row ${i} is k=${r.k} with ${r.reboots.length} reboots`);
    const reboot = (x: RawBootSweepRow['reboots'][number]): SweepReboot => ({
      ok: x.ok,
      version: x.version ?? null,
      swapType: x.swap_type,
      crashed: x.crashed,
      violations: x.violations,
    });
    return { k: r.k, op: r.op, interrupted: r.interrupted, reboots: [reboot(r.reboots[0]), reboot(r.reboots[1])], primaryVersionFinal: r.primary_version_final };
  });
  if (rows.length !== s.uninterrupted_ops || s.interruption_points !== s.uninterrupted_ops) {
    throw new Error(`mcuboot-boot: sweep ${id} has ${rows.length} rows for ${s.uninterrupted_ops} ops`);
  }
  const sweep = {
    id,
    vectorStrategy: vs,
    strategy: STRATEGY_OF[vs],
    kind: kind as BootSweepKind,
    caseId: origin.caseId,
    // The dump before step n is the one written after step n-1 (or 00-before).
    step: origin.step + 1,
    startPath: `${bootVectorsDir}${s.from}`,
    uninterruptedOps: s.uninterrupted_ops,
    expectedAfterRecovery: s.expected_after_recovery,
    kNotMatchingExpected: s.k_not_matching_expected,
    allRecoveredToValidImage: s.all_recovered_to_valid_image,
    maxWriteViolations: s.max_write_violations,
    outcomeHistogram: s.outcome_histogram,
    rows,
  } as BootSweep;
  dumpProperty(sweep, 'start', sweep.startPath);
  return sweep;
}

/** Every mcuboot-boot case (strategy × scenario), each with its steps and sweeps. */
export function loadBootCases(): BootCase[] {
  const m = bootManifest();
  const layout = findProfile('mcuboot-boot');
  const cases: BootCase[] = [];
  for (const [vs, strategy] of Object.entries(m.strategies) as Array<[VectorStrategy, BootManifest['strategies'][VectorStrategy]]>) {
    if (!STRATEGY_OF[vs]) throw new Error(`mcuboot-boot: unknown strategy ${vs}`);
    const build = bootBuild(m, vs);
    // Dump path → (case, index of the dump: 0 = before, n = after step n).
    const dumps = new Map<string, { caseId: string; step: number }>();
    const byId = new Map<string, BootCase>();
    for (const [scenario, sc] of Object.entries(strategy.scenarios)) {
      const id = `${vs}/${scenario}`;
      sc.dumps.forEach((d, i) => dumps.set(d, { caseId: id, step: i }));
      const steps = sc.steps.map((s, i) => {
        const where = `mcuboot-boot ${id} step ${s.step}`;
        if (s.step !== i + 1) throw new Error(`${where}: steps out of order`);
        if (sc.dumps[i + 1] !== s.dump) throw new Error(`${where}: dump ${s.dump} is not dumps[${i + 1}]`);
        return makeStep(where, s.step, action(s.action, where), s.result, `${bootVectorsDir}${s.dump}`, s.state_after, s.op_trace === undefined ? undefined : `${bootVectorsDir}${s.op_trace}`);
      });
      const c = {
        id,
        vectorStrategy: vs,
        strategy: STRATEGY_OF[vs],
        scenario: scenario as BootScenario,
        description: sc.description,
        layout: structuredClone(layout),
        build: structuredClone(build),
        beforePath: `${bootVectorsDir}${sc.dumps[0]}`,
        beforeState: sc.before,
        steps,
        sweeps: [],
      } as unknown as BootCase;
      dumpProperty(c, 'before', c.beforePath);
      byId.set(id, c);
      cases.push(c);
    }
    for (const [kind, s] of Object.entries(strategy.power_fail_sweeps)) {
      const sweep = bootSweep(vs, kind, s, dumps);
      byId.get(sweep.caseId)!.sweeps.push(sweep);
    }
  }
  return cases;
}

/** Every mcuboot-boot power-fail sweep (`sweeps/<strategy>-<kind>.json`). */
export function loadBootSweeps(): BootSweep[] {
  return loadBootCases().flatMap((c) => c.sweeps);
}

// ---- mcuboot-matrix ------------------------------------------------------------------------

export type MatrixScenario = 'perm' | 'test-revert';

/** A version booted after a cut: `-` in the manifest is a failed boot_go, `C` a crash. */
export type SweepVersion = '1.0.0+0' | '2.0.0+0' | 'failed' | 'crashed';
const SWEEP_VERSION: Record<string, SweepVersion> = { '1': '1.0.0+0', '2': '2.0.0+0', '-': 'failed', C: 'crashed' };

export interface MatrixBuild {
  strategy: BootStrategy;
  vectorStrategy: VectorStrategy;
  strategyDefine: string;
  maxAlign: number;
  maxSectors: number;
  validatePrimarySlot: true;
  /** `hash`: SHA-256 TLV only; `ecdsa`: ECDSA-P256 trusting ecdsa-p256. */
  signature: 'hash' | 'ecdsa';
  keyNames: string[];
  keys: string[];
}

export interface MatrixImage {
  version: string;
  bodyLen: number;
  headerSize: number;
  /** Header + body + TLVs. */
  totalSize: number;
  /** Bytes of the file as imgtool wrote it (padded images run to the end of the slot). */
  fileSize: number;
  fileSha256: string;
  imgtoolArgs: string[];
  /** Cut `fileSize` bytes here out of the before-dump to get the file back. */
  placedAt: { area: number; offset: number };
  kind: string;
}

/** One power-fail sweep of a matrix case, decoded to per-k arrays (index k-1). */
export interface MatrixSweep {
  kind: 'upgrade' | 'revert';
  /** The swept step; the sweep starts from the device before it. */
  bootStep: number;
  points: number;
  expected: [SweepVersion, SweepVersion];
  reboot1Versions: SweepVersion[];
  reboot2Versions: SweepVersion[];
  /** Ops of the resuming boot (reboot 1). */
  reboot1Ops: number[];
  flashSha256Classes: string[];
  reboot1FlashClass: number[];
  reboot2FlashClass: number[];
  /** SHA-256 of the whole device after reboot 1 / reboot 2, per k. */
  reboot1FlashSha256: string[];
  reboot2FlashSha256: string[];
  /** k (1-based) where the device after reboot 1 differs from the clean run of the step. */
  kReboot1FlashDiffersFromCleanStep: number[];
  /** k where the device after reboot 2 differs from the clean run of the following step. */
  kReboot2FlashDiffersFromCleanNextStep: number[];
  kNotMatchingExpected: number[];
  reboot1SwapTypeHistogram: Partial<Record<SwapTypeName, number>>;
  violations: number;
}

export interface OversizeRun {
  v2TotalSize: number;
  imgtoolArgs: string[];
  pendingRc: number;
  requestedSwapType: SwapTypeName;
  swapType: SwapTypeName;
  ok: boolean;
  bootedVersion: string;
  ops: number;
  erases: number;
  secondaryErasedAfter: boolean;
}

export interface MatrixSlotState {
  header: { header_at: number; version: string; img_size: number } | null;
  trailer: { magic: string; image_ok: number; copy_done: number; swap_info: number; swap_size?: number; unprot_tlv_sizes?: [number, number] };
}

export interface MatrixDeviceState {
  primary: MatrixSlotState;
  secondary: MatrixSlotState;
  scratch_erased?: boolean;
}

export type MatrixStep = VectorStep<MatrixDeviceState> & {
  /** SHA-256 (hex) of the whole device after the step. */
  sha256After: string;
  /** Every step of the matrix has a trace, application calls included. */
  readonly traceLines: string[];
  traceOps: number;
};

export interface MatrixCase {
  /** `<config>/<scenario>`. */
  id: string;
  /** `<layout>-<strategy>-w<align>-e<erased>-<sig>[-ma32]`. */
  config: string;
  scenario: MatrixScenario;
  group: number;
  groupNote: string;
  layout: GeometrySpec;
  matrixLayout: MatrixLayout;
  build: MatrixBuild;
  maxImageSize: number;
  imageSizeKind: 'maximum' | 'mid-size';
  images: { v1: MatrixImage; v2: MatrixImage };
  readonly before: Uint8Array;
  beforePath: string;
  steps: MatrixStep[];
  /** The step that performs the upgrade (2 when the app's boot_set_pending(1) comes first). */
  upgradeStep: number;
  upgradeBootOps: { erase: number; write: number; total: number };
  sweeps: { upgrade: MatrixSweep; revert?: MatrixSweep };
  /** The configuration's single-boot size check (not stored as dumps). */
  oversize?: { max: OversizeRun; maxPlus1: OversizeRun };
}

interface RawMatrixImage {
  version: string;
  body_len: number;
  header_size: number;
  total_size: number;
  file_size: number;
  file_sha256: string;
  imgtool_args: string[];
  placed_at: { area: number; offset: number };
  kind: string;
}

interface RawMatrixSweep {
  boot_step: number;
  points: number;
  expected_versions: string;
  reboot1_versions: string;
  reboot2_versions: string;
  k_not_matching_expected: number[];
  violations: number;
  reboot1_swap_type_histogram: Partial<Record<SwapTypeName, number>>;
  reboot1_ops: number[];
  flash_sha256_classes: string[];
  reboot1_flash_class: string;
  reboot2_flash_class: string;
  k_reboot1_flash_differs_from_clean_step: number[];
  k_reboot2_flash_differs_from_clean_next_step: number[];
}

interface RawOversizeRun {
  v2_total_size: number;
  imgtool_args: string[];
  pending_rc: number;
  requested_swap_type: SwapTypeName;
  swap_type: SwapTypeName;
  ok: boolean;
  booted_version: string;
  ops: number;
  erases: number;
  secondary_erased_after: boolean;
}

interface RawMatrixCase {
  id: string;
  config: string;
  scenario: string;
  group: number;
  group_note: string;
  path: string;
  layout: MatrixLayout;
  build: {
    strategy: VectorStrategy;
    strategy_define: string;
    MCUBOOT_BOOT_MAX_ALIGN: number;
    MCUBOOT_MAX_IMG_SECTORS: number;
    signature: 'hash' | 'ecdsa';
    signature_detail: string;
  };
  max_image_size: number;
  image_size_kind: 'maximum' | 'mid-size';
  images: { v1: RawMatrixImage; v2: RawMatrixImage };
  steps: Array<{
    step: number;
    action: string;
    result: RawResult;
    sha256_after: string;
    dump_after: string;
    trace: string;
    trace_ops: number;
    state_after: MatrixDeviceState;
  }>;
  upgrade_step: number;
  upgrade_boot_ops: { erase: number; write: number; total: number };
  power_fail_sweeps: { upgrade: RawMatrixSweep; revert?: RawMatrixSweep };
}

/** The parts of mcuboot-matrix/manifest.json the loaders read. */
export interface MatrixManifest {
  format: string;
  common_defines: string[];
  swap_type_codes: Record<string, string>;
  oversize_check: { what: string; results: Record<string, { max: RawOversizeRun; max_plus_1: RawOversizeRun }> };
  cases: RawMatrixCase[];
}

let matrixManifestCache: MatrixManifest | undefined;

export function matrixManifest(): MatrixManifest {
  matrixManifestCache ??= JSON.parse(readFileSync(`${matrixVectorsDir}manifest.json`, 'utf8')) as MatrixManifest;
  return matrixManifestCache;
}

const image = (i: RawMatrixImage): MatrixImage => ({
  version: i.version,
  bodyLen: i.body_len,
  headerSize: i.header_size,
  totalSize: i.total_size,
  fileSize: i.file_size,
  fileSha256: i.file_sha256,
  imgtoolArgs: i.imgtool_args,
  placedAt: i.placed_at,
  kind: i.kind,
});

const oversizeRun = (r: RawOversizeRun): OversizeRun => ({
  v2TotalSize: r.v2_total_size,
  imgtoolArgs: r.imgtool_args,
  pendingRc: r.pending_rc,
  requestedSwapType: r.requested_swap_type,
  swapType: r.swap_type,
  ok: r.ok,
  bootedVersion: r.booted_version,
  ops: r.ops,
  erases: r.erases,
  secondaryErasedAfter: r.secondary_erased_after,
});

function versions(where: string, s: string, points: number): SweepVersion[] {
  if (s.length !== points) throw new Error(`${where}: ${s.length} characters for ${points} points`);
  return [...s].map((ch, i) => {
    const v = SWEEP_VERSION[ch];
    if (!v) throw new Error(`${where}: unknown version code ${JSON.stringify(ch)} at k=${i + 1}`);
    return v;
  });
}

function classes(where: string, s: string, points: number, count: number): number[] {
  if (s.length !== points) throw new Error(`${where}: ${s.length} class digits for ${points} points`);
  return [...s].map((ch, i) => {
    const n = parseInt(ch, 36);
    if (!(n >= 0 && n < count)) throw new Error(`${where}: class ${JSON.stringify(ch)} at k=${i + 1} is not one of ${count}`);
    return n;
  });
}

function matrixSweep(where: string, kind: 'upgrade' | 'revert', s: RawMatrixSweep): MatrixSweep {
  const expected = versions(`${where} expected_versions`, s.expected_versions, 2);
  const reboot1FlashClass = classes(`${where} reboot1_flash_class`, s.reboot1_flash_class, s.points, s.flash_sha256_classes.length);
  const reboot2FlashClass = classes(`${where} reboot2_flash_class`, s.reboot2_flash_class, s.points, s.flash_sha256_classes.length);
  if (s.reboot1_ops.length !== s.points) throw new Error(`${where}: ${s.reboot1_ops.length} reboot1_ops for ${s.points} points`);
  return {
    kind,
    bootStep: s.boot_step,
    points: s.points,
    expected: [expected[0], expected[1]],
    reboot1Versions: versions(`${where} reboot1_versions`, s.reboot1_versions, s.points),
    reboot2Versions: versions(`${where} reboot2_versions`, s.reboot2_versions, s.points),
    reboot1Ops: s.reboot1_ops,
    flashSha256Classes: s.flash_sha256_classes,
    reboot1FlashClass,
    reboot2FlashClass,
    reboot1FlashSha256: reboot1FlashClass.map((c) => s.flash_sha256_classes[c]),
    reboot2FlashSha256: reboot2FlashClass.map((c) => s.flash_sha256_classes[c]),
    kReboot1FlashDiffersFromCleanStep: s.k_reboot1_flash_differs_from_clean_step,
    kReboot2FlashDiffersFromCleanNextStep: s.k_reboot2_flash_differs_from_clean_next_step,
    kNotMatchingExpected: s.k_not_matching_expected,
    reboot1SwapTypeHistogram: s.reboot1_swap_type_histogram,
    violations: s.violations,
  };
}

/** Every mcuboot-matrix case, in manifest order. */
export function loadMatrixCases(): MatrixCase[] {
  const m = matrixManifest();
  if (!m.common_defines.includes('MCUBOOT_VALIDATE_PRIMARY_SLOT')) throw new Error('mcuboot-matrix: builds without MCUBOOT_VALIDATE_PRIMARY_SLOT');
  return m.cases.map((c) => {
    const where = `mcuboot-matrix ${c.id}`;
    const vs = c.build.strategy;
    if (!STRATEGY_OF[vs]) throw new Error(`${where}: unknown strategy ${vs}`);
    if (c.scenario !== 'perm' && c.scenario !== 'test-revert') throw new Error(`${where}: unknown scenario ${c.scenario}`);
    const keyNames = c.build.signature === 'ecdsa' ? ['ecdsa-p256'] : [];
    const steps = c.steps.map((s, i) => {
      const at = `${where} step ${s.step}`;
      if (s.step !== i + 1) throw new Error(`${at}: steps out of order`);
      const step = makeStep(at, s.step, action(s.action, at), s.result, `${matrixVectorsDir}${s.dump_after}`, s.state_after, `${matrixVectorsDir}${s.trace}`);
      return Object.assign(step, { sha256After: s.sha256_after, traceOps: s.trace_ops }) as MatrixStep;
    });
    const oversize = m.oversize_check.results[c.config];
    const mc = {
      id: c.id,
      config: c.config,
      scenario: c.scenario,
      group: c.group,
      groupNote: c.group_note,
      layout: geometryFromMatrixLayout(c.layout),
      matrixLayout: c.layout,
      build: {
        strategy: STRATEGY_OF[vs],
        vectorStrategy: vs,
        strategyDefine: c.build.strategy_define,
        maxAlign: c.build.MCUBOOT_BOOT_MAX_ALIGN,
        maxSectors: c.build.MCUBOOT_MAX_IMG_SECTORS,
        validatePrimarySlot: true,
        signature: c.build.signature,
        keyNames,
        keys: keyNames.map(publicKey),
      },
      maxImageSize: c.max_image_size,
      imageSizeKind: c.image_size_kind,
      images: { v1: image(c.images.v1), v2: image(c.images.v2) },
      beforePath: `${matrixVectorsDir}${c.path}/00-before.bin.gz`,
      steps,
      upgradeStep: c.upgrade_step,
      upgradeBootOps: c.upgrade_boot_ops,
      sweeps: {
        upgrade: matrixSweep(`${where} upgrade sweep`, 'upgrade', c.power_fail_sweeps.upgrade),
        ...(c.power_fail_sweeps.revert ? { revert: matrixSweep(`${where} revert sweep`, 'revert', c.power_fail_sweeps.revert) } : {}),
      },
      ...(oversize ? { oversize: { max: oversizeRun(oversize.max), maxPlus1: oversizeRun(oversize.max_plus_1) } } : {}),
    } as unknown as MatrixCase;
    dumpProperty(mc, 'before', mc.beforePath);
    return mc;
  });
}

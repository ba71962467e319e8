/**
 * A robustness test for the command line: every command, run with seeded random and mutated
 * arguments and inputs (images, keys, dumps, device files, results files), never prints a
 * stack trace, never hangs, and exits as documented — 0, 1 or 2 (and 4 for a boot or call
 * cut by --cut-at). Exit 3 is brickproof's own "internal error": the test reports it as a
 * bug found, with the arguments that reproduce it.
 *
 * Most cases run in-process through the CLI's `main` (fast); a smaller set runs the
 * installed `bin/brickproof.js` as a real process, where an unhandled error, a stack trace
 * printed by Node itself or a hang would show. Every case runs in a sandbox folder, so that
 * whatever a mutated argument names as an output lands there.
 *
 * The costly flags (device, workers, lives, days, devices, sample, sizes, repeat, the chart folder)
 * are pinned to small values that mutations do not touch: thousands of cases then take
 * seconds, not hours, and a chart is never written into the repository.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { prng } from '../../src/util/prng.js';

const SEED = 9_2025;
/**
 * In-process cases: BATCHES tests of BATCH cases each; real processes: PROCESS_BATCHES tests
 * of PROCESS_BATCH. `npm test` runs the first 1 000 and 8; the full run (BRICKPROOF_FULL=1,
 * as CI runs it) 5 200 and 24 — about 4 minutes of one core on a loaded 2-core machine
 * (load 11), measured.
 */
const FULL = Boolean(process.env.BRICKPROOF_FULL);
const BATCH = 100;
const BATCHES = FULL ? 52 : 10;
const PROCESS_BATCH = 8;
const PROCESS_BATCHES = FULL ? 3 : 1;

const repo = fileURLToPath(new URL('../..', import.meta.url));
const sandbox = mkdtempSync(join(tmpdir(), 'brickproof-robust-'));
const at = (name: string) => join(sandbox, name);
const vectors = join(repo, 'test/fixtures/vectors/imgtool');

type Rnd = () => number;
const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const chance = (rnd: Rnd, p: number) => rnd() < p;

// ---- inputs ------------------------------------------------------------------------------

/** Placeholders resolved per case: a fresh output path, a fresh copy of a dump (commands write dumps in place). */
let caseNo = 0;
function resolveToken(t: string): string {
  if (t === '@new') return at(`out-${++caseNo}.bin`);
  if (t === '@new-jsonl') return at(`out-${++caseNo}.jsonl`);
  if (t.startsWith('@dump:')) {
    const copy = at(`dump-${++caseNo}.bin`);
    copyFileSync(at(t.slice(6)), copy);
    return copy;
  }
  return t.startsWith('@') ? at(t.slice(1)) : t;
}

/*
 * Value pools. A value marked '!' is wrong on purpose (a bad file, a bad number): "valid"
 * cases draw only the others, so that they get past the parser into the simulator;
 * "mutated" cases draw any, then mutate the command line.
 */
const IMAGES = ['@v1.bin', '@v2.bin', '@v2.hex', '@v2-ed.bin', '!@garbage.bin', '!@empty.bin', '!@trunc.bin', '!@flipped.bin', '!@huge.bin', '!@bad.hex', '!@missing.bin', '!@a-dir'];
const FIRMWARE = ['@fw.bin', '@fw.hex', '@garbage.bin', '!@empty.bin', '!@missing.bin', '!@bad.hex'];
const KEYS = ['@ed.pem', '@ed.pub.pem', `${vectors}/keys/ecdsa-p256.pem`, `${vectors}/keys/rsa-2048.pem`, '!@bad.pem', '!@empty.bin', '!@missing.pem'];
const DEVICE_FILES = ['@tiny.json', '@tiny2.json', '!@overlap.json', '!@not-json.json', '!@bad-name.json', '!@huge.json', '!@missing.json'];
const DEVICES = ['nrf52840', 'k64f', 'stm32f4', 'k64f-multi', '!nrf99', '!', '!NRF52840'];
const STRATEGIES = [
  'swap-scratch', 'swap-move', 'swap-offset', 'overwrite-only', 'direct-xip', 'direct-xip-revert', 'ram-load', 'ram-load-revert',
  '!swap-sideways', '!all', '!', '!swap-move@pr2100', '!swap-scratch@nope', '!direct-xip-fast', '!ram-load@pr1',
];
const ENC = `${repo}/test/fixtures/vectors/imgtool-enc/keys`;
/** Private encryption keys (--enc-key) and public ones (sign -E). */
const ENC_KEYS = [`${ENC}/enc-p256.pem`, `${ENC}/enc-x25519.pem`, `!${ENC}/enc-p256.pub.pem`, '!@ed.pem', '!@bad.pem', '!@empty.bin', '!@missing.pem'];
const ENC_PUBS = [`${ENC}/enc-p256.pub.pem`, `${ENC}/enc-x25519.pub.pem`, `!${ENC}/enc-p256.pem`, '!@ed.pub.pem', '!@bad.pem', '!@missing.pem'];
const KEYLENS = ['128', '256', '!192', '!0', '!x'];
/** MCUboot's other build modes, as boot and simulate take them (issue 15). */
const MODE_FLAGS: FlagGen[] = [
  ['--images', ['1', '2', '!0', '!9', '!x']], ['--hw-rollback', null], ['--nv-counters', ['0', '1,2', '!-1', '!x', '!99999999999']], ['--bootstrap', null],
  ['--enc-key', ENC_KEYS], ['--encrypt-keylen', KEYLENS], ['--ram', ['0x20000000:0x40000', '0x20000000:0x100', '!0x20000000', '!x:y', '!0:0', '!0xffffffff:0x10']],
];
const OUTS = ['@new', '@new', '@new', '!@missing-folder/x.bin', '!@a-dir', '!@existing.bin'];
const RESULTS = ['@r.jsonl', '@r.jsonl', '@r-s1.jsonl', '@r-s2.jsonl', '!@r-torn.jsonl', '!@r-garbage.jsonl', '@l.jsonl', '!@empty.bin', '!@missing.jsonl', '!@v1.bin'];
const JUNK = ['', ' ', '-1', '0', '1', '7', '0x10', '0x', '0xZZ', '1e9', '9'.repeat(25), 'NaN', 'ü∂ß', '../', 'a'.repeat(2000), '--', '-', '=', '1.5', '64K', 'max', 'all', 'none'];
const NUMBERS = ['8', '16', '32', '64', '128', '!0', '!1', '!0x200', '!4096', '!-3', '!x', '!', '!1e3', '!99999999999999999999'];
const SMALL = ['0', '1', '2', '7', '100', '0x10', '!-3', '!x', '!', '!1e3', '!99999999999999999999'];
const REPLAY_IDS = [
  'swap-scratch/tiny/revert/cut@5', 'swap-scratch/tiny/revert/cut@0', 'swap-scratch/tiny/revert/cut@5+2', 'swap-scratch/tiny/revert/cut#3', 'overwrite-only/tiny/perm/torn-write@4',
  'swap-scratch/tiny/perm:3000/cut@7~4', 'swap-scratch+max-align=16/tiny/test/cut@3', 'swap-scratch/tiny/revert+pad/cut@3', 'swap-scratch/tiny/erase-secondary/cut@3', 'swap-move/k64f/lifecycle:0.02d/cut#1',
  'swap-scratch+hw-rollback=1/tiny/perm/cut@3', 'direct-xip-revert/tiny/revert/cut@2', 'ram-load/tiny/test/cut@1', 'swap-scratch+bootstrap=1/tiny/bootstrap/cut@2', '!swap-scratch+enc=128/tiny/perm/cut@3', '!swap-scratch+images=2/tiny/perm/cut@3',
  '!swap-scratch/tiny/revert/cut@9999', '!swap-scratch/nrf52840/perm/zap', '!', '!@', '!swap-scratch/tiny/revert/cut@5+0', '!swap-move/nrf99/lifecycle/cut#1', '!x/y/z/cut@1',
];
const FLEET_IDS = [
  'swap-move/nrf52840/fleet:sensor:0.3d/cut#3', 'swap-move/nrf52840/fleet:sensor:0.3d/cut#3@2.0.0=0', 'swap-offset/k64f/fleet:gateway:0.3d/cut#5~2@2.0.0=3600000',
  'swap-move/nrf52840/fleet:sensor:0.3d/cut#3@2.0.0=10-5', '!swap-move/nrf52840/fleet:nope:0.3d/cut#3', '!swap-move/nrf52840/fleet:sensor:0.3d/cut#3@9.9.9=0', '!swap-move/nrf52840/fleet:sensor:0.3d/cut#3@2.0.0=x', '!swap-scratch/tiny/revert/cut@5', '!',
];

/** One flag of a command: its name and where its values come from (null: a switch). */
type FlagGen = [flag: string, values: readonly string[] | null];

interface CommandGen {
  weight: number;
  flags: FlagGen[];
  /** Flags a valid command line always has (the rest are drawn at random). */
  required?: string[];
  positionals?: Array<readonly string[]>;
  /** The cost-bounding flags, never mutated. */
  pinned?: (pick: Pick) => string[];
  exits?: number[];
}

const COMMANDS: Record<string, CommandGen> = {
  sign: {
    weight: 10,
    required: ['-H', '--pad-header'],
    positionals: [FIRMWARE, OUTS],
    flags: [
      ['-k', KEYS], ['-H', ['0x200', '0x20', '32', '!0', '!0x10000000', '!x']], ['--pad-header', null], ['--align', ['1', '4', '8', '!3', '!64']],
      ['--max-align', ['8', '16', '32', '!12']], ['-v', ['1.2.3+4', '1.2', '!256.0.0', '!x', '!1.2.3+99999999999']], ['-s', ['auto', '3', '!-1', '!x']], ['-d', ['(1,2.0.0+0)', '!(1,2)', '!junk']],
      ['--pad-sig', null], ['-S', ['0x20000', '0x10000', '!0x1000', '!100', '!x']], ['--pad', null], ['--confirm', null], ['-M', ['128', '64', '!0', '!5000']], ['--overwrite-only', null], ['-e', ['little', '!big']],
      ['-R', ['0', '0xff', '!7']], ['-L', ['0x20000000', '!x']], ['--rom-fixed', ['0x8000', '!x']], ['-x', ['0x8000', '!-1']], ['--custom-tlv', ['0xa0', '0xfffe', '!0xffff', '!1']], ['--non-bootable', null],
      ['--sha', ['256', '384', '512', '!1']], ['--pure', null], ['-E', ENC_PUBS], ['--encrypt-keylen', KEYLENS], ['--clear', null], ['--behaviour', ['healthy', 'hang', '!dance']], ['--board', ['nrf52840', '!']], ['--json', null], ['--public-key-format', ['hash', 'full', '!x']],
    ],
  },
  verify: {
    weight: 8,
    positionals: [IMAGES],
    flags: [['-k', KEYS], ['-S', ['0x20000', '0x1c000', '4096', '!x', '!-1']], ['--strategy', STRATEGIES], ['--sector-size', ['4096', '1024', '!0', '!x']], ['--align', ['4', '8', '!3']], ['--max-align', NUMBERS], ['-M', NUMBERS], ['--security-counter', SMALL], ['--enc-key', ENC_KEYS], ['--json', null]],
  },
  dumpinfo: { weight: 6, positionals: [IMAGES], flags: [['--json', null]] },
  keygen: {
    weight: 4,
    required: ['-k', '-t'],
    // RSA key generation costs a hundred Ed25519 ones: drawn rarely.
    flags: [['-k', OUTS], ['-t', ['ed25519', 'ed25519', 'ed25519', 'ecdsa-p256', 'ecdsa-p256', 'ed25519', 'ecdsa-p256', 'ed25519', 'rsa-2048', '!dsa', '!']], ['-p', null], ['--force', null], ['--json', null]],
  },
  getpub: { weight: 5, required: ['-k'], flags: [['-k', KEYS], ['-e', ['lang-c', 'pem', 'raw', '!rust', '!']], ['-o', OUTS], ['--json', null]] },
  getpubhash: { weight: 5, required: ['-k'], flags: [['-k', KEYS], ['-e', ['lang-c', 'raw', '!pem']], ['-o', OUTS], ['--json', null]] },
  boot: dumpCommand(8),
  confirm: dumpCommand(4),
  pending: { ...dumpCommand(4), flags: [...dumpCommand(4).flags, ['--permanent', null]] },
  simulate: {
    weight: 8,
    required: ['--primary', '--secondary'],
    pinned: (p) => p(['--device-file', '--device-file', '--device-file', '--device']) === '--device' ? ['--device', p(['nrf52840', 'k64f'])] : ['--device-file', at('tiny2.json')],
    flags: [
      ['--primary', IMAGES], ['--secondary', IMAGES], ['--strategy', STRATEGIES], ['--upgrade', ['test', 'perm', '!revert', '!']], ['--confirm', null], ['--boots', ['0', '1', '3', '!-1', '!2000', '!x']],
      ['--trace', null], ['--json', null], ['--dump-flash', OUTS], ['--key', KEYS], ['--max-align', NUMBERS], ['--max-sectors', NUMBERS], ['--no-validate-primary', null], ['--overwrite-fast', null], ['--downgrade-prevention', null],
      ...MODE_FLAGS, ['--primary1', IMAGES], ['--secondary1', IMAGES],
    ],
  },
  life: {
    weight: 6,
    pinned: (p) => ['--days', p(['0.02', '0.05', '!0', '!-1', '!x'])],
    flags: [
      ['--device', DEVICES], ['--strategy', STRATEGIES], ['--release', IMAGES], ['--running', IMAGES], ['--seed', SMALL], ['--key', KEYS], ['--board', ['nrf52840', '!']],
      ['--permanent', null], ['--resume', ['flash', 'ram', '!disk']], ['--chunk-size', ['512', '4096', '!0', '!x']], ['--check-period', ['5m', '1s', '!0', '!x']], ['--send-period', ['1m', '10h', '!-1']],
      ['--health-window', ['10m', '!0']], ['--watchdog', ['1m', '1ms']], ['--retry-base', ['500ms', '!x']], ['--retry-attempts', ['5', '!0']], ['--latency', ['50ms', '!0']], ['--bandwidth', ['20000', '!0', '!-5']],
      ['--chunk-loss', ['0.1', '!1', '!-0.1']], ['--truncation', ['0.1', '!2']], ['--corruption', ['0.1']], ['--send-loss', ['0.5']], ['--outages-per-day', ['3', '!0']], ['--outage-hours', ['2', '!0']],
      ['--power-loss-per-day', ['3', '20', '!0', '!x']], ['--power-loss-at', ['download:0.4', 'swap', 'revert:0.9', 'confirm', '!nowhere', '!download:2']], ['--fault', ['cut', 'torn-write', 'bit-noise', '!lightning']],
      ['--current', ['sleep=0.003', '!radio=-1', '!x=1', '!active']], ['--json', null],
    ],
  },
  campaign: {
    weight: 10,
    pinned: (p) => {
      const upgrade = p([['--upgrade', 'revert'], ['--upgrade', 'perm'], ['--upgrade', 'test,erase-secondary'], ['--upgrade', 'bootstrap'], ['!--upgrade', 'x'], ['!--upgrade', '']]);
      return p([
        [...upgrade, '--device-file', at('tiny.json'), '--workers', '1'],
        [...upgrade, '--device-file', at('tiny.json'), '--workers', '1', '--plan', 'double', '--sample', '2'],
        [...upgrade, '--device-file', at('tiny.json'), '--workers', '1', '--plan', 'random', '--sample', p(['3', '!0', '!x'])],
        ['!--device-file', at('tiny.json'), '--workers', p(['!0', '!x', '!999']), ...upgrade],
        ['--plan', 'lifecycle', '--lives', p(['2', '!0', '!x']), '--days', p(['0.02', '!0', '!x']), '--workers', '1'],
        ['--replay', p(REPLAY_IDS), '--device-file', at('tiny.json')],
        ['--replay', p(REPLAY_IDS)],
      ]);
    },
    flags: [
      ['--strategy', STRATEGIES], ['--fault', ['cut', 'torn-write', 'torn-erase', 'bit-noise', '!x']],
      ['--image-size', ['3000', 'max', '!10', '!999999999', '!x']], ['--v1-size', ['2500', '!0', '!x']], ['--v1-trailer', ['pad', 'pad-confirm', '!x']], ['--max-align', NUMBERS], ['--max-sectors', NUMBERS],
      ['--seed', SMALL], ['--shard', ['1/2', '2/2', '!3/2', '!0/1', '!x', '!200/200']], ['--out', ['@new-jsonl', '@new-jsonl', '!@missing-folder/r.jsonl', '!@a-dir', '!@r.jsonl']], ['--resume', null], ['--force', null],
      ['--trace', null], ['--log', null], ['--json', null], ['--device', DEVICES],
      ['--images', ['1', '2', '!0', '!x']], ['--hw-rollback', null], ['--bootstrap', null], ['--downgrade-prevention', null], ['--enc-key', ENC_KEYS], ['--encrypt-keylen', KEYLENS],
    ],
  },
  'campaign merge': {
    weight: 6,
    pinned: (p) => p([['@r.jsonl'], ['@r-s1.jsonl', '@r-s2.jsonl'], ['@l.jsonl'], ['!@r-s1.jsonl'], ['!@r.jsonl', '@l.jsonl'], ['!@r-torn.jsonl'], [p(RESULTS), p(RESULTS), p(RESULTS)]]),
    flags: [['--json', null], ['--allow-partial', null]],
  },
  bench: {
    weight: 1,
    pinned: (p) => ['--repeat', '1', '--sizes', p(['4K', '4K', '!0', '!x', '!']), ...p([['--no-chart'], ['--out', at('charts')]]), '--device-file', at('tiny2.json')],
    flags: [['--strategies', ['all', 'swap-move', 'swap-scratch,swap-offset', '!x', '!', '!swap-move,,']], ['--upgrades', ['permanent', 'test', '!x', '!']], ['--overwrite-fast', null], ['--json', null], ['--step', ['4K', '!0']]],
  },
  fleet: {
    weight: 5,
    positionals: [['@fleet.json', '@fleet.json', '@fleet-file.json', '!@fleet-bad.json', '!@not-json.json', '!@missing.json', '!@a-dir']],
    // A run, a replay (the id names the days), a round's count or a shard of it; small fleets of short days.
    pinned: (p) => p([
      ['--workers', '1', '--devices', p(['12', '30', '!0', '!x', '!2.5']), '--days', p(['0.2', '0.5', '!0', '!-1', '!x'])],
      ['--workers', '1', '--devices', '12', '--days', '0.3', '--next-round'],
      ['--workers', '1', '--devices', '12', '--days', '0.3', '--shard', p(['1/2', '2/2', '!3/2', '!x']), '--lives-out', '@new-jsonl'],
      ['--replay', p(FLEET_IDS)],
    ]),
    flags: [['--seed', SMALL], ['--json', null], ['--out', OUTS], ['--force', null], ['--log', null], ['--lives', ['@fleet-lives.jsonl', '@a-dir', '!@r.jsonl', '!@missing.jsonl', '!@empty.bin']]],
  },
  demo: { weight: 0.2, flags: [['--device', DEVICES], ['--json', null]] },
  help: { weight: 1, flags: [] },
  nonsense: { weight: 1, flags: [] },
};

function dumpCommand(weight: number): (typeof COMMANDS)[string] {
  return {
    weight,
    exits: [0, 1, 2, 4],
    positionals: [['@dump:staged.bin', '@dump:staged.bin', '@dump:cut.bin', '@dump:garbled.bin', '!@dump:short.bin', '!@missing.bin', '!@a-dir']],
    pinned: (p) => p([['--device-file', at('tiny2.json')], ['--device-file', at('tiny2.json')], ['--device-file', at('tiny2.json')], ['!--device', 'nrf52840']]),
    flags: [
      ['--strategy', STRATEGIES], ['--key', KEYS], ['--max-align', NUMBERS], ['--max-sectors', NUMBERS], ['--no-validate-primary', null], ['--overwrite-fast', null], ['--downgrade-prevention', null],
      ['--cut-at', ['1', '5', '50', '!100000', '!0', '!-2', '!x']], ['--trace', OUTS], ['--json', null], ...MODE_FLAGS,
    ],
  };
}

// ---- cases ------------------------------------------------------------------------------

interface Case {
  argv: string[];
  exits: number[];
}

/** Mutations of the unpinned part of a command line: what a careless user or a bad script does. */
function mutate(rnd: Rnd, args: string[]): string[] {
  const a = [...args];
  const n = chance(rnd, 0.5) ? 0 : 1 + Math.floor(rnd() * 3);
  for (let m = 0; m < n; m++) {
    const i = Math.floor(rnd() * Math.max(1, a.length));
    switch (Math.floor(rnd() * 9)) {
      case 0: a.splice(i, 1); break;
      case 1: if (a[i] !== undefined) a.splice(i, 0, a[i]!); break;
      case 2: if (i + 1 < a.length) [a[i], a[i + 1]] = [a[i + 1]!, a[i]!]; break;
      case 3: a.splice(i, 0, pick(rnd, ['--nope', '-q', '--', '-', '--=x', '--json=1', '-kt', '--help'])); break;
      case 4: if (a.length) a[i] = pick(rnd, JUNK); break;
      case 5: if (a[i]?.startsWith('--') && i + 1 < a.length) a.splice(i, 2, `${a[i]}=${a[i + 1]}`); break;
      case 6: if (a[i]?.startsWith('--')) a[i] = a[i]!.slice(0, Math.max(3, a[i]!.length - 2)); break;
      case 7: if (a[i]) a[i] = a[i]!.toUpperCase(); break;
      default: a.push(pick(rnd, JUNK));
    }
  }
  return a;
}

/**
 * Draws from a pool: in a valid case only the values not marked '!' (an entry that is a list
 * is marked by its first element), in a mutated case any of them, unmarked.
 */
type Pick = <T extends string | string[]>(pool: readonly T[]) => T;

function picker(rnd: Rnd, valid: boolean): Pick {
  const marked = (v: string | string[]) => (typeof v === 'string' ? v : v[0]!).startsWith('!');
  const unmark = <T extends string | string[]>(v: T): T => (typeof v === 'string' ? (v.replace(/^!/, '') as T) : (v.map((x, i) => (i === 0 ? x.replace(/^!/, '') : x)) as T));
  return (pool) => {
    const from = valid ? pool.filter((v) => !marked(v)) : pool;
    return unmark(pick(rnd, from.length ? from : pool));
  };
}

function makeCase(rnd: Rnd): Case {
  const names = Object.keys(COMMANDS);
  const total = names.reduce((s, k) => s + COMMANDS[k]!.weight, 0);
  let x = rnd() * total;
  const name = names.find((k) => (x -= COMMANDS[k]!.weight) < 0) ?? names[0]!;
  const c = COMMANDS[name]!;
  if (name === 'help') return { argv: pick(rnd, [[], ['--help'], ['help'], ['-h']]), exits: [0, 2] };
  if (name === 'nonsense') return { argv: [pick(rnd, ['campain', 'BOOT', '', '--json', 'sign;', 'x'.repeat(300)]), ...mutate(rnd, ['--json'])], exits: [2] };
  // Half the cases are valid command lines (they reach the simulator); half are mutated.
  const valid = chance(rnd, 0.5);
  const p = picker(rnd, valid);
  const groups: string[][] = [];
  for (const values of c.positionals ?? []) if (!valid ? chance(rnd, 0.85) : true) groups.push([p(values)]);
  for (const [flag, values] of c.flags.filter(([f]) => (valid && c.required?.includes(f)) || chance(rnd, valid ? 0.15 : 0.25))) groups.push(values ? [flag, p(values)] : [flag]);
  // Positionals anywhere among the flags, as people type them.
  for (let i = groups.length - 1; i > 0; i--) if (chance(rnd, 0.15)) [groups[i], groups[i - 1]] = [groups[i - 1]!, groups[i]!];
  const body = groups.flat();
  const pinned = c.pinned?.(p) ?? [];
  return { argv: [...name.split(' '), ...(valid ? body : mutate(rnd, body)), ...pinned], exits: c.exits ?? [0, 1, 2] };
}

function cases(seed: number, n: number): Case[] {
  const rnd = prng(seed);
  return Array.from({ length: n }, () => makeCase(rnd));
}

// ---- judging ----------------------------------------------------------------------------

const STACK = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;

/** What is wrong with one run, or undefined. */
function judge(c: Case, code: number | null, stdout: string, stderr: string, ms: number, hangMs: number): string | undefined {
  if (code === null) return `hung: no exit after ${Math.round(ms)} ms`;
  if (code === 3) return `internal error (a bug found): ${stderr.trim()}`;
  if (!c.exits.includes(code)) return `exit ${code}, documented: ${c.exits.join(', ')}`;
  if (STACK.test(stderr) || STACK.test(stdout)) return `stack trace printed: ${stderr.slice(0, 400)}`;
  const lines = stderr.split('\n').filter((l) => l.trim() && !l.startsWith('chart: ') && !l.startsWith('\r'));
  if (code === 2 && lines.length !== 1) return `exit 2 with ${lines.length} lines on stderr (one line expected): ${stderr.slice(0, 400)}`;
  if (code === 2 && !/^brickproof\b/.test(lines[0]!)) return `exit 2 with an error line that does not say brickproof: ${lines[0]}`;
  if (ms > hangMs) return `took ${Math.round(ms)} ms (a hang, or a pinned flag that does not keep the case small)`;
  return undefined;
}

const show = (argv: string[]) => argv.map((a) => (/^[\w./@:=+,-]+$/.test(a) ? a : JSON.stringify(a.length > 60 ? `${a.slice(0, 60)}…` : a))).join(' ');

// ---- setup ------------------------------------------------------------------------------

let cwd: string;
const unhandled: string[] = [];
const onUnhandled = (e: unknown) => unhandled.push(String(e instanceof Error ? e.stack : e));

async function quiet(argv: string[]): Promise<number> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return await main(argv);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

beforeAll(async () => {
  cwd = process.cwd();
  process.chdir(sandbox);
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  const body = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * seed + 7) & 0xff);
  mkdirSync(at('a-dir'));
  mkdirSync(at('charts'));
  writeFileSync(at('tiny.json'), JSON.stringify({
    name: 'tiny',
    flash: [{ id: 0, sectors: [[1024, 16]], writeAlign: 4 }],
    areas: { primary: { flash: 0, offset: 0, size: 6144 }, secondary: { flash: 0, offset: 6144, size: 6144 }, scratch: { flash: 0, offset: 12288, size: 2048 } },
  }));
  const tiny2 = {
    name: 'tiny2',
    flash: [{ id: 0, sectors: [[4096, 64]], writeAlign: 8 }],
    areas: { primary: { flash: 0, offset: 0, size: 114688 }, secondary: { flash: 0, offset: 114688, size: 114688 }, scratch: { flash: 0, offset: 229376, size: 16384 } },
  };
  writeFileSync(at('tiny2.json'), JSON.stringify(tiny2));
  writeFileSync(at('overlap.json'), JSON.stringify({ ...tiny2, areas: { ...tiny2.areas, secondary: { flash: 0, offset: 4096, size: 114688 } } }));
  writeFileSync(at('not-json.json'), '{ "name": "x", ');
  writeFileSync(at('bad-name.json'), JSON.stringify({ ...tiny2, name: 'a/b@c' }));
  writeFileSync(at('huge.json'), JSON.stringify({ ...tiny2, flash: [{ id: 0, sectors: [[4096, 1e9]], writeAlign: 8 }] }));
  // Fleets: two classes (one from a device file), a release that fails on one of them.
  const fleet = {
    devices: 12, days: 0.3, seed: 1,
    classes: [
      { name: 'sensor', weight: 2, device: 'nrf52840', strategy: 'swap-move', powerLossesPerDay: 4 },
      { name: 'gateway', weight: 1, device: 'k64f', strategy: 'swap-offset', chunkSize: 4096 },
    ],
    releases: [{ version: '2.0.0', size: 20_000, behaviour: { gateway: 'fail-health-check' }, rollout: { canary: 2, groups: [50, 100], errorThreshold: 10 } }],
  };
  writeFileSync(at('fleet.json'), JSON.stringify(fleet));
  writeFileSync(at('fleet-file.json'), JSON.stringify({ ...fleet, classes: [fleet.classes[0], { ...fleet.classes[1], device: undefined, deviceFile: 'tiny2.json', strategy: 'swap-scratch' }] }));
  writeFileSync(at('fleet-bad.json'), JSON.stringify({ ...fleet, releases: [{ ...fleet.releases[0], rollout: { groups: [50, 120] } }] }));
  writeFileSync(at('fw.bin'), body(3000, 5));
  writeFileSync(at('garbage.bin'), body(5000, 101));
  writeFileSync(at('empty.bin'), '');
  writeFileSync(at('huge.bin'), body(300_000, 3));
  writeFileSync(at('bad.hex'), ':10000000ZZ\nnot hex\n');
  writeFileSync(at('bad.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
  writeFileSync(at('existing.bin'), 'existing');
  const ok = async (argv: string[]) => expect(await quiet(argv), argv.join(' ')).toBe(0);
  await ok(['sign', '-H', '0x20', '--pad-header', '-v', '1.0.0', at('fw.bin'), at('v1.bin')]);
  await ok(['sign', '-H', '0x20', '--pad-header', '-v', '2.0.0', at('garbage.bin'), at('v2.bin')]);
  await ok(['sign', '-H', '0x20', '--pad-header', '-v', '2.0.0', at('garbage.bin'), at('v2.hex')]);
  await ok(['keygen', '-k', at('ed.pem'), '-t', 'ed25519']);
  await ok(['getpub', '-k', at('ed.pem'), '-e', 'pem', '-o', at('ed.pub.pem')]);
  await ok(['sign', '-k', at('ed.pem'), '-H', '0x20', '--pad-header', '-v', '2.0.0', at('garbage.bin'), at('v2-ed.bin')]);
  writeFileSync(at('fw.hex'), readFileSync(at('v2.hex'))); // an Intel HEX input
  const v2 = readFileSync(at('v2.bin'));
  writeFileSync(at('trunc.bin'), v2.subarray(0, 100));
  const flipped = Buffer.from(v2);
  flipped[40] ^= 0xff;
  writeFileSync(at('flipped.bin'), flipped);
  // Dumps for boot, confirm and pending: staged, cut mid-swap, garbled, short.
  await ok(['simulate', '--device-file', at('tiny2.json'), '--primary', at('v1.bin'), '--secondary', at('v2.bin'), '--boots', '0', '--dump-flash', at('staged.bin')]);
  copyFileSync(at('staged.bin'), at('cut.bin'));
  expect(await quiet(['boot', at('cut.bin'), '--device-file', at('tiny2.json'), '--cut-at', '9'])).toBe(4);
  const garbled = readFileSync(at('cut.bin'));
  const r = prng(SEED);
  for (let i = 0; i < 64; i++) garbled[Math.floor(r() * garbled.length)] = Math.floor(r() * 256);
  writeFileSync(at('garbled.bin'), garbled);
  writeFileSync(at('short.bin'), garbled.subarray(0, 1000));
  // Results files for merge: whole, shards, torn, garbage, lifecycle.
  const camp = ['campaign', '--device-file', at('tiny.json'), '--workers', '1', '--strategy', 'swap-scratch', '--upgrade', 'revert'];
  await ok([...camp, '--out', at('r.jsonl')]);
  await ok([...camp, '--shard', '1/2', '--out', at('r-s1.jsonl')]);
  await ok([...camp, '--shard', '2/2', '--out', at('r-s2.jsonl')]);
  const text = readFileSync(at('r.jsonl'), 'utf8');
  writeFileSync(at('r-torn.jsonl'), text.slice(0, Math.floor(text.length / 2)));
  writeFileSync(at('r-garbage.jsonl'), `${text.slice(0, 500)}\n{{not json}}\n${text.slice(500)}`);
  await ok(['fleet', at('fleet.json'), '--workers', '1', '--shard', '1/1', '--lives-out', at('fleet-lives.jsonl')]);
  await ok(['campaign', '--plan', 'lifecycle', '--lives', '2', '--days', '0.02', '--workers', '1', '--strategy', 'swap-move', '--out', at('l.jsonl')]);
}, 120_000);

afterAll(() => {
  process.chdir(cwd);
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
});

// ---- the runs ---------------------------------------------------------------------------

describe(`the command line under ${BATCH * BATCHES} seeded random and mutated in-process runs (seed ${SEED})`, () => {
  for (let b = 0; b < BATCHES; b++) {
    it(`cases ${b * BATCH + 1}–${(b + 1) * BATCH}: no stack trace, no internal error, no hang, a documented exit code`, async () => {
      const bugs: string[] = [];
      for (const [i, c] of cases(SEED + b, BATCH).entries()) {
        const argv = c.argv.map(resolveToken);
        let stdout = '';
        let stderr = '';
        const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
        const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
        const t0 = performance.now();
        let code: number | null;
        try {
          code = await main(argv);
        } catch (e) {
          code = 99;
          stderr += `main threw: ${e instanceof Error ? e.stack : String(e)}`;
        } finally {
          out.mockRestore();
          err.mockRestore();
        }
        const wrong = code === 99 ? `main threw instead of returning an exit code: ${stderr}` : judge(c, code, stdout, stderr, performance.now() - t0, 20_000);
        if (wrong) bugs.push(`case ${b * BATCH + i + 1}: brickproof ${show(argv)}\n    ${wrong}`);
        if (i % 10 === 9) await new Promise<void>((r) => setImmediate(r));
      }
      expect(unhandled, 'unhandled errors').toEqual([]);
      expect(bugs, `bugs found:\n${bugs.join('\n')}`).toEqual([]);
    });
  }
});

describe(`the installed bin under ${PROCESS_BATCH * PROCESS_BATCHES} seeded random and mutated runs in real processes`, () => {
  const bin = join(repo, 'bin/brickproof.js');
  /** Runs the bin without blocking this worker; kills it after `timeoutMs` (a hang), status null. */
  const run = (argv: string[], timeoutMs: number) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, ...argv], { cwd: sandbox, env: { ...process.env, BRICKPROOF_DEBUG: '' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ status: signal ? null : code, stdout, stderr });
      });
    });
  for (let b = 0; b < PROCESS_BATCHES; b++) {
    it(`processes ${b * PROCESS_BATCH + 1}–${(b + 1) * PROCESS_BATCH}: no stack trace, no hang, a documented exit code`, async () => {
      const bugs: string[] = [];
      for (const [i, c] of cases(SEED * 7 + b, PROCESS_BATCH).entries()) {
        const argv = c.argv.map(resolveToken);
        const t0 = performance.now();
        const r = await run(argv, 120_000);
        const wrong = judge(c, r.status, r.stdout, r.stderr, performance.now() - t0, 120_000);
        if (wrong) bugs.push(`process ${b * PROCESS_BATCH + i + 1}: brickproof ${show(argv)}\n    ${wrong}`);
      }
      expect(bugs, `bugs found:\n${bugs.join('\n')}`).toEqual([]);
    });
  }
});

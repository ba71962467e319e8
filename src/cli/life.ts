/**
 * `brickproof life`: one device's life on a virtual clock — its application, its OTA task,
 * the releases a server offers it, a lossy network and power lost at random — printed as its
 * milestone log, one line per milestone.
 *
 *   brickproof life --device nrf52840 --strategy swap-move --release v2.signed.bin --days 7 --seed 1
 *   brickproof life --release bad.bin --release good.bin --power-loss-per-day 4 --json
 *
 * Exit 0 when the life ends on a bootable image, 1 when it does not, 2 for bad input.
 */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { getDevice } from '../device/device-file.js';
import { parseLifeStrategy } from '../image/strategy.js';
import { publicKeyOf, type PrivateKey, type PublicKey } from '../image/keys.js';
import { DeviceLife } from '../app/life.js';
import { formatTime } from '../app/milestones.js';
import { parseCurrent, type Currents } from '../app/energy.js';
import { parseAimPhase, parseFaultModel, type AimedCut } from '../app/power.js';
import { makeRelease } from '../app/server.js';
import type { AppOverrides, OtaOptions } from '../app/options.js';
import type { RetryPolicy } from '../app/backoff.js';
import type { NetworkOptions } from '../app/network.js';
import { type FlagSpecs, helpText, parseArgs, parseInteger } from './args.js';
import { printJson, readImageFile, readKeyFile } from './image-io.js';

const SPECS: FlagSpecs = {
  device: { type: 'string', metavar: 'NAME', help: 'built-in device profile (default nrf52840)' },
  'device-file': { type: 'string', metavar: 'FILE', help: 'a JSON device file for your own part' },
  strategy: { type: 'string', metavar: 'NAME', help: 'overwrite-only, swap-scratch (default), swap-move, swap-offset' },
  release: { type: 'string', multiple: true, metavar: 'FILE', help: 'a release the server offers; repeatable: offered in order, each once the previous is installed or refused' },
  running: { type: 'string', metavar: 'FILE', help: 'the image running at power-on (default a generated v1.0.0)' },
  days: { type: 'string', metavar: 'N', help: 'virtual days to live (default 7)' },
  seed: { type: 'string', metavar: 'N', help: 'seed of every random choice (default 1)' },
  key: { type: 'string', multiple: true, metavar: 'FILE', help: "the bootloader's trusted key; repeatable; none = a hash-only build" },
  board: { type: 'string', metavar: 'ID', help: 'the board id this device answers to (default the profile name)' },
  permanent: { type: 'boolean', help: 'request permanent upgrades (default test, confirmed by the new image)' },
  resume: { type: 'string', metavar: 'flash|ram', help: 'after a reboot, resume a download from what flash holds (default) or start over (Zephyr)' },
  'chunk-size': { type: 'string', metavar: 'BYTES', help: 'bytes per download request (default 1024)' },
  'check-period': { type: 'string', metavar: 'TIME', help: 'update checks every (default 5m)' },
  'send-period': { type: 'string', metavar: 'TIME', help: 'one SEND every (default 1m)' },
  'sensor-init': { type: 'string', metavar: 'TIME', help: 'SENSOR_INIT after boot (default 2s)' },
  'idle-time': { type: 'string', metavar: 'TIME', help: 'IDLE before each SEND (default 100ms)' },
  'send-time': { type: 'string', metavar: 'TIME', help: 'SEND duration (default 300ms)' },
  'health-window': { type: 'string', metavar: 'TIME', help: 'an unconfirmed image not healthy by then resets (default 10m)' },
  watchdog: { type: 'string', metavar: 'TIME', help: 'a hung firmware is reset after (default 1m)' },
  'retry-base': { type: 'string', metavar: 'TIME', help: 'full-jitter backoff base (default 500ms)' },
  'retry-cap': { type: 'string', metavar: 'TIME', help: 'full-jitter backoff cap (default 5s)' },
  'retry-attempts': { type: 'string', metavar: 'N', help: 'tries before giving up until the next period (default 5)' },
  latency: { type: 'string', metavar: 'TIME', help: 'request round trip (default 50ms)' },
  bandwidth: { type: 'string', metavar: 'BYTES/S', help: 'link rate in bytes per second (default 20000)' },
  'chunk-loss': { type: 'string', metavar: 'P', help: 'probability a request is lost (default 0)' },
  truncation: { type: 'string', metavar: 'P', help: 'probability a response arrives truncated (default 0)' },
  corruption: { type: 'string', metavar: 'P', help: 'probability a response arrives corrupted (default 0)' },
  'send-loss': { type: 'string', metavar: 'P', help: 'probability a SEND fails (default 0)' },
  'outages-per-day': { type: 'string', metavar: 'R', help: 'network outages per day (default none)' },
  'outage-hours': { type: 'string', metavar: 'H', help: 'mean outage length in hours (default 2)' },
  'power-loss-per-day': { type: 'string', metavar: 'R', help: 'random power losses per day (default none)' },
  'power-loss-at': { type: 'string', multiple: true, metavar: 'PHASE[:F]', help: 'a power loss during download, swap, revert, pending, confirm, send or sensor-init, at fraction F (default 0.5) of it' },
  fault: { type: 'string', metavar: 'MODEL', help: 'what a power loss does to the flash operation in progress: cut (default), torn-write, torn-erase, bit-noise' },
  current: { type: 'string', multiple: true, metavar: 'STATE=mA', help: 'current per state: sleep, active, radio, flash' },
  json: { type: 'boolean', help: 'print { milestones, final, energy } as JSON' },
};

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `5s`, `5m`, `2h`, `1d`, or a bare number of milliseconds; must be > 0. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const v = m ? Number(m[1]) * UNITS[m[2] ?? 'ms']! : NaN;
  if (!m || !(v > 0)) throw new UsageError(`${flag} '${text}' must be a time > 0 (e.g. 250ms, 5s, 5m, 2h, 1d)`);
  return v;
}

function parseNumber(text: string, flag: string, o: { positive?: boolean; below1?: boolean } = {}): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${flag} '${text}' is not a number`);
  if (o.positive && !(v > 0)) throw new UsageError(`${flag} ${text} must be > 0`);
  if (!o.positive && v < 0) throw new UsageError(`${flag} ${text} must be ≥ 0`);
  if (o.below1 && v >= 1) throw new UsageError(`${flag} ${text} must be a probability below 1`);
  return v;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPECS);
  if (args.bool('help')) {
    process.stdout.write(helpText('life', "Live one device's life: its application, its OTA task, a server, a network and power losses; print its milestones.", SPECS));
    return 0;
  }
  const str = (f: string) => args.string(f);
  const duration = (f: string) => (str(f) === undefined ? undefined : parseDuration(str(f)!, `--${f}`));
  const prob = (f: string) => (str(f) === undefined ? undefined : parseNumber(str(f)!, `--${f}`, { below1: true }));
  const rate = (f: string) => (str(f) === undefined ? undefined : parseNumber(str(f)!, `--${f}`, { positive: true }));

  const deviceFile = str('device-file');
  const profile = getDevice(str('device'), deviceFile === undefined ? undefined : resolve(deviceFile));
  const strategy = parseLifeStrategy(str('strategy') ?? 'swap-scratch');
  const days = str('days') === undefined ? 7 : parseNumber(str('days')!, '--days', { positive: true });
  const seed = str('seed') === undefined ? 1 : parseInteger(str('seed')!, '--seed', { min: 0, max: 2 ** 32 - 1 });
  const keys: PublicKey[] = args.strings('key').map((path) => publicKeyOf(readKeyFile(path) as PrivateKey | PublicKey));
  const resume = str('resume');
  if (resume !== undefined && resume !== 'flash' && resume !== 'ram') throw new UsageError(`--resume '${resume}' must be flash or ram`);

  const app: AppOverrides = {};
  const set = <T extends object, K extends keyof T>(o: T, k: K, v: T[K] | undefined) => {
    if (v !== undefined) o[k] = v;
  };
  set(app, 'sendPeriodMs', duration('send-period'));
  set(app, 'sensorInitMs', duration('sensor-init'));
  set(app, 'idleMs', duration('idle-time'));
  set(app, 'sendMs', duration('send-time'));
  set(app, 'healthWindowMs', duration('health-window'));
  set(app, 'watchdogMs', duration('watchdog'));
  const retry = { baseMs: duration('retry-base'), capMs: duration('retry-cap'), maxAttempts: str('retry-attempts') === undefined ? undefined : parseInteger(str('retry-attempts')!, '--retry-attempts', { min: 1 }) };
  app.retry = Object.fromEntries(Object.entries(retry).filter(([, v]) => v !== undefined)) as Partial<RetryPolicy>;

  const ota: Partial<OtaOptions> = { upgrade: args.bool('permanent') ? 'permanent' : 'test' };
  set(ota, 'checkPeriodMs', duration('check-period'));
  set(ota, 'resume', resume as OtaOptions['resume'] | undefined);
  if (str('chunk-size') !== undefined) ota.chunkSize = parseInteger(str('chunk-size')!, '--chunk-size', { min: 1 });

  const network: Partial<NetworkOptions> = {};
  set(network, 'latencyMs', duration('latency'));
  set(network, 'bytesPerSecond', rate('bandwidth'));
  set(network, 'chunkLoss', prob('chunk-loss'));
  set(network, 'truncation', prob('truncation'));
  set(network, 'corruption', prob('corruption'));
  set(network, 'sendLoss', prob('send-loss'));
  set(network, 'outagesPerDay', rate('outages-per-day'));
  set(network, 'outageHours', rate('outage-hours'));

  if (str('fault') !== undefined && !args.has('power-loss-per-day') && !args.has('power-loss-at')) {
    throw new UsageError('--fault does nothing without a power loss: it says what a loss does to the flash operation in progress (give --power-loss-per-day or --power-loss-at)');
  }
  const aimed: AimedCut[] = args.strings('power-loss-at').map((spec) => {
    const [phase, f] = spec.split(':');
    const fraction = f === undefined ? 0.5 : parseNumber(f, `--power-loss-at ${spec}`, { below1: true });
    return { phase: parseAimPhase(phase!), fraction };
  });
  const currents: Partial<Currents> = {};
  for (const spec of args.strings('current')) {
    const [name, ma] = parseCurrent(spec);
    currents[name] = ma;
  }

  const secondary = profile.geometry.areas.find((a) => a.id === 2)!;
  const releases = args.strings('release').map((path) => {
    const { bytes } = readImageFile(path, 'release');
    const release = makeRelease(bytes, path);
    if (bytes.length > secondary.size) throw new UsageError(`release ${path} is ${bytes.length} bytes, larger than ${profile.name}'s secondary slot (${secondary.size} bytes)`);
    return release;
  });
  const running = str('running') === undefined ? undefined : readImageFile(str('running')!, 'running image').bytes;
  if (keys.length && !running) throw new UsageError('a signed build (--key) boots only signed images: give --running FILE, signed with that key');

  const life = await DeviceLife.create({
    device: profile.profile,
    strategy,
    keys,
    board: str('board'),
    seed,
    running,
    ...(str('running') === undefined ? {} : { runningName: `--running '${str('running')}'` }),
    app,
    ota,
    network,
    power: { lossesPerDay: rate('power-loss-per-day') ?? 0, fault: str('fault') === undefined ? 'cut' : parseFaultModel(str('fault')!), aimed },
    currents,
  });
  for (const r of releases) life.publish(r);
  const report = life.run({ days });

  if (args.bool('json')) {
    printJson({ milestones: report.milestones, final: report.final, energy: report.energy, device: profile.name, strategy, seed, days, stats: report.stats });
  } else {
    const out = life.log();
    const f = report.final;
    out.push(
      `# ${formatTime(days * 86_400_000)}: ${f.bricked ? 'BRICKED: no bootable image' : `runs ${f.version}, ${f.confirmed ? 'confirmed' : 'not confirmed'}`}; ` +
        `${report.energy.totalMah.toFixed(2)} mAh spent, ${report.energy.otaMah.toFixed(3)} mAh of it on OTA`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
  }
  return report.final.bricked ? 1 : 0;
}

/**
 * A fleet (issue 11), measured:
 *  - 10 000 devices × 30 virtual days, three classes, a staged (hawkBit-style) rollout of one
 *    release, one power loss per device per 10 days, on all cores: wall time (target ≤ 30 s on
 *    this 2-core machine), CPU time, peak memory (≤ 1 GiB);
 *  - the same description at 100 000 devices (≤ 5 minutes, ≤ 2 GiB);
 *  - events per second, and where the time goes on one thread: the bootloader runs (every
 *    power-on, and the application's boot_set_pending/boot_set_confirmed), the downloads into
 *    flash (the OTA task's erases and programs, and checking chunks and the image), and the
 *    event loop with everything else (application, OTA logic, network, quiet spans) — each as
 *    a multiple of the bootloader runs alone;
 *  - a life lived by the fast path (quiet spans, blocks of sample periods) against the same
 *    life event by event (the slow path the tests hold it equal to).
 *
 * `tsx bench/fleet.ts [--devices N]` measures one size only.
 */
import { Device } from '../src/device/device.js';
import { DevicePort } from '../src/app/device-port.js';
import { DeviceLife } from '../src/app/life.js';
import { Fleet } from '../src/fleet/fleet.js';
import type { FleetDescription } from '../src/fleet/description.js';
import { FleetLives } from '../src/fleet/lives.js';
import { FleetPool, defaultFleetWorkers } from '../src/node/fleet-pool.js';
import { printTable, round3, writeResults, type Row } from './report.js';

const DAYS = 30;

/** Three classes on three parts, one release, a staged rollout; a power loss per device per 10 days. */
export function benchFleet(devices: number): FleetDescription {
  const common = { powerLossesPerDay: 0.1, sendPeriod: '1m', checkPeriod: '5m' };
  return {
    devices,
    days: DAYS,
    seed: 1,
    classes: [
      { name: 'sensor', weight: 60, device: 'nrf52840', strategy: 'swap-move', network: { chunkLoss: 0.01, outagesPerDay: 0.2, outageHours: 2 }, ...common },
      { name: 'gateway', weight: 25, device: 'nrf5340', strategy: 'swap-offset', network: { bandwidth: 100_000 }, chunkSize: 4096, ...common },
      { name: 'tracker', weight: 15, device: 'stm32f4', strategy: 'swap-scratch', network: { bandwidth: 5000, chunkLoss: 0.02, outagesPerDay: 1 }, chunkSize: 512, ...common },
    ],
    releases: [{ version: '2.0.0', size: 120_000, rollout: { canary: 10, groups: [5, 25, 50, 100], successThreshold: 95, errorThreshold: 5 } }],
  };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const maxRssMiB = () => process.resourceUsage().maxRSS / 1024;
const loadAverage = async () => (await import('node:os')).loadavg().map((x) => Number(x.toFixed(1)));

interface Measured {
  devices: number;
  wallS: number;
  cpuS: number;
  peakRssMiB: number;
  lives: number;
  rounds: number;
  lifeEvents: number;
  managerMs: number;
  succeeded: number;
  bricked: number;
  load: number[];
}

async function measure(devices: number, pool: FleetPool): Promise<Measured> {
  const load = await loadAverage();
  const c0 = cpuMs();
  const t0 = performance.now();
  const fleet = new Fleet(benchFleet(devices), { executor: pool });
  const r = await fleet.run();
  const wall = performance.now() - t0;
  const cpu = cpuMs() - c0;
  return {
    devices,
    wallS: wall / 1000,
    cpuS: cpu / 1000,
    peakRssMiB: maxRssMiB(),
    lives: fleet.stats.lives,
    rounds: fleet.stats.rounds,
    lifeEvents: fleet.stats.lifeEvents,
    managerMs: fleet.stats.managerMs,
    succeeded: r.totals.succeeded,
    bricked: r.totals.bricked,
    load,
  };
}

// ---- where the time goes: the calls into the engine, timed ----------------------------------

const spent = { boot: 0, swap: 0, mcubootCalls: 0, otaFlash: 0, validation: 0 };

function instrument(): () => void {
  const wrap = <T extends object>(proto: T, name: keyof T, bucket: (self: T) => keyof typeof spent) => {
    const original = proto[name] as unknown as (...a: unknown[]) => unknown;
    (proto as Record<keyof T, unknown>)[name] = function (this: T, ...args: unknown[]) {
      const t0 = performance.now();
      const r = original.apply(this, args);
      spent[bucket(this)] += performance.now() - t0;
      return r;
    };
    return () => ((proto as Record<keyof T, unknown>)[name] = original);
  };
  const undo = [
    wrap(Device.prototype, 'boot', (d) => (d.core.counters().eraseOps + d.core.counters().writeOps > 0 ? 'swap' : 'boot')),
    wrap(Device.prototype, 'setPending', () => 'mcubootCalls'),
    wrap(Device.prototype, 'setConfirmed', () => 'mcubootCalls'),
    wrap(DevicePort.prototype, 'op', () => 'otaFlash'),
    wrap(DeviceLife.prototype, 'verifySecondary', () => 'validation'),
    wrap(DeviceLife.prototype, 'chunkMatches', () => 'validation'),
  ];
  return () => undo.forEach((u) => u());
}

export async function run(): Promise<void> {
  const only = process.argv.indexOf('--devices');
  const sizes = only > 0 ? [Number(process.argv[only + 1])] : [10_000, 100_000];
  const workers = defaultFleetWorkers();
  const pool = new FleetPool(workers);
  // The workers start (and compile) once; a small fleet of the same classes warms them up.
  await new Fleet({ ...benchFleet(200), days: 1 }, { executor: pool }).run();

  const runs: Measured[] = [];
  for (const devices of sizes) runs.push(await measure(devices, pool));
  await pool.close();
  const target = (n: number) => (n <= 10_000 ? { wall: '≤ 30 s', rss: '≤ 1024' } : { wall: '≤ 300 s', rss: '≤ 2048' });
  printTable(`A fleet on ${workers} worker thread${workers === 1 ? '' : 's'}: ${DAYS} virtual days, 3 classes, a staged rollout of one release, a power loss per device per 10 days`, runs.map((m) => ({
    devices: m.devices,
    'wall s': round3(m.wallS),
    target: target(m.devices).wall,
    'CPU s (all threads)': round3(m.cpuS),
    'peak RSS MiB': Math.round(m.peakRssMiB),
    'RSS target': target(m.devices).rss,
    lives: m.lives,
    rounds: m.rounds,
    'device-days/s': Math.round((m.devices * DAYS) / m.wallS),
    'life events/s': Math.round(m.lifeEvents / m.wallS),
    // Per second of CPU (all threads): what the wall figures would be on cores not shared with others.
    'life events/CPU s': Math.round(m.lifeEvents / m.cpuS),
    'manager ms': Math.round(m.managerMs),
    succeeded: m.succeeded,
    bricked: m.bricked,
    'load avg before': m.load.join(' '),
  })));

  // ---- one thread: where a device's life goes, against its bootloader runs alone ------------
  const plan = new Fleet(benchFleet(1000)).plan;
  const lives = new FleetLives(plan);
  const sample = 600;
  const jobs = Array.from({ length: sample }, (_, i) => ({ device: i, cls: i % 20 < 12 ? 0 : i % 20 < 17 ? 1 : 2, offers: [{ release: 0, fromMs: (i % 24) * 3_600_000 }] }));
  for (const job of jobs.slice(0, 60)) await lives.run({ ...job, device: job.device + 100_000 }); // warm-up
  for (const k of Object.keys(spent) as Array<keyof typeof spent>) spent[k] = 0;
  const undo = instrument();
  let events = 0;
  const t0 = performance.now();
  for (const job of jobs) events += (await lives.run(job)).events;
  const total = performance.now() - t0;
  undo();
  const bootloader = spent.boot + spent.swap + spent.mcubootCalls;
  const downloads = spent.otaFlash + spent.validation;
  const loop = total - bootloader - downloads;
  const perLife = (x: number) => round3(x / sample);
  const times = (x: number) => `${round3(x / bootloader)}×`;
  printTable(`Where one device's 30 days go (one thread, ${sample} lives with an update, ms per life; × = a multiple of the bootloader runs alone)`, [
    { part: 'bootloader runs (power-ons, boot_set_pending, boot_set_confirmed)', 'ms/life': perLife(bootloader), share: `${Math.round((100 * bootloader) / total)} %`, 'vs bootloader alone': times(bootloader) },
    { part: '  of which boots that move images', 'ms/life': perLife(spent.swap), share: `${Math.round((100 * spent.swap) / total)} %`, 'vs bootloader alone': times(spent.swap) },
    { part: 'downloads into flash (erases, programs, chunk and image checks)', 'ms/life': perLife(downloads), share: `${Math.round((100 * downloads) / total)} %`, 'vs bootloader alone': times(downloads) },
    { part: 'event loop and the rest (application, OTA logic, network, quiet spans)', 'ms/life': perLife(loop), share: `${Math.round((100 * loop) / total)} %`, 'vs bootloader alone': times(loop) },
    { part: 'the whole life', 'ms/life': perLife(total), share: '100 %', 'vs bootloader alone': times(total) },
  ]);
  const eventsPerS = (events * 1000) / total;

  // ---- the fast path against the slow, event-by-event one ------------------------------------
  const compare = jobs.slice(0, 40);
  let fastMs = 0;
  let slowMs = 0;
  let fastEvents = 0;
  let slowEvents = 0;
  for (const job of compare) {
    const fast = await lives.life(job);
    let t = performance.now();
    fast.run({ days: DAYS });
    fastMs += performance.now() - t;
    fastEvents += fast.sched.executed;
    const slow = await lives.life(job);
    slow.slowPath = true;
    t = performance.now();
    slow.run({ days: DAYS });
    slowMs += performance.now() - t;
    slowEvents += slow.sched.executed;
  }
  const rows: Row[] = [
    { path: 'fleet (quiet spans, blocks of periods)', 'ms/life': round3(fastMs / compare.length), 'events/life': Math.round(fastEvents / compare.length) },
    { path: 'event by event (slow path)', 'ms/life': round3(slowMs / compare.length), 'events/life': Math.round(slowEvents / compare.length) },
  ];
  printTable(`A device's 30 days, both ways (${compare.length} lives; the tests hold their lives equal). One thread: ${Math.round(eventsPerS)} life events/s on the fast path`, rows);

  writeResults('fleet', {
    days: DAYS,
    workers,
    runs: runs.map((m) => ({ ...m, wallS: round3(m.wallS), cpuS: round3(m.cpuS), peakRssMiB: Math.round(m.peakRssMiB), managerMs: Math.round(m.managerMs) })),
    oneThread: {
      lives: sample,
      perLifeMs: perLife(total),
      spentMsPerLife: { bootloader: perLife(bootloader), swaps: perLife(spent.swap), downloads: perLife(downloads), eventLoopAndRest: perLife(loop) },
      ratioToBootloaderAlone: { downloads: round3(downloads / bootloader), eventLoopAndRest: round3(loop / bootloader), total: round3(total / bootloader) },
      lifeEventsPerSecond: Math.round(eventsPerS),
    },
    fastVsSlow: { lives: compare.length, fastMsPerLife: round3(fastMs / compare.length), slowMsPerLife: round3(slowMs / compare.length), fastEventsPerLife: Math.round(fastEvents / compare.length), slowEventsPerLife: Math.round(slowEvents / compare.length) },
  });
}

if (process.argv[1] && /bench[\\/]fleet\.ts$/.test(process.argv[1])) await run();

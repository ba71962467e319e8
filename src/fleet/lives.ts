/**
 * The lives of a fleet's devices. A device's whole life is a DeviceLife (src/app/): its own
 * application, OTA task, network and power losses on its own virtual clock, and an update
 * server that offers each release the rollout sends it from the moment the rollout reaches
 * it (a ReleaseWindow) — so a fleet device is exactly the device `brickproof life` runs,
 * and replays alone from its id.
 *
 * What a device holds between lives is nothing: one Device (the flash model and the
 * bootloader) per class is reused by every life of that class, each life starting from a
 * freshly written flash, and a finished life is kept as a few numbers (DeviceRun): when the
 * device picked each release up, started and finished downloading it, what it reported, and
 * whether and when it bricked. Lives are independent given their offers, so any number of
 * them run side by side (src/node/fleet-pool.ts spreads them over all cores).
 */
import { Device } from '../device/device.js';
import { formatVersion } from '../image/header.js';
import { DeviceLife, type LifeReport } from '../app/life.js';
import { buildFirmware } from '../app/images.js';
import { makeRelease, type Release } from '../app/server.js';
import type { Milestone } from '../app/milestones.js';
import { bootloaderOptions, type ClassPlan, type FleetPlan } from './description.js';
import { devicePhase, deviceSeed } from './cohorts.js';
import { DEFAULT_OTA } from '../app/options.js';

export const DAY_MS = 86_400_000;

/** A release offered to a device from `fromMs` — withdrawn at `untilMs` if it had not picked it up by then. */
export interface Offer {
  release: number;
  fromMs: number;
  untilMs?: number;
}

export interface LifeJob {
  device: number;
  cls: number;
  offers: Offer[];
  /** Keep the milestone log (a watched or replayed device). */
  milestones?: boolean;
}

export type ReportedOutcome = 'installed' | 'failed' | 'refused';

/** One offered release as the device lived it; times in virtual ms, -1 for never. */
export interface ReleaseRun {
  release: number;
  /** The device's update check that picked the release up. */
  seen: number;
  downloading: number;
  downloaded: number;
  /** When it reported `outcome`. */
  end: number;
  outcome: ReportedOutcome | '';
}

/** A finished life, as the fleet keeps it. */
export interface DeviceRun {
  device: number;
  key: string;
  releases: ReleaseRun[];
  brickedAt: number;
  final: { version: string; confirmed: boolean };
  boots: number;
  powerLosses: number;
  /** Events the life's clock ran. */
  events: number;
  milestones?: Milestone[];
}

/** The offers as one string: a life is a function of its class, index, seed and this. */
export function offersKey(offers: readonly Offer[]): string {
  return offers.map((o) => `${o.release}=${o.fromMs}${o.untilMs === undefined || o.untilMs === Infinity ? '' : `-${o.untilMs}`}`).join(',');
}

/**
 * A bootloader that breaks a flash rule is a bug: ours for a real strategy (strict flash
 * makes it an error), the point of a test-only historical variant — whose devices are given
 * what a real NOR part does with a program over programmed bits (the AND of old and new).
 */
const strictFlash = (cls: ClassPlan) => cls.bugs === 0 && cls.fault === 'cut';

interface Kit {
  cls: ClassPlan;
  device: Device;
  running: Uint8Array;
  releases: Release[];
}

export class FleetLives {
  private readonly kits = new Map<number, Promise<Kit>>();

  constructor(readonly plan: FleetPlan) {}

  private kit(c: number): Promise<Kit> {
    let k = this.kits.get(c);
    if (!k) this.kits.set(c, (k = this.build(this.plan.classes[c]!)));
    return k;
  }

  /** One Device and one set of images per class, built once (images are deterministic). */
  private async build(cls: ClassPlan): Promise<Kit> {
    const device = new Device(cls.profile.geometry, bootloaderOptions(cls), { strict: strictFlash(cls) });
    const max = cls.maxImageSize;
    const running = await buildFirmware({ version: this.plan.running.version, size: this.plan.running.size[cls.index] }, max);
    const releases: Release[] = [];
    for (const r of this.plan.releases) {
      const bytes = await buildFirmware({ version: r.version, size: r.size[cls.index], behaviour: r.behaviour[cls.index] }, max);
      releases.push(makeRelease(bytes, r.name));
    }
    return { cls, device, running, releases };
  }

  /** Device `job.device`'s life with its offers published, ready to run. */
  async life(job: LifeJob): Promise<DeviceLife> {
    const kit = await this.kit(job.cls);
    const cls = kit.cls;
    const life = await DeviceLife.create({
      reuseDevice: kit.device,
      device: cls.profile.profile,
      strategy: cls.strategy,
      running: kit.running,
      seed: deviceSeed(this.plan.seed, job.device),
      powerOnAtMs: devicePhase(this.plan.seed, job.device) * (cls.ota.checkPeriodMs ?? DEFAULT_OTA.checkPeriodMs),
      app: cls.app,
      ota: cls.ota,
      network: cls.network,
      power: { lossesPerDay: cls.powerLossesPerDay, fault: cls.fault },
      strictFlash: strictFlash(cls),
    });
    for (const o of job.offers) life.publish(kit.releases[o.release]!, undefined, { fromMs: o.fromMs, untilMs: o.untilMs });
    return life;
  }

  /** Lives device `job.device`'s whole life (the fleet's days) and keeps what the fleet needs of it. */
  async run(job: LifeJob): Promise<DeviceRun> {
    return (await this.live(job)).run;
  }

  /** The same, with the life itself and its full report (a replay). */
  async live(job: LifeJob): Promise<{ life: DeviceLife; report: LifeReport; run: DeviceRun }> {
    const life = await this.life(job);
    const report = life.run({ ms: this.plan.days * DAY_MS });
    return { life, report, run: summarize(job, life, report.milestones, job.milestones === true) };
  }
}

/** The version a milestone is about: its detail starts with it (`2.0.0+0, 150072 bytes`). */
const versionOf = (m: Milestone) => m.detail.slice(0, m.detail.search(/[ ,]|$/));

function summarize(job: LifeJob, life: DeviceLife, milestones: Milestone[], keep: boolean): DeviceRun {
  const kit = life.server.published;
  const releases: ReleaseRun[] = job.offers.map((o, i) => {
    const release = kit[i]!;
    const v = formatVersion(release.version);
    const seen = life.server.offeredAt(life.deviceId, release) ?? -1;
    let downloading = -1;
    let downloaded = -1;
    if (seen >= 0) {
      for (const m of milestones) {
        if (m.tMs < seen) continue;
        if (downloading < 0 && (m.event === 'download-started' || m.event === 'download-resumed') && versionOf(m) === v) downloading = m.tMs;
        else if (m.event === 'download-completed' && versionOf(m) === v) {
          downloaded = m.tMs;
          break;
        }
      }
    }
    const report = life.server.reports.find((r) => r.version === v);
    return { release: o.release, seen, downloading, downloaded, end: report ? report.tMs : -1, outcome: report ? report.outcome : '' };
  });
  const r = life.report();
  return {
    device: job.device,
    key: offersKey(job.offers),
    releases,
    brickedAt: r.final.bricked ? (r.stats.brickedAtMs ?? life.sched.now) : -1,
    final: { version: r.final.version, confirmed: r.final.confirmed },
    boots: r.stats.boots,
    powerLosses: r.stats.powerLosses,
    events: life.sched.executed,
    ...(keep ? { milestones } : {}),
  };
}

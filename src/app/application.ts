/**
 * The application: SENSOR_INIT after every boot, then one sample per period — IDLE, SEND,
 * WAIT (asleep) — for ever. SENSOR_INIT and SEND are critical paths: the OTA task runs only
 * in IDLE and WAIT, and starts no flash operation that would not end before the next SEND.
 * A failed SEND is retried with full-jitter backoff, sleeping in WAIT in between.
 *
 * The firmware's behaviour (its image's behaviour TLV) decides how this image lives: a
 * healthy one confirms itself after its first successful SEND when it runs unconfirmed (a
 * test upgrade); `crash-at-boot` crashes in SENSOR_INIT; `hang` stops there until the
 * watchdog resets it; `fail-health-check` runs and sends but its health check never passes;
 * `send-fails` never gets a SEND through. An unconfirmed image that is not healthy when its
 * health window ends resets itself (Golioth's rule, reference/ota.md §1), and the bootloader
 * reverts it at that reset.
 */
import { fullJitter } from './backoff.js';
import type { FirmwareInfo } from './firmware.js';
import type { DeviceLife } from './life.js';
import { OtaTask } from './ota.js';

export type AppState = 'SENSOR_INIT' | 'IDLE' | 'SEND' | 'WAIT' | 'HUNG';

export class Application {
  state: AppState = 'SENSOR_INIT';
  /** When the next critical state (SEND) begins: no OTA flash operation may still run then. */
  nextCriticalAt = 0;
  /** The OTA task, with its own context; owned by the application, not the bootloader. */
  readonly ota: OtaTask;
  /** The running image has yet to confirm itself (it was installed by a test upgrade). */
  awaitingConfirm: boolean;
  private since = 0;
  private cycleStart = 0;
  private sendStartedAt = 0;
  private sensorInitAt = 0;
  private sendAttempt = 0;
  private sendsOk = 0;
  /** A SEND outcome already drawn while skipping uneventful cycles, for the SEND that owns it. */
  private drawn: boolean | undefined;

  constructor(
    private readonly life: DeviceLife,
    readonly firmware: FirmwareInfo,
    unconfirmed: boolean,
  ) {
    this.awaitingConfirm = unconfirmed;
    this.ota = new OtaTask(life, this);
  }

  private get o() {
    return this.life.options.app;
  }

  /** Charge of the state being left, up to `t`. */
  private account(t: number): void {
    const c = this.life.energy.currents;
    const ma = this.state === 'SEND' ? c.radio : this.state === 'WAIT' ? c.sleep : c.active;
    this.life.energy.add(ma, t - this.since);
    this.since = t;
  }

  private enter(state: AppState, t: number): void {
    this.account(t);
    this.state = state;
  }

  /** Charge up to the power loss or reset that ends this application. */
  stop(t: number): void {
    if (this.state === 'SEND') this.life.guard.critical(this.sendStartedAt, t);
    else if (this.state === 'SENSOR_INIT') this.life.guard.critical(this.sensorInitAt, t);
    if (t > this.since) this.account(t);
  }

  /** Whether the OTA task may run now (IDLE or WAIT). */
  otaMayRun(): boolean {
    return this.state === 'IDLE' || this.state === 'WAIT';
  }

  /** Whether the OTA task may start a flash operation of `ms` at `t`. */
  mayStartFlash(t: number, ms: number): boolean {
    return this.otaMayRun() && t + ms <= this.nextCriticalAt;
  }

  start(t: number): void {
    this.since = t;
    this.sensorInitAt = t;
    this.state = 'SENSOR_INIT';
    this.nextCriticalAt = t;
    const o = this.o;
    const life = this.life;
    life.aimTimed('sensor-init', t, o.sensorInitMs);
    if (this.awaitingConfirm) life.at(t + o.healthWindowMs, () => this.healthWindowOver());
    switch (this.firmware.behaviour) {
      case 'crash-at-boot':
        life.at(t + Math.min(o.crashAfterMs, o.sensorInitMs), () => life.reset('crash'));
        return;
      case 'hang':
        life.at(t + Math.min(o.crashAfterMs, o.sensorInitMs), () => this.enter('HUNG', life.sched.now));
        life.at(t + o.watchdogMs, () => life.reset('watchdog'));
        return;
      default:
        life.at(t + o.sensorInitMs, () => this.firstIdle());
    }
  }

  private firstIdle(): void {
    this.life.guard.critical(this.sensorInitAt, this.life.sched.now);
    if (this.awaitingConfirm && this.o.confirmAfterSends === 0) {
      this.enter('IDLE', this.life.sched.now);
      this.nextCriticalAt = this.life.sched.now + this.o.idleMs;
      if (!this.confirm()) return;
    }
    this.cycle(true);
  }

  /**
   * The start of a sample period (IDLE). Uneventful periods — nothing else scheduled before
   * the period ends, the OTA task asleep, nothing to confirm, the SEND going through — are
   * accounted one loop iteration each rather than as three events: a week of once-a-minute
   * samples is 10 080 periods, and the events they would cost were most of a quiet week's
   * time. The SEND outcome is drawn from the application's own stream in the same order
   * either way, so both paths live the same life (a test holds them equal).
   */
  private cycle(first = false): void {
    const life = this.life;
    const o = this.o;
    let t = life.sched.now;
    if (!first && !life.slowPath && this.drawn === undefined && !this.awaitingConfirm && !this.ota.parked) {
      const c = life.energy.currents;
      const cycleCharge = c.active * o.idleMs + c.radio * o.sendMs + c.sleep * (o.sendPeriodMs - o.idleMs - o.sendMs);
      const limit = Math.min(life.sched.next, life.sched.horizon);
      this.account(t);
      while (t + o.sendPeriodMs <= limit) {
        const sendEnd = t + o.idleMs + o.sendMs;
        if (!this.sendGoesThrough(sendEnd)) {
          this.drawn = false;
          break;
        }
        life.guard.critical(sendEnd - o.sendMs, sendEnd);
        life.energy.add(cycleCharge, 1);
        life.stats.sends.ok++;
        this.sendsOk++;
        t += o.sendPeriodMs;
      }
      if (t > life.sched.now) {
        this.since = t;
        this.state = 'WAIT';
        this.nextCriticalAt = t + o.idleMs;
        life.at(t, () => this.cycle());
        return;
      }
    }
    this.cycleStart = t;
    this.sendAttempt = 0;
    this.enter('IDLE', t);
    this.nextCriticalAt = t + o.idleMs;
    life.at(t + o.idleMs, () => this.sendStart());
    if (first) this.ota.start();
    else this.ota.wake();
  }

  private sendGoesThrough(t: number): boolean {
    const r = this.life.rnd.app();
    return this.firmware.behaviour !== 'send-fails' && !this.life.net.isDown(t) && r >= this.life.net.options.sendLoss;
  }

  private sendStart(): void {
    const t = this.life.sched.now;
    this.enter('SEND', t);
    this.sendStartedAt = t;
    this.nextCriticalAt = t;
    this.life.aimTimed('send', t, this.o.sendMs);
    this.life.at(t + this.o.sendMs, () => this.sendEnd());
  }

  private sendEnd(): void {
    const life = this.life;
    const o = this.o;
    const t = life.sched.now;
    life.guard.critical(this.sendStartedAt, t);
    const ok = this.drawn ?? this.sendGoesThrough(t);
    this.drawn = undefined;
    this.enter('WAIT', t);
    if (ok) {
      life.stats.sends.ok++;
      this.sendsOk++;
      const next = Math.max(this.cycleStart + o.sendPeriodMs, t);
      this.nextCriticalAt = next + o.idleMs;
      life.at(next, () => this.cycle());
      // A health check that never passes never confirms: the health window resets it.
      if (this.awaitingConfirm && this.sendsOk >= o.confirmAfterSends && this.firmware.behaviour !== 'fail-health-check') {
        if (!this.confirm()) return;
      }
    } else {
      life.stats.sends.failed++;
      this.sendAttempt++;
      if (this.sendAttempt < o.retry.maxAttempts) {
        const delay = fullJitter(o.retry, this.sendAttempt - 1, life.rnd.app);
        this.nextCriticalAt = t + delay;
        life.at(t + delay, () => this.sendStart());
      } else {
        const next = Math.max(this.cycleStart + o.sendPeriodMs, t);
        this.nextCriticalAt = next + o.idleMs;
        life.at(next, () => this.cycle());
      }
    }
    this.ota.wake();
  }

  /** boot_set_confirmed, in IDLE or WAIT. False when the power failed during it. */
  private confirm(): boolean {
    const life = this.life;
    if (!life.confirmRunning(life.sched.now)) return false;
    this.awaitingConfirm = false;
    this.ota.poke();
    return true;
  }

  private healthWindowOver(): void {
    if (this.awaitingConfirm) this.life.reset('health-check');
  }
}

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
    this.life.observer?.state?.(t, state);
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
    this.life.observer?.state?.(t, 'SENSOR_INIT');
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
   * The start of a sample period (IDLE). A period in which nothing else happens — nothing
   * scheduled before it ends, the OTA task asleep, no confirmation due — is lived in one
   * step (its SEND attempts, backoff sleeps and charge computed in a loop) rather than as
   * three or more events: a week of once-a-minute samples is 10 080 periods, and their events
   * were most of a quiet week's time. Its random numbers come from the life's application
   * stream in the order the event path would draw them, and a period that turns out not to
   * be quiet is handed back to the event path with the numbers already drawn, so both paths
   * live the same life (a test holds them equal).
   */
  private cycle(first = false): void {
    const life = this.life;
    const o = this.o;
    let t = life.sched.now;
    if (!first && !life.slowPath && !this.ota.parked) {
      this.account(t);
      const quiet = this.quietSpan(t);
      if (quiet > t) {
        this.since = quiet;
        this.state = 'WAIT';
        this.nextCriticalAt = quiet + o.idleMs;
        life.at(quiet, this.onCycle);
        return;
      }
      const limit = Math.min(life.sched.next, life.sched.horizon);
      const n = this.certainPeriods(t, limit);
      if (n > 0) {
        const c = life.energy.currents;
        life.energy.add(n, c.active * o.idleMs + c.radio * o.sendMs + c.sleep * (o.sendPeriodMs - o.idleMs - o.sendMs));
        for (let i = 0; i < n; i++) life.guard.critical(t + i * o.sendPeriodMs + o.idleMs, t + i * o.sendPeriodMs + o.idleMs + o.sendMs);
        life.stats.sends.ok += n;
        this.sendsOk += n;
        t += n * o.sendPeriodMs;
      }
      let waitFrom = t;
      for (;;) {
        const next = this.quietPeriod(t, limit);
        if (next < 0) break;
        t = next;
        waitFrom = this.quietWaitFrom;
        if (waitFrom < t) break; // lived up to its last SEND only: something happens in its WAIT
      }
      if (t > life.sched.now) {
        this.since = waitFrom;
        this.state = 'WAIT';
        this.nextCriticalAt = t + o.idleMs;
        life.at(t, this.onCycle);
        return;
      }
    }
    this.cycleStart = t;
    this.sendAttempt = 0;
    this.enter('IDLE', t);
    this.nextCriticalAt = t + o.idleMs;
    life.at(t + o.idleMs, this.onSendStart);
    if (!first) this.ota.wake();
  }

  // The three events of every sample period, made once (measured: their closures were a
  // visible share of a life's garbage-collector time). Bound rather than arrows: run from
  // source (tsx keeps function names), each arrow cost a defineProperty per boot, 4 % of a
  // health-check loop's time.
  private readonly onCycle = this.cycle.bind(this, false);
  private readonly onSendStart = this.sendStart.bind(this);
  private readonly onSendEnd = this.sendEnd.bind(this);

  /** SEND start times of the quiet period being tried (reused). */
  private readonly quietSends: number[] = [];
  /** [start, end) of the SENDs of the period a quiet span is in (reused). */
  private readonly spanSends: number[] = [];
  /** Where the last quiet period's WAIT began, when it was lived only that far (else its end). */
  private quietWaitFrom = 0;
  private otaStarted = false;

  /**
   * Lives the period starting at `t` in one step if it needs no confirmation and its last
   * SEND ends by `limit` — to its end if that is by `limit` too, else up to its WAIT (then
   * `quietWaitFrom` says where the WAIT began); returns when the next period starts, or -1
   * (nothing changed but the numbers it drew, which go back to the stream for the event
   * path).
   */
  private quietPeriod(t: number, limit: number): number {
    const life = this.life;
    const o = this.o;
    if (t + o.idleMs + o.sendMs > limit || life.appDrawsPending) return -1;
    life.recordAppDraws();
    const sends = this.quietSends;
    let count = 0;
    let send = t + o.idleMs;
    let ok = 0;
    let next = -1;
    for (let attempt = 1; ; attempt++) {
      sends[count++] = send;
      const end = send + o.sendMs;
      if (this.sendGoesThrough(end)) {
        ok++;
        const confirms = this.awaitingConfirm && this.sendsOk + ok >= o.confirmAfterSends && this.firmware.behaviour !== 'fail-health-check';
        if (!confirms) next = Math.max(t + o.sendPeriodMs, end);
        break;
      }
      if (attempt >= o.retry.maxAttempts) {
        next = Math.max(t + o.sendPeriodMs, end);
        break;
      }
      send = end + fullJitter(o.retry, attempt - 1, life.appRandom);
    }
    const lastEnd = sends[count - 1]! + o.sendMs;
    if (next < 0 || lastEnd > limit) {
      life.replayAppDraws();
      return -1;
    }
    life.stopRecording();
    const c = life.energy.currents;
    const radioMs = count * o.sendMs;
    const waitFrom = next <= limit ? next : lastEnd;
    this.quietWaitFrom = waitFrom;
    life.energy.add(1, c.active * o.idleMs + c.radio * radioMs + c.sleep * (waitFrom - t - o.idleMs - radioMs));
    for (let i = 0; i < count; i++) life.guard.critical(sends[i]!, sends[i]! + o.sendMs);
    life.stats.sends.ok += ok;
    life.stats.sends.failed += count - ok;
    this.sendsOk += ok;
    return next;
  }

  /**
   * A quiet span: while the running image is confirmed, the OTA task asleep with nothing
   * offered or held, and nothing else due (no power loss, no aimed cut, the server offering
   * nothing), a device only samples and polls. Weeks of that are lived here in one step — its
   * sample periods in blocks, each update check with its retries (OtaTask.quietCheck) — with
   * the same random draws, times, charge and books as their events would give, then handed
   * back to the events well before anything can happen: the OTA task asleep until its next
   * check, this application at the start of a sample period no later than that. A test holds
   * a life lived this way equal to the same life lived event by event (slowPath).
   *
   * Measured: a month of 5-minute checks and 1-minute samples was about 17 000 events; most
   * of a fleet's time before this. Returns where the application's next period starts (`t`
   * when there was nothing to live).
   */
  private quietSpan(t: number): number {
    const life = this.life;
    const ota = this.ota;
    if (this.awaitingConfirm || !this.otaStarted || life.power.aiming) return t;
    const first = ota.quietCheckAt();
    if (first === undefined || first < t) return t;
    const o = this.o;
    // Everything one check can do (its retries, waiting out SENDs) ends before the next is due.
    const margin = ota.quietCheckBoundMs() + 2 * o.sendPeriodMs + o.retry.maxAttempts * (o.sendMs + o.retry.capMs);
    if (life.options.ota.checkPeriodMs < margin) return t;
    let end = Math.min(life.power.nextLoss, life.sched.horizon, life.server.quietUntil(life.deviceId, t));
    const next = life.sched.next;
    if (next < first) end = Math.min(end, next);
    if (first + margin >= end) return t;
    // The sample period containing the latest time the OTA task asked about: [from, to); its
    // SENDs in `sends`, or — a period of one certain SEND — [sendFrom, sendTo).
    let to = t;
    let sendFrom = 0;
    let sendTo = 0;
    const sends = this.spanSends;
    sends.length = 0;
    const hold = (x: number): number => {
      while (to <= x) {
        const n = Math.floor((x - to) / o.sendPeriodMs) + 1;
        if (this.certainSpan(to, n)) {
          this.livePeriods(to, n);
          to += n * o.sendPeriodMs;
          sendFrom = to - o.sendPeriodMs + o.idleMs;
          sendTo = sendFrom + o.sendMs;
          if (sends.length) sends.length = 0;
        } else {
          if (sends.length) sends.length = 0;
          sendTo = 0;
          to = this.liveOnePeriod(to, sends);
        }
      }
      if (sendFrom < x && x < sendTo) return sendTo;
      for (let i = 0; i < sends.length; i += 2) if (sends[i]! < x && x < sends[i + 1]!) return sends[i + 1]!;
      return x;
    };
    let check = first;
    const regular = life.net.options.sendLoss === 0 && this.firmware.behaviour !== 'send-fails';
    while (check + margin < end) {
      if (regular && check >= to && !life.guard.watching) {
        // Up to the next outage nothing but a request's own draw can fail a check: run them.
        const until = Math.min(end, life.net.nextDownAt(to, end)) - margin;
        if (check < until) {
          const base = to;
          check = ota.quietRun(check, until, base, o.sendPeriodMs, o.idleMs, o.sendMs);
          // The application lives the periods the run looked into (hold jumps them in one block).
          hold(Math.max(ota.quietLastTime, base));
          if (ota.failedDraw >= 0) check = ota.quietCheck(check, hold, ota.failedDraw);
          continue;
        }
      }
      check = ota.quietCheck(check, hold);
    }
    if (check === first) return t;
    if (to > check) throw new Error(`a quiet span lived the application to ${to} ms, past the next check at ${check} ms`);
    sends.length = 0;
    ota.resumeSleep(check);
    return to;
  }

  /** Whether the `n` periods from `t` each have one SEND that cannot fail (no loss rate, no outage, a firmware that sends). */
  private certainSpan(t: number, n: number): boolean {
    return this.life.net.options.sendLoss === 0 && this.firmware.behaviour !== 'send-fails' && !this.life.net.downDuring(t, t + n * this.o.sendPeriodMs);
  }

  /** `n` periods from `t`, each one SEND that goes through (see certainSpan). */
  private livePeriods(t: number, n: number): void {
    const o = this.o;
    const life = this.life;
    const c = life.energy.currents;
    life.energy.add(n, c.active * o.idleMs + c.radio * o.sendMs + c.sleep * (o.sendPeriodMs - o.idleMs - o.sendMs));
    if (life.guard.watching) for (let i = 0; i < n; i++) life.guard.critical(t + i * o.sendPeriodMs + o.idleMs, t + i * o.sendPeriodMs + o.idleMs + o.sendMs);
    life.stats.sends.ok += n;
    this.sendsOk += n;
  }

  /**
   * One whole sample period from `t` of a confirmed image — its SEND attempts and backoff
   * sleeps, in the order the event path draws their numbers — with its SENDs' [start, end)
   * pushed on `sends`. Returns when the next period starts.
   */
  private liveOnePeriod(t: number, sends: number[]): number {
    const life = this.life;
    const o = this.o;
    let count = 0;
    let ok = 0;
    let send = t + o.idleMs;
    let next: number;
    for (let attempt = 1; ; attempt++) {
      const end = send + o.sendMs;
      sends.push(send, end);
      count++;
      if (this.sendGoesThrough(end)) {
        ok++;
        next = Math.max(t + o.sendPeriodMs, end);
        break;
      }
      if (attempt >= o.retry.maxAttempts) {
        next = Math.max(t + o.sendPeriodMs, end);
        break;
      }
      send = end + fullJitter(o.retry, attempt - 1, life.appRandom);
    }
    const c = life.energy.currents;
    const radioMs = count * o.sendMs;
    life.energy.add(1, c.active * o.idleMs + c.radio * radioMs + c.sleep * (next - t - o.idleMs - radioMs));
    for (let i = sends.length - 2 * count; i < sends.length; i += 2) life.guard.critical(sends[i]!, sends[i + 1]!);
    life.stats.sends.ok += ok;
    life.stats.sends.failed += count - ok;
    this.sendsOk += ok;
    return next;
  }

  /**
   * Whether the SEND ending at `t` goes through. A random number is drawn only when the
   * outcome is uncertain (a SEND loss rate, no outage, a firmware that can send), on every
   * path alike.
   */
  private sendGoesThrough(t: number): boolean {
    if (this.firmware.behaviour === 'send-fails' || this.life.net.isDown(t)) return false;
    const loss = this.life.net.options.sendLoss;
    return loss === 0 || this.life.appRandom() >= loss;
  }

  /**
   * How many whole periods from `t` end by `limit` with one SEND each that cannot fail (no
   * loss rate, no outage, a firmware that sends) and no confirmation due: lived as one block.
   */
  private certainPeriods(t: number, limit: number): number {
    const o = this.o;
    if (this.life.net.options.sendLoss !== 0 || this.firmware.behaviour === 'send-fails') return 0;
    if (this.awaitingConfirm && this.firmware.behaviour !== 'fail-health-check') return 0;
    const n = Math.floor((limit - t) / o.sendPeriodMs);
    if (n < 2 || this.life.net.downDuring(t, t + n * o.sendPeriodMs)) return 0;
    return n;
  }

  private sendStart(): void {
    const t = this.life.sched.now;
    this.enter('SEND', t);
    this.sendStartedAt = t;
    this.nextCriticalAt = t;
    this.life.aimTimed('send', t, this.o.sendMs);
    this.life.at(t + this.o.sendMs, this.onSendEnd);
  }

  private sendEnd(): void {
    const life = this.life;
    const o = this.o;
    const t = life.sched.now;
    life.guard.critical(this.sendStartedAt, t);
    const ok = this.sendGoesThrough(t);
    this.enter('WAIT', t);
    if (ok) {
      life.stats.sends.ok++;
      this.sendsOk++;
      const next = Math.max(this.cycleStart + o.sendPeriodMs, t);
      this.nextCriticalAt = next + o.idleMs;
      life.at(next, this.onCycle);
      // A health check that never passes never confirms: the health window resets it.
      if (this.awaitingConfirm && this.sendsOk >= o.confirmAfterSends && this.firmware.behaviour !== 'fail-health-check') {
        if (!this.confirm()) return;
      }
    } else {
      life.stats.sends.failed++;
      this.sendAttempt++;
      if (this.sendAttempt < o.retry.maxAttempts) {
        const delay = fullJitter(o.retry, this.sendAttempt - 1, life.appRandom);
        this.nextCriticalAt = t + delay;
        life.at(t + delay, this.onSendStart);
      } else {
        const next = Math.max(this.cycleStart + o.sendPeriodMs, t);
        this.nextCriticalAt = next + o.idleMs;
        life.at(next, this.onCycle);
      }
    }
    if (this.otaStarted) return this.ota.wake();
    // The OTA task starts in the first WAIT after boot, once the first sample is out.
    this.otaStarted = true;
    this.ota.start();
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

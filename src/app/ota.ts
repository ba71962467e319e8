/**
 * The OTA task: a background task of the application, with its own context
 * `{ updateAvailable, downloadInProgress, bytesWritten }`. It checks the server every
 * period, and for an offered release: refuses it before writing anything if it cannot be
 * installed (too large for the strategy, not newer than the running version, built for
 * another board, not signed by a trusted key), downloads it chunk by chunk into the
 * secondary slot, checks it with the bootloader's own hash and signature code, requests the
 * upgrade (boot_set_pending) and reboots. After any reboot it starts again from what flash
 * holds: chunks that match the manifest's digests are kept.
 *
 * It runs only while the application is in IDLE or WAIT (it parks otherwise, and the
 * application wakes it), every request failure is retried with the application's backoff
 * policy, and after `maxAttempts` failures it sleeps until the next check.
 */
import { compareVersions, decodeHeader, formatVersion } from '../image/header.js';
import { decodeTlvBlock, type TlvEntry } from '../image/tlv.js';
import { ImageFormatError, TlvType } from '../image/layout.js';
import { fullJitter } from './backoff.js';
import { readFirmwareTlvs } from './firmware.js';
import type { Application } from './application.js';
import type { DeviceLife } from './life.js';
import type { Transfer } from './network.js';
import type { Manifest, ReportOutcome } from './server.js';
import { SlotWriter, type FlashOp } from './slot-writer.js';
import { checkSignature, equalBytes } from './verify.js';

/** Bytes of a check's response without an offer, and per chunk digest with one. */
const CHECK_BYTES = 256;
const DIGEST_BYTES = 32;
const REPORT_BYTES = 128;

export interface OtaContext {
  updateAvailable: boolean;
  downloadInProgress: boolean;
  bytesWritten: number;
}

type Step = () => void;

export class OtaTask implements OtaContext {
  updateAvailable = false;
  downloadInProgress = false;
  bytesWritten = 0;
  /** Work waiting for the application to reach IDLE or WAIT. */
  parked: Step | undefined;
  /** The task's own time: where its current work has got to (≥ the clock). */
  private t = 0;
  /** Steps taken in a row without an event (see request). */
  private inline = 0;
  private attempt = 0;
  private lastCheckAt = -Infinity;
  /** Bumped when a sleeping task is woken early, so the check it was sleeping until is dropped. */
  private sleepToken = 0;
  private sleeping = false;
  /** When a sleeping task checks next. */
  private sleepingUntil = 0;
  private manifest: Manifest | undefined;
  private writer: SlotWriter | undefined;
  /** The next chunk to fetch. */
  private chunk = 0;
  /** Image offset up to which the download is in flash. */
  private durableTo = 0;
  /** Image offset where the flash operation in progress starts (for what a cut may damage). */
  private opFrom = Infinity;
  /** The download's flash operations so far, and the one an aimed power loss interrupts. */
  private opCount = 0;
  private aimedOp = 0;
  private aimedAt = 0;
  private downloadStats = { refetched: 0, resumedFrom: 0 };

  constructor(
    private readonly life: DeviceLife,
    private readonly app: Application,
  ) {}

  private get o() {
    return this.life.options.ota;
  }

  get context(): OtaContext {
    return { updateAvailable: this.updateAvailable, downloadInProgress: this.downloadInProgress, bytesWritten: this.bytesWritten };
  }

  // ---- running only in IDLE and WAIT -----------------------------------------------------

  /** Runs `step` now if the application allows it, else when it next does. */
  private step(step: Step): void {
    this.t = this.life.sched.now;
    if (this.app.otaMayRun()) step();
    else this.parked = step;
  }

  /** Continues at the task's own time: now, or as an event once the clock gets there. */
  private later(step: Step): void {
    if (this.t <= this.life.sched.now) this.step(step);
    else this.life.at(this.t, () => this.step(step));
  }

  /** The application entered IDLE or WAIT. */
  wake(): void {
    const p = this.parked;
    if (!p) return;
    this.parked = undefined;
    this.t = this.life.sched.now;
    p();
  }

  /** The first WAIT after boot: check for an update at once. */
  start(): void {
    this.step(() => this.check());
  }

  /** Something changed that the server should hear about now (the image confirmed itself). */
  poke(): void {
    if (!this.sleeping) return;
    this.sleepToken++;
    this.sleeping = false;
    this.step(() => this.check());
  }

  private sleepUntilNextCheck(): void {
    this.sleepUntil(Math.max(this.t, this.lastCheckAt + this.o.checkPeriodMs));
  }

  private sleepUntil(at: number): void {
    const token = ++this.sleepToken;
    this.sleeping = true;
    this.sleepingUntil = at;
    this.life.at(at, () => {
      if (token !== this.sleepToken) return;
      this.sleeping = false;
      this.step(() => this.check());
    });
  }

  // ---- quiet spans (Application.quietSpan) -------------------------------------------------

  /**
   * The time of the next update check when the task is asleep until it with nothing offered,
   * nothing downloaded or held in RAM and no request in flight (a quiet span may start); else
   * undefined.
   */
  quietCheckAt(): number | undefined {
    if (!this.sleeping || this.manifest || this.writer || this.parked || this.attempt !== 0 || this.downloadInProgress || this.updateAvailable) return undefined;
    return this.sleepingUntil;
  }

  /**
   * The update check due at `c` in a quiet span, with its retries, lived without events: the
   * same requests, random draws, charge and books as check → request → onOffer (or failed)
   * make as events. `hold(x)` is when the task really runs something due at `x` (the end of
   * the SEND that holds it, else `x`). The caller has made sure the server offers nothing until
   * well after it (UpdateServer.quietUntil), so the offer is not asked for. Returns when the
   * task checks next.
   */
  quietCheck(c: number, hold: (x: number) => number, drawn?: number): number {
    const life = this.life;
    const stats = life.stats.ota;
    const retry = life.options.app.retry;
    let x = hold(c);
    for (;;) {
      this.t = x;
      this.lastCheckAt = x;
      stats.checks++;
      const tr = life.net.transferWith(x, CHECK_BYTES, drawn ?? life.net.draw());
      drawn = undefined;
      life.energy.add(life.energy.currents.radio, tr.doneAt - x, true);
      stats.requests++;
      const y = hold(tr.doneAt);
      this.t = y;
      if (tr.outcome === 'ok') {
        this.attempt = 0;
        return Math.max(y, this.lastCheckAt + this.o.checkPeriodMs);
      }
      stats.failedRequests++;
      this.attempt++;
      if (this.attempt >= retry.maxAttempts) {
        this.attempt = 0;
        stats.giveUps++;
        return Math.max(y, this.lastCheckAt + this.o.checkPeriodMs);
      }
      x = hold(y + fullJitter(retry, this.attempt - 1, life.rnd.ota));
    }
  }

  /** The draw that failed the check quietRun stopped at (-1: it stopped for time). */
  failedDraw = -1;
  /** The latest moment quietRun looked at (its application must be lived to there). */
  quietLastTime = 0;

  /**
   * The update checks of a quiet span from `c` while they start before `until`, in a stretch
   * where nothing but a request's own draw can fail one: no outage, and the application's
   * sample periods regular from `base` (one SEND each, `idleMs` into the period). A check
   * that goes through is one draw and a few additions here (measured: about a quarter of
   * quietCheck's cost); the first whose draw fails it stops the run, the draw kept in
   * `failedDraw` for quietCheck to live that check with. Returns when the task checks next.
   */
  quietRun(c: number, until: number, base: number, periodMs: number, idleMs: number, sendMs: number): number {
    const life = this.life;
    const net = life.net;
    const no = net.options;
    const fail = no.chunkLoss + no.truncation + no.corruption;
    const airtime = no.latencyMs + (CHECK_BYTES * 1000) / no.bytesPerSecond;
    const period = this.o.checkPeriodMs;
    let ok = 0;
    let check = c;
    this.failedDraw = -1;
    this.quietLastTime = c;
    while (check < until) {
      const r = net.draw();
      // hold(x) of Application.quietSpan, for regular periods: the end of the SEND holding x, else x.
      let s = base + Math.floor((check - base) / periodMs) * periodMs + idleMs;
      const x = s < check && check < s + sendMs ? s + sendMs : check;
      if (r < fail) {
        this.failedDraw = r;
        this.quietLastTime = x;
        break;
      }
      const done = x + airtime;
      s = base + Math.floor((done - base) / periodMs) * periodMs + idleMs;
      const y = s < done && done < s + sendMs ? s + sendMs : done;
      this.quietLastTime = y;
      ok++;
      this.lastCheckAt = x;
      this.t = y;
      check = Math.max(y, x + period);
    }
    if (ok) {
      const stats = life.stats.ota;
      stats.checks += ok;
      stats.requests += ok;
      net.requests += ok;
      net.bytes += ok * CHECK_BYTES;
      life.energy.add(ok * life.energy.currents.radio, airtime, true);
      this.attempt = 0;
    }
    return check;
  }

  /** Ends a quiet span: asleep until `at`, as after a check. */
  resumeSleep(at: number): void {
    this.sleepUntil(at);
  }

  /** The longest one update check can take with its retries while nothing is offered (a quiet span's margin). */
  quietCheckBoundMs(): number {
    const life = this.life;
    const net = life.net.options;
    const app = life.options.app;
    const request = Math.max(net.timeoutMs, net.latencyMs + (CHECK_BYTES * 1000) / net.bytesPerSecond);
    return app.retry.maxAttempts * (request + app.retry.capMs + 2 * app.sendMs);
  }

  // ---- requests --------------------------------------------------------------------------

  /**
   * A request whose response carries `bytes` bytes; the radio is on until it is done. When
   * nothing else is scheduled before the response, the task carries on at its own time
   * instead of waiting for an event (nothing could change in between); a few such steps in
   * a row at most, then an event, so that a long download does not nest its chunks.
   */
  private request(bytes: number, done: (tr: Transfer) => void): void {
    const life = this.life;
    const tr = life.net.transfer(this.t, bytes);
    life.energy.add(life.energy.currents.radio, tr.doneAt - this.t, true);
    life.stats.ota.requests++;
    if (this.inline < 16 && tr.doneAt < life.sched.next && tr.doneAt <= life.sched.horizon) {
      this.t = tr.doneAt;
      this.inline++;
      try {
        done(tr);
      } finally {
        this.inline--;
      }
      return;
    }
    life.at(tr.doneAt, () => this.step(() => done(tr)));
  }

  /** A failed request: retry after a full-jitter sleep, or give up until the next check. */
  private failed(again: Step): void {
    this.life.stats.ota.failedRequests++;
    this.attempt++;
    if (this.attempt >= this.life.options.app.retry.maxAttempts) {
      this.attempt = 0;
      this.life.stats.ota.giveUps++;
      this.sleepUntilNextCheck();
      return;
    }
    const delay = fullJitter(this.life.options.app.retry, this.attempt - 1, this.life.rnd.ota);
    this.life.at(this.t + delay, () => this.step(again));
  }

  /** CPU time (hashing) at the device's SHA-256 speed. */
  private compute(bytes: number): void {
    const ms = bytes / this.o.hashBytesPerMs;
    this.life.energy.add(this.life.energy.currents.active, ms, true);
    this.t += ms;
  }

  // ---- check -----------------------------------------------------------------------------

  private check(): void {
    const life = this.life;
    this.lastCheckAt = this.t;
    life.stats.ota.checks++;
    const offer = life.server.offer(life.deviceId, this.t, true);
    this.request(CHECK_BYTES + (offer ? DIGEST_BYTES * offer.chunkCount : 0), (tr) => {
      if (tr.outcome !== 'ok') return this.failed(() => this.check());
      this.attempt = 0;
      this.onOffer(offer);
    });
  }

  private onOffer(m: Manifest | undefined): void {
    const life = this.life;
    if (!m) {
      this.updateAvailable = false;
      return this.sleepUntilNextCheck();
    }
    const running = this.app.firmware.version;
    const rollback = life.rollback;
    if (rollback && compareVersions(rollback.version, m.version, true) === 0) {
      life.rollback = undefined;
      // The bootloader reverted this release after it failed on its own (a crash, the
      // watchdog, its health check): the server hears it failed. After a power loss it
      // may just not have confirmed in time: it is tried again.
      if (rollback.blame) return this.report(m, 'failed', `rolled back after ${rollback.cause}`);
    }
    if (compareVersions(m.version, running, true) === 0 && equalBytes(life.runningDigest(), m.release.sha256)) {
      // Installed already (the running image is this file): say so once it has confirmed itself.
      if (this.app.awaitingConfirm) return this.sleepUntilNextCheck();
      return this.report(m, 'installed', 'running and confirmed');
    }
    // The same release as before a give-up: carry on (the checks again if they had not finished).
    if (this.manifest?.release === m.release) return this.writer ? this.download() : this.preflight();
    this.manifest = m;
    this.writer = undefined;
    this.updateAvailable = true;
    life.milestone('update-available', `${formatVersion(m.version)}, ${m.size} bytes`, this.t);
    this.preflight();
  }

  // ---- refuse before writing anything -----------------------------------------------------

  private preflight(): void {
    const m = this.manifest!;
    const life = this.life;
    const max = life.maxImageSize;
    if (m.size > max) return this.refuse('too-large', `${m.size} bytes, ${life.strategy} on ${life.geometry.name} takes at most ${max}`);
    this.metadata(0, (head) => {
      let header;
      try {
        header = decodeHeader(head);
      } catch (e) {
        if (!(e instanceof ImageFormatError)) throw e;
        return this.refuse('not-an-image', e.message);
      }
      if (compareVersions(header.version, this.app.firmware.version) <= 0) {
        return this.refuse('not-newer', `${formatVersion(header.version)} is not newer than the running ${formatVersion(this.app.firmware.version)}`);
      }
      const bodyEnd = header.hdrSize + header.imgSize;
      if (bodyEnd + 4 > m.size) return this.refuse('not-an-image', `header says the TLVs start at ${bodyEnd}, past the ${m.size}-byte file`);
      this.tail(bodyEnd, (tail) => this.checkTail(tail, header.protectTlvSize));
    });
  }

  /**
   * Chunk `k` for checks before the download: read from flash when what is there matches
   * its digest (the download wrote it before a reboot), else fetched and checked.
   */
  private metadata(k: number, use: (bytes: Uint8Array) => void): void {
    const life = this.life;
    const m = this.manifest!;
    const flash = this.slotChunk(k);
    if (this.o.resume === 'flash' && life.chunkMatches(m, k, flash)) {
      this.compute(flash.length);
      return this.later(() => use(flash));
    }
    const expected = chunkLength(m, k);
    this.request(expected, (tr) => {
      const got = this.received(tr, m, k);
      if (!got) return this.failed(() => this.metadata(k, use));
      this.attempt = 0;
      life.stats.ota.metadataBytes += got.length;
      use(got);
    });
  }

  /** The bytes [from, end) of the image, from the chunks that hold them. */
  private tail(from: number, use: (bytes: Uint8Array) => void): void {
    const m = this.manifest!;
    const first = Math.floor(from / m.chunkSize);
    const parts: Uint8Array[] = [];
    const next = (k: number): void => {
      if (k >= m.chunkCount) {
        const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let p = 0;
        for (const part of parts) {
          all.set(part, p);
          p += part.length;
        }
        return use(all.subarray(from - first * m.chunkSize));
      }
      this.metadata(k, (bytes) => {
        parts.push(bytes);
        next(k + 1);
      });
    };
    next(first);
  }

  private checkTail(tail: Uint8Array, protectedSize: number): void {
    const life = this.life;
    let entries: TlvEntry[];
    let protectedEntries: TlvEntry[] = [];
    try {
      if (protectedSize) protectedEntries = decodeTlvBlock(tail, 0, true).entries;
      entries = [...protectedEntries, ...decodeTlvBlock(tail, protectedSize, false).entries];
    } catch (e) {
      if (!(e instanceof ImageFormatError)) throw e;
      return this.refuse('not-an-image', e.message);
    }
    const { board } = readFirmwareTlvs(protectedEntries, this.manifest!.release.name);
    if (board !== undefined && board !== life.board) return this.refuse('wrong-board', `built for ${board}, this device is ${life.board}`);
    const hash = entries.find((e) => e.type === TlvType.SHA256);
    if (!hash) return this.refuse('not-an-image', 'no SHA256 TLV');
    // The signature covers the digest in the hash TLV: checked now, before the download;
    // the downloaded bytes are then held to that digest.
    const verdict = checkSignature(life.device.host, life.keyCount, entries, hash.value);
    if (verdict === 'untrusted-key') return this.refuse('untrusted-key', 'its KEYHASH matches none of the bootloader\'s keys');
    if (verdict === 'unsigned') return this.refuse('unsigned', `the bootloader requires a ${life.keyType} signature`);
    if (verdict === 'bad-signature') return this.refuse('bad-signature', 'the signature does not verify');
    this.download();
  }

  private refuse(reason: string, detail: string): void {
    const m = this.manifest!;
    this.life.milestone('update-refused', `${formatVersion(m.version)}: ${reason} (${detail})`, this.t);
    this.life.stats.ota.refused[reason] = (this.life.stats.ota.refused[reason] ?? 0) + 1;
    this.report(m, 'refused', reason);
  }

  private report(m: Manifest, outcome: ReportOutcome, detail: string): void {
    this.request(REPORT_BYTES, (tr) => {
      if (tr.outcome !== 'ok') return this.failed(() => this.report(m, outcome, detail));
      this.attempt = 0;
      this.life.server.report(this.t, this.life.deviceId, m.release, outcome, detail);
      this.manifest = undefined;
      this.writer = undefined;
      this.updateAvailable = false;
      this.downloadInProgress = false;
      this.check();
    });
  }

  // ---- download --------------------------------------------------------------------------

  /** The slot's bytes where chunk `k` goes (a live view). */
  private slotChunk(k: number): Uint8Array {
    const m = this.manifest!;
    const base = this.life.imageBase + k * m.chunkSize;
    return this.life.secondary().subarray(base, base + chunkLength(m, k));
  }

  /** The response's bytes if they are chunk `k` as the manifest describes it, else undefined. */
  private received(tr: Transfer, m: Manifest, k: number): Uint8Array | undefined {
    const stats = this.life.stats.ota;
    const exact = m.release.bytes.subarray(k * m.chunkSize, k * m.chunkSize + chunkLength(m, k));
    if (tr.outcome === 'lost' || tr.outcome === 'down') return undefined;
    if (tr.outcome === 'truncated') {
      stats.truncated++;
      return undefined; // shorter than the manifest says: the length check catches it
    }
    let got = exact;
    if (tr.outcome === 'corrupted') {
      got = exact.slice();
      got[tr.at] ^= 0x20;
    }
    this.compute(got.length);
    if (!this.life.chunkMatches(m, k, got)) {
      stats.corrupted++;
      return undefined;
    }
    return got;
  }

  private download(): void {
    const life = this.life;
    const m = this.manifest!;
    if (!this.writer) {
      this.writer = new SlotWriter(life.slotLayout, () => life.secondary());
      let from = 0;
      if (this.o.resume === 'flash') {
        // Keep what flash holds: every chunk up to the first that does not match.
        let k = 0;
        for (; k < m.chunkCount; k++) {
          const flash = this.slotChunk(k);
          this.compute(flash.length);
          if (!life.chunkMatches(m, k, flash)) break;
        }
        const slack = SlotWriter.alignmentSlack(m.chunkSize, life.slotLayout.writeAlign);
        // Restart on a write-unit boundary (at most `slack` chunks back), unless all is there.
        let r = k;
        if (r < m.chunkCount) while (r > 0 && (r * m.chunkSize) % life.slotLayout.writeAlign !== 0) r--;
        if (k - r > slack) throw new Error(`resume stepped back ${k - r} chunks, more than the ${slack} the write unit can need`);
        from = r;
      }
      this.chunk = from;
      this.durableTo = Math.min(from * m.chunkSize, m.size);
      this.downloadStats = { refetched: 0, resumedFrom: this.durableTo };
      life.stats.downloadsStarted.push(m.release.name);
      this.bytesWritten = this.durableTo;
      this.downloadInProgress = true;
      if (from > 0) life.milestone('download-resumed', `${formatVersion(m.version)} from offset ${this.durableTo} of ${m.size}`, this.t);
      else life.milestone('download-started', `${formatVersion(m.version)}, ${m.size} bytes in ${m.chunkCount} chunk${m.chunkCount === 1 ? '' : 's'} of ${m.chunkSize}`, this.t);
      this.aimDownload(m);
      const ops = this.writer.resumeFrom(this.durableTo);
      return this.runOps(ops, 0, () => this.nextChunk());
    }
    // Back from a give-up, RAM intact: carry on where it stopped.
    life.milestone('download-resumed', `${formatVersion(m.version)} from offset ${this.chunk * m.chunkSize} of ${m.size} (after ${life.options.app.retry.maxAttempts} failed requests)`, this.t);
    this.downloadInProgress = true;
    this.nextChunk();
  }

  private aimDownload(m: Manifest): void {
    const aimed = this.life.power.take('download');
    this.opCount = 0;
    this.aimedOp = 0;
    if (!aimed) return;
    // A fresh download makes about one program per chunk and one erase per sector.
    const layout = this.life.slotLayout;
    const sectors = Math.ceil(m.size / layout.sectorSizes[0]!);
    const estimate = m.chunkCount - this.chunk + sectors;
    const x = aimed.fraction * estimate;
    this.aimedOp = 1 + Math.floor(x);
    this.aimedAt = x - Math.floor(x);
  }

  private nextChunk(): void {
    const m = this.manifest!;
    if (this.chunk >= m.chunkCount) return this.complete();
    const k = this.chunk;
    this.request(chunkLength(m, k), (tr) => {
      const got = this.received(tr, m, k);
      if (!got) {
        this.downloadStats.refetched++;
        return this.failed(() => this.nextChunk());
      }
      this.attempt = 0;
      this.life.noteChunk(m, k, got.length);
      this.chunk = k + 1;
      const ops = this.writer!.write(got);
      this.runOps(ops, 0, () => this.nextChunk());
    });
  }

  /**
   * Runs flash operations at the task's own time, one after the other, each only when the
   * application allows it (IDLE or WAIT, ending before the next SEND); a power loss during
   * one cuts it. `done` continues after the last.
   */
  private runOps(ops: FlashOp[], i: number, done: Step): void {
    const life = this.life;
    for (; i < ops.length; i++) {
      const op = ops[i]!;
      const ms = life.port.opMs(2, op.kind, op.offset, op.length);
      if (this.t > life.sched.now && life.sched.next <= this.t) {
        // Something else happens first: continue once the clock gets here.
        const from = i;
        return life.at(this.t, () => this.step(() => this.runOps(ops, from, done)));
      }
      if (!this.app.mayStartFlash(this.t, ms)) {
        const from = i;
        this.parked = () => this.runOps(ops, from, done);
        return;
      }
      this.opCount++;
      const aimed = this.opCount === this.aimedOp ? this.aimedAt : -1;
      this.opFrom = Math.max(0, op.offset - life.imageBase);
      if (!life.otaFlash(op, this.t, ms, aimed)) return; // the power failed during it
      this.opFrom = Infinity;
      if (op.durableTo !== undefined) this.durableTo = Math.max(this.durableTo, op.durableTo);
      this.bytesWritten = Math.min(this.durableTo, this.manifest?.size ?? this.durableTo);
      this.t += ms;
    }
    this.later(done);
  }

  /** What a power loss now may have cost: image offsets from `lo` must be downloaded again. */
  damage(): { lo: number; fetchedTo: number } | undefined {
    const m = this.manifest;
    if (!m || !this.writer || !this.downloadInProgress) return undefined;
    return { lo: Math.min(this.durableTo, this.opFrom), fetchedTo: Math.min(this.chunk * m.chunkSize, m.size) };
  }

  private complete(): void {
    const life = this.life;
    const m = this.manifest!;
    const ops = [...this.writer!.finish()];
    this.runOps(ops, 0, () => {
      this.downloadInProgress = false;
      const s = this.downloadStats;
      life.milestone(
        'download-completed',
        `${formatVersion(m.version)}, ${m.size - s.resumedFrom} bytes downloaded${s.resumedFrom ? ` (resumed at ${s.resumedFrom})` : ''}, ${s.refetched} chunk request${s.refetched === 1 ? '' : 's'} retried`,
        this.t,
      );
      this.runOps(this.writer!.cleanOutside(m.size), 0, () => this.verify());
    });
  }

  private verify(): void {
    const life = this.life;
    const m = this.manifest!;
    const result = life.verifySecondary(m.size);
    this.compute(result.hashed);
    if (!result.ok) {
      return this.later(() => this.refuse(result.code, result.message));
    }
    this.later(() => this.requestUpgrade());
  }

  private requestUpgrade(): void {
    const life = this.life;
    const permanent = this.o.upgrade === 'permanent';
    if (!this.app.mayStartFlash(this.t, 1)) {
      this.parked = () => this.requestUpgrade();
      return;
    }
    const done = life.requestUpgrade(this.t, permanent);
    if (done === undefined) return; // the power failed during it
    this.t = done;
    life.milestone('upgrade-requested', `${formatVersion(this.manifest!.version)}, ${permanent ? 'permanent' : 'test'}`, this.t);
    life.resetAt(this.t, 'upgrade');
  }
}

export function chunkLength(m: Manifest, k: number): number {
  return Math.min(m.chunkSize, m.size - k * m.chunkSize);
}

/**
 * A scenario as a sequence of flash operations, all taken from the engine: the
 * uninterrupted update as the campaign records it (CampaignRunner.explain), and after a cut
 * the interrupted operation (its effect read back from the engine's flash, so torn faults
 * show exactly) and the device's recovery as the campaign lives it. The page only replays
 * the recorded operations onto a copy of flash (NOR: an erase sets the erased value, a
 * program ANDs its bytes, as the flash model's snapshots do) to show any step.
 */
import { CampaignRunner, Device, scenarioId, PRIMARY, SECONDARY, SCRATCH, type BootResult, type CampaignSpec, type FaultModel, type LifeCall, type RecordedOp, type ScenarioResult } from 'brickproof';

export type Phase = 'update' | 'recovery';

export interface Step {
  op: RecordedOp;
  call: number;
  /** The power failed during this operation, with this fault model. */
  cut?: FaultModel;
}

export interface CallInfo {
  kind: 'boot' | 'confirm' | 'erase';
  phase: Phase;
  boot?: BootResult;
  /** Frames [from, to] are this call's operations (frame i = flash after step i). */
  from: number;
  to: number;
  /** Power-on number within its phase (boots only). */
  n: number;
  /** The power failed during this call. */
  interrupted?: boolean;
  /** This call broke a rule of the oracle (its detail). */
  failure?: string;
}

export interface Cut {
  /** Frame of the cut step. */
  frame: number;
  fault: FaultModel;
  /** The campaign's scenario: its replay id and the oracle's verdict. */
  result: ScenarioResult;
  /** The first cut (and second, for a cut during the first recovery boot), 1-based. */
  ref: { cut: number; cut2?: number };
}

export class Timeline {
  /** steps[0] is unused: frame 0 is the flash as staged. */
  readonly steps: Array<Step | undefined> = [undefined];
  readonly calls: CallInfo[] = [];
  /** Exact flash after a frame (frame 0, and every cut). */
  private readonly bases = new Map<number, Uint8Array>();
  private cache: { frame: number; flash: Uint8Array } | undefined;
  /** The uninterrupted update's verdict (it fails by itself for some historical bugs). */
  updateResult?: ScenarioResult;
  cut?: Cut;

  constructor(
    readonly geometry: Device['geometry'],
    start: Uint8Array,
  ) {
    this.bases.set(0, start);
  }

  get frames(): number {
    return this.steps.length;
  }

  /** Appends the calls of a life (the uninterrupted update, or a recovery), numbering its power-ons. */
  addCalls(calls: LifeCall[], phase: Phase, failure?: string): void {
    let n = 0;
    calls.forEach((c, i) => {
      const from = this.steps.length;
      const callIndex = this.calls.length;
      for (const op of c.ops) if (op.kind !== 'F') this.steps.push({ op, call: callIndex });
      const info: CallInfo = { kind: c.kind, phase, boot: c.boot, from, to: this.steps.length - 1, n: c.kind === 'boot' ? ++n : n };
      if (failure && i === calls.length - 1) info.failure = failure;
      this.calls.push(info);
    });
  }

  /** The steps of `t` before frame `frame` and the calls up to the one it interrupts, for a cut there. */
  static prefix(t: Timeline, frame: number): Timeline {
    const out = new Timeline(t.geometry, t.bases.get(0)!);
    for (const [f, b] of t.bases) if (f < frame) out.bases.set(f, b);
    for (let i = 1; i < frame; i++) out.steps.push(t.steps[i]);
    const interrupted = t.steps[frame]!.call;
    for (let i = 0; i <= interrupted; i++) out.calls.push(i === interrupted ? { ...t.calls[i]!, to: frame, interrupted: true } : { ...t.calls[i]! });
    out.updateResult = t.updateResult;
    return out;
  }

  setBase(frame: number, flash: Uint8Array): void {
    this.bases.set(frame, flash);
    this.cache = undefined;
  }

  callAt(frame: number): CallInfo | undefined {
    if (frame === 0) return undefined;
    return this.calls[this.steps[frame]!.call];
  }

  /** The flash after frame `frame` (a shared buffer: copy it to keep it). */
  flashAt(frame: number): Uint8Array {
    let base = 0;
    for (const f of this.bases.keys()) if (f <= frame && f > base) base = f;
    let cur = this.cache;
    if (!cur || cur.frame > frame || cur.frame < base) {
      cur = { frame: base, flash: this.bases.get(base)!.slice() };
    }
    for (let i = cur.frame + 1; i <= frame; i++) this.apply(cur.flash, this.steps[i]!.op);
    cur.frame = frame;
    this.cache = cur;
    return cur.flash;
  }

  private apply(flash: Uint8Array, op: RecordedOp): void {
    if (op.kind === 'F') return;
    const a = this.geometry.areas.find((x) => x.id === op.area)!;
    const erased = this.geometry.devices.find((d) => d.id === a.device)!.erasedValue;
    const at = a.start + op.offset;
    if (op.kind === 'E') flash.fill(erased, at, at + op.length);
    else if (erased === 0xff) for (let i = 0; i < op.length; i++) flash[at + i]! &= op.bytes![i]!;
    else for (let i = 0; i < op.length; i++) flash[at + i]! |= op.bytes![i]!;
  }
}

/** A scenario loaded into the stepper: the campaign runner of its spec, and its timeline. */
export class Scenario {
  readonly probe: Device;
  timeline: Timeline;
  /** The timeline of the uninterrupted update (what a reset of the cut goes back to). */
  readonly update: Timeline;

  private constructor(
    readonly spec: CampaignSpec,
    readonly runner: CampaignRunner,
  ) {
    const dev = runner.device;
    this.probe = new Device(dev.geometry, { strategy: dev.options.strategy, maxAlign: dev.options.maxAlign, maxSectors: dev.options.maxSectors, bugs: dev.options.bugs }, { logEntries: 0 });
    const ex = runner.explain({ cut: 0 });
    const t = new Timeline(dev.geometry, runner.start);
    t.addCalls(ex.life.calls, 'update', ex.life.failure?.detail);
    t.updateResult = ex.result;
    this.update = this.timeline = t;
  }

  static async load(spec: CampaignSpec): Promise<Scenario> {
    return new Scenario(spec, await CampaignRunner.create(spec));
  }

  get areas(): number[] {
    return [PRIMARY, SECONDARY, SCRATCH].filter((id) => this.runner.device.geometry.areas.some((a) => a.id === id));
  }

  /** Trailer states of the slots after `frame`, decoded by the engine's own reader. */
  trailers(frame: number) {
    this.probe.core.loadDump(this.timeline.flashAt(frame));
    return this.areas.map((id) => ({ id, state: this.probe.readSwapState(id), status: this.probe.readSwapStatus(id) }));
  }

  /**
   * Whether the operation after `frame` can be cut as a campaign does: an operation of the
   * uninterrupted update (the exhaustive plan), or of the first power-on after a cut (the
   * double plan). Returns the scenario reference, or why not.
   */
  cuttable(frame: number): { ref: { cut: number; cut2?: number } } | { why: string } {
    const t = this.timeline;
    const next = frame + 1;
    if (next >= t.frames) return { why: 'no operation left to cut' };
    const call = t.callAt(next)!;
    if (call.phase === 'update') return { ref: { cut: next } };
    if (!t.cut || t.cut.ref.cut2 !== undefined) return { why: 'a third cut is beyond the campaign plans' };
    const first = t.calls.find((c) => c.phase === 'recovery');
    if (call !== first || call.kind !== 'boot') return { why: 'the double plan cuts the first power-on after the cut only' };
    return { ref: { cut: t.cut.ref.cut, cut2: next - call.from + 1 } };
  }

  /**
   * Cuts the power during the operation after `frame` with `fault` and lets the device
   * recover as the campaign does; the timeline becomes: the steps before, the cut, the
   * recovery. Returns the oracle's verdict.
   */
  cutAfter(frame: number, fault: FaultModel): ScenarioResult {
    const c = this.cuttable(frame);
    if ('why' in c) throw new Error(c.why);
    const ref = c.ref;
    const spec = { ...this.spec, fault };
    const runner = this.runner;
    const core = runner.device.core;
    const g = frame + 1;
    // A first cut cuts the uninterrupted update; a second one, the recovery being shown.
    const src = ref.cut2 === undefined ? this.update : this.timeline;
    const { op, call } = src.steps[g]!;
    if (ref.cut2 === undefined) runner.flashBefore(ref.cut);
    else core.loadDump(src.flashAt(frame));
    runner.interrupt(op, ref, fault);
    const after = core.dump();
    const { result, life } = runner.recover(ref, ref.cut, true);
    const id = scenarioId(spec, ref);
    const out = Timeline.prefix(src, g);
    out.steps.push({ op, call, cut: fault });
    out.setBase(g, after);
    out.addCalls(life.calls, 'recovery', life.failure?.detail);
    out.cut = { frame: g, fault, result: { ...result, id }, ref };
    this.timeline = out;
    return out.cut.result;
  }

  /** Back to the uninterrupted update. */
  uncut(): void {
    this.timeline = this.update;
  }
}

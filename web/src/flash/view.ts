/**
 * The stepper: the flash map, the decoded trailers, the bootloader's decision in words, one
 * flash operation at a time (play, pause, step, scrub), and cutting the power at the current
 * step to watch the recovery.
 */
import { FAULT_MODELS, traceLine, type CampaignSpec, type FaultModel, type SlotState, type SwapStatus } from 'brickproof';
import { areaViews, blockSizeOf, ContentIndex, NEW, OLD, summarize, type AreaView, type Classified } from './content.js';
import { describeCall, describeStep, sectorOf, trailerWrite, type Build } from './describe.js';
import { legendHtml, mapSvg, type MapArea } from './map.js';
import { Scenario, type CallInfo } from './timeline.js';
import { $, bytes, fitCanvas, h, options, pattern } from '../ui.js';

const SPEEDS = [1, 4, 15, 60, 250, 1000];

export class FlashView {
  readonly root: HTMLElement;
  scenario: Scenario | undefined;
  frame = 0;
  private playing = false;
  private speed = 15;
  private lastTick = 0;
  private carry = 0;
  private raf = 0;
  private views: AreaView[] = [];
  private index: ContentIndex | undefined;
  private build: Build = { strategy: 'swap-scratch', maxAlign: 8, maxSectors: 128 };
  private prevTrailers = new Map<string, string>();
  private readonly els: Record<string, HTMLElement>;
  private readonly scrub: HTMLInputElement;
  private readonly band: HTMLCanvasElement;
  private readonly faultSel: HTMLSelectElement;
  private loading = 0;
  /** The last step drawn and its areas' classification. */
  private drawn: { timeline: object; frame: number; areas: Map<number, { c: Classified; sectors: MapArea['sectors'] }> } | undefined;

  constructor(readonly onMessage: (text: string, error?: boolean) => void) {
    this.scrub = h('input', { type: 'range', min: 0, max: 0, value: 0, id: 'scrub', 'aria-label': 'step (flash operation)', class: 'scrub' });
    this.band = h('canvas', { class: 'band', 'aria-hidden': 'true' });
    this.faultSel = h('select', { id: 'cut-fault', 'aria-label': 'fault model of the cut' });
    options(this.faultSel, FAULT_MODELS.map((f) => ({ value: f, label: f })));
    const btn = (id: string, label: string, title: string, fn: () => void) => h('button', { id, type: 'button', title, 'aria-label': title, onclick: fn }, label);
    const speedSel = h('select', { id: 'speed', 'aria-label': 'playback speed', onchange: (e: Event) => (this.speed = Number((e.target as HTMLSelectElement).value)) });
    options(speedSel, SPEEDS.map((s) => ({ value: String(s), label: `${s} op/s` })), String(this.speed));
    this.els = {
      map: h('div', { id: 'flash-map', class: 'map' }),
      trailers: h('div', { id: 'trailers', class: 'trailers' }),
      position: h('div', { id: 'position', class: 'mono position' }),
      decision: h('p', { id: 'decision', class: 'decision', 'aria-live': 'polite' }),
      operation: h('p', { id: 'operation', class: 'operation mono' }),
      oplist: h('ol', { id: 'oplist', class: 'oplist mono', 'aria-label': 'flash operations around this step' }),
      verdict: h('div', { id: 'verdict', class: 'verdict', 'aria-live': 'polite' }),
      cutBtn: btn('cut', '⚡ Cut power', 'cut the power during the next operation (x)', () => this.cut()),
      powerOn: btn('power-on', '▶ Power on', 'power on again and watch the recovery (p)', () => this.powerOn()),
      uncut: btn('uncut', '↺ Uncut', 'back to the uninterrupted update (u)', () => this.uncut()),
      play: btn('play', 'play', 'play / pause (space)', () => this.toggle()),
    };
    this.els.powerOn!.hidden = true;
    this.els.uncut!.hidden = true;
    this.scrub.addEventListener('input', () => this.go(Number(this.scrub.value)));
    const transport = h('div', { class: 'transport', role: 'toolbar', 'aria-label': 'stepper' },
      btn('first', '|◀', 'first step (Home)', () => this.go(0)),
      btn('prev-call', '⇤', 'previous call boundary (PageUp)', () => this.jumpCall(-1)),
      btn('back', '◀', 'step back (←)', () => this.go(this.frame - 1)),
      this.els.play!,
      btn('step', '▶', 'step forward (→)', () => this.go(this.frame + 1)),
      btn('next-call', '⇥', 'next call boundary (PageDown)', () => this.jumpCall(1)),
      btn('last', '▶|', 'last step (End)', () => this.go(this.maxFrame)),
      speedSel,
      this.els.position!,
    );
    this.root = h('section', { id: 'stepper', class: 'panel', 'aria-label': 'flash map and stepper' },
      h('h2', {}, 'Flash map ', h('span', { class: 'sub', id: 'map-title' })),
      this.els.map!,
      h('div', { class: 'legend', id: 'legend' }),
      h('h2', { class: 'gap' }, 'Trailers ', h('span', { class: 'sub' }, 'magic, swap type, copy_done, image_ok, swap_size and the swap status records of each area')),
      this.els.trailers!,
      transport,
      h('div', { class: 'scrub-wrap' }, this.scrub, this.band),
      h('div', { class: 'words' }, h('h3', {}, 'Bootloader'), this.els.decision!, h('h3', {}, 'This step'), this.els.operation!),
      h('div', { class: 'cut-row', role: 'group', 'aria-label': 'cut and recover' },
        h('span', { class: 'lbl' }, 'Cut & recover'), this.faultSel, this.els.cutBtn!, this.els.powerOn!, this.els.uncut!, this.els.verdict!),
      h('details', { class: 'ops', open: true }, h('summary', {}, 'Operations (MCUboot trace lines: E|W area offset length)'), this.els.oplist!),
    );
    $('.legend', this.root).innerHTML = legendHtml();
    new ResizeObserver(() => this.render()).observe(this.els.map!);
  }

  get maxFrame(): number {
    return this.scenario ? this.scenario.timeline.frames - 1 : 0;
  }

  /** Loads a scenario (the campaign's recording of the uninterrupted update) at its first step. */
  async load(spec: CampaignSpec): Promise<void> {
    const token = ++this.loading;
    this.pause();
    this.onMessage('recording the update in the WebAssembly core…');
    await new Promise((r) => setTimeout(r, 0));
    let sc: Scenario;
    try {
      sc = await Scenario.load(spec);
    } catch (e) {
      this.onMessage((e as Error).message, true);
      throw e;
    }
    if (token !== this.loading) return;
    this.scenario = sc;
    const dev = sc.runner.device;
    const o = dev.options;
    this.build = { strategy: o.strategy, maxAlign: o.maxAlign, maxSectors: o.maxSectors };
    this.views = areaViews(dev.geometry, { strategy: o.strategy, maxAlign: o.maxAlign, maxSectors: o.maxSectors }, sc.areas);
    this.index = new ContentIndex(blockSizeOf(dev.geometry), { v1: sc.runner.images.v1, v2: sc.runner.images.v2 }, dev.geometry.devices.map((d) => d.erasedValue));
    this.faultSel.value = spec.fault;
    this.prevTrailers.clear();
    $('#map-title', this.root).textContent = `${dev.geometry.name}, ${spec.variant ? `${spec.strategy}@${spec.variant}` : spec.strategy}, ${spec.upgrade} upgrade: v1 ${bytes(sc.runner.images.v1.length)} → v2 ${bytes(sc.runner.images.v2.length)}`;
    const u = sc.update.updateResult;
    this.onMessage(`${sc.update.frames - 1} flash operations in the uninterrupted update${u && !u.ok ? ` — it fails by itself: ${u.rule}: ${u.detail}` : ''}`);
    this.frame = 0;
    this.showCut();
    this.render();
  }

  /** Loads the scenario and cuts it during operation `g` of the update, as campaign cell g does. */
  async loadCut(spec: CampaignSpec, g: number): Promise<void> {
    await this.load(spec);
    this.frame = g - 1;
    this.faultSel.value = spec.fault;
    this.cut();
  }

  focus(): void {
    this.scrub.focus();
  }

  go(frame: number): void {
    this.frame = Math.max(0, Math.min(this.maxFrame, frame));
    if (this.frame >= this.maxFrame) this.pause();
    this.render();
  }

  private jumpCall(dir: 1 | -1): void {
    const t = this.scenario?.timeline;
    if (!t) return;
    const bounds = [0, ...t.calls.flatMap((c) => [c.from - 1, c.to]), ...(t.cut ? [t.cut.frame] : []), t.frames - 1].filter((f) => f >= 0);
    const sorted = [...new Set(bounds)].sort((a, b) => a - b);
    const next = dir > 0 ? sorted.find((f) => f > this.frame) : sorted.reverse().find((f) => f < this.frame);
    if (next !== undefined) this.go(next);
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  play(): void {
    if (!this.scenario) return;
    if (this.frame >= this.maxFrame) this.frame = 0;
    this.playing = true;
    this.els.play!.textContent = 'pause';
    this.lastTick = performance.now();
    this.carry = 0;
    const tick = (now: number) => {
      if (!this.playing) return;
      this.carry += ((now - this.lastTick) / 1000) * this.speed;
      this.lastTick = now;
      const n = Math.floor(this.carry);
      if (n > 0) {
        this.carry -= n;
        this.go(this.frame + n);
      }
      if (this.playing) this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  pause(): void {
    this.playing = false;
    cancelAnimationFrame(this.raf);
    this.els.play!.textContent = 'play';
  }

  cut(): void {
    const sc = this.scenario;
    if (!sc) return;
    const c = sc.cuttable(this.frame);
    if ('why' in c) {
      this.onMessage(`cannot cut here: ${c.why}`, true);
      return;
    }
    this.pause();
    const fault = this.faultSel.value as FaultModel;
    try {
      sc.cutAfter(this.frame, fault);
    } catch (e) {
      this.onMessage((e as Error).message, true);
      return;
    }
    this.frame = sc.timeline.cut!.frame;
    this.showCut();
    this.render();
  }

  powerOn(): void {
    const t = this.scenario?.timeline;
    if (!t?.cut) return;
    if (this.frame < t.cut.frame) this.frame = t.cut.frame;
    this.play();
  }

  uncut(): void {
    const sc = this.scenario;
    if (!sc) return;
    sc.uncut();
    this.frame = Math.min(this.frame, sc.update.frames - 1);
    this.showCut();
    this.render();
  }

  private showCut(): void {
    const cut = this.scenario?.timeline.cut;
    this.els.powerOn!.hidden = !cut;
    this.els.uncut!.hidden = !cut;
    const v = this.els.verdict!;
    v.replaceChildren();
    const u = this.scenario?.timeline.updateResult;
    if (!cut && u && !u.ok) {
      // A historical bug that needs no power cut: the update itself fails.
      v.className = 'verdict bad';
      v.append(h('b', {}, `✗ ${u.rule}`), ' without any cut: ', u.detail ?? '', h('br'), h('span', { class: 'mono', id: 'replay-id' }, u.id), h('span', { class: 'sub' }, `  — replay: brickproof campaign --replay ${u.id} --trace`));
      return;
    }
    if (!cut) return;
    const r = cut.result;
    const ok = r.ok;
    v.className = `verdict ${ok ? 'ok' : 'bad'}`;
    v.append(
      h('b', {}, ok ? '✓ recovered' : `✗ ${r.rule}`),
      ' ',
      ok ? `in ${r.boots} power-on${r.boots === 1 ? '' : 's'} (the first made ${r.resumeOps} flash operations), ending where the uninterrupted update ends` : (r.detail ?? ''),
      h('br'),
      h('span', { class: 'mono', id: 'replay-id' }, r.id),
      h('span', { class: 'sub' }, `  — replay: brickproof campaign --replay ${r.id} --trace`),
    );
  }

  /** Keyboard shortcuts of the stepper (the page routes keys here while this view is shown). */
  key(e: KeyboardEvent): boolean {
    if (!this.scenario) return false;
    const big = e.shiftKey ? 10 : 1;
    switch (e.key) {
      case ' ':
        this.toggle();
        return true;
      case 'ArrowRight':
        this.go(this.frame + big);
        return true;
      case 'ArrowLeft':
        this.go(this.frame - big);
        return true;
      case 'Home':
        this.go(0);
        return true;
      case 'End':
        this.go(this.maxFrame);
        return true;
      case 'PageDown':
        this.jumpCall(1);
        return true;
      case 'PageUp':
        this.jumpCall(-1);
        return true;
      case 'x':
        this.cut();
        return true;
      case 'p':
        this.powerOn();
        return true;
      case 'u':
        this.uncut();
        return true;
    }
    return false;
  }

  render(): void {
    const sc = this.scenario;
    if (!sc || !this.index) return;
    const t = sc.timeline;
    const frame = Math.min(this.frame, t.frames - 1);
    this.frame = frame;
    this.scrub.max = String(t.frames - 1);
    this.scrub.value = String(frame);
    const flash = t.flashAt(frame);
    // Only the areas an operation between the last drawn step and this one touched are
    // classified again (stepping touches one area of three).
    const prev = this.drawn?.timeline === t ? this.drawn : undefined;
    const touched = new Set<number>();
    if (prev) for (let i = Math.min(prev.frame, frame) + 1; i <= Math.max(prev.frame, frame); i++) touched.add(t.steps[i]!.op.area);
    const classified = new Map<number, Classified>();
    const areas: MapArea[] = this.views.map((v) => {
      const old = prev && !touched.has(v.area.id) ? prev.areas.get(v.area.id) : undefined;
      const c = old?.c ?? this.index!.classify(flash.subarray(v.area.start, v.area.start + v.area.size), v);
      classified.set(v.area.id, c);
      return { view: v, sectors: old?.sectors ?? summarize(v, c, this.index!.block) };
    });
    this.drawn = { timeline: t, frame, areas: new Map(areas.map((a) => [a.view.area.id, { c: classified.get(a.view.area.id)!, sectors: a.sectors }])) };
    const step = t.steps[frame];
    const hl = step ? { area: step.op.area, offset: step.op.offset, length: step.op.length, kind: step.op.kind, cut: !!step.cut } : undefined;
    this.els.map!.innerHTML = mapSvg(areas, Math.max(480, this.els.map!.clientWidth || 900), hl);
    const trailers = sc.trailers(frame);
    this.renderTrailers(trailers, classified);
    const call = t.callAt(frame) ?? t.calls.find((c) => c.from > frame);
    this.renderPosition(frame, call);
    // The decision of the call this step belongs to, from the trailers at its power-on; at
    // the last step also the calls that made no flash operation after it (the power-on
    // that finds nothing to do, or the one that finds nothing to boot).
    const shown = call ? [call] : [];
    if (frame === t.frames - 1) shown.push(...t.calls.filter((c) => c.from > frame));
    if (shown.length) {
      this.els.decision!.textContent = shown.map((c) => {
        const before = this.trailersBefore(c);
        const b = c.boot;
        return describeCall(c, before, { version: b?.version ? `v${b.version.major}.${b.version.minor}.${b.version.revision}` : undefined });
      }).join('\n');
    } else {
      this.els.decision!.textContent = 'Done: the device has settled.';
    }
    if (frame === 0) {
      this.els.operation!.textContent = `Staged: v1 in the primary, v2 in the secondary${sc.runner.images.secondaryOffset ? ` at ${'0x' + sc.runner.images.secondaryOffset.toString(16)} (one sector in)` : ''}; the application called boot_set_pending(${sc.spec.upgrade === 'perm' ? 'permanent' : 'test'}). Next: the power-on.`;
    } else if (step) {
      const v = this.views.find((x) => x.area.id === step.op.area);
      this.els.operation!.textContent = `#${frame} ${traceLine(step.op)}  —  ${v ? describeStep(step, v, this.build, classified.get(step.op.area), this.index.block) : ''}`;
    }
    this.renderOpList(frame);
    this.renderBand(frame);
  }

  /** The trailers at a call's power-on, kept per timeline (the decision is redrawn at every step). */
  private readonly before = new WeakMap<object, Map<CallInfo, ReturnType<Scenario['trailers']>>>();
  private trailersBefore(c: CallInfo): ReturnType<Scenario['trailers']> {
    const sc = this.scenario!;
    const t = sc.timeline;
    let m = this.before.get(t);
    if (!m) this.before.set(t, (m = new Map()));
    let v = m.get(c);
    if (!v) m.set(c, (v = sc.trailers(Math.max(0, Math.min(c.from - 1, t.frames - 1)))));
    return v;
  }

  private renderPosition(frame: number, call: CallInfo | undefined): void {
    const t = this.scenario!.timeline;
    const where = call ? `${call.phase === 'recovery' ? 'recovery · ' : ''}${call.kind === 'boot' ? `power-on ${call.n}` : call.kind === 'confirm' ? 'boot_set_confirmed' : 'erase secondary'} op ${Math.max(0, frame - call.from + 1)}/${call.to - call.from + 1}` : 'staged';
    this.els.position!.textContent = `step ${frame}/${t.frames - 1} · ${where}`;
  }

  private renderTrailers(trailers: Array<{ id: number; state: SlotState; status: SwapStatus }>, classified: Map<number, Classified>): void {
    const names: Record<number, string> = { 1: 'primary', 2: 'secondary', 3: 'scratch' };
    const cols: Array<[string, string, (s: SlotState, st: SwapStatus) => string]> = [
      ['magic', 'the 16-byte trailer magic: good, unset (erased) or bad', (s) => s.magic],
      ['swap type', 'swap_info: the swap type (low nibble) and image number (high nibble)', (s) => (s.swapInfo === null ? '— (erased)' : `${s.swapType} (0x${s.swapInfo.toString(16).padStart(2, '0')})`)],
      ['copy_done', 'copy_done: set once a swap finished', (s) => s.copyDone],
      ['image_ok', 'image_ok: set when the image is confirmed (or the upgrade is permanent)', (s) => s.imageOk],
      ['swap_size', 'swap_size: bytes that take part in the swap', (_, st) => (st.swapSize === null ? '—' : String(st.swapSize))],
      ['status records', 'swap status progress: records written / room for them in this trailer', (_, st) => (st.capacity === 0 ? '—' : `${st.written} / ${st.capacity}`)],
      ['last record', 'the last status record written: position = value, and the step it records', (_, st) => (st.last ? `#${st.last.record} = ${st.last.value}: ${st.last.op} idx ${st.last.idx}${st.last.op === 'swap' ? `, state ${st.last.state}` : ''}` : '—')],
      ['image header', 'the version of the image whose header starts the slot (or one sector in)', (s) => (s.version ? `v${s.version}` : '—')],
    ];
    const table = h('table', { class: 'trailer-table mono' });
    table.append(h('thead', {}, h('tr', {}, h('th', {}, ''), ...cols.map(([label, tip]) => h('th', { scope: 'col', title: tip }, label)))));
    const body = h('tbody');
    const next = new Map<string, string>();
    for (const t of trailers) {
      const name = names[t.id] ?? `area ${t.id}`;
      // The trailer's place holds image bytes (the scratch between regions): MCUboot reads a
      // bad magic there, and the other fields mean nothing.
      const c = classified.get(t.id);
      const lastBlock = c ? c.cls[c.cls.length - 1] : undefined;
      const imageThere = lastBlock === OLD || lastBlock === NEW;
      const tr = h('tr', {}, h('th', { scope: 'row' }, name));
      cols.forEach(([label, , get], i) => {
        const value = imageThere && i < 7 ? (i === 0 ? 'bad (image data)' : '—') : get(t.state, t.status);
        const key = `${t.id}/${label}`;
        const changed = this.prevTrailers.size > 0 && this.prevTrailers.get(key) !== value;
        next.set(key, value);
        tr.append(h('td', { class: `${changed ? 'changed' : ''} v-${value.split(' ')[0]!.replace(/[^a-z]/g, '')}`, 'data-field': `${name}-${label.replace(/[^a-z]+/g, '-')}`, title: changed ? 'changed at this step' : '' }, changed ? `• ${value}` : value));
      });
      body.append(tr);
    }
    this.prevTrailers = next;
    table.append(body);
    this.els.trailers!.replaceChildren(table, h('p', { class: 'sub' }, '• and highlight: changed at this step. Decoded by the engine (Device.readSwapState / readSwapStatus), as MCUboot reads them.'));
  }

  private renderOpList(frame: number): void {
    const t = this.scenario!.timeline;
    const from = Math.max(1, frame - 6);
    const to = Math.min(t.frames - 1, from + 12);
    const items: HTMLElement[] = [];
    for (let i = from; i <= to; i++) {
      const st = t.steps[i]!;
      const call = t.calls[st.call]!;
      const tag = st.cut ? `⚡${st.cut}` : call.phase === 'recovery' ? 'R' : '';
      const who = call.kind === 'boot' ? `boot${call.n}` : call.kind;
      items.push(h('li', { class: `${i === frame ? 'current' : ''} ${call.phase}${st.cut ? ' cut' : ''}`, onclick: () => this.go(i), 'aria-current': i === frame ? 'step' : null },
        h('span', { class: 'n' }, String(i)), h('span', { class: 'who' }, `${tag ? tag + ' ' : ''}${who}`), h('span', {}, traceLine(st.op)), h('span', { class: 'd' }, this.shortOp(st.op))));
    }
    this.els.oplist!.replaceChildren(...items);
  }

  private shortOp(op: { kind: string; area: number; offset: number; length: number; bytes?: Uint8Array }): string {
    const v = this.views.find((x) => x.area.id === op.area);
    if (!v) return '';
    const sec = sectorOf(v, op.offset);
    if (op.kind === 'E') return `erase ${v.area.name} sector ${sec.index}`;
    return trailerWrite(v, this.build, op.offset, op.bytes) ?? `data → ${v.area.name} sector ${sec.index}`;
  }

  /** The call bands under the scrubber: each call of the update and of the recovery, the cut. */
  private renderBand(frame: number): void {
    const t = this.scenario!.timeline;
    const w = this.scrub.clientWidth || 800;
    const ctx = fitCanvas(this.band, w, 16);
    const n = Math.max(1, t.frames - 1);
    // The range input's thumb travels over the track less its own width.
    const pad = 8;
    const x = (f: number) => pad + ((w - 2 * pad) * f) / n;
    ctx.clearRect(0, 0, w, 16);
    const rec = pattern(ctx, '#f5c07a', 'diag');
    for (const c of t.calls) {
      if (c.to < c.from) continue;
      ctx.fillStyle = c.phase === 'recovery' ? rec : c.kind === 'boot' ? (c.n % 2 ? '#8aa6c1' : '#b6c9dc') : '#6cbf9a';
      ctx.fillRect(x(c.from - 1), 2, Math.max(2, x(c.to) - x(c.from - 1)), 9);
    }
    if (t.cut) {
      ctx.fillStyle = '#d00000';
      ctx.fillRect(x(t.cut.frame) - 1, 0, 3, 16);
    }
    ctx.fillStyle = '#000';
    ctx.fillRect(x(frame) - 0.5, 0, 1.5, 16);
  }
}

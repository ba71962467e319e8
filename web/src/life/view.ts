/**
 * A device's life over virtual time: the device's state (SENSOR_INIT, IDLE, SEND, WAIT, the
 * bootloader, no power), the OTA task's download progress, and the milestones — power
 * losses, reboots, swaps, the confirm or the rollback — with the milestone log beside it.
 * The life runs in a Web Worker (src/app's DeviceLife, observed).
 */
import { formatTime, type LifeReport, type Milestone } from 'brickproof';
import type { LifeMessage, LifeRequest } from '../workers/life.js';
import { STATES } from '../workers/life.js';
import { fitCanvas, h, pattern, type Hatch } from '../ui.js';

const STATE_STYLE: Record<string, { fill: string; hatch: Hatch; letter: string; label: string; rank: number }> = {
  SENSOR_INIT: { fill: '#cc79a7', hatch: 'none', letter: 'S', label: 'SENSOR_INIT (critical)', rank: 5 },
  IDLE: { fill: '#56b4e9', hatch: 'none', letter: 'I', label: 'IDLE', rank: 1 },
  SEND: { fill: '#e69f00', hatch: 'diag', letter: 'T', label: 'SEND (radio, critical)', rank: 2 },
  WAIT: { fill: '#e4e4e0', hatch: 'none', letter: 'w', label: 'WAIT (asleep)', rank: 0 },
  HUNG: { fill: '#d55e00', hatch: 'cross', letter: 'H', label: 'hung (until the watchdog)', rank: 7 },
  BOOT: { fill: '#1d1d1d', hatch: 'none', letter: 'B', label: 'bootloader', rank: 6 },
  OFF: { fill: '#ffffff', hatch: 'back', letter: '×', label: 'no power', rank: 8 },
  LOOP: { fill: '#d55e00', hatch: 'back', letter: '↻', label: 'crash/watchdog loop (counted)', rank: 9 },
  BRICKED: { fill: '#000000', hatch: 'cross', letter: '✗', label: 'bricked', rank: 10 },
};

const EVENT_GLYPH: Record<string, { glyph: string; colour: string }> = {
  'update-available': { glyph: '•', colour: '#444' },
  'download-started': { glyph: '↓', colour: '#0072b2' },
  'download-resumed': { glyph: '↧', colour: '#0072b2' },
  'download-completed': { glyph: '⤓', colour: '#0072b2' },
  'update-refused': { glyph: '✕', colour: '#d55e00' },
  'upgrade-requested': { glyph: '⇡', colour: '#444' },
  reboot: { glyph: '↻', colour: '#000' },
  'image-swapped': { glyph: '⇄', colour: '#000' },
  'image-confirmed': { glyph: '✓', colour: '#007a5a' },
  'rollback-detected': { glyph: '⟲', colour: '#c00000' },
};

function glyphOf(m: Milestone): { glyph: string; colour: string } {
  if (m.event === 'reboot' && m.detail.startsWith('power loss')) return { glyph: '⚡', colour: '#000' };
  return EVENT_GLYPH[m.event] ?? { glyph: '?', colour: '#000' };
}

const TICKS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3, 900e3, 1800e3, 3600e3, 7200e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3, 2 * 86400e3];

/** `0:01:30`, `1d 02:00:00`, `0:00:02.5`: hours:minutes:seconds of virtual time, the day when there is one. */
function tickLabel(ms: number, step: number): string {
  const d = Math.floor(ms / 86_400_000);
  const rest = ms - d * 86_400_000;
  const hh = Math.floor(rest / 3_600_000);
  const mm = Math.floor((rest % 3_600_000) / 60_000);
  const ss = (rest % 60_000) / 1000;
  const p = (n: number) => String(n).padStart(2, '0');
  const day = d ? `${d}d ` : '';
  const sec = step >= 1000 ? p(Math.round(ss)) : ss.toFixed(step >= 100 ? 1 : 3).padStart(step >= 100 ? 4 : 6, '0');
  return step >= 3_600_000 ? `${day}${hh}:${p(mm)}` : `${day}${hh}:${p(mm)}:${sec}`;
}

interface LifeData {
  report: LifeReport;
  stateT: Float64Array;
  stateCode: Uint8Array;
  ota: Float64Array;
  endMs: number;
  wallMs: number;
}

export class LifeView {
  readonly root: HTMLElement;
  private data: LifeData | undefined;
  private worker: Worker | undefined;
  private view = { t0: 0, t1: 1 };
  private readonly canvas: HTMLCanvasElement;
  private readonly log: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly tip: HTMLElement;

  constructor(private readonly onMessage: (text: string, error?: boolean) => void) {
    this.canvas = h('canvas', { id: 'life-timeline', class: 'life-canvas', tabindex: 0, 'aria-label': 'timeline over virtual time: + and − zoom, arrows pan, f fits the update, 0 the whole life' });
    this.log = h('div', { id: 'life-log', class: 'life-log', role: 'log', 'aria-label': 'milestone log' });
    this.summary = h('div', { id: 'life-summary', class: 'summary mono' }, 'No life run yet.');
    this.tip = h('div', { class: 'tip', id: 'life-tip' });
    const btn = (label: string, title: string, fn: () => void) => h('button', { type: 'button', title, 'aria-label': title, onclick: fn }, label);
    this.root = h('section', { class: 'panel', id: 'life', 'aria-label': "a device's life" },
      h('h2', {}, 'Timeline ', h('span', { class: 'sub' }, 'virtual time; lanes: the device, the OTA task\'s download (its RAM context: a reboot loses it, the flash keeps what was written), milestones')),
      this.summary,
      h('div', { class: 'zoom', role: 'toolbar', 'aria-label': 'zoom' },
        btn('Fit update', 'fit the milestones (f)', () => this.fit()),
        btn('Whole life', 'the whole life (0)', () => this.whole()),
        btn('−', 'zoom out (−)', () => this.zoom(2)),
        btn('+', 'zoom in (+)', () => this.zoom(0.5)),
        btn('◀', 'pan left (←)', () => this.pan(-0.25)),
        btn('▶', 'pan right (→)', () => this.pan(0.25)),
        this.tip,
      ),
      this.canvas,
      h('div', { class: 'legend', id: 'life-legend' }),
      h('h2', {}, 'Milestone log'),
      this.log,
    );
    this.canvas.addEventListener('keydown', (e) => this.key(e));
    this.canvas.addEventListener('wheel', (e) => {
      e.preventDefault();
      const r = this.canvas.getBoundingClientRect();
      this.zoom(e.deltaY > 0 ? 1.25 : 0.8, (e.clientX - r.left - LEFT) / (r.width - LEFT - 8));
    }, { passive: false });
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    new ResizeObserver(() => this.draw()).observe(this.root);
    this.legend();
  }

  run(q: LifeRequest): void {
    this.worker?.terminate();
    this.summary.textContent = `living ${q.days} day${q.days === 1 ? '' : 's'} of a ${typeof q.device === 'string' ? q.device : q.device.name} (${q.strategy}) in a Web Worker…`;
    this.summary.dataset.done = 'false';
    const w = new Worker(new URL('../workers/life.ts', import.meta.url), { type: 'module' });
    this.worker = w;
    w.onmessage = (e: MessageEvent<LifeMessage>) => {
      w.terminate();
      this.worker = undefined;
      const m = e.data;
      if (m.type === 'error') {
        this.summary.textContent = `error: ${m.message}`;
        this.onMessage(m.message, true);
        return;
      }
      this.data = m;
      this.renderSummary();
      this.renderLog();
      this.fit();
    };
    w.onerror = (e) => this.onMessage(`life worker: ${e.message}`, true);
    w.postMessage(q);
  }

  private renderSummary(): void {
    const d = this.data!;
    const f = d.report.final;
    const s = d.report.stats;
    const rb = d.report.milestones.filter((m) => m.event === 'rollback-detected').length;
    this.summary.replaceChildren(
      h('b', {}, f.bricked ? '✗ BRICKED' : `runs ${f.version}, ${f.confirmed ? 'confirmed' : 'NOT confirmed'}`),
      ` · ${s.boots} boots, ${s.powerLosses} power losses, ${rb} rollback${rb === 1 ? '' : 's'} · ${d.report.energy.totalMah.toFixed(2)} mAh (${d.report.energy.otaMah.toFixed(3)} on OTA) · OTA flash ops in SENSOR_INIT/SEND: ${s.otaOpsInCriticalState} · ${formatTime(d.endMs)} lived in ${d.wallMs.toFixed(0)} ms wall (${d.stateT.length} state changes)`,
    );
    this.summary.dataset.done = 'true';
  }

  private renderLog(): void {
    const rows = this.data!.report.milestones.map((m, i) => {
      const g = glyphOf(m);
      const words = m.event.replace(/-/g, ' ');
      return h('tr', { class: `ev-${m.event}`, tabindex: 0, 'data-i': i, onclick: () => this.centre(m.tMs), onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Enter' && this.centre(m.tMs) },
        h('td', { class: 'mono t' }, formatTime(m.tMs)),
        h('td', { class: 'mono' }, m.version),
        h('td', { class: 'ev' }, h('span', { class: 'glyph', style: `color:${g.colour}`, 'aria-hidden': 'true' }, g.glyph), ' ', words, m.repeat ? ` ×${m.repeat + 1}` : ''),
        h('td', { class: 'detail' }, m.detail),
      );
    });
    const table = h('table', { class: 'milestones' }, h('thead', {}, h('tr', {}, h('th', {}, 'virtual time'), h('th', {}, 'running'), h('th', {}, 'event'), h('th', {}, 'detail'))), h('tbody', {}, ...rows));
    this.log.replaceChildren(rows.length ? table : h('p', { class: 'sub' }, 'No milestone: nothing happened.'));
  }

  private legend(): void {
    const items = Object.entries(STATE_STYLE).map(([, st]) => {
      const c = h('canvas', { 'aria-hidden': 'true' });
      const ctx = fitCanvas(c, 20, 14);
      ctx.fillStyle = pattern(ctx, st.fill, st.hatch, st.fill === '#1d1d1d' || st.fill === '#000000' ? 'rgba(255,255,255,.6)' : undefined);
      ctx.fillRect(0, 0, 20, 14);
      ctx.strokeStyle = '#777';
      ctx.strokeRect(0.5, 0.5, 19, 13);
      return h('span', { class: 'legend-item' }, c, st.label);
    });
    const ev = Object.entries(EVENT_GLYPH).map(([name, g]) => h('span', { class: 'legend-item' }, h('b', { style: `color:${g.colour}` }, g.glyph), name.replace(/-/g, ' ')));
    ev.push(h('span', { class: 'legend-item' }, h('b', {}, '⚡'), 'power loss'));
    this.root.querySelector('#life-legend')?.replaceChildren(...items, ...ev);
  }

  private fit(): void {
    const d = this.data;
    if (!d) return;
    // The update's milestones: a power loss long after it is not part of it.
    const update = d.report.milestones.filter((m) => !(m.event === 'reboot' && m.detail.startsWith('power loss')) || m.tMs < 60_000);
    const last = update.at(-1)?.tMs ?? 0;
    const span = Math.max(300_000, last * 1.1);
    this.view = { t0: 0, t1: Math.min(d.endMs, span) };
    this.draw();
  }

  private whole(): void {
    if (!this.data) return;
    this.view = { t0: 0, t1: this.data.endMs };
    this.draw();
  }

  private zoom(f: number, at = 0.5): void {
    if (!this.data) return;
    const { t0, t1 } = this.view;
    const span = Math.min(this.data.endMs, Math.max(200, (t1 - t0) * f));
    const pivot = t0 + (t1 - t0) * Math.max(0, Math.min(1, at));
    let n0 = pivot - (pivot - t0) * (span / (t1 - t0));
    n0 = Math.max(0, Math.min(this.data.endMs - span, n0));
    this.view = { t0: n0, t1: n0 + span };
    this.draw();
  }

  private pan(f: number): void {
    if (!this.data) return;
    const span = this.view.t1 - this.view.t0;
    const t0 = Math.max(0, Math.min(this.data.endMs - span, this.view.t0 + span * f));
    this.view = { t0, t1: t0 + span };
    this.draw();
  }

  private centre(t: number): void {
    if (!this.data) return;
    const span = Math.min(this.view.t1 - this.view.t0, 120_000);
    const t0 = Math.max(0, Math.min(this.data.endMs - span, t - span / 2));
    this.view = { t0, t1: t0 + span };
    this.draw();
    this.canvas.focus();
  }

  private key(e: KeyboardEvent): void {
    const map: Record<string, () => void> = { '+': () => this.zoom(0.5), '=': () => this.zoom(0.5), '-': () => this.zoom(2), ArrowLeft: () => this.pan(-0.25), ArrowRight: () => this.pan(0.25), f: () => this.fit(), '0': () => this.whole() };
    const fn = map[e.key];
    if (fn) {
      e.preventDefault();
      e.stopPropagation();
      fn();
    }
  }

  private hover(e: MouseEvent): void {
    const d = this.data;
    if (!d) return;
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left;
    const w = r.width - LEFT - 8;
    const t = this.view.t0 + ((x - LEFT) / w) * (this.view.t1 - this.view.t0);
    if (x < LEFT || t < 0) return;
    let i = upperBound(d.stateT, t) - 1;
    if (i < 0) i = 0;
    const state = STATES[d.stateCode[i]!] ?? '?';
    this.tip.textContent = `${formatTime(t)} · ${state}`;
  }

  draw(): void {
    const d = this.data;
    const width = Math.max(400, this.root.clientWidth - 24);
    const ctx = fitCanvas(this.canvas, width, HEIGHT);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, HEIGHT);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#333';
    ctx.textBaseline = 'middle';
    ctx.fillText('device', 4, LANE.state + 13);
    ctx.fillText('running', 4, LANE.running + 9);
    ctx.fillText('OTA download', 4, LANE.ota + 15);
    ctx.fillText('milestones', 4, LANE.events + 18);
    if (!d) return;
    const { t0, t1 } = this.view;
    const w = width - LEFT - 8;
    const X = (t: number) => LEFT + ((t - t0) / (t1 - t0)) * w;
    // Axis.
    const step = TICKS.find((s) => (s / (t1 - t0)) * w >= 80) ?? TICKS.at(-1)!;
    ctx.strokeStyle = '#ddd';
    ctx.fillStyle = '#555';
    ctx.textAlign = 'center';
    for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
      const x = X(t);
      ctx.beginPath();
      ctx.moveTo(x + 0.5, 14);
      ctx.lineTo(x + 0.5, HEIGHT - 4);
      ctx.stroke();
      ctx.fillText(tickLabel(t, step), x, 7);
    }
    ctx.textAlign = 'left';
    this.drawStates(ctx, X, w, d);
    this.drawRunning(ctx, X, d);
    this.drawOta(ctx, X, d);
    this.drawEvents(ctx, X, d);
    ctx.strokeStyle = '#999';
    ctx.strokeRect(LEFT - 0.5, LANE.state - 0.5, w + 1, LANE.events + 56 - LANE.state);
  }

  private drawStates(ctx: CanvasRenderingContext2D, X: (t: number) => number, w: number, d: LifeData): void {
    const { t0, t1 } = this.view;
    const fills = STATES.map((s) => pattern(ctx, STATE_STYLE[s]!.fill, STATE_STYLE[s]!.hatch, s === 'BOOT' || s === 'BRICKED' ? 'rgba(255,255,255,.6)' : undefined));
    // Per pixel column: the state that held longest in it, unless a rare one (a boot, no
    // power, a hang) is in it — those must not vanish when zoomed out.
    const px = Math.ceil(w);
    const dt = (t1 - t0) / px;
    const T = d.stateT;
    if (!T.length) return;
    let i = Math.max(0, upperBound(T, t0) - 1);
    const y = LANE.state;
    let runStart = 0;
    let runCode = -1;
    const flush = (end: number) => {
      if (runCode < 0) return;
      ctx.fillStyle = fills[runCode]!;
      ctx.fillRect(LEFT + runStart, y, end - runStart, 26);
      const st = STATE_STYLE[STATES[runCode]!]!;
      if (end - runStart >= 14) {
        ctx.fillStyle = runCode === 5 || runCode === 8 ? '#fff' : '#111';
        ctx.font = '10px ui-monospace, monospace';
        ctx.fillText(st.letter, LEFT + runStart + 3, y + 13);
      }
    };
    for (let p = 0; p < px; p++) {
      const a = t0 + p * dt;
      const b = a + dt;
      if (a >= d.endMs) break;
      const share = new Float64Array(STATES.length);
      let best = -1;
      let rare = -1;
      for (;;) {
        const s0 = T[i]!;
        const s1 = i + 1 < T.length ? T[i + 1]! : d.endMs;
        const overlap = Math.min(b, s1) - Math.max(a, s0);
        if (overlap > 0 || (s0 >= a && s0 < b)) {
          const code = d.stateCode[i]!;
          share[code]! += Math.max(0, overlap);
          const rank = STATE_STYLE[STATES[code]!]!.rank;
          if (rank >= 5 && (rare < 0 || rank > STATE_STYLE[STATES[rare]!]!.rank)) rare = code;
        }
        if (i + 1 < T.length && T[i + 1]! < b) i++;
        else break;
      }
      for (let k = 0; k < share.length; k++) if (best < 0 || share[k]! > share[best]!) best = k;
      const code = rare >= 0 ? rare : best;
      if (code !== runCode) {
        flush(p);
        runStart = p;
        runCode = code;
      }
    }
    flush(Math.min(px, Math.max(0, X(d.endMs) - LEFT)));
  }

  /** The version running: it changes where a power-on moved images (an image-swapped milestone). */
  private drawRunning(ctx: CanvasRenderingContext2D, X: (t: number) => number, d: LifeData): void {
    const ms = d.report.milestones;
    const spans: Array<{ from: number; version: string }> = [{ from: 0, version: ms[0]?.version ?? '1.0.0+0' }];
    for (const m of ms) if (m.event === 'image-swapped') spans.push({ from: m.tMs, version: m.version });
    const palette = ['#dfe7f0', '#f6e3c4'];
    const versions = [...new Set(spans.map((x) => x.version))];
    const y = LANE.running;
    ctx.font = '10px ui-monospace, monospace';
    spans.forEach((sp, i) => {
      const end = i + 1 < spans.length ? spans[i + 1]!.from : d.endMs;
      const x0 = Math.max(LEFT, X(sp.from));
      const x1 = Math.min(X(this.view.t1), X(end));
      if (x1 <= x0) return;
      ctx.fillStyle = palette[versions.indexOf(sp.version) % 2]!;
      ctx.fillRect(x0, y, x1 - x0, 16);
      ctx.strokeStyle = '#777';
      ctx.strokeRect(x0 + 0.5, y + 0.5, x1 - x0 - 1, 15);
      if (x1 - x0 > 50) {
        ctx.fillStyle = '#111';
        ctx.fillText(`v${sp.version}`, x0 + 4, y + 8);
      }
    });
  }

  private drawOta(ctx: CanvasRenderingContext2D, X: (t: number) => number, d: LifeData): void {
    const y = LANE.ota;
    const H = 30;
    ctx.fillStyle = '#f6f8fb';
    ctx.fillRect(LEFT, y, X(this.view.t1) - LEFT, H);
    // The context's bytesWritten: set by the download's operations, lost at every boot.
    const points: Array<[number, number]> = [];
    const boots: number[] = [];
    for (let i = 0; i < d.stateT.length; i++) if (STATES[d.stateCode[i]!] === 'BOOT' || STATES[d.stateCode[i]!] === 'OFF') boots.push(d.stateT[i]!);
    let b = 0;
    for (let k = 0; k < d.ota.length; k += 3) {
      const t = d.ota[k]!;
      while (b < boots.length && boots[b]! <= t) points.push([boots[b++]!, 0]);
      points.push([t, d.ota[k + 2]! ? d.ota[k + 1]! / d.ota[k + 2]! : 0]);
    }
    while (b < boots.length) points.push([boots[b++]!, 0]);
    ctx.fillStyle = 'rgba(0,114,178,.35)';
    ctx.strokeStyle = '#0072b2';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let prev = 0;
    let started = false;
    for (const [t, f] of points) {
      const x = Math.max(LEFT, Math.min(X(this.view.t1), X(t)));
      if (!started) {
        ctx.moveTo(x, y + H);
        started = true;
      }
      ctx.lineTo(x, y + H - prev * (H - 2));
      ctx.lineTo(x, y + H - f * (H - 2));
      prev = f;
    }
    if (started) {
      ctx.lineTo(X(Math.min(this.view.t1, d.endMs)), y + H - prev * (H - 2));
      ctx.stroke();
      ctx.lineTo(X(Math.min(this.view.t1, d.endMs)), y + H);
      ctx.closePath();
      ctx.fill();
    }
    ctx.fillStyle = '#333';
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillText('100%', LEFT - 30, y + 5);
    ctx.fillText('0', LEFT - 12, y + H - 4);
  }

  private drawEvents(ctx: CanvasRenderingContext2D, X: (t: number) => number, d: LifeData): void {
    const y = LANE.events;
    const used: number[] = [];
    ctx.font = '15px system-ui, "Segoe UI Symbol", sans-serif';
    ctx.textAlign = 'center';
    for (const m of d.report.milestones) {
      if (m.tMs < this.view.t0 || m.tMs > this.view.t1) continue;
      const x = X(m.tMs);
      const g = glyphOf(m);
      ctx.strokeStyle = m.event === 'rollback-detected' ? 'rgba(192,0,0,.6)' : 'rgba(0,0,0,.18)';
      ctx.beginPath();
      ctx.moveTo(x + 0.5, LANE.state);
      ctx.lineTo(x + 0.5, y + 56);
      ctx.stroke();
      // Stack glyphs that would overlap.
      let row = 0;
      while (row < 2 && used.some((u) => Math.abs(u - (x + row * 10000)) < 12)) row++;
      used.push(x + row * 10000);
      ctx.fillStyle = '#fff';
      ctx.fillRect(x - 8, y + 3 + row * 17, 16, 16);
      ctx.fillStyle = g.colour;
      ctx.fillText(g.glyph, x, y + 12 + row * 17);
    }
    ctx.textAlign = 'left';
  }
}

const LEFT = 96;
const LANE = { state: 18, running: 48, ota: 70, events: 106 };
const HEIGHT = 170;

function upperBound(a: Float64Array, t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

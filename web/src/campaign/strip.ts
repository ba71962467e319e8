/**
 * The campaign strip: one cell per cut point of the update, coloured and hatched by the
 * oracle's verdict, filled as the campaign runs in a Web Worker. Clicking a cell (or Enter
 * on the selected one) loads that scenario into the stepper, cut at that operation.
 */
import type { CampaignSpec } from 'brickproof';
import type { CampaignMessage, CellResult } from '../workers/campaign.js';
import { fitCanvas, h, pattern, type Hatch } from '../ui.js';

export const OUTCOMES: Array<{ rule: string; label: string; fill: string; hatch: Hatch }> = [
  { rule: 'ok', label: 'recovered', fill: '#b9c8d8', hatch: 'none' },
  { rule: 'bricked', label: 'bricked', fill: '#d55e00', hatch: 'cross' },
  { rule: 'wrong-end-state', label: 'wrong end state', fill: '#e69f00', hatch: 'diag' },
  { rule: 'wrong-image', label: 'wrong image', fill: '#cc79a7', hatch: 'dots' },
  { rule: 'rejected-image-booted', label: 'rejected image booted', fill: '#cc79a7', hatch: 'back' },
  { rule: 'no-convergence', label: 'no convergence', fill: '#f0e442', hatch: 'horiz' },
  { rule: 'stuck-revert', label: 'stuck revert', fill: '#56b4e9', hatch: 'back' },
  { rule: 'crash', label: 'crash (flash rule broken)', fill: '#444444', hatch: 'vert' },
];
const PENDING = '#ececec';

const CELL_H = 20;
const BAND_H = 4;
const ROW_GAP = 7;
const GUTTER = 40;

export class CampaignStrip {
  readonly root: HTMLElement;
  private worker: Worker | undefined;
  private spec: CampaignSpec | undefined;
  private units = 0;
  private ops: string[] = [];
  private opCall: number[] = [];
  private callKinds: string[] = [];
  private results: Array<CellResult | undefined> = [];
  private selected = 0;
  private started = 0;
  private wallMs = 0;
  private done = false;
  private controlFailure = false;
  private readonly canvas: HTMLCanvasElement;
  private readonly tip: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly progress: HTMLProgressElement;
  private readonly cancelBtn: HTMLButtonElement;
  private layout = { perRow: 1, cellW: 4, rows: 1, width: 800 };
  private drawQueued = false;

  constructor(
    private readonly onPick: (spec: CampaignSpec, cut: number) => void,
    private readonly onMessage: (text: string, error?: boolean) => void,
  ) {
    this.canvas = h('canvas', { id: 'strip', class: 'strip', tabindex: 0, 'aria-describedby': 'strip-tip', 'aria-label': 'campaign strip: one cell per cut point; arrows select, Enter loads into the stepper, n next failure' });
    this.tip = h('div', { class: 'tip', role: 'status', id: 'strip-tip' });
    this.summary = h('div', { id: 'campaign-summary', class: 'summary mono' }, 'No campaign run yet.');
    this.legend = h('div', { class: 'legend strip-legend' });
    this.progress = h('progress', { id: 'campaign-progress', max: 1, value: 0, 'aria-label': 'campaign progress' });
    this.cancelBtn = h('button', { type: 'button', id: 'campaign-cancel', onclick: () => this.cancel(), disabled: true }, 'Cancel');
    this.root = h('section', { id: 'campaign', class: 'panel', 'aria-label': 'campaign strip' },
      h('h2', {}, 'Campaign strip ', h('span', { class: 'sub' }, 'one cell per cut point: the power fails during that operation, then the device recovers and the oracle judges it')),
      h('div', { class: 'campaign-bar' }, this.progress, this.cancelBtn, h('button', { type: 'button', id: 'next-failure', onclick: () => this.nextFailure(1) }, 'Next failure (n)'), this.summary),
      h('div', { class: 'strip-wrap' }, this.canvas, this.tip),
      this.legend,
    );
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => this.showTip(this.selected));
    this.canvas.addEventListener('click', (e) => {
      const u = this.unitAt(e);
      if (u) {
        this.selected = u;
        this.pick();
      }
    });
    this.canvas.addEventListener('keydown', (e) => this.key(e));
    new ResizeObserver(() => this.draw()).observe(this.root);
    this.renderLegend();
  }

  run(spec: CampaignSpec): void {
    this.cancel();
    this.spec = spec;
    this.results = [];
    this.units = 0;
    this.done = false;
    this.selected = 0;
    this.started = performance.now();
    this.summary.textContent = 'recording the update…';
    this.summary.dataset.done = 'false';
    this.progress.value = 0;
    this.cancelBtn.disabled = false;
    const w = new Worker(new URL('../workers/campaign.ts', import.meta.url), { type: 'module' });
    this.worker = w;
    w.onmessage = (e: MessageEvent<CampaignMessage>) => this.message(e.data);
    w.onerror = (e) => this.onMessage(`campaign worker: ${e.message}`, true);
    w.postMessage({ type: 'run', spec });
  }

  cancel(): void {
    if (this.worker && !this.done) this.summary.textContent += ' (cancelled)';
    this.worker?.terminate();
    this.worker = undefined;
    this.cancelBtn.disabled = true;
  }

  private message(m: CampaignMessage): void {
    if (m.type === 'meta') {
      this.units = m.units;
      this.ops = m.ops;
      this.controlFailure = m.controlFailure;
      this.opCall = m.calls.flatMap((c, i) => Array<number>(c.ops).fill(i));
      let boots = 0;
      this.callKinds = m.calls.map((c) => (c.kind === 'boot' ? `power-on ${++boots}` : c.kind === 'confirm' ? 'boot_set_confirmed' : 'erase secondary'));
      this.results = new Array(m.units);
      this.progress.max = m.units;
      this.selected = 1;
    } else if (m.type === 'results') {
      for (const r of m.results) this.results[r.unit - 1] = r;
      this.progress.value = this.results.filter(Boolean).length;
    } else if (m.type === 'done') {
      this.done = true;
      this.wallMs = m.wallMs;
      this.cancelBtn.disabled = true;
      this.worker?.terminate();
      this.worker = undefined;
      const first = this.results.findIndex((r) => r && !r.ok);
      if (first >= 0) this.selected = first + 1;
      this.showTip(this.selected);
    } else if (m.type === 'error') {
      this.onMessage(m.message, true);
      this.summary.textContent = `error: ${m.message}`;
      this.cancel();
      return;
    }
    this.updateSummary();
    this.queueDraw();
  }

  private updateSummary(): void {
    const got = this.results.filter(Boolean) as CellResult[];
    const fails = got.filter((r) => !r.ok);
    const byRule = new Map<string, number>();
    for (const r of fails) byRule.set(r.rule!, (byRule.get(r.rule!) ?? 0) + 1);
    const bricked = byRule.get('bricked') ?? 0;
    const label = this.spec ? `${this.spec.variant ? `${this.spec.strategy}@${this.spec.variant}` : this.spec.strategy}/${this.spec.device}/${this.spec.upgrade}/${this.spec.fault}` : '';
    const t = this.done ? `${(this.wallMs / 1000).toFixed(2)} s` : `${((performance.now() - this.started) / 1000).toFixed(1)} s…`;
    this.summary.replaceChildren(
      h('span', {}, `${label}: `),
      h('b', { id: 'campaign-cells', 'data-count': this.units }, `${got.length}/${this.units}`),
      ` scenarios · `,
      h('b', { id: 'campaign-bricked', 'data-count': bricked }, `${bricked} bricked`),
      ' · ',
      h('b', { id: 'campaign-failures', 'data-count': fails.length }, `${fails.length - bricked} other failures`),
      ` · ${t}${this.controlFailure ? ' · the uninterrupted update itself fails (cell @0)' : ''}`,
    );
    this.summary.dataset.done = String(this.done);
    this.renderLegend(byRule, got.length - fails.length);
  }

  private renderLegend(byRule = new Map<string, number>(), ok = 0): void {
    this.legend.replaceChildren(
      ...OUTCOMES.filter((o) => o.rule === 'ok' || o.rule === 'bricked' || o.rule === 'wrong-end-state' || byRule.has(o.rule)).map((o) => {
        const c = h('canvas', { 'aria-hidden': 'true' });
        const ctx = fitCanvas(c, 22, 14);
        ctx.fillStyle = pattern(ctx, o.fill, o.hatch);
        ctx.fillRect(0, 0, 22, 14);
        const n = o.rule === 'ok' ? ok : (byRule.get(o.rule) ?? 0);
        return h('span', { class: 'legend-item' }, c, `${o.label} (${n})`);
      }),
      h('span', { class: 'legend-item sub' }, 'band under the cells: which call the cut falls in (power-on 1, boot_set_confirmed, power-on 2…)'),
    );
  }

  private queueDraw(): void {
    if (this.drawQueued) return;
    this.drawQueued = true;
    requestAnimationFrame(() => {
      this.drawQueued = false;
      this.draw();
    });
  }

  private draw(): void {
    const width = Math.max(300, this.root.clientWidth - 24);
    const n = Math.max(1, this.units);
    // Cells of at least 5 px and a 1 px gap, in rows under a gutter that numbers each row's first cut.
    const avail = width - GUTTER;
    let cellW = Math.min(16, Math.max(6, Math.floor(avail / n)));
    const perRow = Math.max(1, Math.floor(avail / cellW));
    const rows = Math.ceil(n / perRow);
    if (rows === 1) cellW = Math.max(6, Math.min(16, Math.floor(avail / n)));
    this.layout = { perRow, cellW, rows, width };
    const height = rows * (CELL_H + BAND_H + ROW_GAP) + 4;
    const ctx = fitCanvas(this.canvas, width, height);
    ctx.clearRect(0, 0, width, height);
    this.canvas.dataset.cells = String(this.units);
    this.canvas.dataset.judged = String(this.results.filter(Boolean).length);
    const fills = new Map(OUTCOMES.map((o) => [o.rule, pattern(ctx, o.fill, o.hatch)]));
    const bandFill = ['#7f97ae', '#b2c3d4', '#5bb08a', '#8f8f8f'];
    ctx.font = '10px ui-monospace, monospace';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    ctx.fillStyle = '#666';
    for (let row = 0; row < rows; row++) ctx.fillText(String(row * perRow + 1), GUTTER - 6, row * (CELL_H + BAND_H + ROW_GAP) + 3 + CELL_H / 2);
    ctx.textAlign = 'left';
    for (let u = 1; u <= this.units; u++) {
      const { x, y } = this.cellXY(u);
      const r = this.results[u - 1];
      ctx.fillStyle = r ? (fills.get(r.ok ? 'ok' : r.rule!) ?? '#000') : PENDING;
      // A failure stands out of its row: drawn taller, with a dark edge.
      if (r && !r.ok) {
        ctx.fillRect(x - 1, y - 3, cellW + 1, CELL_H + 6);
        ctx.strokeStyle = '#000';
        ctx.lineWidth = 1;
        ctx.strokeRect(x - 0.5, y - 2.5, cellW, CELL_H + 5);
      } else ctx.fillRect(x, y, cellW - 1, CELL_H);
      const call = this.opCall[u - 1];
      if (call !== undefined) {
        const kind = this.callKinds[call] ?? '';
        ctx.fillStyle = kind.startsWith('power-on') ? bandFill[call % 2]! : kind === 'boot_set_confirmed' ? bandFill[2]! : bandFill[3]!;
        ctx.fillRect(x, y + CELL_H + 1, cellW, BAND_H - 1);
      }
    }
    if (this.selected >= 1 && this.selected <= this.units) {
      const { x, y } = this.cellXY(this.selected);
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#fff';
      ctx.strokeRect(x - 1.5, y - 1.5, cellW + 2, CELL_H + 3);
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 1.5;
      ctx.strokeRect(x - 2.5, y - 2.5, cellW + 4, CELL_H + 5);
    }
  }

  private cellXY(u: number): { x: number; y: number } {
    const i = u - 1;
    const { perRow, cellW } = this.layout;
    return { x: GUTTER + (i % perRow) * cellW, y: Math.floor(i / perRow) * (CELL_H + BAND_H + ROW_GAP) + 3 };
  }

  private unitAt(e: MouseEvent): number | undefined {
    const rect = this.canvas.getBoundingClientRect();
    const { perRow, cellW } = this.layout;
    const col = Math.floor((e.clientX - rect.left - GUTTER) / cellW);
    const row = Math.floor((e.clientY - rect.top) / (CELL_H + BAND_H + ROW_GAP));
    if (col < 0 || col >= perRow) return undefined;
    const u = row * perRow + col + 1;
    return u >= 1 && u <= this.units ? u : undefined;
  }

  private hover(e: MouseEvent): void {
    const u = this.unitAt(e);
    if (u) this.showTip(u);
  }

  private showTip(u: number): void {
    if (!u || u > this.units) {
      this.tip.textContent = '';
      return;
    }
    const r = this.results[u - 1];
    const op = this.controlFailure ? 'no cut: the uninterrupted update' : `op ${u}: ${this.ops[u - 1] ?? ''} (${this.callKinds[this.opCall[u - 1] ?? -1] ?? ''})`;
    const verdict = !r ? 'not run yet' : r.ok ? `recovered in ${r.boots} power-on${r.boots === 1 ? '' : 's'}, ${r.resumeOps} operations on the first` : `${r.rule}: ${r.detail}`;
    this.tip.replaceChildren(h('b', {}, this.controlFailure ? 'cut@0' : `cut ${u}`), ` · ${op} · `, h('span', { class: r && !r.ok ? 'bad' : '' }, verdict), r ? h('span', { class: 'mono sub' }, `  ${r.id}`) : '');
  }

  private nextFailure(dir: 1 | -1): void {
    const n = this.units;
    for (let k = 1; k <= n; k++) {
      const u = ((this.selected - 1 + dir * k + n * 2) % n) + 1;
      const r = this.results[u - 1];
      if (r && !r.ok) {
        this.select(u);
        this.canvas.focus();
        return;
      }
    }
    this.onMessage('no failure in this campaign');
  }

  private select(u: number): void {
    this.selected = Math.max(1, Math.min(this.units, u));
    this.showTip(this.selected);
    this.draw();
  }

  private key(e: KeyboardEvent): void {
    const step = e.shiftKey ? 10 : 1;
    const { perRow } = this.layout;
    const map: Record<string, () => void> = {
      ArrowRight: () => this.select(this.selected + step),
      ArrowLeft: () => this.select(this.selected - step),
      ArrowDown: () => this.select(this.selected + perRow),
      ArrowUp: () => this.select(this.selected - perRow),
      Home: () => this.select(1),
      End: () => this.select(this.units),
      n: () => this.nextFailure(1),
      N: () => this.nextFailure(-1),
      Enter: () => this.pick(),
    };
    const fn = map[e.key];
    if (fn) {
      e.preventDefault();
      e.stopPropagation();
      fn();
    }
  }

  private pick(): void {
    if (!this.spec || !this.selected) return;
    this.showTip(this.selected);
    this.draw();
    this.onPick(this.spec, this.controlFailure ? 0 : this.selected);
  }
}

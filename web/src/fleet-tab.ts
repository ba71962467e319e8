/**
 * The fleet tab: a fleet description (examples/fleet.json to start from) run in a Web
 * Worker — its lives dealt to one more Web Worker per core — drawn as it runs: device states
 * over virtual time with the rollout's events (the chart `brickproof fleet --out` writes), a
 * row per rollout group, the events, and the devices that failed, each replayable alone.
 */
import { formatTime, type FleetDescription, type FleetReport, type RolloutEvent } from 'brickproof';
import example from '../../examples/fleet.json';
import type { FleetMessage, FleetRequest } from './workers/fleet.js';
import { field, h, options } from './ui.js';

const STEPS = 30;

export class FleetTab {
  readonly root: HTMLElement;
  private worker: Worker | undefined;
  private events: RolloutEvent[] = [];
  private description: FleetDescription | undefined;
  private readonly f: { json: HTMLTextAreaElement; devices: HTMLInputElement; days: HTMLInputElement; seed: HTMLInputElement; workers: HTMLSelectElement };
  private readonly el: Record<'progress' | 'status' | 'totals' | 'chart' | 'groups' | 'events' | 'failed' | 'replay', HTMLElement>;
  private readonly runBtn: HTMLButtonElement;
  private readonly cancelBtn: HTMLButtonElement;

  constructor(private readonly say: (text: string, error?: boolean) => void) {
    const cores = Math.max(1, Math.min(8, navigator.hardwareConcurrency || 2));
    this.f = {
      json: h('textarea', { id: 'fleet-json', rows: 18, spellcheck: false, 'aria-label': 'fleet description (JSON)' }, JSON.stringify(example, null, 2)),
      devices: h('input', { id: 'fleet-devices', type: 'number', min: 1, value: 1000, style: 'width:7em' }),
      days: h('input', { id: 'fleet-days', type: 'number', min: 0.1, step: 'any', placeholder: "file's", style: 'width:6em' }),
      seed: h('input', { id: 'fleet-seed', type: 'number', min: 1, placeholder: "file's", style: 'width:6em' }),
      workers: h('select', { id: 'fleet-workers' }),
    };
    options(this.f.workers, Array.from({ length: cores }, (_, i) => ({ value: String(i + 1), label: `${i + 1}` })), String(cores));
    this.runBtn = h('button', { type: 'submit', id: 'fleet-run' }, 'Run fleet');
    this.cancelBtn = h('button', { type: 'button', id: 'fleet-cancel', disabled: true, onclick: () => this.cancel() }, 'Cancel');
    this.el = {
      progress: h('progress', { id: 'fleet-progress', max: 1, value: 0, 'aria-label': 'lives of this round' }),
      status: h('span', { id: 'fleet-status', class: 'mono summary' }, 'Not run yet.'),
      totals: h('div', { id: 'fleet-totals', class: 'summary mono' }),
      chart: h('div', { id: 'fleet-chart', class: 'fleet-chart', role: 'img', 'aria-label': 'device states over virtual time, with the rollout events numbered' }),
      groups: h('div', { id: 'fleet-groups' }),
      events: h('div', { id: 'fleet-events' }),
      failed: h('div', { id: 'fleet-failed' }),
      replay: h('pre', { id: 'fleet-replay', class: 'replay mono', hidden: true }),
    };
    const form = h('form', { class: 'scenario', id: 'fleet-form', onsubmit: (e: Event) => { e.preventDefault(); this.run(); } },
      field('devices', this.f.devices, 'scale the fleet to N devices (the classes keep their weights)'),
      field('days', this.f.days, 'virtual days the fleet lives'), field('seed', this.f.seed), field('life workers', this.f.workers, 'Web Workers that live the lives (one per core)'),
      h('div', { class: 'actions' }, this.runBtn, this.cancelBtn),
      h('details', { class: 'fleet-file', open: false }, h('summary', {}, 'Fleet description (the JSON of brickproof fleet FLEET.json; starts as examples/fleet.json)'), this.f.json),
    );
    this.root = h('div', { id: 'view-fleet', role: 'tabpanel', 'aria-labelledby': 'tab-fleet', hidden: true },
      form,
      h('section', { class: 'panel', id: 'fleet', 'aria-label': 'fleet' },
        h('h2', {}, 'Fleet ', h('span', { class: 'sub' }, 'device states over virtual time, the rollout events numbered (the chart brickproof fleet --out writes)')),
        h('div', { class: 'campaign-bar' }, this.el.progress!, this.el.status!),
        this.el.totals!, this.el.chart!,
        h('h3', {}, 'Rollout groups'), this.el.groups!,
        h('h3', {}, 'Rollout events'), this.el.events!,
        h('h3', {}, 'Devices that failed or bricked'), this.el.failed!, this.el.replay!,
      ),
    );
  }

  private request(): Extract<FleetRequest, { type: 'run' }> {
    let description: FleetDescription;
    try {
      description = JSON.parse(this.f.json.value) as FleetDescription;
    } catch (e) {
      throw new Error(`the fleet description is not JSON: ${(e as Error).message}`);
    }
    const opt = (el: HTMLInputElement, what: string, integer: boolean) => {
      if (!el.value.trim()) return undefined;
      const v = Number(el.value);
      if (!(v > 0) || (integer && !Number.isInteger(v))) throw new Error(`${what} '${el.value}' must be a positive ${integer ? 'integer' : 'number'}`);
      return v;
    };
    return { type: 'run', description, devices: opt(this.f.devices, 'devices', true), days: opt(this.f.days, 'days', false), seed: opt(this.f.seed, 'seed', true), steps: STEPS, workers: Number(this.f.workers.value) };
  }

  run(): void {
    let q: Extract<FleetRequest, { type: 'run' }>;
    try {
      q = this.request();
    } catch (e) {
      this.say((e as Error).message, true);
      return;
    }
    this.cancel();
    this.description = q.description;
    this.events = [];
    this.el.totals!.dataset.done = 'false';
    this.el.status!.textContent = 'planning the fleet…';
    this.el.replay!.hidden = true;
    this.runBtn.disabled = true;
    this.cancelBtn.disabled = false;
    const w = new Worker(new URL('./workers/fleet.ts', import.meta.url), { type: 'module' });
    this.worker = w;
    const started = performance.now();
    let days = 0;
    w.onmessage = (e: MessageEvent<FleetMessage>) => {
      const m = e.data;
      if (m.type === 'started') {
        days = m.days;
        this.el.status!.textContent = `${m.devices} devices, ${m.days} days, seed ${m.seed}, lives on ${m.workers} Web Worker${m.workers === 1 ? '' : 's'}…`;
      } else if (m.type === 'progress') {
        const p = m.progress;
        (this.el.progress as HTMLProgressElement).max = p.batch;
        (this.el.progress as HTMLProgressElement).value = p.done;
        this.el.status!.textContent = `round ${p.round}: ${p.done}/${p.batch} lives · ${p.lives} lived · virtual ${formatTime(p.tMs)} of ${days}d · ${((performance.now() - started) / 1000).toFixed(1)} s`;
      } else if (m.type === 'step') {
        this.events.push(...m.events);
        this.render(m.report, m.chart, m.done, performance.now() - started);
        if (m.done) this.finish();
      } else if (m.type === 'error') {
        this.say(m.message, true);
        this.el.status!.textContent = `error: ${m.message}`;
        this.finish();
      }
    };
    w.onerror = (e) => {
      this.say(`fleet worker: ${e.message}`, true);
      this.finish();
    };
    w.postMessage(q);
  }

  cancel(): void {
    if (this.worker) this.el.status!.textContent += ' (cancelled)';
    this.finish();
  }

  private finish(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.runBtn.disabled = false;
    this.cancelBtn.disabled = true;
  }

  private render(r: FleetReport, chart: string, done: boolean, wallMs: number): void {
    const t = r.totals;
    const cell = (id: string, n: number, label: string) => h('b', { id, 'data-count': n }, `${n.toLocaleString('en')} ${label}`);
    this.el.totals!.replaceChildren(
      h('span', {}, `${formatTime(r.tMs)}: `),
      cell('fleet-devices-total', t.devices, 'devices'), ' · ',
      cell('fleet-succeeded', t.succeeded, 'updates succeeded'), ' · ',
      cell('fleet-rolled-back', t.rolledBack, 'rolled back'), ' · ',
      cell('fleet-refused', t.refused, 'refused'), ' · ',
      cell('fleet-timed-out', t.timedOut, 'timed out'), ' · ',
      cell('fleet-bricked', t.bricked, 'bricked'),
      ` · ${(wallMs / 1000).toFixed(1)} s wall${done ? '' : ' so far'}`,
    );
    this.el.totals!.dataset.done = String(done);
    if (done) this.el.status!.textContent = `done: ${r.days} days of ${t.devices} devices in ${(wallMs / 1000).toFixed(1)} s`;
    this.el.chart!.innerHTML = chart;
    const cols: Array<[string, keyof FleetReport['groups'][number]]> = [['group', 'name'], ['release', 'release'], ['devices', 'devices'], ['targeted', 'targeted'], ['succeeded', 'succeeded'], ['rolled back', 'rolledBack'], ['refused', 'refused'], ['timed out', 'timedOut'], ['bricked', 'bricked'], ['downloading', 'downloading'], ['waiting', 'waiting']];
    this.el.groups!.replaceChildren(h('table', { class: 'grid-table mono' },
      h('thead', {}, h('tr', {}, ...cols.map(([label]) => h('th', { scope: 'col' }, label)), h('th', { scope: 'col' }, 'started'))),
      h('tbody', {}, ...r.groups.map((g) => h('tr', {}, ...cols.map(([, k]) => h('td', { class: typeof g[k] === 'number' ? 'num' : '' }, String(g[k]))), h('td', {}, g.startedAtMs === null ? '—' : formatTime(g.startedAtMs))))),
    ));
    this.el.events!.replaceChildren(h('table', { class: 'grid-table' },
      h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'virtual time'), h('th', {}, 'event'), h('th', {}, 'group'), h('th', {}, 'detail'))),
      h('tbody', {}, ...this.events.map((e, i) => h('tr', { class: `rollout-${e.event}` }, h('td', { class: 'num' }, String(i + 1)), h('td', { class: 'mono' }, formatTime(e.tMs)), h('td', { class: 'ev' }, e.event), h('td', { class: 'mono' }, e.group), h('td', {}, e.detail)))),
    ));
    const devices = [...r.bricked, ...r.failed];
    this.el.failed!.replaceChildren(devices.length
      ? h('table', { class: 'grid-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'device'), h('th', {}, 'class'), h('th', {}, 'release'), h('th', {}, 'status'), h('th', {}, 'at'), h('th', {}, 'replay id'), h('th', {}, ''))),
        h('tbody', {}, ...devices.map((d) => h('tr', {}, h('td', { class: 'num' }, String(d.device)), h('td', {}, d.class), h('td', {}, d.release ?? '—'), h('td', { class: d.status === 'bricked' ? 'bad' : '' }, d.status), h('td', { class: 'mono' }, formatTime(d.tMs)), h('td', { class: 'mono' }, d.id),
          h('td', {}, h('button', { type: 'button', onclick: () => this.replay(d.id) }, 'replay alone')))))
      )
      : h('p', { class: 'sub' }, 'None.'));
  }

  /** Lives one device of the run alone, from its replay id (Fleet.replay), and shows its milestone log. */
  private replay(id: string): void {
    if (!this.description) return;
    const out = this.el.replay!;
    out.hidden = false;
    out.textContent = `replaying ${id}…`;
    const w = new Worker(new URL('./workers/fleet.ts', import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<FleetMessage>) => {
      const m = e.data;
      w.terminate();
      if (m.type === 'replay') out.textContent = `${m.id} — alone, as in the fleet (brickproof fleet FLEET.json --replay '${m.id}' --log):\n${m.log.join('\n')}\n# ends on ${m.final.version}, ${m.final.confirmed ? 'confirmed' : 'not confirmed'}${m.final.bricked ? ', BRICKED' : ''}`;
      else if (m.type === 'error') out.textContent = `error: ${m.message}`;
    };
    w.postMessage({ type: 'replay', description: this.description, id } satisfies FleetRequest);
  }
}

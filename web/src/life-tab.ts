/** The device-life tab: a form for one life, and its timeline and milestone log. */
import { AIM_PHASES, allProfiles, BEHAVIOURS, FAULT_MODELS, resolveProfile, type AimPhase, type Behaviour, type BootStrategy, type FaultModel } from 'brickproof';
import { LifeView } from './life/view.js';
import { field, h, options } from './ui.js';

export class LifeTab {
  readonly root: HTMLElement;
  readonly view: LifeView;
  private readonly f: Record<'device' | 'strategy' | 'behaviour' | 'upgrade' | 'aim' | 'fault', HTMLSelectElement> & Record<'days' | 'seed' | 'losses' | 'fraction' | 'chunkLoss', HTMLInputElement> & { thenGood: HTMLInputElement };

  constructor(private readonly say: (text: string, error?: boolean) => void) {
    this.view = new LifeView(say);
    this.f = {
      device: h('select', { id: 'life-device', onchange: () => this.deviceChanged() }),
      strategy: h('select', { id: 'life-strategy' }),
      behaviour: h('select', { id: 'life-behaviour' }),
      upgrade: h('select', { id: 'life-upgrade' }),
      aim: h('select', { id: 'life-aim' }),
      fault: h('select', { id: 'life-fault' }),
      days: h('input', { id: 'life-days', type: 'number', min: 0.01, step: 'any', value: 1, style: 'width:5em' }),
      seed: h('input', { id: 'life-seed', type: 'number', min: 1, value: 1, style: 'width:5em' }),
      losses: h('input', { id: 'life-losses', type: 'number', min: 0, step: 'any', value: 0, style: 'width:5em' }),
      fraction: h('input', { id: 'life-fraction', type: 'number', min: 0, max: 1, step: 0.05, value: 0.5, style: 'width:5em' }),
      chunkLoss: h('input', { id: 'life-chunk-loss', type: 'number', min: 0, max: 0.9, step: 0.01, value: 0, style: 'width:5em' }),
      thenGood: h('input', { id: 'life-then-good', type: 'checkbox', checked: true }),
    };
    const f = this.f;
    options(f.device, allProfiles().map((p) => p.name), 'nrf52840');
    options(f.behaviour, BEHAVIOURS.map((b) => b), 'crash-at-boot');
    options(f.upgrade, [{ value: 'test', label: 'test (boot_set_pending(0))' }, { value: 'permanent', label: 'permanent (1)' }]);
    options(f.aim, [{ value: '', label: 'none' }, ...AIM_PHASES.map((p) => p)]);
    options(f.fault, FAULT_MODELS.map((x) => x), 'cut');
    this.deviceChanged();
    f.strategy.value = 'swap-move';
    const form = h('form', { class: 'scenario', id: 'life-form', onsubmit: (e: Event) => { e.preventDefault(); this.run(); } },
      field('device', f.device), field('strategy', f.strategy), field('release v2.0.0 behaviour', f.behaviour, 'what the new firmware does once booted (its behaviour TLV)'),
      h('label', { class: 'field check' }, h('span', {}, 'then v2.1.0'), h('span', {}, f.thenGood, ' healthy')),
      field('upgrade', f.upgrade), field('days', f.days), field('seed', f.seed), field('power losses/day', f.losses),
      field('aimed power loss', f.aim, 'one power loss at a fraction of this phase'), field('at fraction', f.fraction), field('fault', f.fault), field('chunk loss', f.chunkLoss),
      h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'life-run' }, 'Live it')),
    );
    this.root = h('div', { id: 'view-life', role: 'tabpanel', 'aria-labelledby': 'tab-life', hidden: true }, form, this.view.root);
  }

  private deviceChanged(): void {
    const p = allProfiles().find((x) => x.name === this.f.device.value)!;
    const excluded = resolveProfile(p).excluded;
    const cur = this.f.strategy.value;
    const list = (['overwrite-only', 'swap-scratch', 'swap-move', 'swap-offset'] as BootStrategy[]).filter((s) => !excluded.includes(s));
    options(this.f.strategy, list, list.includes(cur as BootStrategy) ? cur : list.includes('swap-move') ? 'swap-move' : list[0]);
  }

  run(): void {
    const f = this.f;
    const num = (el: HTMLInputElement, what: string, min: number, max = Infinity) => {
      const v = Number(el.value);
      if (!Number.isFinite(v) || v < min || v > max) throw new Error(`${what} '${el.value}' must be a number from ${min}${max < Infinity ? ` to ${max}` : ''}`);
      return v;
    };
    try {
      const days = num(f.days, 'days', 0.001, 60);
      this.view.run({
        device: f.device.value,
        strategy: f.strategy.value as BootStrategy,
        behaviour: f.behaviour.value as Behaviour,
        thenGood: f.thenGood.checked,
        permanent: f.upgrade.value === 'permanent',
        days,
        seed: Math.floor(num(f.seed, 'seed', 1)),
        lossesPerDay: num(f.losses, 'power losses per day', 0),
        fault: f.fault.value as FaultModel,
        ...(f.aim.value ? { aimed: { phase: f.aim.value as AimPhase, fraction: num(f.fraction, 'fraction', 0, 1) } } : {}),
        chunkLoss: num(f.chunkLoss, 'chunk loss', 0, 0.9),
      });
    } catch (e) {
      this.say((e as Error).message, true);
    }
  }
}

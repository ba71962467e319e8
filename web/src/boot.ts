/**
 * The bootloader tab: one scenario form (device or pasted device file, strategy or a
 * historical bug variant, upgrade kind, image sizes, fault), the stepper it loads and the
 * campaign strip it runs — a strip cell loads its scenario into the stepper at its cut.
 */
import {
  allProfiles, FAULT_MODELS, parseDeviceFile, resolveProfile, STRATEGY_INFO, UPGRADE_KINDS, VARIANTS,
  type BootStrategy, type CampaignSpec, type DeviceProfile, type FaultModel, type Upgrade,
} from 'brickproof';
import { CampaignStrip } from './campaign/strip.js';
import { FlashView } from './flash/view.js';
import { field, h, options } from './ui.js';

const PASTED = '(pasted device file)';

const EXAMPLE_DEVICE = `{
  "name": "my-board",
  "flash": [{ "id": 0, "sectors": [[4096, 128]], "writeAlign": 8, "erasedValue": 255 }],
  "areas": {
    "primary":   { "flash": 0, "offset": 65536,  "size": 131072 },
    "secondary": { "flash": 0, "offset": 196608, "size": 131072 },
    "scratch":   { "flash": 0, "offset": 327680, "size": 16384 }
  }
}`;

/** `max`, `65536`, `64K`, `64KiB`, `0x10000`. */
export function parseSize(v: string, what: string): number | 'max' {
  const t = v.trim().toLowerCase();
  if (t === 'max' || t === '') return 'max';
  const m = /^(0x[0-9a-f]+|\d+)\s*(k|kib|kb)?$/.exec(t);
  if (!m) throw new Error(`${what} '${v}' must be a byte count (65536, 64K, 0x10000) or max`);
  const n = Number(m[1]) * (m[2] ? 1024 : 1);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${what} '${v}' must be positive`);
  return n;
}

export class BootTab {
  readonly root: HTMLElement;
  readonly stepper: FlashView;
  readonly strip: CampaignStrip;
  private pasted: DeviceProfile | undefined;
  private readonly f: {
    device: HTMLSelectElement; strategy: HTMLSelectElement; upgrade: HTMLSelectElement; fault: HTMLSelectElement; size: HTMLInputElement; v1size: HTMLInputElement;
    v1trailer: HTMLSelectElement; maxAlign: HTMLSelectElement; maxSectors: HTMLInputElement; seed: HTMLInputElement; preset: HTMLSelectElement; paste: HTMLTextAreaElement;
  };

  constructor(private readonly say: (text: string, error?: boolean) => void) {
    this.stepper = new FlashView(say);
    this.strip = new CampaignStrip((spec, cut) => void this.pick(spec, cut), say);
    this.f = {
      device: h('select', { id: 'device', onchange: () => this.deviceChanged() }),
      strategy: h('select', { id: 'strategy' }),
      upgrade: h('select', { id: 'upgrade' }),
      fault: h('select', { id: 'fault' }),
      size: h('input', { id: 'image-size', value: 'max', size: 8, spellcheck: false }),
      v1size: h('input', { id: 'v1-size', value: '', placeholder: 'same', size: 8, spellcheck: false }),
      v1trailer: h('select', { id: 'v1-trailer' }),
      maxAlign: h('select', { id: 'max-align' }),
      maxSectors: h('input', { id: 'max-sectors', value: '', placeholder: '128', size: 5 }),
      seed: h('input', { id: 'seed', type: 'number', value: 1, min: 1, style: 'width:5em' }),
      preset: h('select', { id: 'preset', onchange: () => this.preset() }),
      paste: h('textarea', { id: 'device-file', rows: 10, cols: 70, spellcheck: false, 'aria-label': 'device file (JSON)' }, EXAMPLE_DEVICE),
    };
    const f = this.f;
    options(f.device, allProfiles().map((p) => p.name), 'nrf52840');
    options(f.upgrade, UPGRADE_KINDS.map((u) => u), 'test');
    options(f.fault, FAULT_MODELS.map((x) => x), 'cut');
    options(f.v1trailer, [{ value: '', label: 'none' }, { value: 'pad', label: 'imgtool --pad' }, { value: 'pad-confirm', label: '--pad --confirm' }]);
    options(f.maxAlign, ['8', '16', '32'], '8');
    options(f.preset, [{ value: '', label: 'historical MCUboot bugs…' }, ...VARIANTS.map((v) => ({ value: v.name, label: `${v.name}: ${v.summary.split(':')[0]}` }))]);
    this.deviceChanged();
    const form = h('form', { class: 'scenario', id: 'scenario', onsubmit: (e: Event) => { e.preventDefault(); void this.load(); } },
      field('device', f.device), field('strategy', f.strategy, 'strategies this layout runs; test-only historical variants below'), field('upgrade', f.upgrade), field('fault', f.fault, 'what the interrupted operation does'),
      field('image size', f.size, 'total bytes of the update (header + body + TLVs), or max'), field('v1 size', f.v1size, 'the running image, when its size differs'),
      field('v1 trailer', f.v1trailer), field('BOOT_MAX_ALIGN', f.maxAlign), field('max sectors', f.maxSectors, 'MCUBOOT_MAX_IMG_SECTORS'), field('seed', f.seed),
      field('preset', f.preset, 'the campaign that exposes each historical bug'),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', id: 'load', title: 'record the update and load it into the stepper (l)' }, 'Load into stepper'),
        h('button', { type: 'button', id: 'run-campaign', title: 'cut the power at every operation, in a Web Worker (c)', onclick: () => this.campaign() }, 'Run campaign'),
      ),
    );
    const paste = h('details', { class: 'paste' }, h('summary', {}, 'Paste a device file'),
      h('p', { class: 'sub' }, 'The JSON of `--device-file` (README, "The bootloader on a flash dump"). It is checked as the command line checks it.'),
      f.paste, h('br'), h('button', { type: 'button', id: 'use-device-file', onclick: () => this.usePasted() }, 'Use this device'));
    this.root = h('div', { id: 'view-boot', role: 'tabpanel', 'aria-labelledby': 'tab-boot' }, form, paste, this.stepper.root, this.strip.root);
  }

  private deviceChanged(): void {
    const profile = this.profile();
    const excluded = resolveProfile(profile).excluded;
    const current = this.f.strategy.value || 'swap-scratch';
    const strategies = (Object.keys(STRATEGY_INFO) as BootStrategy[]).filter((s) => ['overwrite-only', 'swap-scratch', 'swap-move', 'swap-offset'].includes(s) && !excluded.includes(s));
    options(this.f.strategy, [
      ...strategies.map((s) => ({ value: s, label: s })),
      ...VARIANTS.filter((v) => strategies.includes(v.strategy)).map((v) => ({ value: v.name, label: v.name, group: 'historical bugs (test-only)' })),
    ], strategies.includes(current as BootStrategy) || VARIANTS.some((v) => v.name === current) ? current : strategies.includes('swap-scratch') ? 'swap-scratch' : strategies[0]);
  }

  private profile(): DeviceProfile {
    if (this.f.device.value === PASTED && this.pasted) return this.pasted;
    return allProfiles().find((p) => p.name === this.f.device.value) ?? allProfiles()[0]!;
  }

  private usePasted(): void {
    try {
      const p = parseDeviceFile(this.f.paste.value, 'pasted device file', 'pasted');
      resolveProfile(p);
      this.pasted = p;
      options(this.f.device, [...allProfiles().map((x) => x.name), { value: PASTED, label: `${p.name} (pasted)` }], PASTED);
      this.deviceChanged();
      this.say(`device file accepted: ${p.name}`);
    } catch (e) {
      this.say((e as Error).message, true);
    }
  }

  private preset(): void {
    const v = VARIANTS.find((x) => x.name === this.f.preset.value);
    if (!v) return;
    const e = v.exposedBy;
    this.f.device.value = e.device;
    this.deviceChanged();
    this.f.strategy.value = v.name;
    this.f.upgrade.value = e.upgrade;
    this.f.fault.value = e.fault;
    this.f.size.value = 'max';
    this.f.v1size.value = e.v1Size ? String(e.v1Size) : '';
    this.f.v1trailer.value = e.v1Trailer ?? '';
    this.f.maxAlign.value = String(e.maxAlign ?? 8);
    this.f.maxSectors.value = e.maxSectors ? String(e.maxSectors) : '';
    this.say(`${v.name}: ${v.summary}. Run the campaign, then click a failing cell (or press n, Enter).`);
  }

  spec(): CampaignSpec {
    const f = this.f;
    const profile = this.profile();
    const [strategy, variant] = f.strategy.value.split('@') as [BootStrategy, string | undefined];
    const size = parseSize(f.size.value, 'image size');
    const v1 = f.v1size.value.trim() ? parseSize(f.v1size.value, 'v1 size') : undefined;
    if (v1 === 'max') throw new Error("v1 size 'max': leave it empty for the update's size");
    const maxAlign = Number(f.maxAlign.value) as 8 | 16 | 32;
    const maxSectors = f.maxSectors.value.trim() ? Number(f.maxSectors.value) : undefined;
    if (maxSectors !== undefined && !(Number.isInteger(maxSectors) && maxSectors >= 1 && maxSectors <= 4096)) throw new Error(`max sectors '${f.maxSectors.value}' must be an integer from 1 to 4096`);
    const seed = Number(f.seed.value);
    if (!Number.isInteger(seed) || seed < 1) throw new Error(`seed '${f.seed.value}' must be a positive integer`);
    return {
      device: profile.name,
      ...(f.device.value === PASTED ? { deviceProfile: profile } : {}),
      strategy,
      ...(variant ? { variant } : {}),
      upgrade: f.upgrade.value as Upgrade,
      plan: 'exhaustive',
      fault: f.fault.value as FaultModel,
      imageSize: size,
      ...(v1 !== undefined ? { v1Size: v1 } : {}),
      ...(f.v1trailer.value ? { v1Trailer: f.v1trailer.value as 'pad' | 'pad-confirm' } : {}),
      ...(maxAlign !== 8 ? { maxAlign } : {}),
      ...(maxSectors !== undefined ? { maxSectors } : {}),
      seed,
      sample: 0,
    };
  }

  async load(): Promise<void> {
    try {
      await this.stepper.load(this.spec());
    } catch (e) {
      this.say((e as Error).message, true);
    }
  }

  campaign(): void {
    try {
      this.strip.run(this.spec());
    } catch (e) {
      this.say((e as Error).message, true);
    }
  }

  private async pick(spec: CampaignSpec, cut: number): Promise<void> {
    try {
      if (cut === 0) await this.stepper.load(spec);
      else await this.stepper.loadCut(spec, cut);
      this.stepper.root.scrollIntoView({ block: 'start' });
      this.stepper.focus();
    } catch (e) {
      this.say((e as Error).message, true);
    }
  }

  key(e: KeyboardEvent): boolean {
    if (e.key === 'l') {
      void this.load();
      return true;
    }
    if (e.key === 'c') {
      this.campaign();
      return true;
    }
    return this.stepper.key(e);
  }
}

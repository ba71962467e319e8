/** Small DOM helpers: the page is plain DOM, SVG and canvas. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

function build<E extends Element>(el: E, attrs: Attrs | undefined, children: Child[]): E {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'object' ? c : String(c));
  return el;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K] {
  return build(document.createElement(tag), attrs, children);
}

const SVG = 'http://www.w3.org/2000/svg';
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): SVGElementTagNameMap[K] {
  return build(document.createElementNS(SVG, tag), attrs, children);
}

export function $<E extends Element = HTMLElement>(sel: string, root: ParentNode = document): E {
  const el = root.querySelector<E>(sel);
  if (!el) throw new Error(`no element ${sel}`);
  return el;
}

export function options(select: HTMLSelectElement, items: Array<string | { value: string; label: string; group?: string }>, value?: string): void {
  select.replaceChildren();
  const groups = new Map<string, HTMLOptGroupElement>();
  for (const it of items) {
    const o = typeof it === 'string' ? { value: it, label: it } : it;
    const opt = h('option', { value: o.value }, o.label);
    const group = typeof it === 'string' ? undefined : it.group;
    if (group) {
      let g = groups.get(group);
      if (!g) select.append((g = h('optgroup', { label: group })));
      g.append(opt);
    } else select.append(opt);
  }
  if (value !== undefined && items.some((it) => (typeof it === 'string' ? it : it.value) === value)) select.value = value;
}

/** A labelled form control, label above, for dense forms. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  return h('label', { class: 'field', ...(hint ? { title: hint } : {}) }, h('span', {}, label), control);
}

export const hex = (n: number) => `0x${n.toString(16)}`;

export function bytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / 1024 / 1024} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} B`;
}

/** Whether a key event belongs to a text field (shortcuts then stay out of its way). */
export function typing(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  const tag = t.tagName;
  return tag === 'TEXTAREA' || (tag === 'INPUT' && !['range', 'checkbox', 'radio', 'button'].includes((t as HTMLInputElement).type)) || tag === 'SELECT' || t.isContentEditable;
}

/** A canvas sized for the device pixel ratio; returns its 2D context in CSS pixels. */
export function fitCanvas(c: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const dpr = Math.max(1, Math.min(3, self.devicePixelRatio || 1));
  c.width = Math.round(width * dpr);
  c.height = Math.round(height * dpr);
  c.style.width = `${width}px`;
  c.style.height = `${height}px`;
  const ctx = c.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/** Canvas hatch patterns, so that no outcome or state is told by colour alone. */
export type Hatch = 'none' | 'diag' | 'back' | 'cross' | 'dots' | 'horiz' | 'vert';

export function pattern(ctx: CanvasRenderingContext2D, fill: string, hatch: Hatch, ink = 'rgba(0,0,0,0.55)'): CanvasPattern | string {
  if (hatch === 'none') return fill;
  const n = 6;
  const c = new OffscreenCanvas(n, n);
  const p = c.getContext('2d')!;
  p.fillStyle = fill;
  p.fillRect(0, 0, n, n);
  p.strokeStyle = ink;
  p.fillStyle = ink;
  p.lineWidth = 1;
  p.beginPath();
  if (hatch === 'diag' || hatch === 'cross') {
    p.moveTo(0, n);
    p.lineTo(n, 0);
    p.moveTo(-1, 1);
    p.lineTo(1, -1);
    p.moveTo(n - 1, n + 1);
    p.lineTo(n + 1, n - 1);
  }
  if (hatch === 'back' || hatch === 'cross') {
    p.moveTo(0, 0);
    p.lineTo(n, n);
  }
  if (hatch === 'horiz') {
    p.moveTo(0, n / 2 + 0.5);
    p.lineTo(n, n / 2 + 0.5);
  }
  if (hatch === 'vert') {
    p.moveTo(n / 2 + 0.5, 0);
    p.lineTo(n / 2 + 0.5, n);
  }
  p.stroke();
  if (hatch === 'dots') p.fillRect(2, 2, 2, 2);
  return ctx.createPattern(c, 'repeat') ?? fill;
}

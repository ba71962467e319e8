/**
 * The flash map: every sector of the primary, secondary and scratch areas as a cell, its
 * blocks drawn left (low addresses) to right in the colour and hatch of whose bytes they
 * are, with a letter and the image sector it holds — so that neither colour nor hatch alone
 * carries the meaning. The operation of the current step is outlined.
 */
import { ERASED, NEW, OLD, OTHER, TRAILER, type AreaView, type SectorSummary } from './content.js';
import { bytes, hex } from '../ui.js';

export const CLASS_STYLE = [
  { fill: '#f3f3ef', pattern: 'p-erased', letter: '·', name: 'erased' },
  { fill: '#0072b2', pattern: 'p-old', letter: '1', name: 'old image (v1)' },
  { fill: '#e69f00', pattern: 'p-new', letter: '2', name: 'new image (v2)' },
  { fill: '#cc79a7', pattern: 'p-trailer', letter: 'T', name: 'trailer / status' },
  { fill: '#d55e00', pattern: 'p-other', letter: '?', name: 'other bytes (torn, foreign)' },
] as const;

/** SVG pattern definitions, shared by the map and the legend. */
export const PATTERNS = `
<pattern id="p-erased" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#f3f3ef"/></pattern>
<pattern id="p-old" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#0072b2"/><path d="M0 6L6 0M-1 1L1 -1M5 7L7 5" stroke="#ffffff" stroke-opacity=".45" stroke-width="1.2"/></pattern>
<pattern id="p-new" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="#e69f00"/><circle cx="2.5" cy="2.5" r="0.9" fill="#000" fill-opacity=".4"/></pattern>
<pattern id="p-trailer" width="6" height="4" patternUnits="userSpaceOnUse"><rect width="6" height="4" fill="#cc79a7"/><path d="M0 2H6" stroke="#000" stroke-opacity=".4"/></pattern>
<pattern id="p-other" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#d55e00"/><path d="M0 6L6 0M0 0L6 6" stroke="#000" stroke-opacity=".5"/></pattern>`;

export interface MapArea {
  view: AreaView;
  sectors: SectorSummary[];
}

export interface Highlight {
  area: number;
  offset: number;
  length: number;
  kind: 'E' | 'W' | 'F';
  cut: boolean;
}

const LABEL_W = 112;
const CELL_H = 34;
const ROW_GAP = 30;

interface Placed {
  x: number;
  /** Row within the area. */
  row: number;
  w: number;
}

/**
 * Where each sector goes: every area on one byte scale (a 64 KiB sector is eight times as
 * wide as an 8 KiB one), cells of the smallest sector at least 22 px wide, in as few rows
 * of equal length as that allows.
 */
function place(areas: MapArea[], avail: number): { cellW: number; placed: Placed[][]; rows: number[] } {
  const unit = Math.min(...areas.flatMap((a) => a.sectors.map((s) => s.size)));
  const maxUnits = Math.max(...areas.map((a) => a.view.area.size / unit));
  const rowsNeeded = Math.max(1, Math.ceil((maxUnits * 22) / avail));
  const unitsPerRow = Math.ceil(maxUnits / rowsNeeded);
  const cellW = Math.max(6, Math.min(40, Math.floor(avail / unitsPerRow)));
  const rowW = unitsPerRow * cellW;
  const placed: Placed[][] = [];
  const rows: number[] = [];
  for (const a of areas) {
    let x = 0;
    let row = 0;
    const out: Placed[] = [];
    for (const sec of a.sectors) {
      const w = Math.min(rowW, Math.max(cellW, Math.round((sec.size / unit) * cellW)));
      if (x > 0 && x + w > rowW) {
        row++;
        x = 0;
      }
      out.push({ x: LABEL_W + x, row, w });
      x += w;
    }
    placed.push(out);
    rows.push(row + 1);
  }
  return { cellW, placed, rows };
}

/** Renders the map as SVG markup (one string: redrawn at every step while playing). */
export function mapSvg(areas: MapArea[], width: number, hl: Highlight | undefined): string {
  const avail = Math.max(200, width - LABEL_W - 8);
  const { placed, rows } = place(areas, avail);
  let y = 16;
  const parts: string[] = [];
  areas.forEach((a, k) => {
    const ar = a.view.area;
    const sizes = new Set(ar.sectorSizes);
    const geom = sizes.size === 1 ? `${ar.sectorCount} × ${bytes(ar.sectorSizes[0]!)}` : `${ar.sectorCount} sectors: ${[...sizes].map((z) => bytes(z)).join(', ')}`;
    parts.push(`<text class="area-name" x="0" y="${y + 12}">${ar.name}</text>`);
    parts.push(`<text class="area-geom" x="0" y="${y + 26}">${hex(ar.offset)} +${hex(ar.size)}</text>`);
    parts.push(`<text class="area-geom" x="0" y="${y + 38}">${geom}</text>`);
    const uniformSize = sizes.size === 1 ? ar.sectorSizes[0]! : 0;
    const pos = placed[k]!;
    a.sectors.forEach((sec, i) => parts.push(cellSvg(sec, pos[i]!.x, y + pos[i]!.row * (CELL_H + 14), pos[i]!.w, uniformSize, ar.name)));
    if (hl && hl.area === ar.id) parts.push(highlightSvg(a, hl, y, pos));
    y += rows[k]! * (CELL_H + 14) + ROW_GAP - 14;
  });
  const height = y - ROW_GAP + 24;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="flash map"><defs>${PATTERNS}</defs>${parts.join('')}</svg>`;
}

function cellSvg(sec: SectorSummary, x: number, y: number, w: number, uniformSize: number, area: string): string {
  const out: string[] = [];
  const inner = w - 2;
  const n = sec.columns.length;
  const tip = sectorTitle(sec, area, uniformSize);
  out.push(`<g class="cell"><title>${tip}</title>`);
  if (sec.uniform >= 0) out.push(`<rect x="${x + 1}" y="${y}" width="${inner}" height="${CELL_H}" fill="url(#${CLASS_STYLE[sec.uniform]!.pattern})"/>`);
  else {
    for (let j = 0; j < n; j++) {
      const x0 = x + 1 + (inner * j) / n;
      const x1 = x + 1 + (inner * (j + 1)) / n;
      out.push(`<rect x="${x0.toFixed(2)}" y="${y}" width="${(x1 - x0 + 0.3).toFixed(2)}" height="${CELL_H}" fill="url(#${CLASS_STYLE[sec.columns[j]!]!.pattern})"/>`);
    }
  }
  out.push(`<rect x="${x + 1}" y="${y}" width="${inner}" height="${CELL_H}" fill="none" stroke="#5a5a5a" stroke-width="0.5"/>`);
  if (w >= 11) {
    const letter = sec.uniform >= 0 ? CLASS_STYLE[sec.uniform]!.letter : 'm';
    out.push(`<text class="cell-l" x="${x + w / 2}" y="${y + 13}">${letter}</text>`);
    if (sec.imageOffset >= 0 && (sec.uniform === OLD || sec.uniform === NEW || sec.uniform < 0)) {
      const idx = uniformSize ? String(Math.round(sec.imageOffset / uniformSize)) : `${Math.round(sec.imageOffset / 1024)}K`;
      if (idx.length * 6 <= w) out.push(`<text class="cell-i" x="${x + w / 2}" y="${y + 28}">${idx}</text>`);
    }
  }
  out.push('</g>');
  return out.join('');
}

function sectorTitle(sec: SectorSummary, area: string, uniformSize: number): string {
  const parts = sec.counts.map((c, k) => (c ? `${CLASS_STYLE[k]!.name} ${Math.round((100 * c) / sec.counts.reduce((a, b) => a + b, 0))}%` : '')).filter(Boolean);
  const img = sec.imageOffset >= 0 ? `; image bytes from ${hex(sec.imageOffset)}${uniformSize ? ` (image sector ${Math.round(sec.imageOffset / uniformSize)})` : ''}` : '';
  return `${area} sector ${sec.index} @${hex(sec.offset)} (${bytes(sec.size)}): ${parts.join(', ')}${img}`;
}

function highlightSvg(a: MapArea, hl: Highlight, y: number, pos: Placed[]): string {
  const out: string[] = [];
  const end = hl.offset + Math.max(1, hl.length);
  let first = true;
  for (const sec of a.sectors) {
    if (sec.offset >= end || sec.offset + sec.size <= hl.offset) continue;
    const p = pos[sec.index]!;
    const x = p.x;
    const cellW = p.w;
    const yy = y + p.row * (CELL_H + 14);
    const colour = hl.cut ? '#d00000' : '#000';
    out.push(`<rect x="${x}" y="${yy - 2}" width="${cellW}" height="${CELL_H + 4}" fill="none" stroke="#fff" stroke-width="3"/>`);
    out.push(`<rect x="${x}" y="${yy - 2}" width="${cellW}" height="${CELL_H + 4}" fill="none" stroke="${colour}" stroke-width="1.6"${hl.cut ? ' stroke-dasharray="3 2"' : ''}/>`);
    // The exact byte range of the operation within the sector, under the cell.
    const lo = Math.max(hl.offset, sec.offset) - sec.offset;
    const hi = Math.min(end, sec.offset + sec.size) - sec.offset;
    const bx = x + 1 + ((cellW - 2) * lo) / sec.size;
    const bw = Math.max(1.5, ((cellW - 2) * (hi - lo)) / sec.size);
    out.push(`<rect x="${bx.toFixed(2)}" y="${yy + CELL_H + 3}" width="${bw.toFixed(2)}" height="4" fill="${colour}"/>`);
    if (first) {
      const tag = hl.cut ? `⚡${hl.kind}` : hl.kind;
      out.push(`<text class="op-tag" x="${x + cellW / 2}" y="${yy - 5}" fill="${colour}">${tag}</text>`);
      first = false;
    }
  }
  return out.join('');
}

/** The legend, as HTML with the same patterns. */
export function legendHtml(): string {
  const items = [ERASED, OLD, NEW, TRAILER, OTHER].map((k) => {
    const st = CLASS_STYLE[k]!;
    return `<span class="legend-item"><svg width="26" height="16" aria-hidden="true"><defs>${PATTERNS}</defs><rect width="26" height="16" fill="url(#${st.pattern})" stroke="#5a5a5a" stroke-width=".5"/><text x="13" y="12" class="cell-l">${st.letter}</text></svg>${st.name}</span>`;
  });
  items.push('<span class="legend-item"><b class="mono">m</b>&nbsp;mixed: stripes left → right = low → high addresses</span>');
  items.push('<span class="legend-item"><b class="mono">5</b>&nbsp;= holds that image\'s sector 5</span>');
  items.push('<span class="legend-item"><b class="mono">E/W</b>&nbsp;outlined: this step\'s erase/write (bar: its bytes), <b class="mono">⚡</b> cut</span>');
  return items.join('');
}

/**
 * Whose bytes a sector holds: every block of an area is looked up, by content, among the
 * blocks of the two images of the update — so a sector shows "old image, bytes 20–24 KiB"
 * wherever the bootloader has moved them — else it is erased, trailer (non-erased bytes in
 * the area's trailer: magic, flags, swap_size, status records) or something else (a torn
 * write, a half-programmed unit).
 */
import { bootTrailerSize, STRATEGY_INFO, SCRATCH, type BootloaderOptions, type Geometry } from 'brickproof';

export const ERASED = 0;
export const OLD = 1;
export const NEW = 2;
export const TRAILER = 3;
export const OTHER = 4;
export type BlockClass = typeof ERASED | typeof OLD | typeof NEW | typeof TRAILER | typeof OTHER;

export const CLASS_NAMES = ['erased', 'old image (v1)', 'new image (v2)', 'trailer / status', 'other bytes (torn or foreign)'] as const;

type Area = Geometry['areas'][number];

export interface AreaView {
  area: Area;
  erased: number;
  /** Area offset from which non-erased bytes that are no image's count as trailer. */
  trailerFrom: number;
  writeSize: number;
}

/** Bytes per block: every image starts on a sector boundary, so blocks line up with both. */
export function blockSizeOf(g: Geometry): number {
  const smallest = Math.min(...g.areas.map((a) => Math.min(...a.sectorSizes)));
  return Math.min(256, smallest);
}

export function areaViews(g: Geometry, build: Required<Pick<BootloaderOptions, 'strategy' | 'maxAlign' | 'maxSectors'>>, ids: number[]): AreaView[] {
  const states = STRATEGY_INFO[build.strategy].statusStates;
  return ids.flatMap((id) => {
    const area = g.areas.find((a) => a.id === id);
    if (!area) return [];
    const dev = g.devices.find((d) => d.id === area.device)!;
    const sizes = bootTrailerSize({ writeSize: dev.writeAlign, maxAlign: build.maxAlign, maxSectors: build.maxSectors, states, swapOffset: build.strategy === 'swap-offset' });
    const trailer = id === SCRATCH ? states * dev.writeAlign + sizes.infoSize : sizes.total;
    return [{ area, erased: dev.erasedValue, trailerFrom: Math.max(0, area.size - trailer), writeSize: dev.writeAlign }];
  });
}

function hashWords(w: Uint32Array, from: number, n: number): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = from; i < from + n; i++) {
    const x = w[i]!;
    a = Math.imul(a ^ x, 0x01000193);
    b = Math.imul(b ^ ((x >>> 7) | (x << 25)), 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

export interface Classified {
  cls: Uint8Array;
  /** For image blocks: the byte offset within that image; else -1. */
  imageOffset: Int32Array;
}

export class ContentIndex {
  private readonly map = new Map<number, number>();
  private readonly scratch: Uint32Array;

  constructor(
    readonly block: number,
    images: { v1: Uint8Array; v2: Uint8Array },
    erasedValues: number[],
  ) {
    this.scratch = new Uint32Array(block / 4);
    const buf = new Uint8Array(this.scratch.buffer);
    for (const [img, bytes] of [[OLD, images.v1], [NEW, images.v2]] as const) {
      for (let off = 0; off < bytes.length; off += block) {
        for (const e of new Set(erasedValues)) {
          buf.fill(e);
          buf.set(bytes.subarray(off, Math.min(bytes.length, off + block)));
          this.map.set(hashWords(this.scratch, 0, block / 4), img * 0x1000000 + off);
        }
      }
    }
  }

  /** Classifies every block of an area whose bytes are `bytes` (a 4-aligned view). */
  classify(bytes: Uint8Array, view: AreaView): Classified {
    const b = this.block;
    const n = Math.ceil(bytes.length / b);
    const cls = new Uint8Array(n);
    const imageOffset = new Int32Array(n).fill(-1);
    const aligned = bytes.byteOffset % 4 === 0 && bytes.length % 4 === 0;
    const words = aligned ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4) : new Uint32Array(bytes.slice().buffer, 0, Math.floor(bytes.length / 4));
    const erasedWord = view.erased === 0 ? 0 : (view.erased * 0x01010101) >>> 0;
    const wpb = b / 4;
    for (let k = 0; k < n; k++) {
      const w0 = k * wpb;
      let erased = true;
      for (let i = w0; i < w0 + wpb; i++) {
        if (words[i] !== erasedWord) {
          erased = false;
          break;
        }
      }
      if (erased) continue;
      const hit = this.map.get(hashWords(words, w0, wpb));
      if (hit !== undefined) {
        cls[k] = Math.floor(hit / 0x1000000);
        imageOffset[k] = hit % 0x1000000;
      } else cls[k] = k * b >= view.trailerFrom || (k + 1) * b > view.trailerFrom ? TRAILER : OTHER;
    }
    return { cls, imageOffset };
  }
}

export interface SectorSummary {
  index: number;
  offset: number;
  size: number;
  /** Blocks per class. */
  counts: number[];
  /** The sector's class when all its blocks agree, else -1 (mixed). */
  uniform: number;
  /** For an image sector: the image offset its first block holds. */
  imageOffset: number;
  /** Up to `columns` classes, low address first, each the most telling class of its blocks. */
  columns: number[];
}

/** Priority of a class within a downsampled column: a trailer or torn byte must stay visible. */
const TELLS = [0, 2, 2, 4, 3];

export function summarize(view: AreaView, c: Classified, block: number, columns = 16): SectorSummary[] {
  const out: SectorSummary[] = [];
  let offset = 0;
  view.area.sectorSizes.forEach((size, index) => {
    const from = offset / block;
    const to = Math.min(c.cls.length, (offset + size) / block);
    const counts = [0, 0, 0, 0, 0];
    for (let k = from; k < to; k++) counts[c.cls[k]!]!++;
    const present = counts.filter((x) => x > 0).length;
    const uniform = present === 1 ? counts.findIndex((x) => x > 0) : -1;
    const nCols = Math.min(columns, to - from);
    const cols: number[] = [];
    for (let j = 0; j < nCols; j++) {
      const a = from + Math.floor(((to - from) * j) / nCols);
      const z = from + Math.floor(((to - from) * (j + 1)) / nCols);
      const cc = [0, 0, 0, 0, 0];
      for (let k = a; k < z; k++) cc[c.cls[k]!]!++;
      let best = 0;
      for (let x = 1; x < 5; x++) {
        if (cc[x] === 0) continue;
        if (TELLS[x]! > TELLS[best]! || (TELLS[x] === TELLS[best] && cc[x]! > cc[best]!) || cc[best] === 0) best = x;
      }
      cols.push(best);
    }
    let imageOffset = -1;
    for (let k = from; k < to; k++) {
      if (c.imageOffset[k]! >= 0) {
        imageOffset = c.imageOffset[k]! - (k - from) * block;
        break;
      }
    }
    out.push({ index, offset, size, counts, uniform, imageOffset, columns: cols });
    offset += size;
  });
  return out;
}

/**
 * The largest image (header + payload + both TLV blocks) a bootloader accepts in a slot,
 * per upgrade strategy: MCUboot's `bootutil_max_image_size` (reference mcuboot.md §3.8).
 */
import { alignDown, alignUp } from './layout.js';
import { DEFAULT_MAX_ALIGN, DEFAULT_MAX_SECTORS, bootTrailerSize, statesPerSector, trailerLayout } from './trailer.js';

export const STRATEGIES = ['overwrite-only', 'swap-scratch', 'swap-move', 'swap-offset', 'direct-xip', 'ram-load'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface SlotGeometry {
  slotSize: number;
  /** Uniform sector size of the slots (swap-move / swap-offset / scratch padding). Default 4096. */
  sectorSize?: number;
  /** Real flash write size (1..32). Default 8. */
  writeSize?: number;
  /** BOOT_MAX_ALIGN. Default 8. */
  maxAlign?: number;
  /** BOOT_MAX_IMG_SECTORS. Default 128. */
  maxSectors?: number;
  /** Secondary slot size when it differs from the primary's (swap-move / swap-offset). */
  secondarySlotSize?: number;
}

export function maxImageSize(strategy: Strategy, g: SlotGeometry): number {
  const a = g.maxAlign ?? DEFAULT_MAX_ALIGN;
  const sec = g.sectorSize ?? 4096;
  const writeSize = g.writeSize ?? 8;
  const S = g.slotSize;
  if (strategy === 'overwrite-only' || strategy === 'direct-xip' || strategy === 'ram-load') {
    return trailerLayout(S, a).swapInfoOffset;
  }
  const states = statesPerSector(strategy);
  const trailer = bootTrailerSize({ writeSize, maxAlign: a, maxSectors: g.maxSectors ?? DEFAULT_MAX_SECTORS, states, swapOffset: strategy === 'swap-offset' }).total;
  if (strategy === 'swap-scratch') {
    // The scratch trailer (one sector index's records + info) must fit in the part of the
    // slot trailer that lies in the trailer's first sector; otherwise MCUboot keeps padding.
    const scratchTrailer = states * writeSize + bootTrailerSize({ writeSize, maxAlign: a, maxSectors: 0 }).infoSize;
    const trailerOff = S - trailer;
    const inFirstSector = alignDown(trailerOff, sec) + sec - trailerOff;
    const padding = inFirstSector < scratchTrailer ? scratchTrailer - inFirstSector : 0;
    return trailerOff - padding;
  }
  const priSectors = Math.floor(S / sec);
  const secSectors = Math.floor((g.secondarySlotSize ?? S) / sec);
  const trailerSectors = alignUp(trailer, sec);
  if (strategy === 'swap-move') {
    return Math.min(priSectors * sec - trailerSectors - sec, secSectors * sec - trailerSectors);
  }
  return Math.min(priSectors * sec - trailerSectors, secSectors * sec - trailerSectors - sec);
}

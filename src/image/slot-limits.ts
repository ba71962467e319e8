/**
 * The largest image (header + payload + both TLV blocks) a bootloader accepts in a slot,
 * per upgrade strategy: MCUboot's `bootutil_max_image_size` (reference mcuboot.md §3.8).
 */
import { alignDown, alignUp } from './layout.js';
import { STRATEGY_INFO, type Strategy } from './strategy.js';
import { DEFAULT_MAX_ALIGN, DEFAULT_MAX_SECTORS, bootTrailerSize, trailerLayout } from './trailer.js';

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
  const info = STRATEGY_INFO[strategy];
  if (info.slotOverhead === 'trailer-fields') return trailerLayout(S, a).swapInfoOffset;
  const states = info.statusStates;
  const trailer = bootTrailerSize({ writeSize, maxAlign: a, maxSectors: g.maxSectors ?? DEFAULT_MAX_SECTORS, states, swapOffset: strategy === 'swap-offset' }).total;
  if (info.slotOverhead === 'trailer') {
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
  if (info.slotOverhead === 'trailer-sectors+primary-sector') {
    return Math.min(priSectors * sec - trailerSectors - sec, secSectors * sec - trailerSectors);
  }
  return Math.min(priSectors * sec - trailerSectors, secSectors * sec - trailerSectors - sec);
}

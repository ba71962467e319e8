/**
 * Staging images onto a device, as a programmer flashes the running image and the
 * application's upload puts the update in the secondary slot — the one place that knows
 * where each strategy wants the update (swap-offset: one sector in, reference mcuboot.md
 * §5.4) and what imgtool's `--pad` / `--pad --confirm` leave at the end of a slot (§3.2,
 * §3.5). `simulate`, `demo`, the campaigns and the tests all stage through here.
 */
import { UsageError } from '../errors.js';
import type { PowerCut, ResolvedArea } from '../core/index.js';
import { imageSizeOf } from '../image/parse.js';
import { STRATEGY_INFO, type BootStrategy } from '../image/strategy.js';
import { bootMagic, trailerLayout } from '../image/trailer.js';
import type { Device } from './device.js';
import { PRIMARY, SECONDARY } from './geometry.js';

/** How the running image was flashed: imgtool `--pad` (magic) or `--pad --confirm` (magic and image_ok). */
export type RunningTrailer = 'pad' | 'pad-confirm';

/** Where the update's image starts in the secondary slot: 0, or one sector in for swap-offset. */
export function updateOffset(secondary: ResolvedArea, strategy: BootStrategy): number {
  return STRATEGY_INFO[strategy].updateOffset === 'one-sector' ? secondary.sectorSizes[0] : 0;
}

/**
 * Where an image's header may start in a slot: at its start, or one sector in (an update
 * staged for swap-offset, which an interrupted or reverted swap may leave there).
 */
export function headerOffsets(slot: ResolvedArea): number[] {
  return [0, slot.sectorSizes[0]];
}

/** What imgtool `--pad` writes at the end of a slot for this build: the magic; with `confirm`, image_ok = 0x01. */
export function padTrailer(dev: Device, area: number, confirm: boolean): void {
  const maxAlign = dev.options.maxAlign;
  const layout = trailerLayout(dev.core.area(area).size, maxAlign);
  dev.core.place(area, layout.magicOffset, bootMagic(maxAlign));
  if (confirm) dev.core.place(area, layout.imageOkOffset, Uint8Array.of(1));
}

/**
 * Refuses, in one line, an image the bootloader would reject for its size (bootutil_max_image_size,
 * §3.8) or that does not fit its slot at `offset`. `what` names it ("primary image").
 */
export function checkFits(dev: Device, what: string, image: Uint8Array, area: typeof PRIMARY | typeof SECONDARY, offset: number): void {
  const slot = dev.core.area(area);
  const max = dev.maxImageSize(area === PRIMARY ? 0 : 1);
  const size = imageSizeOf(image);
  if (size !== undefined && size > max) {
    throw new UsageError(`${what} is ${size} bytes (header + body + TLVs) but ${dev.options.strategy} on ${dev.geometry.name} allows at most ${max}`);
  }
  if (offset + image.length > slot.size) throw new UsageError(`${what} file is ${image.length} bytes, larger than the ${slot.size}-byte ${slot.name} slot`);
}

export interface Staging {
  /** The running image, at the start of the primary slot. */
  running: Uint8Array;
  /** The update, in the secondary slot where the strategy wants it. */
  update: Uint8Array;
  /** The running image's trailer as flashed; none when absent. */
  runningTrailer?: RunningTrailer;
  /** boot_set_pending(1) (a permanent upgrade) rather than boot_set_pending(0). */
  permanent: boolean;
}

/**
 * Erases the whole flash, places both images and requests the upgrade. Returns
 * boot_set_pending's rc (0 ok) — or the PowerCut, when a cut was armed.
 */
export function stage(dev: Device, s: Staging): number | PowerCut {
  const flash = dev.core.flash;
  for (const d of dev.geometry.devices) flash.fill(d.erasedValue, d.base, d.base + d.size);
  dev.core.place(PRIMARY, 0, s.running);
  if (s.runningTrailer) padTrailer(dev, PRIMARY, s.runningTrailer === 'pad-confirm');
  dev.core.place(SECONDARY, updateOffset(dev.core.area(SECONDARY), dev.options.strategy), s.update);
  return dev.setPending(s.permanent);
}

/** MCUBOOT_BOOTSTRAP's starting point: the whole flash erased, the image in the secondary slot, nothing requested. */
export function stageBootstrap(dev: Device, image: Uint8Array): void {
  const flash = dev.core.flash;
  for (const d of dev.geometry.devices) flash.fill(d.erasedValue, d.base, d.base + d.size);
  dev.core.place(SECONDARY, updateOffset(dev.core.area(SECONDARY), dev.options.strategy), image);
}

/**
 * Image `index` (≥ 1) of a multi-image device: its running image in its primary area, its
 * update in its secondary, requested as boot_set_next(secondary, inactive, permanent) does.
 * Leaves the other images as they are. Returns the rc (or the PowerCut).
 */
export function stageImage(dev: Device, index: number, running: Uint8Array, update: Uint8Array, permanent: boolean): number | PowerCut {
  const primary = PRIMARY + 2 * index + 1;
  const secondary = primary + 1;
  dev.core.place(primary, 0, running);
  dev.core.place(secondary, updateOffset(dev.core.area(secondary), dev.options.strategy), update);
  return dev.setNext(secondary, false, permanent);
}

/**
 * Why an update never happened, in words. A campaign whose uninterrupted update does not
 * upgrade has nothing to cut into: reported green, "0 bricked" would mean nothing was
 * checked. The campaign reports it as its scenario `…/cut@0` (rule `no-upgrade`) with the
 * reason a firmware engineer can act on: which slot is too small, and by how much.
 *
 * The bootloader's own decision is the core's (assembly/swap/*.ts, slotsCompatible, and
 * bootutil_max_image_size); this file only puts the geometry that decided it into words,
 * after the fact, from the same rules (reference mcuboot.md §3.8, §5).
 */
import type { ResolvedArea } from '../core/index.js';
import type { BootResult, Device } from '../device/device.js';
import { PRIMARY, SCRATCH, SECONDARY } from '../device/geometry.js';
import type { UpdateImages } from './images.js';

const bytes = (n: number) => `${n} bytes`;

/** Which of two sizes is smaller, and by how much: `the secondary slot (131072 bytes) is 131072 bytes smaller than the primary (262144 bytes)`. */
function smaller(a: { name: string; size: number }, b: { name: string; size: number }, unit = bytes): string {
  const [lo, hi] = a.size < b.size ? [a, b] : [b, a];
  return `the ${lo.name} (${unit(lo.size)}) is ${unit(hi.size - lo.size)} smaller than the ${hi.name} (${unit(hi.size)})`;
}

/**
 * The image does not fit where it must be staged (the running image at the start of the
 * primary slot, the update where the strategy wants it in the secondary). Undefined when
 * both fit.
 */
export function misfit(dev: Device, images: UpdateImages): string | undefined {
  const pri = dev.core.area(PRIMARY);
  const sec = dev.core.area(SECONDARY);
  const room = sec.size - images.secondaryOffset;
  const where = images.secondaryOffset ? `, less the ${images.secondaryOffset} bytes the update starts in` : '';
  const slots = pri.size !== sec.size ? `; ${smaller({ name: 'secondary slot', size: sec.size }, { name: 'primary slot', size: pri.size })}` : '';
  if (images.v2.length > room) return `the update (${bytes(images.v2.length)}) does not fit the secondary slot (${bytes(room)}${where}): it is ${bytes(images.v2.length - room)} too large${slots}`;
  if (images.v1.length > pri.size) return `the running image (${bytes(images.v1.length)}) does not fit the primary slot (${bytes(pri.size)}): it is ${bytes(images.v1.length - pri.size)} too large${slots}`;
  return undefined;
}

/** Why the first power-on of an update did not swap, from the geometry and the build. */
export function whyNoUpgrade(dev: Device, images: UpdateImages, first: BootResult | undefined): string {
  const strategy = dev.options.strategy;
  const max = dev.options.maxSectors;
  const pri = dev.core.area(PRIMARY);
  const sec = dev.core.area(SECONDARY);
  const said = first ? `power-on 1 found the request (${first.requested}) and left v1.0.0 running (swap type ${first.swapType}): ` : '';
  const named = (a: ResolvedArea, name: string) => ({ name, size: a.size, count: a.sectorCount });
  for (const [a, name] of [[pri, 'primary'], [sec, 'secondary']] as const) {
    if (a.sectorCount > max) return `${said}the ${name} slot has ${a.sectorCount} sectors, ${a.sectorCount - max} more than MCUBOOT_MAX_IMG_SECTORS (${max}, --max-sectors)`;
  }
  const sectorWord = (n: number) => `${n} sector${n === 1 ? '' : 's'}`;
  if (strategy === 'swap-scratch') {
    if (pri.size !== sec.size) return `${said}swap-scratch swaps only slots of equal size: ${smaller(named(sec, 'secondary slot'), named(pri, 'primary slot'))}`;
    const scratch = dev.geometry.areas.find((a) => a.id === SCRATCH);
    const group = largestSectorGroup(pri.sectorSizes, sec.sectorSizes);
    if (scratch && group > scratch.size) return `${said}swap-scratch moves one group of matching sectors at a time through the scratch: a group of ${bytes(group)} does not fit the scratch area (${bytes(scratch.size)}), which is ${bytes(group - scratch.size)} too small`;
  }
  if (strategy === 'swap-move' || strategy === 'swap-offset') {
    const uniform = new Set([...pri.sectorSizes, ...sec.sectorSizes]).size === 1;
    if (!uniform) return `${said}${strategy} needs sectors of one size in both slots (the primary has ${[...new Set(pri.sectorSizes)].join(', ')}-byte sectors, the secondary ${[...new Set(sec.sectorSizes)].join(', ')})`;
    // swap-move: the primary holds as many sectors as the secondary, or one more; swap-offset: the secondary does.
    const [spare, other] = strategy === 'swap-move' ? [named(pri, 'primary slot'), named(sec, 'secondary slot')] : [named(sec, 'secondary slot'), named(pri, 'primary slot')];
    if (spare.count !== other.count && spare.count !== other.count + 1) {
      const sector = pri.sectorSizes[0]!;
      const [short, by] = spare.count < other.count ? [spare, other.count - spare.count] : [other, spare.count - 1 - other.count];
      return `${said}${strategy} needs the ${spare.name} to have as many sectors as the ${other.name}, or one more: it has ${spare.count}, the ${other.name} ${other.count} — the ${short.name} is ${sectorWord(by)} (${bytes(by * sector)}) too small`;
    }
  }
  const accepts = Math.min(dev.maxImageSize(0), dev.maxImageSize(1));
  if (images.v2.length > accepts) return `${said}the update (${bytes(images.v2.length)}) is ${bytes(images.v2.length - accepts)} larger than the ${bytes(accepts)} ${strategy} accepts on ${dev.geometry.name}`;
  return `${said}the bootloader did not take the update (the images, the slots and the build look compatible: see --replay …/cut@0 --trace)`;
}

/** The largest run of sectors the two slots must swap together (their cumulative sizes meet again). */
function largestSectorGroup(a: number[], b: number[]): number {
  let i = 0;
  let j = 0;
  let sa = 0;
  let sb = 0;
  let largest = 0;
  while (i < a.length || j < b.length) {
    if (sa <= sb && i < a.length) sa += a[i++]!;
    else if (j < b.length) sb += b[j++]!;
    else break;
    if (sa === sb) {
      largest = Math.max(largest, sa);
      sa = 0;
      sb = 0;
    }
  }
  return largest;
}

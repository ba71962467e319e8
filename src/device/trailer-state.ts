/**
 * A slot's trailer and header decoded for people (simulate's summary, the viewer): magic,
 * image_ok, copy_done, swap_info, and the version of the image whose header starts the slot.
 */
import { decodeTrailer } from '../image/trailer.js';
import type { Device } from './device.js';

export interface SlotTrailerState {
  magic: 'good' | 'bad' | 'unset';
  imageOk: 'set' | 'bad' | 'unset';
  copyDone: 'set' | 'bad' | 'unset';
  swapInfo: number | null;
  version: string | null;
}

export function decodeTrailerState(dev: Device, area: number): SlotTrailerState {
  const bytes = dev.core.peekArea(area);
  const a = dev.geometry.areas.find((x) => x.id === area)!;
  const erasedVal = dev.geometry.devices.find((d) => d.id === a.device)!.erasedValue;
  const t = decodeTrailer(bytes, { maxAlign: dev.options.maxAlign, erasedVal });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let version: string | null = null;
  // The header starts the slot, or one sector in (an update staged for swap-offset).
  for (const off of [0, a.sectorSizes[0]]) {
    if (off + 32 <= bytes.length && dv.getUint32(off, true) === 0x96f3b83d) {
      version = `${bytes[off + 20]}.${bytes[off + 21]}.${dv.getUint16(off + 22, true)}+${dv.getUint32(off + 24, true)}`;
      break;
    }
  }
  return { magic: t.magic, imageOk: t.imageOk, copyDone: t.copyDone, swapInfo: t.raw.swapInfo === erasedVal ? null : t.raw.swapInfo, version };
}

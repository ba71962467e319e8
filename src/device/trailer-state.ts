/**
 * A slot's trailer and header decoded for people (simulate's summary, the viewer): magic,
 * image_ok, copy_done, swap_info, and the version of the image whose header starts the slot.
 */
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
  const erased = dev.geometry.devices.find((d) => d.id === a.device)!.erasedValue;
  const maxAlign = dev.options.maxAlign;
  const S = bytes.length;
  const magic = bytes.subarray(S - 16);
  const classic = [0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80];
  const aligned = [maxAlign & 0xff, maxAlign >> 8, 0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a];
  const want = maxAlign === 8 ? classic : aligned;
  const magicState = magic.every((b) => b === erased) ? 'unset' : magic.every((b, i) => b === want[i]) ? 'good' : 'bad';
  const imageOkOff = (S - 16 - maxAlign) & ~(maxAlign - 1);
  const flag = (off: number) => (bytes[off] === erased ? 'unset' : bytes[off] === 1 ? 'set' : 'bad');
  const info = bytes[imageOkOff - 2 * maxAlign];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let version: string | null = null;
  for (const off of [0, a.sectorSizes[0]]) {
    if (off + 32 <= S && dv.getUint32(off, true) === 0x96f3b83d) {
      version = `${bytes[off + 20]}.${bytes[off + 21]}.${dv.getUint16(off + 22, true)}+${dv.getUint32(off + 24, true)}`;
      break;
    }
  }
  return { magic: magicState, imageOk: flag(imageOkOff), copyDone: flag(imageOkOff - maxAlign), swapInfo: info === erased ? null : info, version };
}

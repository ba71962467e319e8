/**
 * The image trailer at the end of a slot, as MCUboot lays it out (reference mcuboot.md
 * §3.1–§3.6) and as imgtool writes it with `--pad` / `--confirm`. Every trailer offset and
 * size in src/image comes from this file.
 *
 * Two sizes exist: MCUboot's own (`bootTrailerSize`, whose status area depends on the
 * strategy's states per sector) and the one imgtool reserves when padding
 * (`imgtoolTrailerSize`: always 3 states per sector, or a short form for overwrite-only).
 */
import { ImageFormatError, alignDown, alignUp, hex } from './layout.js';

export const BOOT_MAGIC_SIZE = 16;
/** BOOT_MAX_ALIGN when the build does not set it, and imgtool's default. */
export const DEFAULT_MAX_ALIGN = 8;
/** BOOT_MAX_IMG_SECTORS in the simulator and imgtool's `--max-sectors` default. */
export const DEFAULT_MAX_SECTORS = 128;
export const WRITE_ALIGNMENTS: readonly number[] = [1, 2, 4, 8, 16, 32];
export const MAX_ALIGNMENTS: readonly number[] = [8, 16, 32];

/** The classic magic, used when BOOT_MAX_ALIGN is 8 (§3.2): LE words f395c277 7fefd260 0f505235 8079b62c. */
const CLASSIC_MAGIC = Uint8Array.of(0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80);
/** The 14 fixed bytes that follow the u16 BOOT_MAX_ALIGN in the other magic form (§3.2). */
const ALIGNED_MAGIC_TAIL = Uint8Array.of(0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a);

export type MagicForm = 'standard' | 'align-prefixed';

/** The 16-byte trailer magic for a bootloader built with BOOT_MAX_ALIGN = `maxAlign`. */
export function bootMagic(maxAlign: number): Uint8Array {
  if (maxAlign === DEFAULT_MAX_ALIGN) return CLASSIC_MAGIC.slice();
  const out = new Uint8Array(BOOT_MAGIC_SIZE);
  out[0] = maxAlign & 0xff;
  out[1] = maxAlign >> 8;
  out.set(ALIGNED_MAGIC_TAIL, 2);
  return out;
}

/** BOOT_MAGIC_ALIGN_SIZE: the magic's write, rounded up to BOOT_MAX_ALIGN. */
export const magicAlignSize = (maxAlign: number): number => alignUp(BOOT_MAGIC_SIZE, maxAlign);

/** Swap-offset stores one extra word (unprotected TLV sizes) below swap_info (§3.3). */
export interface TrailerLayout {
  slotSize: number;
  maxAlign: number;
  magicOffset: number;
  imageOkOffset: number;
  copyDoneOffset: number;
  swapInfoOffset: number;
  unprotTlvSizesOffset?: number;
  swapSizeOffset: number;
}

/** Field offsets from the slot start (§3.3); every field is `maxAlign` wide except magic. */
export function trailerLayout(slotSize: number, maxAlign = DEFAULT_MAX_ALIGN, swapOffset = false): TrailerLayout {
  const magicOffset = slotSize - BOOT_MAGIC_SIZE;
  const imageOkOffset = alignDown(magicOffset - maxAlign, maxAlign);
  const copyDoneOffset = imageOkOffset - maxAlign;
  const swapInfoOffset = copyDoneOffset - maxAlign;
  const unprotTlvSizesOffset = swapOffset ? swapInfoOffset - maxAlign : undefined;
  const swapSizeOffset = (unprotTlvSizesOffset ?? swapInfoOffset) - maxAlign;
  return { slotSize, maxAlign, magicOffset, imageOkOffset, copyDoneOffset, swapInfoOffset, unprotTlvSizesOffset, swapSizeOffset, };
}

export interface BootTrailerParams {
  writeSize: number;
  maxAlign?: number;
  maxSectors?: number;
  states?: number;
  swapOffset?: boolean;
  /** Raw AES key length when encryption is built in (16 or 32); 0 otherwise. */
  encKeyLen?: number;
}

/** `trailer_info_sz` and `trailer_sz` of a bootloader build (§3.3, table §3.6). */
export function bootTrailerSize(p: BootTrailerParams): { statusSize: number; infoSize: number; total: number } {
  const a = p.maxAlign ?? DEFAULT_MAX_ALIGN;
  const statusSize = (p.maxSectors ?? DEFAULT_MAX_SECTORS) * (p.states ?? 3) * p.writeSize;
  let infoSize = 4 * a + magicAlignSize(a);
  if (p.swapOffset) infoSize += a;
  if (p.encKeyLen) infoSize += 2 * alignUp(p.encKeyLen, a);
  return { statusSize, infoSize, total: statusSize + infoSize };
}

export interface ImgtoolTrailerParams {
  writeSize: number;
  maxAlign: number;
  maxSectors?: number;
  overwriteOnly?: boolean;
  /** Bytes per saved key when the image is encrypted (imgtool reserves two). */
  encKeyLen?: number;
}

/**
 * The room imgtool keeps free at the end of the slot: with overwrite-only just magic,
 * image_ok and copy_done; otherwise a 3-states-per-sector status area plus the four
 * fields and the magic. imgtool refuses an image that leaves less.
 */
export function imgtoolTrailerSize(p: ImgtoolTrailerParams): number {
  if (p.overwriteOnly) return 2 * p.maxAlign + magicAlignSize(p.maxAlign);
  return bootTrailerSize({ writeSize: p.writeSize, maxAlign: p.maxAlign, maxSectors: p.maxSectors, states: 3, encKeyLen: p.encKeyLen }).total;
}

/**
 * What `imgtool sign --pad` appends after an image of `imageLength` bytes: erased fill up to
 * the slot end, the magic in the last 16 bytes, and image_ok = 0x01 with `--confirm` (not in
 * overwrite-only mode, where imgtool ignores it).
 */
export function encodePadding(imageLength: number, opts: { slotSize: number; maxAlign: number; erasedVal: number; confirm: boolean; overwriteOnly: boolean }): Uint8Array {
  const out = new Uint8Array(opts.slotSize - imageLength).fill(opts.erasedVal);
  const layout = trailerLayout(opts.slotSize, opts.maxAlign);
  out.set(bootMagic(opts.maxAlign), layout.magicOffset - imageLength);
  if (opts.confirm && !opts.overwriteOnly) out[layout.imageOkOffset - imageLength] = 0x01;
  return out;
}

export type MagicState = 'good' | 'unset' | 'bad';
export type FlagState = 'set' | 'unset' | 'bad';

export interface DecodedTrailer {
  layout: TrailerLayout;
  magic: MagicState;
  magicForm?: MagicForm;
  magicBytes: Uint8Array;
  imageOk: FlagState;
  copyDone: FlagState;
  /** swap_info byte: low nibble swap type (1 NONE when erased or > 4), high nibble image. */
  swapType: number;
  imageIndex: number;
  /** swap_size, or undefined when its bytes are erased. */
  swapSize?: number;
  raw: { imageOk: number; copyDone: number; swapInfo: number; swapSize: Uint8Array };
}

/** Which BOOT_MAX_ALIGN a magic was written for, if it is a valid magic of either form. */
export function magicMaxAlign(magic: Uint8Array): number | undefined {
  if (magic.length !== BOOT_MAGIC_SIZE) return undefined;
  if (magic.every((b, i) => b === CLASSIC_MAGIC[i])) return DEFAULT_MAX_ALIGN;
  const a = magic[0]! | (magic[1]! << 8);
  if (MAX_ALIGNMENTS.includes(a) && a !== DEFAULT_MAX_ALIGN && magic.subarray(2).every((b, i) => b === ALIGNED_MAGIC_TAIL[i])) return a;
  return undefined;
}

function flagState(byte: number, erasedVal: number): FlagState {
  if (byte === erasedVal) return 'unset';
  return byte === 0x01 ? 'set' : 'bad';
}

/**
 * Decodes the trailer at the end of `slot` (the whole slot's bytes) with MCUboot's rules
 * (§3.2, §3.4). `maxAlign` is the bootloader's BOOT_MAX_ALIGN; when omitted it is taken from
 * the magic itself, so an imgtool-padded file of either form decodes as GOOD.
 */
export function decodeTrailer(slot: Uint8Array, opts: { maxAlign?: number; erasedVal?: number } = {}): DecodedTrailer {
  const erasedVal = opts.erasedVal ?? 0xff;
  if (slot.length < 4 * 32 + 32 + BOOT_MAGIC_SIZE) {
    throw new ImageFormatError(0, 'slot', 'room for a trailer (>= 176 bytes)', `${slot.length} bytes`);
  }
  const magicBytes = slot.slice(slot.length - BOOT_MAGIC_SIZE);
  const detected = magicMaxAlign(magicBytes);
  const maxAlign = opts.maxAlign ?? detected ?? DEFAULT_MAX_ALIGN;
  const layout = trailerLayout(slot.length, maxAlign);
  let magic: MagicState;
  if (magicBytes.every((b) => b === erasedVal)) magic = 'unset';
  else magic = detected === maxAlign ? 'good' : 'bad';
  const swapInfo = slot[layout.swapInfoOffset]!;
  const typeNibble = swapInfo & 0x0f;
  const swapInfoErased = swapInfo === erasedVal;
  const swapSizeBytes = slot.slice(layout.swapSizeOffset, layout.swapSizeOffset + 4);
  const swapSizeErased = swapSizeBytes.every((b) => b === erasedVal);
  return {
    layout,
    magic,
    magicForm: detected === undefined ? undefined : detected === DEFAULT_MAX_ALIGN ? 'standard' : 'align-prefixed',
    magicBytes,
    imageOk: flagState(slot[layout.imageOkOffset]!, erasedVal),
    copyDone: flagState(slot[layout.copyDoneOffset]!, erasedVal),
    swapType: swapInfoErased || typeNibble > 4 ? 1 : typeNibble,
    imageIndex: swapInfoErased || typeNibble > 4 ? 0 : swapInfo >> 4,
    swapSize: swapSizeErased ? undefined : new DataView(swapSizeBytes.buffer).getUint32(0, true),
    raw: { imageOk: slot[layout.imageOkOffset]!, copyDone: slot[layout.copyDoneOffset]!, swapInfo, swapSize: swapSizeBytes },
  };
}

export const describeMagic = (m: Uint8Array): string => hex(m);

/**
 * The simulated firmware's own facts, carried inside the signed image as protected TLVs in
 * MCUboot's vendor range (reference/mcuboot.md §2.2: low byte 0xA0..0xFF), so they are
 * covered by the image hash and signature like everything else the bootloader checks:
 *
 * | tag      | value (UTF-8)                                                    | absent means   |
 * | -------- | ---------------------------------------------------------------- | -------------- |
 * | `0x00b1` | behaviour: healthy, crash-at-boot, fail-health-check, hang, send-fails | healthy  |
 * | `0x00b2` | board id the image is built for (e.g. `nrf52840`)                | any board      |
 *
 * The firmware reads its behaviour from its own image when it is booted; the OTA task reads
 * the board id of an offered image before it writes a byte of it.
 */
import { UsageError } from '../errors.js';
import { decodeHeader, type ImageVersion } from '../image/header.js';
import { decodeTlvBlock, type TlvEntry } from '../image/tlv.js';
import type { CustomTlv } from '../image/sign.js';

export const BEHAVIOURS = ['healthy', 'crash-at-boot', 'fail-health-check', 'hang', 'send-fails'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

/** Protected TLV: the firmware's simulated behaviour. */
export const BEHAVIOUR_TLV = 0x00b1;
/** Protected TLV: the board id the image is built for. */
export const BOARD_TLV = 0x00b2;

export function isBehaviour(v: unknown): v is Behaviour {
  return typeof v === 'string' && (BEHAVIOURS as readonly string[]).includes(v);
}

export function parseBehaviour(name: string, what = '--behaviour'): Behaviour {
  if (isBehaviour(name)) return name;
  throw new UsageError(`${what} '${name}' is not a firmware behaviour (expected one of: ${BEHAVIOURS.join(', ')})`);
}

const BOARD_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function parseBoard(id: string, what = '--board'): string {
  if (BOARD_ID.test(id)) return id;
  throw new UsageError(`${what} '${id}' is not a board id (1 to 64 letters, digits, '.', '_' or '-')`);
}

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** The custom TLVs `sign --behaviour B --board ID` adds (none for a healthy image for any board). */
export function firmwareTlvs(o: { behaviour?: Behaviour; board?: string }): CustomTlv[] {
  const out: CustomTlv[] = [];
  if (o.behaviour !== undefined) out.push({ type: BEHAVIOUR_TLV, value: utf8.encode(parseBehaviour(o.behaviour)) });
  if (o.board !== undefined) out.push({ type: BOARD_TLV, value: utf8.encode(parseBoard(o.board)) });
  return out;
}

export interface FirmwareInfo {
  version: ImageVersion;
  behaviour: Behaviour;
  /** Undefined: the image fits any board. */
  board?: string;
  /** hdr_size + img_size: where the protected TLVs start. */
  bodyEnd: number;
  /** Total image size (header, body, both TLV blocks). */
  imageEnd: number;
}

/** The behaviour and board TLVs among protected entries (unknown behaviours are a UsageError naming `what`). */
export function readFirmwareTlvs(entries: readonly TlvEntry[], what: string): { behaviour: Behaviour; board?: string } {
  let behaviour: Behaviour = 'healthy';
  let board: string | undefined;
  for (const e of entries) {
    if (e.type === BEHAVIOUR_TLV) behaviour = parseBehaviour(text.decode(e.value), `${what}: behaviour TLV`);
    else if (e.type === BOARD_TLV) board = text.decode(e.value);
  }
  return { behaviour, board };
}

/**
 * Reads version, behaviour and board of the image at the start of `bytes` (a slot, or an
 * image file): the header, then the protected TLV block and the unprotected block's length.
 * Throws ImageFormatError for what is not an MCUboot image.
 */
export function readFirmwareInfo(bytes: Uint8Array, what = 'image'): FirmwareInfo {
  const h = decodeHeader(bytes);
  const bodyEnd = h.hdrSize + h.imgSize;
  let p = bodyEnd;
  let entries: TlvEntry[] = [];
  if (h.protectTlvSize) {
    const block = decodeTlvBlock(bytes, p, true);
    entries = block.entries;
    p += block.totalLen;
  }
  const tlvs = decodeTlvBlock(bytes, p, false);
  return { version: h.version, ...readFirmwareTlvs(entries, what), bodyEnd, imageEnd: p + tlvs.totalLen };
}

/**
 * The small subset of ASN.1 DER (ITU-T X.690 §8, §10) that key files and ECDSA signatures
 * need: definite lengths, SEQUENCE, INTEGER, OCTET/BIT STRING, OID, NULL and context tags.
 * The reader never reads past its buffer; malformed input raises DerError.
 */

export class DerError extends Error {
  constructor(readonly offset: number, message: string) {
    super(`DER at offset ${offset}: ${message}`);
    this.name = 'DerError';
  }
}

export const Tag = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
} as const;

export interface DerNode {
  tag: number;
  /** Offset of the tag byte within the buffer given to readDer. */
  start: number;
  /** The contents (not copied). */
  value: Uint8Array;
  /** Offset just past this element. */
  end: number;
}

/** Reads one element at `offset`. */
export function readDer(buf: Uint8Array, offset = 0): DerNode {
  if (offset + 2 > buf.length) throw new DerError(offset, 'truncated tag/length');
  const tag = buf[offset]!;
  let len = buf[offset + 1]!;
  let p = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError(offset + 1, `unsupported length form 0x${len.toString(16)}`);
    if (p + n > buf.length) throw new DerError(offset + 1, 'truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    if (len < 0x80 || (n > 1 && buf[p] === 0)) throw new DerError(offset + 1, 'non-minimal length');
    p += n;
  }
  if (p + len > buf.length) throw new DerError(offset, `length ${len} runs past the end (${buf.length - p} bytes left)`);
  return { tag, start: offset, value: buf.subarray(p, p + len), end: p + len };
}

/** Reads an element and checks its tag. */
export function expectDer(buf: Uint8Array, offset: number, tag: number, what: string): DerNode {
  const node = readDer(buf, offset);
  if (node.tag !== tag) throw new DerError(offset, `${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  return node;
}

/** All elements inside a constructed element's contents. */
export function children(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let p = 0;
  while (p < node.value.length) {
    const child = readDer(node.value, p);
    out.push(child);
    p = child.end;
  }
  return out;
}

/** An unsigned INTEGER's magnitude without DER's sign-padding zero. */
export function unsignedInteger(node: DerNode): Uint8Array {
  if (node.tag !== Tag.INTEGER || node.value.length === 0) throw new DerError(node.start, 'expected a non-empty INTEGER');
  if (node.value[0]! & 0x80) throw new DerError(node.start, 'negative INTEGER');
  let i = 0;
  while (i < node.value.length - 1 && node.value[i] === 0) i++;
  return node.value.subarray(i);
}

/** Dotted form of an OBJECT IDENTIFIER's contents. */
export function oidToString(value: Uint8Array): string {
  if (value.length === 0) throw new DerError(0, 'empty OID');
  const parts = [Math.floor(value[0]! / 40), value[0]! % 40];
  let acc = 0;
  for (let i = 1; i < value.length; i++) {
    acc = acc * 128 + (value[i]! & 0x7f);
    if (!(value[i]! & 0x80)) {
      parts.push(acc);
      acc = 0;
    }
  }
  return parts.join('.');
}

// ---- writer ----

function encodeLength(len: number): number[] {
  if (len < 0x80) return [len];
  const bytes: number[] = [];
  for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

export function der(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const len = contents.reduce((n, c) => n + c.length, 0);
  const head = Uint8Array.from([tag, ...encodeLength(len)]);
  const out = new Uint8Array(head.length + len);
  out.set(head, 0);
  let p = head.length;
  for (const c of contents) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

/** INTEGER from an unsigned big-endian magnitude (adds the sign zero when needed). */
export function derUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  return m[0]! & 0x80 ? der(Tag.INTEGER, Uint8Array.of(0), m) : der(Tag.INTEGER, m);
}

export function derOid(dotted: string): Uint8Array {
  const parts = dotted.split('.').map(Number);
  const bytes = [parts[0]! * 40 + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk = [part & 0x7f];
    for (let v = Math.floor(part / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(Tag.OID, Uint8Array.from(bytes));
}

export const derNull = (): Uint8Array => Uint8Array.of(Tag.NULL, 0);
export const derSequence = (...items: Uint8Array[]): Uint8Array => der(Tag.SEQUENCE, ...items);
export const derOctetString = (bytes: Uint8Array): Uint8Array => der(Tag.OCTET_STRING, bytes);
export const derBitString = (bytes: Uint8Array): Uint8Array => der(Tag.BIT_STRING, Uint8Array.of(0), bytes);

// ---- ECDSA signatures (SEC 1 §C.5: ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }) ----

/**
 * r‖s (each `size` bytes) from a DER ECDSA signature. Zero bytes after the SEQUENCE are
 * allowed (imgtool's `--pad-sig` pads to 72 bytes with zeros); anything else after it, and
 * non-minimal INTEGERs, are rejected so that no altered signature bytes are ignored.
 */
export function ecdsaDerToCompact(sig: Uint8Array, size = 32): Uint8Array {
  const seq = expectDer(sig, 0, Tag.SEQUENCE, 'ECDSA signature');
  if (sig.subarray(seq.end).some((b) => b !== 0)) throw new DerError(seq.end, 'non-zero bytes after the signature');
  const [r, s, extra] = children(seq);
  if (!r || !s || extra) throw new DerError(0, 'ECDSA signature must hold exactly two INTEGERs');
  const out = new Uint8Array(2 * size);
  for (const [i, node] of [r, s].entries()) {
    if (node.value.length > 1 && node.value[0] === 0 && !(node.value[1]! & 0x80)) throw new DerError(node.start, 'non-minimal INTEGER');
    const m = unsignedInteger(node);
    if (m.length > size) throw new DerError(node.start, `INTEGER longer than ${size} bytes`);
    out.set(m, (i + 1) * size - m.length);
  }
  return out;
}

export function ecdsaCompactToDer(compact: Uint8Array): Uint8Array {
  const size = compact.length / 2;
  return derSequence(derUnsignedInteger(compact.subarray(0, size)), derUnsignedInteger(compact.subarray(size)));
}

import { describe, expect, it } from 'vitest';
import { SlotWriter, type FlashOp } from '../../src/app/slot-writer.js';

const layout = { sectorSizes: [4096, 4096, 4096, 4096], base: 0, writeAlign: 8, erasedValue: 0xff };
const erased = () => new Uint8Array(4 * 4096).fill(0xff);

function apply(slot: Uint8Array, ops: FlashOp[]): void {
  for (const op of ops) {
    if (op.kind === 'E') slot.fill(0xff, op.offset, op.offset + op.length);
    else {
      for (let i = 0; i < op.length; i++) expect(slot[op.offset + i], `program over a programmed byte at 0x${(op.offset + i).toString(16)}`).toBe(0xff);
      slot.set(op.data!, op.offset);
    }
  }
}

describe('the slot writer (a flash driver for the download)', () => {
  it('erases each sector just before the first byte goes into it, never earlier', () => {
    const slot = erased();
    const w = new SlotWriter(layout, () => slot);
    const first = w.write(new Uint8Array(3000).fill(1));
    expect(first.map((o) => o.kind)).toEqual(['E', 'W']);
    const second = w.write(new Uint8Array(3000).fill(2));
    // The write crosses into sector 1: its erase comes right before the bytes that land there.
    expect(second.map((o) => `${o.kind}@${o.offset}`)).toEqual(['W@3000', 'E@4096', 'W@4096']);
  });

  it('programs only whole write units, holding a short tail in RAM until the next chunk', () => {
    const slot = erased();
    const w = new SlotWriter(layout, () => slot);
    const ops = [...w.write(new Uint8Array(13).fill(7)), ...w.write(new Uint8Array(13).fill(9))];
    for (const op of ops.filter((o) => o.kind === 'W')) {
      expect(op.offset % 8).toBe(0);
      expect(op.length % 8).toBe(0);
    }
    const tail = w.finish();
    expect(tail).toHaveLength(1);
    expect(tail[0]!.data!.subarray(2)).toEqual(new Uint8Array(6).fill(0xff)); // padded with the erased value
    apply(slot, [...ops, ...tail]);
    expect(slot.subarray(0, 26)).toEqual(Uint8Array.from([...new Array(13).fill(7), ...new Array(13).fill(9)]));
  });

  it('resumes inside a sector by writing on when the rest of it reads erased', () => {
    const slot = erased();
    apply(slot, new SlotWriter(layout, () => slot).write(new Uint8Array(1024).fill(3)));
    const w = new SlotWriter(layout, () => slot);
    expect(w.resumeFrom(1024)).toEqual([]);
    apply(slot, w.write(new Uint8Array(1024).fill(4)));
    expect(slot[1024]).toBe(4);
  });

  it('resumes inside a sector whose tail a torn write left programmed by keeping its good bytes, erasing, and programming them back', () => {
    const slot = erased();
    apply(slot, new SlotWriter(layout, () => slot).write(new Uint8Array(1024).fill(3)));
    slot.fill(0x00, 1024, 1040); // half of the next chunk's program landed
    const w = new SlotWriter(layout, () => slot);
    const ops = w.resumeFrom(1024);
    expect(ops.map((o) => `${o.kind}@${o.offset}+${o.length}`)).toEqual(['E@0+4096', 'W@0+1024']);
    apply(slot, ops);
    expect(slot.subarray(0, 1024).every((b) => b === 3)).toBe(true);
    expect(slot.subarray(1024, 4096).every((b) => b === 0xff)).toBe(true);
  });

  it('before the request, erases what lies outside the image (stale trailers, an old header at offset 0)', () => {
    const slot = erased();
    slot.fill(0x11, 0, 100); // swap-offset: an old image's header in the spare sector
    slot.fill(0x22, 4 * 4096 - 16); // a stale trailer magic
    const w = new SlotWriter({ ...layout, base: 4096 }, () => slot);
    apply(slot, w.write(new Uint8Array(5000).fill(5)));
    apply(slot, w.finish());
    const ops = w.cleanOutside(5000);
    expect(ops.map((o) => `${o.kind}@${o.offset}`)).toEqual(['E@0', 'E@12288']);
    apply(slot, ops);
    expect(slot.subarray(4096, 9096).every((b) => b === 5)).toBe(true);
  });

  it('steps a resume back at most write-unit/gcd(chunk, unit) − 1 chunks', () => {
    expect(SlotWriter.alignmentSlack(1024, 8)).toBe(0);
    expect(SlotWriter.alignmentSlack(1500, 8)).toBe(1);
    expect(SlotWriter.alignmentSlack(1001, 8)).toBe(7);
  });
});

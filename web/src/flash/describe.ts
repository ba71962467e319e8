/**
 * Words for what the page shows: each flash operation by what it touches (a sector, a
 * trailer field and the value written, the image bytes it copies), and each call by the
 * decision the engine reported for it (BootResult) and the trailers it was made from. The
 * trailer layout is MCUboot's (reference mcuboot.md §3.3–§3.7, through the package's
 * trailerLayout); nothing here decides anything the bootloader decides.
 */
import { trailerLayout, versionString, type SlotState, type SwapStatus } from 'brickproof';
import { NEW, OLD, TRAILER, type AreaView, type Classified } from './content.js';
import type { CallInfo, Step } from './timeline.js';
import { bytes, hex } from '../ui.js';

export interface Build {
  strategy: string;
  maxAlign: number;
  maxSectors: number;
}

const SWAP_TYPE = ['?', 'none', 'test', 'perm', 'revert'];

function flag(v: number, erased: number): string {
  return v === erased ? 'unset' : v === 1 ? 'set (0x01)' : `bad (0x${v.toString(16)})`;
}

/** The trailer field(s) a write at `offset` of `len` bytes lands in, with the value written. */
export function trailerWrite(view: AreaView, build: Build, offset: number, data: Uint8Array | undefined): string | undefined {
  const a = view.area;
  const l = trailerLayout(a.size, build.maxAlign, build.strategy === 'swap-offset');
  const e = view.erased;
  const b0 = data?.[0] ?? e;
  const magicWrite = build.maxAlign === 32 ? l.magicOffset - 16 : l.magicOffset;
  if (offset === magicWrite) return 'magic: the trailer is now valid (MCUboot writes it last)';
  if (offset === l.imageOkOffset) return `image_ok = ${flag(b0, e)}`;
  if (offset === l.copyDoneOffset) return `copy_done = ${flag(b0, e)}`;
  if (offset === l.swapInfoOffset) return `swap_info = 0x${b0.toString(16).padStart(2, '0')}: swap type ${SWAP_TYPE[b0 & 0x0f] ?? 'none'}, image ${b0 >> 4}`;
  if (l.unprotTlvSizesOffset !== undefined && offset === l.unprotTlvSizesOffset) return 'unprotected TLV sizes (swap-offset)';
  if (offset === l.swapSizeOffset && data && data.length >= 4) return `swap_size = ${new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true)} bytes`;
  if (offset >= view.trailerFrom && offset < l.swapSizeOffset) {
    const k = (offset - view.trailerFrom) / view.writeSize;
    const n = data ? Math.max(1, Math.floor(data.length / view.writeSize)) : 1;
    if (n > 1) return `status records ${k}–${k + n - 1} copied here`;
    return `status record ${k} = ${b0}${statusMeaning(build, k, view)}`;
  }
  return undefined;
}

function statusMeaning(build: Build, k: number, view: AreaView): string {
  const scratch = view.area.name === 'scratch';
  if (build.strategy === 'swap-move' && !scratch) {
    return k < build.maxSectors ? ` (move, idx ${k + 1})` : ` (swap idx ${Math.floor((k - build.maxSectors) / 2) + 1}, state ${((k - build.maxSectors) % 2) + 1})`;
  }
  const states = build.strategy === 'swap-offset' ? 2 : 3;
  return ` (region idx ${Math.floor(k / states) + 1}, state ${(k % states) + 1} done)`;
}

export function sectorOf(view: AreaView, offset: number): { index: number; start: number; size: number } {
  let start = 0;
  const sizes = view.area.sectorSizes;
  for (let i = 0; i < sizes.length; i++) {
    if (offset < start + sizes[i]!) return { index: i, start, size: sizes[i]! };
    start += sizes[i]!;
  }
  return { index: sizes.length - 1, start: start - sizes.at(-1)!, size: sizes.at(-1)! };
}

/** What the blocks of [offset, offset+len) hold after the write: image bytes (and which), or trailer. */
function contents(c: Classified | undefined, block: number, offset: number, len: number): string | undefined {
  if (!c) return undefined;
  const from = Math.floor(offset / block);
  const to = Math.ceil((offset + len) / block);
  const k0 = c.cls[from];
  for (let k = from; k < to; k++) if (c.cls[k] !== k0) return undefined;
  if (k0 === OLD || k0 === NEW) {
    const lo = c.imageOffset[from]! + (offset - from * block);
    return `${k0 === OLD ? 'old image (v1)' : 'new image (v2)'} bytes ${hex(lo)}–${hex(lo + len - 1)}`;
  }
  if (k0 === TRAILER) return 'trailer bytes';
  return undefined;
}

export function describeStep(step: Step, view: AreaView, build: Build, after: Classified | undefined, block: number): string {
  const op = step.op;
  const sec = sectorOf(view, op.offset);
  const where = `${view.area.name} ${hex(op.offset)}`;
  const cut = step.cut ? ` — POWER LOST during it (${step.cut})` : '';
  if (op.kind === 'E') {
    const n = op.length === sec.size ? `sector ${sec.index}` : `${bytes(op.length)} from sector ${sec.index}`;
    const trailer = op.offset + op.length > view.trailerFrom ? ' (the trailer sector: scrambles the trailer)' : '';
    return `erase ${view.area.name} ${n} @${hex(op.offset)}, ${bytes(op.length)}${trailer}${cut}`;
  }
  const field = trailerWrite(view, build, op.offset, op.bytes);
  if (field) return `write ${where} (${op.length} B): ${field}${cut}`;
  const what = step.cut ? undefined : contents(after, block, op.offset, op.length);
  return `write ${where} (${op.length} B) into sector ${sec.index}${what ? `: ${what}` : ''}${cut}`;
}

type Trailers = Array<{ id: number; state: SlotState; status: SwapStatus }>;

function slotWords(name: string, t: SlotState | undefined): string {
  if (!t) return '';
  return `${name}: magic ${t.magic}, swap type ${t.swapType}, copy_done ${t.copyDone}, image_ok ${t.imageOk}`;
}

/** The decision of a call, in words, from the engine's BootResult and the trailers before it. */
export function describeCall(call: CallInfo, before: Trailers, after: { version?: string }): string {
  const p = before.find((x) => x.id === 1)?.state;
  const s = before.find((x) => x.id === 2)?.state;
  const scratch = before.find((x) => x.id === 3);
  const phase = call.phase === 'recovery' ? ' after the cut' : '';
  if (call.kind === 'confirm') return `The application (${after.version ?? 'new image'}) calls boot_set_confirmed(): image_ok = 1 in the primary trailer, so the next power-on keeps this image.`;
  if (call.kind === 'erase') return 'The application erases the secondary slot (to download another image), still unconfirmed.';
  const b = call.boot;
  const head = `Power-on ${call.n}${phase}`;
  const facts = [slotWords('primary', p), slotWords('secondary', s), scratch && scratch.state.magic === 'good' ? slotWords('scratch', scratch.state) : ''].filter(Boolean).join('; ');
  if (!b) return `${head}: the bootloader ${call.failure ? `broke a rule: ${call.failure}` : 'did not finish'}. Trailers at power-on — ${facts}.`;
  let decision: string;
  if (b.resumed) decision = `status records show an interrupted swap: MCUboot RESUMES it${p && p.swapType !== 'none' ? ` (swap type ${p.swapType}, from the primary trailer)` : ''} and finishes it`;
  else if (b.requested === 'none') decision = 'no swap requested: MCUboot validates the primary and boots it';
  else if (b.requested === 'revert') decision = 'the image swapped in last time was never confirmed (copy_done set, image_ok unset): MCUboot REVERTS to the old image';
  else decision = `a ${b.requested.toUpperCase()} upgrade is requested: MCUboot validates the secondary image and swaps it in`;
  const ops = b.ops.erase + b.ops.write;
  if (call.interrupted) return `${head}: ${decision}; the power fails during its operation ${call.to - call.from + 1} of ${ops}. Trailers at power-on — ${facts}.`;
  const end = b.outcome === 'ok' ? `boots v${versionString(b.version)} from the ${b.slot === 1 ? 'primary' : `area ${b.slot}`}` : b.outcome === 'panic' ? 'MCUboot PANICS (hangs)' : 'NO BOOTABLE IMAGE: the device is bricked';
  const fail = call.failure ? ` Oracle: ${call.failure}.` : '';
  return `${head}: ${decision}; ${ops} flash operation${ops === 1 ? '' : 's'}, then ${end}.${fail} Trailers at power-on — ${facts}.`;
}

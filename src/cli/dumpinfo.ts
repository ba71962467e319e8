/**
 * `brickproof dumpinfo IMAGE`: the header, both TLV blocks (every type named, unknown and
 * custom ones included) and, for a padded file, the trailer. `--json` gives the same as
 * one JSON document. A malformed image is reported with the offset and field that broke.
 */
import { type ParsedImage, type TlvEntry, flagNames, formatVersion, hex, parseImage, tlvName } from '../image/index.js';
import { type FlagSpecs, helpText, parseArgs } from './args.js';
import { printJson, readImageFile } from './image-io.js';

const SPECS: FlagSpecs = {
  json: { type: 'boolean', help: 'print the image structure as JSON' },
};
const POSITIONAL = { min: 1, max: 1, names: ['IMAGE'] };

const SWAP_TYPES: Record<number, string> = { 1: 'none', 2: 'test', 3: 'perm', 4: 'revert' };

function describe(image: ParsedImage) {
  const h = image.header;
  const tlv = (e: TlvEntry) => ({ type: e.type, name: tlvName(e.type), offset: e.offset, len: e.value.length, value: hex(e.value) });
  const t = image.trailer;
  return {
    header: {
      magic: `0x${h.magic.toString(16)}`,
      loadAddr: h.loadAddr,
      hdrSize: h.hdrSize,
      protectTlvSize: h.protectTlvSize,
      imgSize: h.imgSize,
      flags: h.flags,
      flagNames: flagNames(h.flags),
      version: formatVersion(h.version),
    },
    protectedTlvs: image.protectedTlvs && { offset: image.protectedTlvs.offset, totalLen: image.protectedTlvs.totalLen, entries: image.protectedTlvs.entries.map(tlv) },
    tlvs: { offset: image.tlvs.offset, totalLen: image.tlvs.totalLen, entries: image.tlvs.entries.map(tlv) },
    hashedRegion: image.hashedRegion,
    imageSize: image.imageEnd,
    fileSize: image.bytes.length,
    trailer: t && {
      slotSize: t.layout.slotSize,
      maxAlign: t.layout.maxAlign,
      magic: t.magic,
      magicForm: t.magicForm ?? null,
      magicOffset: t.layout.magicOffset,
      imageOk: t.imageOk,
      imageOkOffset: t.layout.imageOkOffset,
      copyDone: t.copyDone,
      copyDoneOffset: t.layout.copyDoneOffset,
      swapType: SWAP_TYPES[t.swapType] ?? String(t.swapType),
      swapInfoOffset: t.layout.swapInfoOffset,
      swapSize: t.swapSize ?? null,
      swapSizeOffset: t.layout.swapSizeOffset,
    },
  };
}

const h8 = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

function human(d: ReturnType<typeof describe>): string {
  const lines: string[] = [];
  const h = d.header;
  lines.push('header:');
  lines.push(`  magic             ${h.magic}`);
  lines.push(`  load_addr         ${h8(h.loadAddr)}`);
  lines.push(`  hdr_size          0x${h.hdrSize.toString(16)}`);
  lines.push(`  protect_tlv_size  0x${h.protectTlvSize.toString(16)}`);
  lines.push(`  img_size          0x${h.imgSize.toString(16)} (${h.imgSize})`);
  lines.push(`  flags             ${h8(h.flags)}${h.flagNames.length ? ` (${h.flagNames.join(' | ')})` : ''}`);
  lines.push(`  version           ${h.version}`);
  const block = (title: string, b: { offset: number; totalLen: number; entries: ReturnType<typeof describe>['tlvs']['entries'] }) => {
    lines.push(`${title} at 0x${b.offset.toString(16)}, ${b.totalLen} bytes:`);
    for (const e of b.entries) {
      const value = e.value.length > 64 ? `${e.value.slice(0, 64)}… (${e.len} bytes)` : e.value;
      lines.push(`  0x${e.type.toString(16).padStart(2, '0')} ${e.name.padEnd(12)} len ${String(e.len).padStart(3)} @0x${e.offset.toString(16)}  ${value}`);
    }
  };
  if (d.protectedTlvs) block('protected TLVs (0x6908)', d.protectedTlvs);
  block('TLVs (0x6907)', d.tlvs);
  lines.push(`hashed region       [0, 0x${d.hashedRegion.end.toString(16)})`);
  lines.push(`image size          0x${d.imageSize.toString(16)} (${d.imageSize}), file ${d.fileSize} bytes`);
  if (d.trailer) {
    const t = d.trailer;
    lines.push(`trailer (slot 0x${t.slotSize.toString(16)}, max_align ${t.maxAlign}, ${t.magicForm} magic):`);
    lines.push(`  magic      @0x${t.magicOffset.toString(16)}  ${t.magic}`);
    lines.push(`  image_ok   @0x${t.imageOkOffset.toString(16)}  ${t.imageOk}`);
    lines.push(`  copy_done  @0x${t.copyDoneOffset.toString(16)}  ${t.copyDone}`);
    lines.push(`  swap_info  @0x${t.swapInfoOffset.toString(16)}  ${t.swapType}`);
    lines.push(`  swap_size  @0x${t.swapSizeOffset.toString(16)}  ${t.swapSize ?? 'unset'}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPECS, POSITIONAL);
  if (args.bool('help')) {
    process.stdout.write(helpText('dumpinfo', 'Print the structure of an MCUboot image.', SPECS, POSITIONAL));
    return 0;
  }
  const { bytes } = readImageFile(args.positionals[0]!, 'image');
  const d = describe(parseImage(bytes));
  if (args.bool('json')) printJson(d);
  else process.stdout.write(human(d));
  return 0;
}

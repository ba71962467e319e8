/**
 * The format pieces on their own: trailer layouts for every write alignment, the maximum
 * image sizes of §3.8, the header and TLV codecs' errors, keys, and signing options that the
 * imgtool vectors do not exercise (pure Ed25519, --pad-sig, RSA-3072, security counter floor).
 */
import { describe, expect, it } from 'vitest';
import { parseArgs, parseInteger } from '../../src/cli/args.js';
import { UsageError } from '../../src/errors.js';
import {
  ImageFormatError,
  TlvType,
  bootMagic,
  bootTrailerSize,
  decodeHeader,
  decodeTlvBlock,
  encodeTlvBlock,
  generateKey,
  hex,
  keyHash,
  maxImageSize,
  parseImage,
  parseKey,
  parseVersion,
  signImage,
  verifyImage,
} from '../../src/image/index.js';
import { readVector } from './fixtures.js';

const input = (bodyLength: number, headerSize = 0x200) => {
  const out = new Uint8Array(headerSize + bodyLength);
  for (let i = 0; i < bodyLength; i++) out[headerSize + i] = (i * 31 + 7) & 0xff;
  return out;
};

describe('trailer written by --pad and --confirm', () => {
  for (const align of [1, 2, 4, 8, 16, 32]) {
    it(`puts magic and image_ok where MCUboot reads them for --align ${align}`, async () => {
      const slotSize = 0x20000;
      const bytes = await signImage(input(1000), { headerSize: 0x200, align, slotSize, confirm: true });
      expect(bytes.length).toBe(slotSize);
      const maxAlign = Math.max(8, align);
      const t = parseImage(bytes).trailer!;
      expect(t.magic).toBe('good');
      expect(t.magicForm).toBe(maxAlign === 8 ? 'standard' : 'align-prefixed');
      expect(hex(bytes.subarray(slotSize - 16))).toBe(hex(bootMagic(maxAlign)));
      // §3.6: image_ok at S-24 / S-32 / S-64 for BOOT_MAX_ALIGN 8 / 16 / 32.
      expect(t.layout.imageOkOffset).toBe(slotSize - { 8: 24, 16: 32, 32: 64 }[maxAlign]!);
      expect(t.imageOk).toBe('set');
      expect(t.copyDone).toBe('unset');
      expect(t.swapType).toBe(1);
      // Everything between the image and the magic except image_ok stays erased.
      const image = parseImage(bytes);
      const fill = bytes.subarray(image.imageEnd, slotSize - 16);
      expect(fill.filter((b) => b !== 0xff)).toEqual(new Uint8Array([0x01]));
    });
  }

  it('leaves image_ok erased with --pad alone and fills with 0x00 for --erased-val 0', async () => {
    const bytes = await signImage(input(1000), { headerSize: 0x200, align: 8, slotSize: 0x8000, pad: true, erasedVal: 0 });
    const t = parseImage(bytes).trailer!;
    expect(t.imageOk).toBe('bad'); // 0x00 read as if erased were 0xff
    expect(bytes[0x8000 - 24]).toBe(0);
    expect(bytes.subarray(parseImage(bytes).imageEnd, 0x8000 - 16).every((b) => b === 0)).toBe(true);
  });

  it('refuses an image that leaves no room for the trailer, and accepts the overwrite-only trailer there', async () => {
    // 0x200 + 1000 + 40 bytes of image; the default trailer for align 8 is 3120 bytes.
    const body = 0x2000 - 0x200 - 40 - 3120 + 1;
    await expect(signImage(input(body), { headerSize: 0x200, align: 8, slotSize: 0x2000, pad: true })).rejects.toThrow(UsageError);
    const bytes = await signImage(input(body), { headerSize: 0x200, align: 8, slotSize: 0x2000, pad: true, overwriteOnly: true, confirm: true });
    expect(parseImage(bytes).trailer!.imageOk).toBe('unset'); // imgtool ignores --confirm with --overwrite-only
  });
});

describe('maximum image sizes (reference §3.6, §3.8)', () => {
  it('matches the trailer size table for every write size', () => {
    const totals = [1, 2, 4, 8].map((writeSize) => bootTrailerSize({ writeSize }).total);
    expect(totals).toEqual([432, 816, 1584, 3120]);
    expect(bootTrailerSize({ writeSize: 16, maxAlign: 16 }).total).toBe(6224);
    expect(bootTrailerSize({ writeSize: 32, maxAlign: 32 }).total).toBe(12448);
    expect(bootTrailerSize({ writeSize: 8, states: 2, swapOffset: true }).total).toBe(2104);
  });

  it('gives the worked example of a 128 KiB slot with 4 KiB sectors', () => {
    const g = { slotSize: 0x20000, sectorSize: 0x1000, writeSize: 8 };
    expect(maxImageSize('swap-scratch', g)).toBe(0x1f3d0);
    expect(maxImageSize('swap-move', g)).toBe(0x1e000);
    expect(maxImageSize('swap-offset', g)).toBe(0x1e000);
    expect(maxImageSize('overwrite-only', g)).toBe(0x1ffd8);
  });

  it('rejects an image one byte over the swap-move limit but accepts it under swap-scratch', async () => {
    const limit = 0x1e000;
    const bytes = await signImage(input(limit - 0x200 - 40 + 1), { headerSize: 0x200, slotSize: 0x20000 });
    expect(parseImage(bytes).imageEnd).toBe(limit + 1);
    expect(await verifyImage(bytes, { slotSize: 0x20000, strategy: 'swap-move' })).toMatchObject({ ok: false, code: 'image-too-large' });
    expect(await verifyImage(bytes, { slotSize: 0x20000, strategy: 'swap-scratch' })).toMatchObject({ ok: true });
  });
});

describe('parsing errors', () => {
  it('names offset, field, expected and found for a bad header magic', () => {
    const bytes = readVector('bad/ecdsa-header-magic.bin');
    const e = (() => {
      try {
        decodeHeader(bytes);
      } catch (err) {
        return err;
      }
    })() as ImageFormatError;
    expect(e).toBeInstanceOf(ImageFormatError);
    expect([e.offset, e.field, e.expected]).toEqual([0, 'ih_magic', '0x96f3b83d']);
    expect(e.found).toContain('0x96f3b8c2');
  });

  it('rejects a TLV entry whose length runs past its block', () => {
    const block = encodeTlvBlock(false, [{ type: TlvType.SHA256, value: new Uint8Array(32) }]);
    block[6] = 33;
    expect(() => decodeTlvBlock(block, 0, false)).toThrow(/TLV 0x0010 length expected <= 32 \(end of block\), found 33/);
  });

  it('keeps unknown and custom TLV types in order', () => {
    const entries = [
      { type: 0x99, value: Uint8Array.of(1) },
      { type: 0x1a0, value: Uint8Array.of(2, 3) },
    ];
    const block = decodeTlvBlock(encodeTlvBlock(true, entries), 0, true);
    expect(block.entries.map((e) => [e.type, hex(e.value)])).toEqual([
      [0x99, '01'],
      [0x1a0, '0203'],
    ]);
  });

  it('never reads past a buffer cut anywhere inside an image', () => {
    const bytes = readVector('good/ecdsa-4096-deps.bin');
    for (let n = 0; n < bytes.length; n += 7) {
      try {
        parseImage(bytes.subarray(0, n));
      } catch (e) {
        expect(e).toBeInstanceOf(ImageFormatError);
      }
    }
  });
});

describe('versions and keys', () => {
  it('parses imgtool version strings and refuses malformed ones', () => {
    expect(parseVersion('1.2.3+4')).toEqual({ major: 1, minor: 2, revision: 3, build: 4 });
    expect(parseVersion('7')).toEqual({ major: 7, minor: 0, revision: 0, build: 0 });
    for (const bad of ['1.x', '256.0.0', '1.2.65536', '01.2', '1.2.3-4', '']) expect(() => parseVersion(bad)).toThrow(UsageError);
  });

  it('computes the RSA KEYHASH over the PKCS#1 RSAPublicKey, not the SubjectPublicKeyInfo', () => {
    const key = parseKey(readVector('keys/rsa-2048.pub.pem'));
    expect(hex(key.kind === 'public' ? key.keyBytes.subarray(0, 4) : new Uint8Array())).toBe('3082010a');
    expect(hex(keyHash(key))).toBe(hex(readVector('keys/rsa-2048.pubhash.bin')));
  });

  it('reads a public key from the raw DER getpub prints', () => {
    for (const name of ['ecdsa-p256', 'ed25519', 'rsa-2048']) {
      const key = parseKey(readVector(`keys/${name}.pub.der`));
      expect(hex(keyHash(key))).toBe(hex(readVector(`keys/${name}.pubhash.bin`)));
    }
  });

  it('refuses a file that is not a key, naming it', () => {
    expect(() => parseKey(readVector('bodies/body-1000.bin'), 'body-1000.bin')).toThrow(/body-1000\.bin/);
    expect(() => parseKey('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'cert.pem')).toThrow(/CERTIFICATE/);
  });
});

describe('signing options the vectors do not cover', () => {
  it('signs in Ed25519 pure mode over the image itself, with a SIG_PURE TLV', async () => {
    const key = await generateKey('ed25519');
    const bytes = await signImage(input(2000), { key, headerSize: 0x200, pure: true });
    const types = parseImage(bytes).tlvs.entries.map((e) => e.type);
    expect(types).toEqual([TlvType.SHA256, TlvType.SIG_PURE, TlvType.KEYHASH, TlvType.ED25519]);
    expect(await verifyImage(bytes, { keys: [key] })).toMatchObject({ ok: true, pure: true });
  });

  it('pads ECDSA signatures to 72 bytes with --pad-sig and still verifies them', async () => {
    const key = await generateKey('ecdsa-p256');
    const bytes = await signImage(input(100), { key, headerSize: 0x200, padSig: true });
    expect(parseImage(bytes).tlvs.entries.at(-1)!.value.length).toBe(72);
    expect((await verifyImage(bytes, { keys: [key] })).ok).toBe(true);
  });

  it('signs with RSA-3072 (RSA3072_PSS TLV of 384 bytes)', async () => {
    const key = await generateKey('rsa-3072');
    const bytes = await signImage(input(100), { key, headerSize: 0x200 });
    const sig = parseImage(bytes).tlvs.entries.at(-1)!;
    expect([sig.type, sig.value.length]).toEqual([TlvType.RSA3072_PSS, 384]);
    expect((await verifyImage(bytes, { keys: [key] })).ok).toBe(true);
  });

  it('enforces the security counter floor and derives "auto" from the version', async () => {
    const key = await generateKey('ed25519');
    const bytes = await signImage(input(100), { key, headerSize: 0x200, version: '2.1.3', securityCounter: 'auto' });
    const counter = (2 << 24) + (1 << 16) + 3;
    expect(await verifyImage(bytes, { keys: [key], securityCounter: counter })).toMatchObject({ ok: true, securityCounter: counter });
    expect(await verifyImage(bytes, { keys: [key], securityCounter: counter + 1 })).toMatchObject({ ok: false, code: 'security-counter-too-low' });
    const without = await signImage(input(100), { key, headerSize: 0x200 });
    expect(await verifyImage(without, { keys: [key], securityCounter: 0 })).toMatchObject({ ok: false, code: 'security-counter-missing' });
  });

  it('selects the right key among several trusted ones by KEYHASH', async () => {
    const [a, b] = [await generateKey('ecdsa-p256'), await generateKey('ed25519')];
    const bytes = await signImage(input(100), { key: b, headerSize: 0x200 });
    expect(await verifyImage(bytes, { keys: [a, b] })).toMatchObject({ ok: true, keyIndex: 1 });
  });
});

describe('the shared flag parser', () => {
  const specs = {
    key: { type: 'string', short: 'k', multiple: true },
    pad: { type: 'boolean' },
    'custom-tlv': { type: 'string', arity: 2, multiple: true },
  } as const;

  it('reads --flag value, --flag=value, short aliases, repeats, tuples and positionals', () => {
    const a = parseArgs(['-k', 'a.pem', '--key=b.pem', '--pad', '--custom-tlv', '0xa0', 'x', 'in', '--', '-out'], specs, { min: 2, max: 2 });
    expect(a.strings('key')).toEqual(['a.pem', 'b.pem']);
    expect(a.bool('pad')).toBe(true);
    expect(a.tuples('custom-tlv')).toEqual([['0xa0', 'x']]);
    expect(a.positionals).toEqual(['in', '-out']);
  });

  it('names an unknown flag, a missing value and a surplus argument', () => {
    expect(() => parseArgs(['--nope'], specs)).toThrow(/unknown flag '--nope'/);
    expect(() => parseArgs(['--custom-tlv', '0xa0'], specs)).toThrow(/--custom-tlv expects 2 values/);
    expect(() => parseArgs(['x'], specs)).toThrow(/unexpected argument 'x'/);
    expect(() => parseArgs(['--pad=1'], specs)).toThrow(/takes no value/);
  });

  it('reads integers as imgtool does (decimal, 0x, 0o, 0b)', () => {
    expect([parseInteger('0x200', 'n'), parseInteger('512', 'n'), parseInteger('0o1000', 'n'), parseInteger('0b1', 'n')]).toEqual([512, 512, 512, 1]);
    expect(() => parseInteger('12k', '--slot-size')).toThrow(/--slot-size: '12k'/);
  });
});

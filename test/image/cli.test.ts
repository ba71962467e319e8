/**
 * The image commands through the CLI entry (`main([...])`), against the real imgtool:
 * re-signing each good vector's input with its recorded imgtool arguments gives the same
 * file (byte for byte for hash-only and Ed25519; for ECDSA/RSA everything but the
 * randomised signature), and bad input fails with one line, exit 2, and no output file.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { SIGNATURE_TLVS } from '../../src/image/layout.js';
import { hex, parseImage, parseKey, verifyImage } from '../../src/image/index.js';
import { goodVectors, manifest, readVector, vectorsDir } from './fixtures.js';

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1'));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const tmp = () => mkdtempSync(join(tmpdir(), 'brickproof-image-'));

/** imgtool's arguments with the vector-relative paths made absolute and the output redirected. */
function resignArgs(args: string[], output: string): string[] {
  const a = args.slice(1);
  a[a.length - 1] = output;
  return a.map((x, i) => (i > 0 && (a[i - 1] === '-k' || a[i - 1] === '--key')) || i === a.length - 2 ? join(vectorsDir, x) : x);
}

describe('brickproof sign re-creates the imgtool vectors', () => {
  for (const v of goodVectors) {
    const randomised = v.key.startsWith('ecdsa') || v.key.startsWith('rsa');
    it(`${v.name}: ${randomised ? 'identical except the randomised signature, which verifies' : 'byte-identical'}`, async () => {
      const dir = tmp();
      const output = join(dir, 'out.bin');
      expect(await main(['sign', ...resignArgs(v.imgtool_args!, output)])).toBe(0);
      const ours = new Uint8Array(readFileSync(output));
      const theirs = readVector(v.file);
      if (!randomised) {
        expect(hex(ours)).toBe(hex(theirs));
        return;
      }
      const a = parseImage(ours);
      const b = parseImage(theirs);
      expect(hex(ours.subarray(0, a.hashedRegion.end))).toBe(hex(theirs.subarray(0, b.hashedRegion.end)));
      const strip = (img: typeof a) => img.tlvs.entries.map((e) => ({ type: e.type, value: SIGNATURE_TLVS.has(e.type) ? '(signature)' : hex(e.value) }));
      expect(strip(a)).toEqual(strip(b));
      expect(ours.length).toBe(v.padded ? theirs.length : a.imageEnd);
      const tail = Math.max(a.imageEnd, b.imageEnd);
      expect(hex(ours.subarray(tail))).toBe(hex(theirs.subarray(tail)));
      const key = parseKey(readVector(manifest.keys[v.key]!.public_pem));
      const result = await verifyImage(ours, { keys: [key], slotSize: v.slot_size });
      expect(result.ok).toBe(true);
    });
  }

  it('writes Intel HEX when the output ends in .hex, and reads it back', async () => {
    const dir = tmp();
    const v = goodVectors.find((g) => g.name === 'ed25519-1000-a1')!;
    expect(await main(['sign', ...resignArgs(v.imgtool_args!, join(dir, 'out.hex'))])).toBe(0);
    expect(readFileSync(join(dir, 'out.hex'), 'utf8')).toMatch(/^:020000040000FA\n:10000000/);
    out = [];
    expect(await main(['verify', '--json', '-k', join(vectorsDir, 'keys/ed25519.pub.pem'), join(dir, 'out.hex')])).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ ok: true, digest: v.expected_sha256 });
  });
});

describe('brickproof verify and dumpinfo', () => {
  it('accepts a good image and prints its version and digest', async () => {
    expect(await main(['verify', '-k', join(vectorsDir, 'keys/ecdsa-p256.pub.pem'), join(vectorsDir, 'good/ecdsa-4096-a4.bin')])).toBe(0);
    expect(out.join('')).toContain('Image version: 1.0.0+0');
  });

  it('exits 1 with the failed rule when the signature was made by another key', async () => {
    const code = await main(['verify', '-k', join(vectorsDir, 'keys/ecdsa-p256.pub.pem'), join(vectorsDir, 'bad/ecdsa-signed-by-other-key.bin')]);
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/^brickproof verify: .*key-not-trusted.*\n$/);
  });

  it('reports the rule in JSON and exits 1 for an image too large for the slot', async () => {
    const code = await main(['verify', '--json', '-S', '0x20000', '-k', join(vectorsDir, 'keys/ecdsa-p256.pub.pem'), join(vectorsDir, 'bad/image-larger-than-slot.bin')]);
    expect(code).toBe(1);
    expect(JSON.parse(out.join(''))).toMatchObject({ ok: false, code: 'header-exceeds-slot' });
  });

  it('dumps every TLV of an image with custom TLVs by name, as JSON', async () => {
    expect(await main(['dumpinfo', '--json', join(vectorsDir, 'good/ecdsa-4096-customtlv.bin')])).toBe(0);
    const d = JSON.parse(out.join(''));
    expect(d.protectedTlvs.entries.map((e: { name: string; value: string }) => [e.name, e.value])).toEqual([
      ['CUSTOM', '01020304'],
      ['CUSTOM', hex(new TextEncoder().encode('hello'))],
    ]);
    expect(d.tlvs.entries.map((e: { name: string }) => e.name)).toEqual(['SHA256', 'KEYHASH', 'ECDSA_SIG']);
  });

  it('dumps the trailer of a padded and confirmed image in human form', async () => {
    expect(await main(['dumpinfo', join(vectorsDir, 'good/ecdsa-4096-a8-confirm.bin')])).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/image_ok +@0x1ffe8 +set/);
    expect(text).toMatch(/magic +@0x1fff0 +good/);
  });

  it('exits 2 naming the field when dumpinfo is given a truncated image', async () => {
    expect(await main(['dumpinfo', join(vectorsDir, 'bad/ecdsa-tlv-truncated.bin')])).toBe(2);
    expect(err.join('')).toMatch(/^brickproof dumpinfo: malformed image at offset 0x[0-9a-f]+: TLV info it_tlv_tot expected .*\n$/);
  });
});

describe('brickproof keygen, getpub and getpubhash', () => {
  for (const name of ['ecdsa-p256', 'ed25519', 'rsa-2048'] as const) {
    it(`prints imgtool's raw public key and hash for the ${name} test key`, async () => {
      const k = manifest.keys[name]!;
      const dir = tmp();
      expect(await main(['getpub', '-k', join(vectorsDir, k.private_pem), '-e', 'raw', '-o', join(dir, 'pub.der')])).toBe(0);
      expect(hex(readFileSync(join(dir, 'pub.der')))).toBe(hex(readVector(k.public_raw)));
      expect(await main(['getpub', '-k', join(vectorsDir, k.private_pem), '-e', 'pem', '-o', join(dir, 'pub.pem')])).toBe(0);
      expect(readFileSync(join(dir, 'pub.pem'), 'utf8')).toBe(readFileSync(join(vectorsDir, k.public_pem), 'utf8'));
      expect(await main(['getpubhash', '-k', join(vectorsDir, k.private_pem), '-e', 'raw', '-o', join(dir, 'hash.bin')])).toBe(0);
      expect(hex(readFileSync(join(dir, 'hash.bin')))).toBe(k.public_hash_sha256);
    });
  }

  it('prints the public key as a C array by default', async () => {
    expect(await main(['getpub', '-k', join(vectorsDir, 'keys/ed25519.pem')])).toBe(0);
    const text = out.join('');
    expect(text).toContain('const unsigned char ed25519_pub_key[] = {\n    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65,');
    expect(text).toContain('const unsigned int ed25519_pub_key_len = 44;');
  });

  for (const type of ['ecdsa-p256', 'ed25519', 'rsa-2048', 'rsa-3072'] as const) {
    it(`generates a ${type} key that signs an image it then verifies`, async () => {
      const dir = tmp();
      const keyFile = join(dir, 'key.pem');
      expect(await main(['keygen', '-k', keyFile, '-t', type])).toBe(0);
      expect(readFileSync(keyFile, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      writeFileSync(join(dir, 'in.bin'), new Uint8Array(0x200 + 300).fill(7, 0x200));
      expect(await main(['sign', '-k', keyFile, '-H', '0x200', '-v', '1.0.0', join(dir, 'in.bin'), join(dir, 'out.bin')])).toBe(0);
      expect(await main(['getpub', '-k', keyFile, '-e', 'pem', '-o', join(dir, 'pub.pem')])).toBe(0);
      expect(await main(['verify', '-k', join(dir, 'pub.pem'), join(dir, 'out.bin')])).toBe(0);
    });
  }
});

describe('bad input: one line naming the value, exit 2, no output file', () => {
  const input = join(vectorsDir, 'inputs/body-4096-zero0x200.bin');
  const cases: [string, (dir: string) => string[], RegExp][] = [
    ['an unknown key type', (d) => ['keygen', '-k', join(d, 'out'), '-t', 'dsa-1024'], /dsa-1024/],
    ['a key file that is not a key', () => ['sign', '-k', input, '-H', '0x200', input], /key file .*body-4096-zero0x200\.bin/],
    ['--align 3', () => ['sign', '-H', '0x200', '--align', '3', input], /--align 3/],
    ['--version 1.x', () => ['sign', '-H', '0x200', '--version', '1.x', input], /1\.x/],
    ['a body larger than the slot', () => ['sign', '-H', '0x200', '-S', '0x1000', input], /--slot-size 4096/],
    ['a --custom-tlv tag below 0x00a0', () => ['sign', '-H', '0x200', '--custom-tlv', '0x10', '0x01', input], /0x10/],
    ['a --custom-tlv tag of 0xffff', () => ['sign', '-H', '0x200', '--custom-tlv', '0xffff', '0x01', input], /0xffff/],
    ['an unknown flag', () => ['sign', '--frobnicate', '-H', '0x200', input], /--frobnicate/],
  ];
  for (const [what, argv, message] of cases) {
    it(`rejects ${what}`, async () => {
      const dir = tmp();
      const args = argv(dir);
      const target = args[0] === 'keygen' ? args[2]! : join(dir, 'out.bin');
      const code = await main(args[0] === 'keygen' ? args : [...args, target]);
      expect(code).toBe(2);
      const text = err.join('');
      expect(text).toMatch(message);
      expect(text.trim().split('\n')).toHaveLength(1);
      expect(existsSync(target)).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    });
  }
});

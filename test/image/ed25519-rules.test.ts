/**
 * One signature check, MCUboot's: `brickproof verify` and the simulated bootloader judge every
 * Ed25519 signature alike, with the rules of MCUboot's verifier (src/image/ed25519.ts), even
 * where general-purpose verifiers disagree with it.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { Device } from '../../src/device/device.js';
import { getDevice } from '../../src/device/device-file.js';
import { verifyEd25519 } from '../../src/image/ed25519.js';
import { findTlv, generateKey, parseImage, signImage, TlvType, verifyImage, type PrivateKey } from '../../src/image/index.js';

const L = ed25519.Point.Fn.ORDER;
const le = (b: Uint8Array) => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);
const toLe32 = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
/** (0, −1): the point of order 2, canonically encoded (y = p − 1). */
const ORDER_2 = ed25519.Point.fromBytes(Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 0xec : i === 31 ? 0x7f : 0xff)));

/** A valid signature, re-made with a nonce point R + T (T of order 2): a cofactored verifier accepts it. */
function withTorsion(key: PrivateKey, message: Uint8Array): Uint8Array {
  const { scalar } = ed25519.utils.getExtendedPublicKey(key.secret);
  const r = 0x1234567890abcdefn;
  const R = ed25519.Point.BASE.multiply(r).add(ORDER_2).toBytes();
  const h = new Uint8Array(64 + message.length);
  h.set(R, 0);
  h.set(key.publicKey.raw, 32);
  h.set(message, 64);
  const challenge = le(sha512(h)) % L;
  const s = (r + challenge * scalar) % L;
  return Uint8Array.of(...R, ...toLe32(s));
}

/** The image with its Ed25519 signature TLV's value replaced. */
function resign(image: Uint8Array, signature: Uint8Array): Uint8Array {
  const out = image.slice();
  const sig = findTlv(parseImage(out), TlvType.ED25519)!;
  out.set(signature, sig.value.byteOffset - out.byteOffset);
  return out;
}

describe('Ed25519 with MCUboot\'s acceptance rules', async () => {
  const key = await generateKey('ed25519');
  const body = Uint8Array.from({ length: 20000 }, (_, i) => (i * 7 + 1) & 0xff);
  const v1 = await signImage(body, { key, headerSize: 0x200, padHeader: true, version: '1.0.0' });
  const v2 = await signImage(body.map((b) => b ^ 0x5a), { key, headerSize: 0x200, padHeader: true, version: '2.0.0' });
  const accepted = await verifyImage(v2, { keys: [key] });
  if (!accepted.ok) throw new Error('the signed update does not verify');
  const digest = accepted.digest;
  const good = findTlv(parseImage(v2), TlvType.ED25519)!.value.slice();

  /** What the simulated bootloader, built with the key, boots after a test upgrade to `update`. */
  function bootedMajor(update: Uint8Array): number | undefined {
    const dev = new Device(getDevice('nrf52840').geometry, { strategy: 'swap-scratch', keys: [key.publicKey] });
    dev.core.place(1, 0, v1);
    dev.core.place(2, 0, update);
    expect(dev.setPending(false)).toBe(0);
    const r = dev.boot();
    if (!('outcome' in r)) throw new Error('unexpected power cut');
    return r.version?.major;
  }

  it('accepts what imgtool-style signing makes, in verify and in the bootloader', () => {
    expect(verifyEd25519(good, digest, key.publicKey.raw)).toBe(true);
    expect(resign(v2, good)).toEqual(v2);
    expect(bootedMajor(v2)).toBe(2);
  });

  it('refuses a non-canonical s (s + L), in verify and in the bootloader', async () => {
    const s = le(good.subarray(32));
    const malleated = Uint8Array.of(...good.subarray(0, 32), ...toLe32(s + L));
    const image = resign(v2, malleated);
    expect(await verifyImage(image, { keys: [key] })).toMatchObject({ ok: false, code: 'signature-invalid' });
    expect(bootedMajor(image)).toBe(1);
  });

  it('refuses a nonce point with a small-order part, which a cofactored verifier accepts, in verify and in the bootloader', async () => {
    const sig = withTorsion(key, digest);
    // RFC 8032's cofactored equation (noble, strict decoding or not) takes it: the rules differ.
    expect(ed25519.verify(sig, digest, key.publicKey.raw, { zip215: false })).toBe(true);
    expect(verifyEd25519(sig, digest, key.publicKey.raw)).toBe(false);
    const image = resign(v2, sig);
    expect(await verifyImage(image, { keys: [key] })).toMatchObject({ ok: false, code: 'signature-invalid' });
    expect(bootedMajor(image)).toBe(1);
  });
});

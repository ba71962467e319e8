/**
 * Signing keys as imgtool reads and writes them: PKCS#8 PEM private keys (RFC 5958) and
 * SubjectPublicKeyInfo public keys (RFC 5280 §4.1.2.7) in PEM or DER, for ECDSA P-256
 * (RFC 5480), Ed25519 (RFC 8410), RSA-2048 and RSA-3072 (RFC 8017 A.1). Legacy SEC 1
 * (`EC PRIVATE KEY`) and PKCS#1 (`RSA PRIVATE KEY`) PEM files are accepted as well.
 *
 * The bytes MCUboot embeds, hashes for KEYHASH and carries in a full PUBKEY TLV are the
 * SubjectPublicKeyInfo DER for EC and Ed25519 keys but the PKCS#1 RSAPublicKey DER for RSA
 * keys (reference mcuboot.md §2.4): `keyBytes` below.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { UsageError } from '../errors.js';
import { type DerNode, DerError, Tag, children, der, derBitString, derNull, derOctetString, derOid, derSequence, derUnsignedInteger, expectDer, oidToString, readDer, unsignedInteger } from './der.js';
import { type HashName, digest } from './digest.js';
// Whoever holds a key can have it checked by a simulated bootloader (signature-check.ts).
import './signature.js';

export const KEY_TYPES = ['ecdsa-p256', 'ed25519', 'rsa-2048', 'rsa-3072'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_PRIME256V1 = '1.2.840.10045.3.1.7';
const OID_ED25519 = '1.3.101.112';
const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';

export interface PublicKey {
  kind: 'public';
  type: KeyType;
  /** DER SubjectPublicKeyInfo. */
  spki: Uint8Array;
  /** What KEYHASH hashes and PUBKEY carries: the SPKI, or PKCS#1 RSAPublicKey for RSA. */
  keyBytes: Uint8Array;
  /** The bare key: uncompressed P-256 point (65 B), Ed25519 key (32 B), or PKCS#1 for RSA. */
  raw: Uint8Array;
}

export interface PrivateKey {
  kind: 'private';
  type: KeyType;
  /** DER PKCS#8 PrivateKeyInfo (what `keygen` writes, what WebCrypto imports). */
  pkcs8: Uint8Array;
  /** P-256 scalar d or Ed25519 seed (32 B); empty for RSA (WebCrypto holds it). */
  secret: Uint8Array;
  publicKey: PublicKey;
}

export type Key = PublicKey | PrivateKey;

/** A key file that is not a key of a supported type. Exit 2. */
export class KeyError extends UsageError {}

const textDecoder = new TextDecoder();

/** `-----BEGIN <label>-----` blocks in a text; label plus DER. */
export function decodePem(text: string): { label: string; der: Uint8Array }[] {
  const out: { label: string; der: Uint8Array }[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = m[2]!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new KeyError(`PEM block '${m[1]}' is not valid base64`);
    out.push({ label: m[1]!, der: Uint8Array.from(atob(body), (c) => c.charCodeAt(0)) });
  }
  return out;
}

/** PEM text with 64-character lines, as OpenSSL and Python's cryptography write it. */
export function encodePem(label: string, derBytes: Uint8Array): string {
  const b64 = btoa(String.fromCharCode(...derBytes));
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function rsaType(modulus: Uint8Array): KeyType {
  const bits = modulus.length * 8 - Math.clz32(modulus[0]!) + 24;
  if (bits === 2048) return 'rsa-2048';
  if (bits === 3072) return 'rsa-3072';
  throw new KeyError(`RSA key of ${bits} bits is not supported (expected 2048 or 3072)`);
}

function algorithm(node: DerNode): { oid: string; param?: string } {
  const [oid, param] = children(node);
  if (!oid || oid.tag !== Tag.OID) throw new DerError(node.start, 'AlgorithmIdentifier without OID');
  return { oid: oidToString(oid.value), param: param?.tag === Tag.OID ? oidToString(param.value) : undefined };
}

function rsaPublicFromPkcs1(pkcs1: Uint8Array): PublicKey {
  const seq = expectDer(pkcs1, 0, Tag.SEQUENCE, 'RSAPublicKey');
  const [n, e] = children(seq);
  if (!n || !e) throw new DerError(0, 'RSAPublicKey needs modulus and exponent');
  const type = rsaType(unsignedInteger(n));
  unsignedInteger(e);
  const keyBytes = pkcs1.slice(0, seq.end);
  const spki = derSequence(derSequence(derOid(OID_RSA_ENCRYPTION), derNull()), derBitString(keyBytes));
  return { kind: 'public', type, spki, keyBytes, raw: keyBytes };
}

function p256Public(point: Uint8Array): PublicKey {
  // Validates the point (throws on points not on the curve) and normalises to uncompressed.
  const raw = p256.Point.fromBytes(point).toBytes(false);
  const spki = derSequence(derSequence(derOid(OID_EC_PUBLIC_KEY), derOid(OID_PRIME256V1)), derBitString(raw));
  return { kind: 'public', type: 'ecdsa-p256', spki, keyBytes: spki, raw };
}

function ed25519Public(raw: Uint8Array): PublicKey {
  if (raw.length !== 32) throw new DerError(0, `Ed25519 public key of ${raw.length} bytes`);
  const spki = derSequence(derSequence(derOid(OID_ED25519)), derBitString(raw));
  return { kind: 'public', type: 'ed25519', spki, keyBytes: spki, raw: raw.slice() };
}

function bitStringBytes(node: DerNode): Uint8Array {
  if (node.tag !== Tag.BIT_STRING || node.value[0] !== 0) throw new DerError(node.start, 'expected a BIT STRING without unused bits');
  return node.value.subarray(1);
}

/** From DER SubjectPublicKeyInfo, or a bare PKCS#1 RSAPublicKey (what `getpub -e raw` prints for RSA). */
export function publicKeyFromDer(bytes: Uint8Array): PublicKey {
  const seq = expectDer(bytes, 0, Tag.SEQUENCE, 'public key');
  const [first, second] = children(seq);
  if (first?.tag === Tag.INTEGER) return rsaPublicFromPkcs1(bytes);
  if (!first || first.tag !== Tag.SEQUENCE || !second) throw new DerError(0, 'not a SubjectPublicKeyInfo');
  const alg = algorithm(first);
  const key = bitStringBytes(second);
  if (alg.oid === OID_EC_PUBLIC_KEY) {
    if (alg.param !== OID_PRIME256V1) throw new KeyError(`EC key on curve ${alg.param ?? '?'} is not supported (expected P-256, ${OID_PRIME256V1})`);
    return p256Public(key);
  }
  if (alg.oid === OID_ED25519) return ed25519Public(key);
  if (alg.oid === OID_RSA_ENCRYPTION) return rsaPublicFromPkcs1(key);
  throw new KeyError(`public key algorithm ${alg.oid} is not supported (expected EC P-256, Ed25519 or RSA)`);
}

function ecPrivate(sec1: Uint8Array, pkcs8?: Uint8Array): PrivateKey {
  // SEC 1 §C.4: ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] params, [1] publicKey }
  const seq = expectDer(sec1, 0, Tag.SEQUENCE, 'ECPrivateKey');
  const [, d] = children(seq);
  if (!d || d.tag !== Tag.OCTET_STRING || d.value.length !== 32) throw new DerError(0, 'ECPrivateKey without a 32-byte scalar');
  const secret = d.value.slice();
  const raw = p256.getPublicKey(secret, false);
  const publicKey = p256Public(raw);
  return { kind: 'private', type: 'ecdsa-p256', secret, publicKey, pkcs8: pkcs8 ?? ecPkcs8(secret, raw) };
}

function ecPkcs8(secret: Uint8Array, point: Uint8Array): Uint8Array {
  const ecPrivateKey = derSequence(derUnsignedInteger(Uint8Array.of(1)), derOctetString(secret), der(0xa1, derBitString(point)));
  return derSequence(derUnsignedInteger(Uint8Array.of(0)), derSequence(derOid(OID_EC_PUBLIC_KEY), derOid(OID_PRIME256V1)), derOctetString(ecPrivateKey));
}

function ed25519Pkcs8(seed: Uint8Array): Uint8Array {
  return derSequence(derUnsignedInteger(Uint8Array.of(0)), derSequence(derOid(OID_ED25519)), derOctetString(derOctetString(seed)));
}

function rsaPrivate(pkcs1: Uint8Array, pkcs8?: Uint8Array): PrivateKey {
  // RFC 8017 A.1.2: RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dP, dQ, qInv }
  const seq = expectDer(pkcs1, 0, Tag.SEQUENCE, 'RSAPrivateKey');
  const [, n, e] = children(seq);
  if (!n || !e) throw new DerError(0, 'RSAPrivateKey without modulus');
  const publicKey = rsaPublicFromPkcs1(derSequence(derUnsignedInteger(unsignedInteger(n)), derUnsignedInteger(unsignedInteger(e))));
  const wrapped = pkcs8 ?? derSequence(derUnsignedInteger(Uint8Array.of(0)), derSequence(derOid(OID_RSA_ENCRYPTION), derNull()), derOctetString(pkcs1.slice(0, seq.end)));
  return { kind: 'private', type: publicKey.type, secret: new Uint8Array(0), publicKey, pkcs8: wrapped };
}

/** From DER PKCS#8 PrivateKeyInfo. */
export function privateKeyFromPkcs8(bytes: Uint8Array): PrivateKey {
  const seq = expectDer(bytes, 0, Tag.SEQUENCE, 'PrivateKeyInfo');
  const [version, algId, key] = children(seq);
  if (!version || version.tag !== Tag.INTEGER || !algId || algId.tag !== Tag.SEQUENCE || !key || key.tag !== Tag.OCTET_STRING) {
    throw new DerError(0, 'not a PKCS#8 PrivateKeyInfo');
  }
  const alg = algorithm(algId);
  const pkcs8 = bytes.slice(0, seq.end);
  if (alg.oid === OID_EC_PUBLIC_KEY) {
    if (alg.param !== OID_PRIME256V1) throw new KeyError(`EC key on curve ${alg.param ?? '?'} is not supported (expected P-256)`);
    return ecPrivate(key.value, pkcs8);
  }
  if (alg.oid === OID_ED25519) {
    const seed = expectDer(key.value, 0, Tag.OCTET_STRING, 'Ed25519 private key').value;
    if (seed.length !== 32) throw new DerError(0, `Ed25519 seed of ${seed.length} bytes`);
    return { kind: 'private', type: 'ed25519', secret: seed.slice(), publicKey: ed25519Public(ed25519.getPublicKey(seed)), pkcs8 };
  }
  if (alg.oid === OID_RSA_ENCRYPTION) return rsaPrivate(key.value, pkcs8);
  throw new KeyError(`private key algorithm ${alg.oid} is not supported (expected EC P-256, Ed25519 or RSA)`);
}

/**
 * Reads a key file's contents: PEM (PRIVATE KEY, EC PRIVATE KEY, RSA PRIVATE KEY, PUBLIC KEY,
 * RSA PUBLIC KEY) or DER (PKCS#8, SubjectPublicKeyInfo, PKCS#1 RSAPublicKey).
 * `what` names the source in errors (e.g. the file name).
 */
export function parseKey(data: Uint8Array | string, what = 'key'): Key {
  try {
    const text = typeof data === 'string' ? data : data.includes(0x2d) ? textDecoder.decode(data) : '';
    const blocks = text.includes('-----BEGIN') ? decodePem(text) : [];
    if (text.includes('-----BEGIN') && blocks.length === 0) throw new KeyError(`${what}: unterminated PEM block`);
    if (blocks.length > 0) {
      const block = blocks.find((b) => b.label !== 'EC PARAMETERS') ?? blocks[0]!;
      switch (block.label) {
        case 'PRIVATE KEY':
          return privateKeyFromPkcs8(block.der);
        case 'EC PRIVATE KEY':
          return ecPrivate(block.der);
        case 'RSA PRIVATE KEY':
          return rsaPrivate(block.der);
        case 'PUBLIC KEY':
        case 'RSA PUBLIC KEY':
          return publicKeyFromDer(block.der);
        case 'ENCRYPTED PRIVATE KEY':
          throw new KeyError(`${what}: password-protected keys are not supported`);
        default:
          throw new KeyError(`${what}: PEM block '${block.label}' is not a key (expected PRIVATE KEY or PUBLIC KEY)`);
      }
    }
    if (typeof data === 'string') throw new KeyError(`${what}: no PEM block found`);
    const top = readDer(data, 0);
    const first = children(top)[0];
    // PKCS#8 starts with INTEGER version then a SEQUENCE; SPKI starts with a SEQUENCE.
    if (first?.tag === Tag.INTEGER && children(top)[1]?.tag === Tag.SEQUENCE) return privateKeyFromPkcs8(data);
    return publicKeyFromDer(data);
  } catch (e) {
    if (e instanceof KeyError) throw e.message.startsWith(what) ? e : new KeyError(`${what}: ${e.message}`);
    const reason = e instanceof Error ? e.message : String(e);
    throw new KeyError(`${what} is not a supported key (PKCS#8/SPKI PEM or DER of ECDSA P-256, Ed25519, RSA-2048/3072): ${reason}`);
  }
}

export const publicKeyOf = (key: Key): PublicKey => (key.kind === 'private' ? key.publicKey : key);

/** KEYHASH as MCUboot computes it: the image's hash algorithm over `keyBytes`. */
export function keyHash(key: Key, hash: HashName = 'sha256'): Uint8Array {
  return digest(hash, publicKeyOf(key).keyBytes);
}

export function publicKeyPem(key: Key): string {
  return encodePem('PUBLIC KEY', publicKeyOf(key).spki);
}

export function privateKeyPem(key: PrivateKey): string {
  return encodePem('PRIVATE KEY', key.pkcs8);
}

/** imgtool's `getpub` default output: a C array of `keyBytes` (8 bytes per line). */
export function publicKeyCArray(key: Key): string {
  const pub = publicKeyOf(key);
  const name = pub.type === 'ecdsa-p256' ? 'ecdsa_pub_key' : pub.type === 'ed25519' ? 'ed25519_pub_key' : 'rsa_pub_key';
  return cArray(name, pub.keyBytes);
}

export function cArray(name: string, bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 8) {
    lines.push(`    ${Array.from(bytes.subarray(i, i + 8), (b) => `0x${b.toString(16).padStart(2, '0')},`).join(' ')}`);
  }
  return `/* Autogenerated by brickproof (imgtool-compatible), do not edit. */\nconst unsigned char ${name}[] = {\n${lines.join('\n')}\n};\nconst unsigned int ${name}_len = ${bytes.length};\n`;
}

/** A new random key of `type` (RSA through WebCrypto, public exponent 65537). */
export async function generateKey(type: KeyType): Promise<PrivateKey> {
  switch (type) {
    case 'ecdsa-p256': {
      const secret = p256.utils.randomSecretKey();
      return ecPrivate(derSequence(derUnsignedInteger(Uint8Array.of(1)), derOctetString(secret)));
    }
    case 'ed25519': {
      const seed = ed25519.utils.randomSecretKey();
      return privateKeyFromPkcs8(ed25519Pkcs8(seed));
    }
    case 'rsa-2048':
    case 'rsa-3072': {
      const pair = await globalThis.crypto.subtle.generateKey(
        { name: 'RSA-PSS', modulusLength: type === 'rsa-2048' ? 2048 : 3072, publicExponent: Uint8Array.of(1, 0, 1), hash: 'SHA-256' },
        true,
        ['sign', 'verify'],
      );
      const pkcs8 = new Uint8Array(await globalThis.crypto.subtle.exportKey('pkcs8', pair.privateKey));
      return privateKeyFromPkcs8(pkcs8);
    }
    default:
      throw new KeyError(`unknown key type '${String(type)}' (expected one of: ${KEY_TYPES.join(', ')})`);
  }
}

export function isKeyType(t: string): t is KeyType {
  return (KEY_TYPES as readonly string[]).includes(t);
}

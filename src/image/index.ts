/**
 * MCUboot images from TypeScript, imgtool-compatible: build (`signImage`), read
 * (`parseImage`), validate as the bootloader does (`verifyImage`) and make keys
 * (`generateKey`). See docs/image.md.
 */
export { signImage, type SignOptions, type Dependency, type CustomTlv } from './sign.js';
export { parseImage, imageSizeOf, allTlvs, findTlv, hashTlv, type ParsedImage } from './parse.js';
export { verifyImage, VERIFY_CODES, type VerifyCode, type VerifyOptions, type VerifyResult, type VerifyAccepted, type VerifyRejected } from './verify.js';
export {
  generateKey,
  parseKey,
  publicKeyOf,
  keyHash,
  publicKeyPem,
  privateKeyPem,
  publicKeyCArray,
  isKeyType,
  KEY_TYPES,
  KeyError,
  type Key,
  type KeyType,
  type PrivateKey,
  type PublicKey,
} from './keys.js';
export { decodeHeader, headerAt, hashedLength, encodeHeader, parseVersion, formatVersion, compareVersions, type ImageHeader, type ImageVersion } from './header.js';
export { decodeTlvBlock, encodeTlvBlock, type TlvBlock, type TlvEntry } from './tlv.js';
export {
  trailerLayout,
  decodeTrailer,
  bootMagic,
  bootTrailerSize,
  imgtoolTrailerSize,
  type TrailerLayout,
  type DecodedTrailer,
} from './trailer.js';
export { maxImageSize, type SlotGeometry } from './slot-limits.js';
export { STRATEGIES, STRATEGY_INFO, BOOT_STRATEGIES, SWAP_STRATEGIES, strategyInfo, parseStrategy, type Strategy, type BootStrategy, type StrategyInfo } from './strategy.js';
export {
  IMAGE_MAGIC,
  ImageFlag,
  TlvType,
  ImageFormatError,
  flagNames,
  tlvName,
  hex,
} from './layout.js';
export { sha256, digest, type HashName } from './digest.js';
export {
  parseEncryptionKey, parseEncryptionPublicKey, encryptionPublicKeyOf, decryptImage, unwrapImageKey, unwrapKey, wrapKey, aesCtrXor, encTlvType,
  type EncryptionKey, type EncryptionPublicKey,
} from './encryption.js';

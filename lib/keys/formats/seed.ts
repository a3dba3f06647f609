/**
 * Raw Ed25519 seeds in a file: 64 hex digits (white space around them
 * allowed), or exactly 32 raw bytes (formats/detect.ts tells which).
 */
import { KeyFileError } from '../../errors.js';
import { parseHex } from '../../crypto/hex.js';
import { LocalSigningKey } from '../signing-key.js';

/** The seed in a hex text: 64 digits, white space around them allowed. */
export function readHexSeed(text: string, where: string): LocalSigningKey {
  const trimmed = text.trim();
  if (trimmed.length !== 64) {
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} must hold 64 hex digits, it holds ${trimmed.length}`);
  }
  const seed = parseHex(trimmed, where, 32, 'INVALID_SEED');
  const key = new LocalSigningKey('seed', seed);
  seed.fill(0);
  return key;
}

/** The seed in exactly 32 raw bytes. */
export function readRawSeed(data: Uint8Array): LocalSigningKey {
  if (data.length !== 32) throw new KeyFileError('KEY_FILE_FORMAT', `a raw seed is 32 bytes, not ${data.length}`);
  return new LocalSigningKey('seed', new Uint8Array(data));
}

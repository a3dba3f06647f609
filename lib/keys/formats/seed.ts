/**
 * Raw Ed25519 seeds in a file: 64 hex digits (white space around them
 * allowed), or exactly 32 raw bytes.
 */
import { KeyFileError } from '../../errors.js';
import { parseHex } from '../../crypto/hex.js';
import { LocalSigningKey } from '../signing-key.js';

/** The seed in `text` when it is hex (64 digits, else a coded error); undefined when it is not hex. */
export function readHexSeed(text: string, where: string): LocalSigningKey | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]+$/.test(trimmed)) {
    if (trimmed.length !== 64) {
      throw new KeyFileError('KEY_FILE_FORMAT', `${where} must hold 64 hex digits, it holds ${trimmed.length}`);
    }
    return new LocalSigningKey('seed', parseHex(trimmed, where, 32, 'INVALID_SEED'));
  }
  return undefined;
}

/** The seed in 32 raw bytes; undefined for any other length. */
export function readRawSeed(data: Uint8Array): LocalSigningKey | undefined {
  return data.length === 32 ? new LocalSigningKey('seed', new Uint8Array(data)) : undefined;
}

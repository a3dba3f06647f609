/**
 * Keys from a raw 32-byte Ed25519 seed: bytes, hex, a seed file, or a
 * crossbar/autobahn key file (`private-key-ed25519: <hex>`).
 */
import { KeyFileError } from '../errors.js';
import { bytesOrHex } from '../crypto/hex.js';
import { readPrivateFile, type PrivateFileOptions } from './private-file.js';
import { LocalSigningKey } from './signing-key.js';
import { fromCrossbarKeyText } from './formats/crossbar.js';
import { readHexSeed, readRawSeed } from './formats/seed.js';

export { fromCrossbarKeyText };

/** A key from 32 raw bytes or 64 hex digits. */
export function fromSeed(seed: Uint8Array | string, comment = ''): LocalSigningKey {
  return new LocalSigningKey('seed', bytesOrHex(seed, 'seed', 32, 'INVALID_SEED'), comment);
}

/**
 * A seed file: 32 raw bytes, 64 hex digits (surrounding white space allowed),
 * or a crossbar/autobahn key file. Refused when group/others can access it.
 */
export function loadSeedFile(path: string, options: PrivateFileOptions = {}): LocalSigningKey {
  const data = readPrivateFile(path, 'seed file', options);
  const where = `seed file ${path}`;
  const text = data.toString('latin1');
  if (/private-key-ed25519\s*:/i.test(text) || /public-key-ed25519\s*:/i.test(text)) {
    return fromCrossbarKeyText(text, where);
  }
  const hex = readHexSeed(text, where);
  if (hex) return hex;
  const raw = readRawSeed(data);
  if (raw) return raw;
  if (/BEGIN [A-Z ]*PRIVATE KEY/.test(text)) {
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} is a PEM/OpenSSH private key file; use it as a key file (--key), not a seed`);
  }
  throw new KeyFileError(
    'KEY_FILE_FORMAT',
    `${where} is neither 32 raw bytes, 64 hex digits, nor a private-key-ed25519 key file (${data.length} bytes)`,
  );
}


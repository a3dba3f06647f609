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
import { detectKeyFormat } from './formats/detect.js';

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
  const found = detectKeyFormat(data);
  switch (found.format) {
    case 'crossbar':
      return fromCrossbarKeyText(data.toString('latin1'), where);
    case 'hex':
      return readHexSeed(data.toString('latin1'), where);
    case 'raw32':
      return readRawSeed(data);
    case 'openssh':
    case 'pkcs8':
    case 'pem-private':
      throw new KeyFileError('KEY_FILE_FORMAT', `${where} is a PEM/OpenSSH private key file; open it as a private key file, not as a seed`);
    case 'ssh-public':
      throw new KeyFileError('KEY_FILE_FORMAT', `${where} is a public key (${found.type}); a seed file holds a private key`);
    default:
      throw new KeyFileError(
        'KEY_FILE_FORMAT',
        `${where} is neither 32 raw bytes, 64 hex digits, nor a private-key-ed25519 key file (${data.length} bytes)`,
      );
  }
}

/**
 * Keys from a raw 32-byte Ed25519 seed: bytes, hex, a seed file, or a
 * crossbar/autobahn key file (`private-key-ed25519: <hex>`).
 */
import { KeyFileError } from '../errors.js';
import { bytesOrHex, parseHex } from '../crypto/hex.js';
import { readPrivateFile, type PrivateFileOptions } from './private-file.js';
import { LocalSigningKey } from './signing-key.js';

/** A key from 32 raw bytes or 64 hex digits. */
export function fromSeed(seed: Uint8Array | string, comment = ''): LocalSigningKey {
  return new LocalSigningKey('seed', bytesOrHex(seed, 'seed', 32, 'INVALID_SEED'), comment);
}

/** `tag: value` with white space trimmed; linear in the line (no backtracking regex). */
function tagLine(line: string): [string, string] | undefined {
  const colon = line.indexOf(':');
  if (colon === -1) return undefined;
  const tag = line.slice(0, colon).trim();
  if (!/^[a-z0-9-]+$/i.test(tag)) return undefined;
  return [tag, line.slice(colon + 1).trim()];
}

/**
 * Parses a crossbar/autobahn key file's text and returns the key in it.
 * When the file also has `public-key-ed25519`, it must match the private key.
 */
export function fromCrossbarKeyText(text: string, where = 'key file'): LocalSigningKey {
  let privHex: string | undefined;
  let pubHex: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const m = tagLine(line);
    if (!m) continue;
    const tag = m[0].toLowerCase();
    if (tag === 'private-key-ed25519') {
      if (privHex !== undefined) throw new KeyFileError('KEY_FILE_FORMAT', `${where} has private-key-ed25519 twice`);
      privHex = m[1];
    } else if (tag === 'public-key-ed25519') {
      pubHex = m[1];
    }
  }
  if (privHex === undefined) {
    throw new KeyFileError(
      'KEY_FILE_FORMAT',
      pubHex !== undefined
        ? `${where} holds only a public key (public-key-ed25519); a private-key-ed25519 line is needed to sign`
        : `${where} has no private-key-ed25519 line`,
    );
  }
  let seed: Uint8Array;
  try {
    seed = parseHex(privHex, `private-key-ed25519 in ${where}`, 32, 'INVALID_SEED');
  } catch (e) {
    throw new KeyFileError('KEY_FILE_FORMAT', (e as Error).message);
  }
  const key = new LocalSigningKey('file', seed);
  if (pubHex !== undefined && pubHex.toLowerCase() !== key.publicKeyHex) {
    throw new KeyFileError('KEY_FILE_FORMAT', `public-key-ed25519 in ${where} does not belong to its private-key-ed25519`);
  }
  return key;
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
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]+$/.test(trimmed)) {
    if (trimmed.length !== 64) {
      throw new KeyFileError('KEY_FILE_FORMAT', `${where} must hold 64 hex digits, it holds ${trimmed.length}`);
    }
    return new LocalSigningKey('seed', parseHex(trimmed, where, 32, 'INVALID_SEED'));
  }
  if (data.length === 32) return new LocalSigningKey('seed', new Uint8Array(data));
  if (/BEGIN [A-Z ]*PRIVATE KEY/.test(text)) {
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} is a PEM/OpenSSH private key file; open it as a private key file, not as a seed`);
  }
  throw new KeyFileError(
    'KEY_FILE_FORMAT',
    `${where} is neither 32 raw bytes, 64 hex digits, nor a private-key-ed25519 key file (${data.length} bytes)`,
  );
}


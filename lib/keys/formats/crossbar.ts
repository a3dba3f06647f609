/**
 * crossbar/autobahn key files (`key.priv`, `key.pub`, a user's
 * `default.priv`): `tag: value` lines holding `private-key-ed25519` and
 * `public-key-ed25519` as hex.
 */
import { KeyFileError } from '../../errors.js';
import { parseHex } from '../../crypto/hex.js';
import { LocalSigningKey } from '../signing-key.js';

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

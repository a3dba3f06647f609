/**
 * crossbar/autobahn key files: a node's `key.priv` / `key.pub`, a user's
 * `default.priv`. The one parser, with crossbar's own rules
 * (crossbar/common/key.py `_parse_key_file`, autobahn's `parse_keyfile`):
 * a free-text header, a blank line, then one `tag: value` per line (tag case
 * folded, both trimmed); every line after the header must be such a line, and
 * no tag may appear twice. The keys are 64 hex digits; a public key file
 * (`key.pub`) must not hold `private-key-ed25519`, and when a private key file
 * also has `public-key-ed25519` it must belong to the private key.
 *
 * Two leniencies, both unambiguous: a text that starts with its tag lines
 * (no header, no blank line before them) is read from its first line, and tags
 * other than the key tags are allowed (crossbar and autobahn each allow their
 * own list: creator, created-at, machine-id, node-authid, user-id, …).
 */
import { KeyFileError } from '../../errors.js';
import { parseHex } from '../../crypto/hex.js';
import { LocalSigningKey } from '../signing-key.js';

const PRIVATE_TAG = 'private-key-ed25519';
const PUBLIC_TAG = 'public-key-ed25519';

/** `tag: value` with white space trimmed; linear in the line (no backtracking regex). */
function tagLine(line: string): [string, string] | undefined {
  const colon = line.indexOf(':');
  if (colon === -1) return undefined;
  const tag = line.slice(0, colon).trim();
  if (!/^[a-z0-9-]+$/i.test(tag)) return undefined;
  return [tag.toLowerCase(), line.slice(colon + 1).trim()];
}

/** Is this line a crossbar key tag line (`private-key-ed25519: …` or `public-key-ed25519: …`, any case)? */
export function isCrossbarKeyLine(line: string): boolean {
  const tag = tagLine(line)?.[0];
  return tag === PRIVATE_TAG || tag === PUBLIC_TAG;
}

/** The tags of a crossbar key file, by crossbar's rules (see the top of this file). */
function readTags(text: string, where: string): Map<string, string> {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const firstBlank = lines.findIndex((l) => l.trim() === '');
  const firstKey = lines.findIndex(isCrossbarKeyLine);
  const start = firstBlank !== -1 && (firstKey === -1 || firstBlank < firstKey) ? firstBlank + 1 : 0;
  const tags = new Map<string, string>();
  for (let i = start; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const m = tagLine(line);
    if (!m) throw new KeyFileError('KEY_FILE_FORMAT', `${where} line ${i + 1} is not a "tag: value" line`);
    if (tags.has(m[0])) throw new KeyFileError('KEY_FILE_FORMAT', `${where} has ${m[0]} twice (line ${i + 1})`);
    tags.set(m[0], m[1]);
  }
  return tags;
}

function keyHex(value: string, tag: string, where: string): Uint8Array {
  try {
    return parseHex(value, `${tag} in ${where}`, 32, 'INVALID_SEED');
  } catch (e) {
    throw new KeyFileError('KEY_FILE_FORMAT', (e as Error).message);
  }
}

/**
 * The key in a crossbar/autobahn private key file's text (`key.priv`).
 * When the file also has `public-key-ed25519`, it must match the private key.
 */
export function fromCrossbarKeyText(text: string, where = 'key file'): LocalSigningKey {
  const tags = readTags(text, where);
  const privHex = tags.get(PRIVATE_TAG);
  const pubHex = tags.get(PUBLIC_TAG);
  if (privHex === undefined) {
    throw new KeyFileError(
      'KEY_FILE_FORMAT',
      pubHex !== undefined
        ? `${where} holds only a public key (${PUBLIC_TAG}); a ${PRIVATE_TAG} line is needed to sign`
        : `${where} has no ${PRIVATE_TAG} line`,
    );
  }
  const seed = keyHex(privHex, PRIVATE_TAG, where);
  const key = new LocalSigningKey('file', seed);
  seed.fill(0);
  if (pubHex !== undefined && pubHex.toLowerCase() !== key.publicKeyHex) {
    throw new KeyFileError('KEY_FILE_FORMAT', `${PUBLIC_TAG} in ${where} does not belong to its ${PRIVATE_TAG}`);
  }
  return key;
}

/** The key in a crossbar/autobahn public key file's text (`key.pub`): 32 bytes. */
export function readCrossbarPublicKey(text: string, where = 'key file'): Uint8Array {
  const tags = readTags(text, where);
  if (tags.has(PRIVATE_TAG)) {
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} holds a private key (${PRIVATE_TAG}); give the public key file (key.pub), which crossbar writes beside it`);
  }
  const pubHex = tags.get(PUBLIC_TAG);
  if (pubHex === undefined) throw new KeyFileError('KEY_FILE_FORMAT', `${where} has no ${PUBLIC_TAG} line`);
  return keyHex(pubHex, PUBLIC_TAG, where);
}

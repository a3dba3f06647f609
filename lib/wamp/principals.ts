/**
 * The router side: which public keys belong to which principal
 * (an OpenSSH authorized_keys list, or lines of `<pubkey hex> <principal>`),
 * and checking a cryptosign AUTHENTICATE signature.
 */
import { AuthorizedKeysError, InputError } from '../errors.js';
import { challengeMessage, type ChallengeOptions } from './challenge.js';
import { publicKeyObject, verifyEd25519 } from '../crypto/ed25519.js';
import { bytesOrHex, parseHex, toHex } from '../crypto/hex.js';
import { ed25519Blob, fingerprintOfBlob, parsePublicKeyBlob } from '../ssh/public-key.js';

export interface Principal {
  /** the principal's name: the key's comment (authorized_keys) or the text after the hex */
  name: string;
  publicKey: Uint8Array;
  publicKeyHex: string;
  fingerprint: string;
  /** authorized_keys options in front of the key, as written (not interpreted) */
  options?: string;
  /** 1-based line number */
  line: number;
}

export interface SkippedKey {
  line: number;
  type: string;
  reason: string;
}

export class AuthorizedKeys {
  readonly #byHex = new Map<string, Principal>();
  constructor(
    readonly principals: readonly Principal[],
    /** keys that cannot do cryptosign (not Ed25519), kept so a caller can report them */
    readonly skipped: readonly SkippedKey[] = [],
  ) {
    for (const p of principals) this.#byHex.set(p.publicKeyHex, p);
  }

  /** The principal of a public key (hex or bytes), or undefined. */
  lookup(publicKey: string | Uint8Array): Principal | undefined {
    const hex = typeof publicKey === 'string' ? publicKey.toLowerCase() : toHex(publicKey);
    return this.#byHex.get(hex);
  }

  /**
   * The principal whose key made `signatureHex` over the challenge, or
   * undefined when the key is unknown or the signature does not verify.
   */
  authenticate(pubkeyHex: string, challengeHex: string, signatureHex: string, options: ChallengeOptions = {}): Principal | undefined {
    const publicKey = bytesOrHex(pubkeyHex, 'public key', 32, 'INVALID_PUBLIC_KEY');
    const principal = this.lookup(publicKey);
    const ok = verifyChallengeSignature(publicKey, challengeHex, signatureHex, options);
    return principal && ok ? principal : undefined;
  }
}

const KEY_TYPE = /^(ssh-[a-z0-9@.-]+|ecdsa-sha2-[a-z0-9@.-]+|sk-[a-z0-9@.-]+)$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HEX_LINE = /^([0-9a-fA-F]{64})(?:\s+(.*))?$/;

/** Splits off an authorized_keys options field (which may hold quoted spaces). */
function splitOptions(line: string, lineNo: number): [string, string] {
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inQuote) i++;
    else if (c === '"') inQuote = !inQuote;
    else if (!inQuote && (c === ' ' || c === '\t')) return [line.slice(0, i), line.slice(i).trimStart()];
  }
  throw new AuthorizedKeysError('AUTHORIZED_KEYS_FORMAT', `line ${lineNo}: ${inQuote ? 'unterminated quote in options' : 'no key after the options'}`);
}

export function parseAuthorizedKeys(text: string): AuthorizedKeys {
  if (typeof text !== 'string') throw new InputError('INVALID_ARGUMENT', 'authorized keys must be given as text');
  const principals: Principal[] = [];
  const skipped: SkippedKey[] = [];
  const seen = new Map<string, Principal>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    let principal: Principal | undefined;
    const hex = HEX_LINE.exec(line);
    if (hex) {
      const publicKey = parseHex(hex[1], 'public key', 32, 'INVALID_PUBLIC_KEY');
      principal = makePrincipal(publicKey, (hex[2] ?? '').trim(), lineNo);
    } else {
      let rest = line;
      let options: string | undefined;
      if (!KEY_TYPE.test(rest.split(/\s+/)[0] as string)) [options, rest] = splitOptions(rest, lineNo);
      const [type, b64, ...comment] = rest.split(/\s+/);
      if (!type || !KEY_TYPE.test(type)) {
        throw new AuthorizedKeysError('AUTHORIZED_KEYS_FORMAT', `line ${lineNo}: expected a key type such as ssh-ed25519, or 64 hex digits`);
      }
      if (!b64) {
        throw new AuthorizedKeysError('AUTHORIZED_KEYS_FORMAT', `line ${lineNo}: nothing after the key type ${type}`);
      }
      if (!BASE64.test(b64)) {
        throw new AuthorizedKeysError('AUTHORIZED_KEYS_FORMAT', `line ${lineNo}: the ${type} key is not base64`);
      }
      let info;
      try {
        info = parsePublicKeyBlob(new Uint8Array(Buffer.from(b64, 'base64')));
      } catch {
        throw new AuthorizedKeysError('AUTHORIZED_KEYS_FORMAT', `line ${lineNo}: the ${type} key is malformed`);
      }
      if (info.type !== type) {
        throw new AuthorizedKeysError('AUTHORIZED_KEYS_FORMAT', `line ${lineNo}: says ${type} but holds a ${info.type} key`);
      }
      if (!info.ed25519) {
        skipped.push({ line: lineNo, type, reason: 'not an Ed25519 key; cryptosign needs Ed25519' });
        return;
      }
      principal = makePrincipal(info.ed25519, comment.join(' '), lineNo, options);
    }
    const prior = seen.get(principal.publicKeyHex);
    if (prior) {
      if (prior.name !== principal.name) {
        throw new AuthorizedKeysError(
          'AUTHORIZED_KEYS_FORMAT',
          `line ${lineNo}: the key of line ${prior.line} ("${prior.name}") appears again for "${principal.name}"; a key must name one principal`,
        );
      }
      return;
    }
    seen.set(principal.publicKeyHex, principal);
    principals.push(principal);
  });
  return new AuthorizedKeys(principals, skipped);
}

function makePrincipal(publicKey: Uint8Array, name: string, line: number, options?: string): Principal {
  const fingerprint = fingerprintOfBlob(ed25519Blob(publicKey));
  const p: Principal = { name, publicKey, publicKeyHex: toHex(publicKey), fingerprint, line };
  if (options !== undefined) p.options = options;
  return p;
}

/**
 * Checks a cryptosign AUTHENTICATE signature (192 hex digits: signature and
 * signed message). True only when the message is this challenge (XOR the
 * channel id, when given) and the signature verifies. Malformed inputs
 * throw InputError; a well-formed wrong signature returns false.
 */
export function verifyChallengeSignature(
  publicKey: Uint8Array | string,
  challengeHex: string,
  signatureHex: string,
  options: ChallengeOptions = {},
): boolean {
  const pub = bytesOrHex(publicKey, 'public key', 32, 'INVALID_PUBLIC_KEY');
  const message = challengeMessage(challengeHex, options);
  const sigAndMessage = parseHex(signatureHex, 'signature', 96, 'INVALID_SIGNATURE');
  let keyObject;
  try {
    keyObject = publicKeyObject(pub);
  } catch {
    throw new InputError('INVALID_PUBLIC_KEY', 'public key is not a valid Ed25519 public key');
  }
  const signed = sigAndMessage.subarray(64);
  if (!Buffer.from(signed).equals(Buffer.from(message))) return false;
  return verifyEd25519(keyObject, message, sigAndMessage.subarray(0, 64));
}

/**
 * Router authentication, client side: the router keys a client trusts, and
 * the check of a router's answer. The client sends a fresh 32-byte
 * `challenge` in HELLO authextra; the router answers in CHALLENGE.extra with
 * its `pubkey` and `signature` = hex(sig) + hex(message), where message is
 * our challenge, XOR the channel id when channel binding is in use (the
 * AUTHENTICATE format). crossbar signs with its node key (`key.pub` holds
 * `public-key-ed25519: <hex>`). In transcript mode the signature is the
 * router's over its transcript message instead (verifyRouterTranscript).
 */
import { KeyFileError, RouterAuthError } from '../../errors.js';
import { VerifyKey } from '../../crypto/ed25519.js';
import { bytesOrHex, toHex } from '../../crypto/hex.js';
import { detectKeyFormat } from '../../keys/formats/detect.js';
import { readCrossbarPublicKey } from '../../keys/formats/crossbar.js';
import { parseAuthorizedKeysText } from '../../ssh/authorized-keys.js';
import { parseChallenge, verifyChallengeSignature } from '../challenge.js';
import { verifyTranscriptSignature, type TranscriptFields } from '../transcript.js';

/**
 * The router keys a client trusts: hex keys, crossbar `key.pub` text, or authorized_keys lines
 * (one string or a list), or raw 32-byte keys.
 */
export type TrustedRouterKeys = string | readonly (string | Uint8Array)[];

/**
 * The set of router keys a client trusts, from: 64-hex public keys (one
 * string, or a list), crossbar `key.pub` text (`public-key-ed25519: <hex>`;
 * one key, crossbar's rules: see keys/formats/crossbar.ts),
 * or authorized_keys-style lines (`ssh-ed25519 AAAA…`, or `<hex> comment`),
 * read as sshd reads them. Every key is checked as libsodium would (no
 * small-order or non-canonical keys).
 *
 * authorized_keys options on a router key line: `expiry-time` is honoured
 * (the key is not trusted after it); a `cert-authority` line is a CA that
 * signs certificates, not a router key, and is not trusted as one; a line
 * with `from=` or `principals=` (restrictions that cannot be checked for a
 * router) is not trusted either; a line sshd would skip is skipped.
 */
export class RouterKeys {
  readonly #keys = new Map<string, VerifyKey>();
  /** hex → expiry-time (Unix seconds) of keys given with one */
  readonly #validBefore = new Map<string, number>();

  constructor(trusted: TrustedRouterKeys) {
    const items = typeof trusted === 'string' ? [trusted] : trusted;
    if (!Array.isArray(items)) {
      throw new RouterAuthError('ROUTER_KEY_FORMAT', 'trusted router keys must be hex keys, key.pub text or authorized_keys lines');
    }
    items.forEach((item: unknown, i) => {
      const which = typeof trusted === 'string' ? 'the trusted router key text' : `trusted router key #${i + 1}`;
      if (item instanceof Uint8Array) this.#add(bytesOrHex(item, 'router public key', 32, 'INVALID_PUBLIC_KEY'));
      else if (typeof item !== 'string') throw new RouterAuthError('ROUTER_KEY_FORMAT', `${which} is a ${typeof item}, not a string or 32 bytes`);
      else if (this.#addText(item, which) === 0 && /^[ \t]*[^\s#]/m.test(item)) {
        throw new RouterAuthError('ROUTER_KEY_FORMAT', `${which} holds no Ed25519 key (expected 64 hex digits, "public-key-ed25519: <hex>" or an ssh-ed25519 line)`);
      }
    });
    if (this.#keys.size === 0) {
      throw new RouterAuthError('ROUTER_KEYS_EMPTY', 'no trusted router key given: router authentication needs at least one');
    }
  }

  #add(raw: Uint8Array, validBefore?: number): void {
    const hex = toHex(raw);
    this.#keys.set(hex, new VerifyKey(raw));
    if (validBefore !== undefined) {
      const earlier = this.#validBefore.get(hex);
      this.#validBefore.set(hex, earlier === undefined ? validBefore : Math.min(earlier, validBefore));
    }
  }

  /** Adds the keys `text` holds; returns how many it held. */
  #addText(text: string, which: string): number {
    const t = text.trim();
    const found = detectKeyFormat(t);
    if (found.format === 'hex' && found.digits === 64) {
      this.#add(bytesOrHex(t, 'router public key', 32, 'INVALID_PUBLIC_KEY'));
      return 1;
    }
    // crossbar's node key.pub: "public-key-ed25519: <hex>", read by crossbar's rules
    if (found.format === 'crossbar') {
      try {
        this.#add(readCrossbarPublicKey(t, which));
      } catch (e) {
        if (!(e instanceof KeyFileError)) throw e;
        throw new RouterAuthError('ROUTER_KEY_FORMAT', e.message);
      }
      return 1;
    }
    // authorized_keys lines, read as sshd reads them; a line sshd would skip is a mistyped entry here
    const parsed = parseAuthorizedKeysText(t);
    const bad = parsed.skipped[0];
    if (bad) {
      throw new RouterAuthError('ROUTER_KEY_FORMAT', `${which}${bad.line !== 1 ? ` (line ${bad.line})` : ''} is not a router key: expected 64 hex digits, "public-key-ed25519: <hex>" or an ssh-ed25519 line`);
    }
    let n = 0;
    for (const line of parsed.lines) {
      const o = line.options;
      if (o.certAuthority || o.from !== undefined || o.principals !== undefined) continue;
      if (line.rawEd25519) {
        this.#add(line.rawEd25519, o.validBefore);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.#keys.size;
  }

  /** Whether the key is trusted at `now` (default: now): listed, and not past its expiry-time. */
  has(publicKeyHex: string, now: Date = new Date()): boolean {
    return this.get(publicKeyHex, now) !== undefined;
  }

  /** The trusted key, or undefined (not listed, or past its expiry-time at `now`). */
  get(publicKeyHex: string, now: Date = new Date()): VerifyKey | undefined {
    const hex = typeof publicKeyHex === 'string' ? publicKeyHex.toLowerCase() : '';
    const until = this.#validBefore.get(hex);
    if (until !== undefined && until < Math.floor(now.getTime() / 1000)) return undefined;
    return this.#keys.get(hex);
  }

  /** the trusted keys, as hex */
  list(): string[] {
    return [...this.#keys.keys()];
  }
}

/** The router's proof of identity, from CHALLENGE.extra. */
export interface RouterAnswer {
  /** the router's public key, hex (CHALLENGE.extra.pubkey) */
  pubkey?: unknown;
  /** hex(signature) + hex(message) (CHALLENGE.extra.signature) */
  signature?: unknown;
}

/**
 * Checks a router's answer to our challenge(s); returns the router's public
 * key hex. `challenges` are the challenges we sent and may still be
 * answering (normally one). Throws RouterAuthError:
 * ROUTER_NOT_AUTHENTICATED (no pubkey/signature), ROUTER_KEY_UNTRUSTED,
 * ROUTER_SIGNATURE_WRONG (also: over another challenge, another channel).
 */
export function verifyRouterSignature(
  trusted: RouterKeys | TrustedRouterKeys,
  challenges: string | readonly string[],
  answer: RouterAnswer,
  options: { channelId?: Uint8Array | string; now?: Date } = {},
): string {
  const keys = trusted instanceof RouterKeys ? trusted : new RouterKeys(trusted);
  const { pubkey, key, signature } = trustedAnswer(keys, answer, options.now);
  const list = typeof challenges === 'string' ? [challenges] : challenges;
  for (const c of list) {
    try {
      if (verifyChallengeSignature(key, c, signature, options)) return pubkey;
    } catch {
      // a malformed signature is a wrong signature here
    }
  }
  throw signatureWrong(list.length);
}

/** The router's answer's key, when it is one we trust (ROUTER_NOT_AUTHENTICATED / ROUTER_KEY_UNTRUSTED otherwise). */
function trustedAnswer(keys: RouterKeys, answer: RouterAnswer, now?: Date): { pubkey: string; key: VerifyKey; signature: string } {
  const pubkey = answer?.pubkey;
  const signature = answer?.signature;
  if (typeof pubkey !== 'string' || typeof signature !== 'string' || pubkey === '' || signature === '') {
    throw new RouterAuthError(
      'ROUTER_NOT_AUTHENTICATED',
      'the router did not authenticate: CHALLENGE.extra has no pubkey and signature for our challenge (router authentication is required)',
    );
  }
  const key = keys.get(pubkey, now);
  if (!key) {
    throw new RouterAuthError(
      'ROUTER_KEY_UNTRUSTED',
      keys.get(pubkey, new Date(0))
        ? `the router's key ${pubkey.toLowerCase()} is past its expiry-time`
        : `the router's key ${/^[0-9a-fA-F]{64}$/.test(pubkey) ? pubkey.toLowerCase() : '(malformed)'} is not one of the ${keys.size} trusted router keys`,
    );
  }
  return { pubkey: pubkey.toLowerCase(), key, signature };
}

function signatureWrong(challenges: number): RouterAuthError {
  return new RouterAuthError(
    'ROUTER_SIGNATURE_WRONG',
    challenges === 0
      ? 'the router signed, but we sent no challenge on this connection (a replayed answer?)'
      : "the router's signature does not verify over our challenge for this connection (replayed, forged, or another channel binding)",
  );
}

/**
 * Transcript mode: checks the router's signature over its transcript
 * message (docs/transcript-binding.md). `fieldsFor(challenge)` gives the
 * transcript for each challenge we may still be answering (normally one),
 * and the router's key from the answer. Returns the router's key and the
 * challenge it answered; throws RouterAuthError as verifyRouterSignature does.
 */
export function verifyRouterTranscript(
  keys: RouterKeys,
  challenges: readonly string[],
  answer: RouterAnswer,
  fieldsFor: (clientChallenge: Uint8Array, routerPublicKey: Uint8Array) => TranscriptFields,
): { routerPublicKey: Uint8Array; clientChallenge: Uint8Array } {
  const { key, signature } = trustedAnswer(keys, answer);
  for (const c of challenges) {
    try {
      const clientChallenge = parseChallenge(c);
      if (verifyTranscriptSignature(key, 'router', fieldsFor(clientChallenge, key.publicKey), signature)) {
        return { routerPublicKey: key.publicKey, clientChallenge };
      }
    } catch {
      // a malformed signature (an XOR-mode one, 192 digits) is a wrong signature here
    }
  }
  throw signatureWrong(challenges.length);
}

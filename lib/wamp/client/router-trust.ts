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
import { RouterAuthError } from '../../errors.js';
import { VerifyKey } from '../../crypto/ed25519.js';
import { bytesOrHex, toHex } from '../../crypto/hex.js';
import { parseAuthorizedKeyLines } from '../../ssh/authorized-keys.js';
import { parseChallenge, verifyChallengeSignature } from '../challenge.js';
import { verifyTranscriptSignature, type TranscriptFields } from '../transcript.js';

export type TrustedRouterKeys = string | readonly (string | Uint8Array)[];

/**
 * The set of router keys a client trusts, from: 64-hex public keys (one
 * string, or a list), crossbar `key.pub` text (`public-key-ed25519: <hex>`),
 * or authorized_keys-style lines (`ssh-ed25519 AAAA…`, or `<hex> comment`).
 * Every key is checked as libsodium would (no small-order or
 * non-canonical keys).
 */
export class RouterKeys {
  readonly #keys = new Map<string, VerifyKey>();

  constructor(trusted: TrustedRouterKeys) {
    const items = typeof trusted === 'string' ? [trusted] : trusted;
    if (!Array.isArray(items) && typeof items !== 'object') {
      throw new RouterAuthError('ROUTER_KEY_UNTRUSTED', 'trusted router keys must be hex keys, key.pub text or authorized_keys lines');
    }
    for (const item of items) {
      if (item instanceof Uint8Array) this.#add(bytesOrHex(item, 'router public key', 32, 'INVALID_PUBLIC_KEY'));
      else if (typeof item === 'string') this.#addText(item);
      else throw new RouterAuthError('ROUTER_KEY_UNTRUSTED', 'a trusted router key must be a string or 32 bytes');
    }
    if (this.#keys.size === 0) {
      throw new RouterAuthError('ROUTER_KEY_UNTRUSTED', 'no trusted router key given: router authentication needs at least one');
    }
  }

  #add(raw: Uint8Array): void {
    this.#keys.set(toHex(raw), new VerifyKey(raw));
  }

  #addText(text: string): void {
    const t = text.trim();
    if (/^[0-9a-fA-F]{64}$/.test(t)) return this.#add(bytesOrHex(t, 'router public key', 32, 'INVALID_PUBLIC_KEY'));
    // crossbar key.pub / key.priv: "public-key-ed25519: <hex>"
    const tagged = [...t.matchAll(/^[ \t]*public-key-ed25519[ \t]*:[ \t]*([0-9a-fA-F]{64})[ \t]*$/gm)];
    if (tagged.length > 0) {
      for (const m of tagged) this.#add(bytesOrHex(m[1], 'router public key', 32, 'INVALID_PUBLIC_KEY'));
      return;
    }
    for (const line of parseAuthorizedKeyLines(t)) {
      const raw = line.rawEd25519 ?? line.key?.ed25519;
      if (raw) this.#add(raw);
    }
  }

  get size(): number {
    return this.#keys.size;
  }

  has(publicKeyHex: string): boolean {
    return this.#keys.has(publicKeyHex.toLowerCase());
  }

  get(publicKeyHex: string): VerifyKey | undefined {
    return this.#keys.get(publicKeyHex.toLowerCase());
  }

  /** the trusted keys, as hex */
  list(): string[] {
    return [...this.#keys.keys()];
  }
}

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
  options: { channelId?: Uint8Array | string } = {},
): string {
  const keys = trusted instanceof RouterKeys ? trusted : new RouterKeys(trusted);
  const { pubkey, key, signature } = trustedAnswer(keys, answer);
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
function trustedAnswer(keys: RouterKeys, answer: RouterAnswer): { pubkey: string; key: VerifyKey; signature: string } {
  const pubkey = answer?.pubkey;
  const signature = answer?.signature;
  if (typeof pubkey !== 'string' || typeof signature !== 'string' || pubkey === '' || signature === '') {
    throw new RouterAuthError(
      'ROUTER_NOT_AUTHENTICATED',
      'the router did not authenticate: CHALLENGE.extra has no pubkey and signature for our challenge (router authentication is required)',
    );
  }
  const key = keys.get(pubkey);
  if (!key) {
    throw new RouterAuthError(
      'ROUTER_KEY_UNTRUSTED',
      `the router's key ${/^[0-9a-fA-F]{64}$/.test(pubkey) ? pubkey.toLowerCase() : '(malformed)'} is not one of the ${keys.size} trusted router keys`,
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

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
import { CertificateError } from '../../errors.js';
import { certificateFromBase64, type SshCertificate } from '../../ssh/certificate.js';
import { KnownHosts, knownHostsName } from '../../ssh/known-hosts.js';
import { ed25519Blob } from '../../ssh/public-key.js';

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

/** The router's host as the client connected to it: the known_hosts lookup name (`host` or `[host]:port`) and the bare host for certificate principals. */
export interface RouterHost {
  name: string;
  host: string;
}

/** The host of a ws:// or wss:// URL as known_hosts sees it (port given only when not the scheme's default). */
export function routerHostOf(url: string): RouterHost {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RouterAuthError('ROUTER_KEY_UNTRUSTED', 'the router URL cannot be read, so its host cannot be checked against known_hosts');
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const defaultPort = u.protocol === 'wss:' || u.protocol === 'https:' ? 443 : 80;
  return { name: knownHostsName(host, u.port === '' ? undefined : Number(u.port), defaultPort), host };
}

/**
 * Router trust beyond a flat key list: plain keys (RouterKeys) and/or
 * known_hosts entries (plain `hostpattern key`, `@cert-authority`,
 * `@revoked`) checked against the host the client connected to. A router
 * that presents an OpenSSH host certificate (CHALLENGE extra.certificate) is
 * trusted through a matching @cert-authority line (ssh/known-hosts.ts).
 */
export class RouterTrust {
  readonly keys: RouterKeys | undefined;
  readonly knownHosts: KnownHosts | undefined;
  constructor(options: { keys?: RouterKeys | TrustedRouterKeys; knownHosts?: KnownHosts | string; now?: () => Date }) {
    this.keys = options.keys === undefined ? undefined : options.keys instanceof RouterKeys ? options.keys : new RouterKeys(options.keys);
    this.knownHosts = options.knownHosts === undefined ? undefined : options.knownHosts instanceof KnownHosts ? options.knownHosts : new KnownHosts(options.knownHosts);
    this.now = options.now ?? (() => new Date());
    if (!this.keys && (!this.knownHosts || this.knownHosts.size === 0)) {
      throw new RouterAuthError('ROUTER_KEY_UNTRUSTED', 'no trusted router key or known_hosts entry given: router authentication needs at least one');
    }
  }
  readonly now: () => Date;
}

/** The router's proof of identity, from CHALLENGE.extra. */
export interface RouterAnswer {
  /** the router's public key, hex (CHALLENGE.extra.pubkey) */
  pubkey?: unknown;
  /** hex(signature) + hex(message) (CHALLENGE.extra.signature) */
  signature?: unknown;
  /** the router's OpenSSH host certificate, base64 of the blob (CHALLENGE.extra.certificate) */
  certificate?: unknown;
}

/**
 * Checks a router's answer to our challenge(s); returns the router's public
 * key hex. `challenges` are the challenges we sent and may still be
 * answering (normally one). Throws RouterAuthError:
 * ROUTER_NOT_AUTHENTICATED (no pubkey/signature), ROUTER_KEY_UNTRUSTED,
 * ROUTER_SIGNATURE_WRONG (also: over another challenge, another channel).
 */
export function verifyRouterSignature(
  trusted: RouterKeys | RouterTrust | TrustedRouterKeys,
  challenges: string | readonly string[],
  answer: RouterAnswer,
  options: { channelId?: Uint8Array | string; host?: RouterHost | undefined; now?: Date } = {},
): string {
  const keys = trusted instanceof RouterKeys || trusted instanceof RouterTrust ? trusted : new RouterKeys(trusted);
  const { pubkey, key, signature } = trustedAnswer(keys, answer, options.host, options.now);
  const list = typeof challenges === 'string' ? [challenges] : challenges;
  for (const c of list) {
    try {
      if (verifyChallengeSignature(key, c, signature, options.channelId !== undefined ? { channelId: options.channelId } : {})) return pubkey;
    } catch {
      // a malformed signature is a wrong signature here
    }
  }
  throw signatureWrong(list.length);
}

/** The router's answer's key, when it is one we trust (ROUTER_NOT_AUTHENTICATED / ROUTER_KEY_UNTRUSTED otherwise). */
function trustedAnswer(
  trust: RouterKeys | RouterTrust,
  answer: RouterAnswer,
  host: RouterHost | undefined,
  at?: Date,
): { pubkey: string; key: VerifyKey; signature: string } {
  const keys = trust instanceof RouterKeys ? trust : trust.keys;
  const now = at ?? (trust instanceof RouterTrust ? trust.now() : new Date());
  const pubkey = answer?.pubkey;
  const signature = answer?.signature;
  if (typeof pubkey !== 'string' || typeof signature !== 'string' || pubkey === '' || signature === '') {
    throw new RouterAuthError(
      'ROUTER_NOT_AUTHENTICATED',
      'the router did not authenticate: CHALLENGE.extra has no pubkey and signature for our challenge (router authentication is required)',
    );
  }
  let certificate: SshCertificate | undefined;
  if (answer.certificate !== undefined && answer.certificate !== null) {
    try {
      certificate = certificateFromBase64(answer.certificate, 'CHALLENGE extra.certificate');
    } catch (e) {
      if (e instanceof CertificateError) throw new RouterAuthError(e.code, e.message);
      throw e;
    }
    if (!certificate.ed25519 || toHex(certificate.ed25519) !== pubkey.toLowerCase()) {
      throw new RouterAuthError('CERT_KEY_MISMATCH', "the router's certificate certifies another key than CHALLENGE extra.pubkey");
    }
  }
  let key = keys?.get(pubkey, now);
  if (!key && trust instanceof RouterTrust && trust.knownHosts && /^[0-9a-fA-F]{64}$/.test(pubkey)) {
    if (!host) throw new RouterAuthError('ROUTER_KEY_UNTRUSTED', "the router's host is not known, so known_hosts cannot be checked");
    const raw = bytesOrHex(pubkey, 'router public key', 32, 'INVALID_PUBLIC_KEY');
    const r = trust.knownHosts.check(host.name, host.host, certificate ?? ed25519Blob(raw), { now });
    if (!r.ok) throw new RouterAuthError(r.code, `router ${host.name}: ${r.reason}`);
    try {
      key = new VerifyKey(raw);
    } catch (e) {
      throw new RouterAuthError('ROUTER_KEY_UNTRUSTED', `the router's key is refused: ${(e as Error).message}`);
    }
  }
  if (!key) {
    throw new RouterAuthError(
      'ROUTER_KEY_UNTRUSTED',
      keys?.get(pubkey, new Date(0))
        ? `the router's key ${pubkey.toLowerCase()} is past its expiry-time`
        : `the router's key ${/^[0-9a-fA-F]{64}$/.test(pubkey) ? pubkey.toLowerCase() : '(malformed)'} is not one of the ${keys?.size ?? 0} trusted router keys`,
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
  keys: RouterKeys | RouterTrust,
  challenges: readonly string[],
  answer: RouterAnswer,
  fieldsFor: (clientChallenge: Uint8Array, routerPublicKey: Uint8Array) => TranscriptFields,
  host?: RouterHost,
): { routerPublicKey: Uint8Array; clientChallenge: Uint8Array } {
  const { key, signature } = trustedAnswer(keys, answer, host);
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

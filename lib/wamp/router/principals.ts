/**
 * The router side's list of principals: which public key belongs to which
 * WAMP authid (and role, realm), read from an OpenSSH authorized_keys text
 * (sshd's format, see ssh/authorized-keys.ts) or lines of
 * `<pubkey hex> <principal>`; and the strict check of an AUTHENTICATE
 * signature against that list, with a coded reason for every refusal.
 *
 * Principal name (the authid): the `wamp-authid="…"` option, else the comment
 * verbatim, else the public key hex (so lines without a comment never share a name).
 * sshd's options are honoured where they mean something here:
 * `cert-authority` lines are CAs, never principals (skipped, with the reason);
 * `expiry-time` refuses the key after that time; `from` refuses peers whose
 * address does not match (and, failing closed, a check without a peer address).
 * The others (`restrict`, `command`, …) are kept and reported, not interpreted.
 */
import { BlockList, isIP } from 'node:net';
import { AuthorizedKeysError, AuthError, type ErrorCode } from '../../errors.js';
import { VerifyKey, publicKeyProblem } from '../../crypto/ed25519.js';
import { bytesOrHex, toHex } from '../../crypto/hex.js';
import { ed25519Blob, fingerprintOfBlob } from '../../ssh/public-key.js';
import { hasOption, optionValue, parseAuthorizedKeyLines, type AuthorizedKeyLine, type KeyOption } from '../../ssh/authorized-keys.js';
import { challengeMessage, verifyChallengeSignature, type ChallengeOptions } from '../challenge.js';
import { certAuthorityFrom, type CertAuthority } from './cert-authorities.js';

export interface Principal {
  /** the authid: `wamp-authid` option, else the comment, else the public key hex */
  name: string;
  /** the line's comment, verbatim ('' when none) */
  comment: string;
  publicKey: Uint8Array;
  publicKeyHex: string;
  fingerprint: string;
  /** WAMP role (`wamp-role="…"`), when given */
  role?: string;
  /** WAMP realm (`wamp-realm="…"`), when given: the key is only good for that realm */
  realm?: string;
  /** `expiry-time`: the key is refused from this time on */
  expiresAt?: Date;
  /** `from`: sshd's pattern list for the peer address */
  from?: string;
  /** the authorized_keys options field as written, when there is one */
  options?: string;
  /** every option, parsed */
  parsedOptions: KeyOption[];
  /** 1-based line number */
  line: number;
  /** for a certificate login: what the certificate said (its key id goes to the router's log) */
  certificate?: CertificateLogin;
}

/** The certificate a principal logged in with, through a `cert-authority` line. */
export interface CertificateLogin {
  keyId: string;
  serial: bigint;
  /** the CA key's `SHA256:…` fingerprint */
  ca: string;
  principals: string[];
  /** seconds since the epoch */
  validBefore: bigint;
}

export interface SkippedKey {
  line: number;
  type: string;
  reason: string;
}

/** What a check is about besides the signature. */
export interface AuthCheckOptions extends ChallengeOptions {
  /** the authid the client asked for (HELLO authid); a key listed under another name is refused */
  authid?: string;
  /** the realm asked for; a principal bound to another realm is refused */
  realm?: string;
  /** the peer's IP address, for `from=` */
  peerAddress?: string;
  /** the time to check `expiry-time` against; default now */
  now?: Date;
}

export type AuthResult = { ok: true; principal: Principal } | { ok: false; code: ErrorCode; reason: string };

function refuse(code: ErrorCode, reason: string): AuthResult {
  return { ok: false, code, reason };
}

/**
 * The checks an authorized_keys line's own options make (realm, `expiry-time`,
 * `from=`), for a listed key or a `cert-authority` line alike; undefined when
 * the line allows this login.
 */
export function lineRefusal(
  p: Pick<Principal, 'name' | 'line' | 'realm' | 'expiresAt' | 'from'>,
  options: Pick<AuthCheckOptions, 'realm' | 'now' | 'peerAddress'>,
): AuthResult | undefined {
  if (p.realm !== undefined && options.realm !== undefined && p.realm !== options.realm) {
    return refuse('AUTH_REALM_MISMATCH', `"${p.name}" (line ${p.line}) may join realm "${p.realm}", not "${options.realm}"`);
  }
  const now = options.now ?? new Date();
  if (p.expiresAt !== undefined && now.getTime() >= p.expiresAt.getTime()) {
    return refuse('AUTH_KEY_EXPIRED', `the key of "${p.name}" (line ${p.line}) expired at ${p.expiresAt.toISOString()}`);
  }
  if (p.from !== undefined) {
    if (options.peerAddress === undefined) {
      return refuse('AUTH_ADDRESS_REFUSED', `the key of "${p.name}" (line ${p.line}) has from="${p.from}" and no peer address was given to check`);
    }
    if (!matchFrom(p.from, options.peerAddress)) {
      return refuse('AUTH_ADDRESS_REFUSED', `the key of "${p.name}" (line ${p.line}) may not be used from ${options.peerAddress}`);
    }
  }
  return undefined;
}

export class AuthorizedKeys {
  readonly #byHex = new Map<string, Principal[]>();
  readonly #verifyKeys = new Map<string, VerifyKey>();

  constructor(
    readonly principals: readonly Principal[],
    /** lines that are not principals (not Ed25519), with the reason */
    readonly skipped: readonly SkippedKey[] = [],
    /** `cert-authority` lines: CAs whose user certificates stand for principals (see cert-authorities.ts) */
    readonly certAuthorities: readonly CertAuthority[] = [],
  ) {
    for (const p of principals) {
      const list = this.#byHex.get(p.publicKeyHex) ?? [];
      list.push(p);
      this.#byHex.set(p.publicKeyHex, list);
      // decoded and checked once per key, not once per login
      if (!this.#verifyKeys.has(p.publicKeyHex)) this.#verifyKeys.set(p.publicKeyHex, new VerifyKey(p.publicKey));
    }
  }

  /** The principal of a public key (hex or bytes), or undefined (unknown, or listed under several authids). */
  lookup(publicKey: string | Uint8Array, authid?: string): Principal | undefined {
    const found = this.find(publicKey, { ...(authid !== undefined ? { authid } : {}) });
    return found.ok ? found.principal : undefined;
  }

  /**
   * The principal a public key stands for, with crossbar's rules: with an
   * authid, the key must be listed under it; without, it must be listed
   * under exactly one. Also checks realm, `expiry-time` and `from=`.
   */
  find(publicKey: string | Uint8Array, options: Omit<AuthCheckOptions, 'channelId'> = {}): AuthResult {
    const hex = typeof publicKey === 'string' ? publicKey.toLowerCase() : toHex(publicKey);
    const all = this.#byHex.get(hex);
    if (!all) return refuse('AUTH_UNKNOWN_KEY', `public key ${hex.slice(0, 16)}… is not in the list`);
    let candidates = all;
    if (options.authid !== undefined && options.authid !== null) {
      candidates = all.filter((p) => p.name === options.authid);
      if (candidates.length === 0) {
        return refuse('AUTH_AUTHID_MISMATCH', `the key is not listed for authid "${options.authid}"`);
      }
    }
    if (candidates.length > 1) {
      return refuse('AUTH_KEY_AMBIGUOUS', `the key is listed for ${candidates.length} authids (lines ${candidates.map((p) => p.line).join(', ')}); the client must say which`);
    }
    const p = candidates[0] as Principal;
    const refused = lineRefusal(p, options);
    if (refused) return refused;
    return { ok: true, principal: p };
  }

  /** The checked, decoded key of a listed principal. */
  verifyKeyOf(principal: Principal): VerifyKey {
    return this.#verifyKeys.get(principal.publicKeyHex) ?? new VerifyKey(principal.publicKey);
  }

  /**
   * Checks an AUTHENTICATE signature for a key in the list: the principal
   * (see find), then the signed message must be this challenge (XOR the
   * channel id), then the signature must verify strictly.
   */
  check(publicKey: string | Uint8Array, challengeHex: string, signatureHex: string, options: AuthCheckOptions = {}): AuthResult {
    const pub = bytesOrHex(publicKey, 'public key', 32, 'INVALID_PUBLIC_KEY');
    const found = this.find(pub, options);
    if (!found.ok) return found;
    return this.checkSignature(found.principal, challengeHex, signatureHex, options);
  }

  /** The XOR-mode signature check alone, for a principal already found (a listed key, or a certificate's). */
  checkSignature(principal: Principal, challengeHex: string, signatureHex: string, options: ChallengeOptions = {}): AuthResult {
    const found = { ok: true as const, principal };
    const message = challengeMessage(challengeHex, options);
    const sig = bytesOrHex(signatureHex, 'signature', 96, 'INVALID_SIGNATURE');
    if (!Buffer.from(sig.subarray(64)).equals(Buffer.from(message))) {
      return refuse('AUTH_CHALLENGE_MISMATCH', 'the signed message is not this challenge (a replayed or misdirected AUTHENTICATE, or another channel binding)');
    }
    if (!verifyChallengeSignature(this.verifyKeyOf(found.principal), challengeHex, signatureHex, options)) {
      return refuse('AUTH_SIGNATURE_WRONG', `the signature does not verify for "${found.principal.name}"`);
    }
    return found;
  }

  /** The principal whose key made `signatureHex` over the challenge, or undefined (see check for the reason). */
  authenticate(pubkeyHex: string, challengeHex: string, signatureHex: string, options: AuthCheckOptions = {}): Principal | undefined {
    const r = this.check(pubkeyHex, challengeHex, signatureHex, options);
    return r.ok ? r.principal : undefined;
  }

  /** Like check, but throws AuthError with the refusal's code. */
  require(publicKey: string | Uint8Array, challengeHex: string, signatureHex: string, options: AuthCheckOptions = {}): Principal {
    const r = this.check(publicKey, challengeHex, signatureHex, options);
    if (!r.ok) throw new AuthError(r.code, r.reason);
    return r.principal;
  }

  /**
   * The principal a login asks for, from values as they come off the wire (any
   * may be missing or malformed): the public key (`field` names it in the
   * message), an authid ('' or none: infer it), the realm, the peer address.
   * Throws AuthError with the reason's code.
   */
  forLogin(asked: { pubkey: unknown; authid?: unknown; realm?: unknown; peerAddress?: string | undefined; now?: Date }, field: string): Principal {
    const { pubkey, authid, realm } = asked;
    if (typeof pubkey !== 'string' || !/^[0-9a-fA-F]{64}$/.test(pubkey)) {
      throw new AuthError('AUTH_UNKNOWN_KEY', `${field} must be the client public key (64 hex digits)`);
    }
    const found = this.find(pubkey, {
      ...(typeof authid === 'string' && authid !== '' ? { authid } : {}),
      ...(typeof realm === 'string' ? { realm } : {}),
      ...(asked.peerAddress !== undefined ? { peerAddress: asked.peerAddress } : {}),
      ...(asked.now ? { now: asked.now } : {}),
    });
    if (!found.ok) throw new AuthError(found.code, found.reason);
    return found.principal;
  }
}

/** sshd's expiry-time: YYYYMMDD[HHMM[SS]], local time, or UTC with a trailing Z. */
export function parseExpiryTime(value: string, lineNo: number): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z?)$/.exec(value);
  if (!m) throw new AuthorizedKeysError('AUTHORIZED_KEYS_FORMAT', `line ${lineNo}: expiry-time "${value}" is not YYYYMMDD[HHMM[SS]][Z]`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => (x === undefined ? 0 : Number(x))) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) {
    throw new AuthorizedKeysError('AUTHORIZED_KEYS_FORMAT', `line ${lineNo}: expiry-time "${value}" is not a valid date`);
  }
  const date = m[7] === 'Z' ? new Date(Date.UTC(y, mo - 1, d, h, mi, s)) : new Date(y, mo - 1, d, h, mi, s);
  return date;
}

function wildcard(pattern: string, text: string): boolean {
  // sshd's match_pattern: * and ?, iterative (linear in practice, no backtracking regex)
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  const P = pattern.toLowerCase();
  const T = text.toLowerCase();
  while (t < T.length) {
    if (p < P.length && (P[p] === '?' || P[p] === T[t])) {
      p++;
      t++;
    } else if (p < P.length && P[p] === '*') {
      star = p++;
      mark = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++mark;
    } else return false;
  }
  while (p < P.length && P[p] === '*') p++;
  return p === P.length;
}

function matchOne(pattern: string, address: string): boolean {
  const slash = pattern.indexOf('/');
  if (slash !== -1) {
    const net = pattern.slice(0, slash);
    const bits = Number(pattern.slice(slash + 1));
    const family = isIP(net);
    if (!family || !Number.isInteger(bits) || isIP(address) !== family) return false;
    const list = new BlockList();
    try {
      list.addSubnet(net, bits, family === 4 ? 'ipv4' : 'ipv6');
    } catch {
      return false;
    }
    return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
  return wildcard(pattern, address);
}

/** sshd's from= rule: a negated match refuses; otherwise any positive match allows. */
export function matchFrom(patternList: string, address: string): boolean {
  const addr = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  let allowed = false;
  for (const raw of patternList.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (pattern === '') continue;
    if (matchOne(pattern, addr)) {
      if (negated) return false;
      allowed = true;
    }
  }
  return allowed;
}

function principalFrom(line: AuthorizedKeyLine, publicKey: Uint8Array): Principal {
  const problem = publicKeyProblem(publicKey);
  if (problem) throw new AuthorizedKeysError('AUTHORIZED_KEYS_FORMAT', `line ${line.line}: the Ed25519 key is refused: ${problem}`);
  const publicKeyHex = toHex(publicKey);
  const authid = optionValue(line, 'wamp-authid');
  const p: Principal = {
    name: authid ?? (line.comment !== '' ? line.comment : publicKeyHex),
    comment: line.comment,
    publicKey,
    publicKeyHex,
    fingerprint: fingerprintOfBlob(ed25519Blob(publicKey)),
    parsedOptions: line.options,
    line: line.line,
  };
  const role = optionValue(line, 'wamp-role');
  const realm = optionValue(line, 'wamp-realm');
  const expiry = optionValue(line, 'expiry-time');
  const from = optionValue(line, 'from');
  if (role !== undefined) p.role = role;
  if (realm !== undefined) p.realm = realm;
  if (expiry !== undefined) p.expiresAt = parseExpiryTime(expiry, line.line);
  if (from !== undefined) p.from = from;
  if (line.optionsText !== '') p.options = line.optionsText;
  return p;
}

/** Where a router's principals come from: a list, something that follows a file (`current()`, as AuthorizedKeysFile), or a function. */
export type PrincipalsSource = AuthorizedKeys | { current(): AuthorizedKeys } | (() => AuthorizedKeys);

/** One way to read the current list from any PrincipalsSource. */
export function principalsReader(source: PrincipalsSource): () => AuthorizedKeys {
  if (typeof source === 'function') return source;
  if ('current' in source && typeof source.current === 'function') return () => source.current();
  return () => source as AuthorizedKeys;
}

export function parseAuthorizedKeys(text: string): AuthorizedKeys {
  if (typeof text !== 'string') throw new AuthorizedKeysError('AUTHORIZED_KEYS_FORMAT', 'authorized keys must be given as text');
  const principals: Principal[] = [];
  const skipped: SkippedKey[] = [];
  const certAuthorities: CertAuthority[] = [];
  const seen = new Map<string, Principal>();
  for (const line of parseAuthorizedKeyLines(text)) {
    if (hasOption(line, 'cert-authority')) {
      // a CA: trusted for user certificates, never as a plain key (sshd's rule)
      certAuthorities.push(certAuthorityFrom(line));
      continue;
    }
    const raw = line.rawEd25519 ?? line.key?.ed25519;
    if (!raw) {
      skipped.push({ line: line.line, type: line.type, reason: 'not an Ed25519 key; cryptosign needs Ed25519' });
      continue;
    }
    const principal = principalFrom(line, raw);
    const key = `${principal.publicKeyHex} ${principal.name}`;
    if (seen.has(key)) continue; // the same key for the same name twice: once is enough
    seen.set(key, principal);
    principals.push(principal);
  }
  return new AuthorizedKeys(principals, skipped, certAuthorities);
}

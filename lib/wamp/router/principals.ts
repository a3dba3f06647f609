/**
 * The router side's list of principals: which public key belongs to which
 * WAMP authid (and role, realm), read from an OpenSSH authorized_keys text
 * exactly as sshd reads it (ssh/authorized-keys.ts, ssh/key-options.ts) or
 * from lines of `<pubkey hex> <principal>`; and the strict check of an
 * AUTHENTICATE signature against that list, with a coded reason for every
 * refusal (the reason is for the operator; see refusals.ts for what a
 * client may be told).
 *
 * The WAMP side, and only it, lives here: options sshd does not know and
 * would refuse a line for — `wamp-authid="…"` (the principal's name; else the
 * comment verbatim, else the public key hex), `wamp-role="…"`,
 * `wamp-realm="…"` (the key is only good for that realm; a login that names
 * no realm, or a realm that is not a string, is refused). Everything else is
 * sshd's: a line sshd would not read is skipped and reported in `skipped`
 * (the other lines stay usable); a key is accepted when, as in sshd, one of
 * its lines passes (not `cert-authority`, not expired, no `principals=`,
 * `from=` allowing the peer — failing closed without a peer address).
 */
import { AuthorizedKeysError, AuthError, type ErrorCode } from '../../errors.js';
import { VerifyKey, publicKeyProblem } from '../../crypto/ed25519.js';
import { bytesOrHex, toHex } from '../../crypto/hex.js';
import { ed25519Blob, fingerprintOfBlob } from '../../ssh/public-key.js';
import { forEachLine, parseAuthorizedKeyLine, type AuthorizedKeyLine, type KeyOptions, type SkippedLine } from '../../ssh/authorized-keys.js';
import { fromAllows } from '../../ssh/match.js';
import { plainKeyRefusal } from '../../ssh/key-options.js';
import { escapeText, quoted } from '../../escape.js';
import { boundLoginString } from './refusals.js';
import { currentReader } from './current-source.js';
import { challengeMessage, verifyChallengeSignature, type ChallengeOptions } from '../challenge.js';

/** The library's own options (sshd would refuse a line with any of them). */
export const WAMP_OPTIONS = ['wamp-authid', 'wamp-role', 'wamp-realm'] as const;

/** One key from an authorized_keys list and who it belongs to. */
export interface Principal {
  /** the authid: `wamp-authid` option, else the comment, else the public key hex */
  name: string;
  /** the line's comment, verbatim ('' when none) */
  comment: string;
  publicKey: Uint8Array;
  publicKeyHex: string;
  /** `SHA256:…` of the key */
  readonly fingerprint: string;
  /** WAMP role (`wamp-role="…"`), when given */
  role?: string;
  /** WAMP realm (`wamp-realm="…"`), when given: the key is only good for that realm */
  realm?: string;
  /** `expiry-time` (the earliest when several): the key is refused after this time */
  expiresAt?: Date;
  /** `from`: sshd's pattern list for the peer address */
  from?: string;
  /** the authorized_keys options field as written, when there is one */
  options?: string;
  /** sshd's options of the line, parsed */
  keyOptions: KeyOptions;
  /** 1-based line number */
  line: number;
  /** for a certificate login (a cert-authority line, see cert-authorities.ts): what the certificate said; its key id goes to the router's log */
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

/** A line that is not a principal, and why (sshd would skip it, or it is not for cryptosign). */
export type SkippedKey = SkippedLine;

/** What a check is about besides the signature. */
export interface AuthCheckOptions extends ChallengeOptions {
  /** the authid the client asked for (HELLO authid); a key listed under another name is refused */
  authid?: string;
  /** the realm asked for; a principal bound to a realm needs this to be that realm (missing: refused) */
  realm?: string;
  /** the peer's IP address, for `from=` (missing: lines with from= are refused) */
  peerAddress?: string;
  /** the time to check `expiry-time` against; default now */
  now?: Date;
}

/** The outcome of `AuthorizedKeys.check`: the principal, or a code and reason. */
export type AuthResult = { ok: true; principal: Principal } | { ok: false; code: ErrorCode; reason: string };

function refuse(code: ErrorCode, reason: string): AuthResult {
  return { ok: false, code, reason };
}

/** The refusal of one line for this login, or undefined when the line lets the key in. */
function lineRefusal(p: Principal, options: Omit<AuthCheckOptions, 'channelId'>, now: Date): AuthResult | undefined {
  if (p.realm !== undefined && (typeof options.realm !== 'string' || options.realm !== p.realm)) {
    return refuse('AUTH_REALM_MISMATCH', typeof options.realm === 'string'
      ? `${quoted(p.name)} (line ${p.line}) may join realm ${quoted(p.realm)}, not ${quoted(options.realm)}`
      : `${quoted(p.name)} (line ${p.line}) is bound to realm ${quoted(p.realm)} and the login names no realm`);
  }
  const r = plainKeyRefusal(p.keyOptions, { address: options.peerAddress, now });
  if (!r) return undefined;
  const code: ErrorCode = r.code === 'expired' ? 'AUTH_KEY_EXPIRED' : r.code === 'from' ? 'AUTH_ADDRESS_REFUSED' : 'AUTH_UNKNOWN_KEY';
  return refuse(code, `the key of ${quoted(p.name)} (line ${p.line}): ${escapeText(r.reason)}`);
}

/**
 * The lines of a list read into a compact index (key-index.ts): the
 * principals of one key are parsed from their line text when first asked for.
 */
export interface PrincipalLines {
  /** how many principal lines */
  readonly size: number;
  /** the principals listing this 32-byte key, in file order, or undefined */
  principalsOf(key: Uint8Array): Principal[] | undefined;
  /** every principal, in file order (parses every line: for tools, not logins) */
  allPrincipals(): Principal[];
  /** the lines sshd would read that are not principals (cert-authority, other key types) */
  otherLines(): AuthorizedKeyLine[];
}

/**
 * A parsed authorized_keys list: looks up principals by key and checks signatures strictly. Made
 * by `parseAuthorizedKeys` or `loadAuthorizedKeysFile`.
 */
export class AuthorizedKeys {
  /** key hex → its principal, or its principals in file order when several lines list it */
  readonly #byHex: Map<string, Principal | Principal[]> = new Map();
  /** or: an index whose lines are parsed when a key is first asked for */
  #indexed: PrincipalLines | undefined;
  /** key hex → its principals, from #indexed (parsed once) */
  readonly #parsed = new Map<string, Principal[]>();
  #principals: readonly Principal[];
  #lines: readonly AuthorizedKeyLine[];
  #unavailable: string | undefined;

  /** A list that refuses every login with PRINCIPALS_UNAVAILABLE (the file is missing or unreadable): never "not in the list". */
  static unavailable(reason: string): AuthorizedKeys {
    const list = new AuthorizedKeys([]);
    list.#unavailable = reason;
    return list;
  }

  /** A list served from a compact index (key-index.ts); `skipped` as the constructor's. */
  static fromIndex(index: PrincipalLines, skipped: readonly SkippedKey[]): AuthorizedKeys {
    const list = new AuthorizedKeys([], skipped);
    list.#indexed = index;
    return list;
  }

  /** Why this list cannot be used (the principals file is missing or unreadable), or undefined. */
  get unavailableReason(): string | undefined {
    return this.#unavailable;
  }
  /** per distinct key: its decoded VerifyKey, or why libsodium would refuse it (checked at first use, once) */
  readonly #verifyKeys = new Map<string, VerifyKey | string>();

  constructor(
    principals: readonly Principal[],
    /** lines that are not principals (sshd would skip them, cert-authority, not Ed25519), with the reason */
    readonly skipped: readonly SkippedKey[] = [],
    lines: readonly AuthorizedKeyLine[] = [],
  ) {
    this.#principals = principals;
    this.#lines = lines;
    for (const p of principals) addToIndex(this.#byHex, p);
  }

  /** The principals, in file order (from an index: every line is parsed at the first call — use `size` to count). */
  get principals(): readonly Principal[] {
    if (this.#indexed) {
      this.#principals = this.#indexed.allPrincipals();
      this.#lines = this.#indexed.otherLines();
      this.#indexed = undefined;
      this.#byHex.clear();
      for (const p of this.#principals) addToIndex(this.#byHex, p);
    }
    return this.#principals;
  }

  /** The lines sshd would read that are not principals: cert-authority lines, other key types. */
  get lines(): readonly AuthorizedKeyLine[] {
    // an indexed list parses its few non-principal lines once (certificate logins read them each time)
    if (this.#indexed) return (this.#otherLines ??= this.#indexed.otherLines());
    return this.#lines;
  }

  #otherLines: AuthorizedKeyLine[] | undefined;

  /** How many principal lines (cheap, whatever the list's size). */
  get size(): number {
    return this.#indexed ? this.#indexed.size : this.#principals.length;
  }

  /** The principals listing a key (hex, lower case), in file order. */
  #entriesOf(hex: string): readonly Principal[] | undefined {
    if (this.#indexed) {
      let found = this.#parsed.get(hex);
      if (found === undefined) {
        found = this.#indexed.principalsOf(Buffer.from(hex, 'hex'));
        if (found === undefined) return undefined;
        this.#parsed.set(hex, found);
      }
      return found;
    }
    const entry = this.#byHex.get(hex);
    return entry === undefined || Array.isArray(entry) ? entry : [entry];
  }

  /** The cert-authority lines (keys trusted to sign certificates, never principals themselves). */
  get certAuthorities(): AuthorizedKeyLine[] {
    return this.lines.filter((l) => l.options.certAuthority);
  }

  /** The principal of a public key (hex or bytes), or undefined (unknown, or listed under several authids). */
  lookup(publicKey: string | Uint8Array, authid?: string): Principal | undefined {
    const found = this.find(publicKey, { ...(authid !== undefined ? { authid } : {}) });
    return found.ok ? found.principal : undefined;
  }

  /**
   * The principal a public key stands for. As sshd: the key's lines are
   * tried in file order and the first that passes (realm, `expiry-time`,
   * `from=`) is the one; with an authid, only lines under that name count;
   * without, the passing lines must all be one name (else the client must
   * say which: AUTH_KEY_AMBIGUOUS).
   */
  find(publicKey: string | Uint8Array, options: Omit<AuthCheckOptions, 'channelId'> = {}): AuthResult {
    if (this.#unavailable !== undefined) return refuse('PRINCIPALS_UNAVAILABLE', this.#unavailable);
    const hex = typeof publicKey === 'string' ? publicKey.toLowerCase() : toHex(publicKey);
    const all = /^[0-9a-f]{64}$/.test(hex) ? this.#entriesOf(hex) : undefined;
    if (!all) return refuse('AUTH_UNKNOWN_KEY', `public key ${escapeText(hex.slice(0, 16))}… is not in the list`);
    let candidates = all;
    if (options.authid !== undefined && options.authid !== null) {
      candidates = all.filter((p) => p.name === options.authid);
      if (candidates.length === 0) return refuse('AUTH_AUTHID_MISMATCH', `the key is not listed for authid ${quoted(options.authid)}`);
    }
    const problem = this.#keyProblem(hex, (candidates[0] as Principal).publicKey);
    if (problem) return refuse('AUTH_UNKNOWN_KEY', `the listed key ${hex.slice(0, 16)}… (line ${(candidates[0] as Principal).line}) is refused: ${problem}`);
    const now = options.now ?? new Date();
    let first: AuthResult | undefined;
    const passing: Principal[] = [];
    for (const p of candidates) {
      const r = lineRefusal(p, options, now);
      if (r) first ??= r;
      else passing.push(p);
    }
    if (passing.length === 0) return first as AuthResult;
    const p = passing[0] as Principal;
    if (options.authid === undefined || options.authid === null) {
      const other = passing.find((q) => q.name !== p.name);
      if (other) {
        return refuse('AUTH_KEY_AMBIGUOUS', `the key is listed for several authids (lines ${p.line} and ${other.line}); the client must say which`);
      }
    }
    return { ok: true, principal: p };
  }

  #keyProblem(hex: string, publicKey: Uint8Array): string | undefined {
    let v = this.#verifyKeys.get(hex);
    if (v === undefined) {
      const problem = publicKeyProblem(publicKey);
      v = problem ?? new VerifyKey(publicKey);
      this.#verifyKeys.set(hex, v);
    }
    return typeof v === 'string' ? v : undefined;
  }

  /** The checked, decoded key of a listed principal. */
  verifyKeyOf(principal: Principal): VerifyKey {
    this.#keyProblem(principal.publicKeyHex, principal.publicKey);
    const v = this.#verifyKeys.get(principal.publicKeyHex);
    return v instanceof VerifyKey ? v : new VerifyKey(principal.publicKey);
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
      return refuse('AUTH_SIGNATURE_WRONG', `the signature does not verify for ${quoted(found.principal.name)}`);
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
    boundLoginString(authid, 'authid');
    boundLoginString(realm, 'realm');
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

/** sshd's from= rule for one peer address (IPv4-mapped addresses as IPv4): true when sshd would let it use the key. */
export function matchFrom(patternList: string, address: string): boolean {
  return fromAllows(patternList, address);
}

/** A principal read from a line (the fingerprint is computed when first asked for). */
class LinePrincipal implements Principal {
  name: string;
  comment: string;
  publicKeyHex: string;
  keyOptions: KeyOptions;
  line: number;
  role?: string;
  realm?: string;
  expiresAt?: Date;
  from?: string;
  options?: string;
  #publicKey: Uint8Array | undefined;
  #fingerprint: string | undefined;

  constructor(line: AuthorizedKeyLine, publicKey: Uint8Array) {
    const o = line.options;
    const blob = line.blob;
    // only the hex is kept: a million principals hold no typed arrays of their own
    this.publicKeyHex = Buffer.isBuffer(blob) && blob.length === 51 ? blob.toString('hex', 19, 51) : Buffer.from(publicKey).toString('hex');
    this.name = o.extra['wamp-authid'] ?? (line.comment !== '' ? line.comment : this.publicKeyHex);
    this.comment = line.comment;
    this.keyOptions = o;
    this.line = line.line;
    setLineOptions(this, line);
  }

  get publicKey(): Uint8Array {
    return (this.#publicKey ??= new Uint8Array(Buffer.from(this.publicKeyHex, 'hex')));
  }

  get fingerprint(): string {
    return (this.#fingerprint ??= fingerprintOfBlob(ed25519Blob(this.publicKey)));
  }

  toJSON(): object {
    return { ...this, publicKey: this.publicKey, fingerprint: this.fingerprint };
  }
}

/** A line of a principals list, read as sshd reads it with the WAMP options allowed (WAMP_OPTIONS). */
export function parseListLine(raw: string, lineNo: number): AuthorizedKeyLine | SkippedKey | undefined {
  return parseAuthorizedKeyLine(raw, lineNo, { extraOptions: WAMP_OPTIONS });
}

/**
 * One line of a principals list, classified (for PrincipalsBuilder and the
 * key index alike): undefined for a blank or comment line and for a line sshd
 * skips (filed in `skipped` with sshd's reason); else the line, and whether it
 * is a principal (when it is not — cert-authority, not Ed25519, … — it is
 * filed in `skipped` too, with notAPrincipal's reason).
 */
export function classifyListLine(raw: string, lineNo: number, skipped: SkippedKey[]): { line: AuthorizedKeyLine; principal: boolean } | undefined {
  const line = parseListLine(raw, lineNo);
  if (line === undefined) return undefined;
  if (!('options' in line)) {
    skipped.push(line);
    return undefined;
  }
  const reason = notAPrincipal(line);
  if (reason) skipped.push({ line: line.line, type: line.type, reason });
  return { line, principal: !reason };
}

/** What a principal takes from its line's options, each only when the line has it: wamp-role, wamp-realm, expiry-time, from=, the options text. */
export function setLineOptions(p: Pick<Principal, 'role' | 'realm' | 'expiresAt' | 'from' | 'options'>, line: AuthorizedKeyLine): void {
  const o = line.options;
  const role = o.extra['wamp-role'];
  const realm = o.extra['wamp-realm'];
  if (role !== undefined) p.role = role;
  if (realm !== undefined) p.realm = realm;
  if (o.validBefore !== undefined) p.expiresAt = new Date(o.validBefore * 1000);
  if (o.from !== undefined) p.from = o.from;
  if (line.optionsText !== '') p.options = line.optionsText;
}

/** The principal of a line that is one (see notAPrincipal). */
export function principalFrom(line: AuthorizedKeyLine, publicKey: Uint8Array): Principal {
  return new LinePrincipal(line, publicKey);
}

/** Why a line sshd reads is not a cryptosign principal, or undefined when it is one. */
function notAPrincipal(line: AuthorizedKeyLine): string | undefined {
  return line.options.certAuthority
    ? 'a cert-authority key signs certificates; sshd never accepts it as a plain key'
    : line.options.principals !== undefined
      ? 'principals= belongs on a cert-authority line; sshd refuses a plain key from this line'
      : !line.rawEd25519
        ? 'not an Ed25519 key; cryptosign needs Ed25519'
        : undefined;
}

/** Where a router's principals come from: a list, something that follows a file (`current()`, as AuthorizedKeysFile), or a function. */
export type PrincipalsSource = AuthorizedKeys | { current(): AuthorizedKeys } | (() => AuthorizedKeys);

/** One way to read the current list from any PrincipalsSource. */
export function principalsReader(source: PrincipalsSource): () => AuthorizedKeys {
  return currentReader(source);
}

/**
 * Builds a principals list line by line (parseAuthorizedKeys; large files go
 * through the compact index of key-index.ts instead).
 */
export class PrincipalsBuilder {
  readonly #principals: Principal[] = [];
  readonly #skipped: SkippedKey[] = [];
  readonly #lines: AuthorizedKeyLine[] = [];

  /** One line of the file (without its `\n`), 1-based number. */
  add(raw: string, lineNo: number): void {
    const read = classifyListLine(raw, lineNo, this.#skipped);
    if (read === undefined) return;
    if (read.principal) this.#principals.push(principalFrom(read.line, read.line.rawEd25519 as Uint8Array));
    else this.#lines.push(read.line);
  }

  finish(): AuthorizedKeys {
    return new AuthorizedKeys(this.#principals, this.#skipped, this.#lines);
  }
}

function addToIndex(index: Map<string, Principal | Principal[]>, p: Principal): void {
  const had = index.get(p.publicKeyHex);
  if (had === undefined) index.set(p.publicKeyHex, p);
  else if (Array.isArray(had)) had.push(p);
  else index.set(p.publicKeyHex, [had, p]);
}

/**
 * Reads an authorized_keys text (or `<hex> <principal>` lines) into the list
 * of principals. Never throws for a bad line: it is skipped and reported in
 * `skipped`, as sshd skips it.
 */
export function parseAuthorizedKeys(text: string): AuthorizedKeys {
  if (typeof text !== 'string') throw new AuthorizedKeysError('AUTHORIZED_KEYS_FORMAT', 'authorized keys must be given as text');
  const builder = new PrincipalsBuilder();
  forEachLine(text, (raw, n) => builder.add(raw, n));
  return builder.finish();
}

/**
 * The router side of WAMP-cryptosign: an authenticator a Node router (or a
 * crossbar authenticator written in Node) drives with HELLO and AUTHENTICATE.
 *
 *     const auth = new CryptosignAuthenticator({ principals, routerKey });
 *     const login = await auth.hello(helloDetails, { realm, socket, peerAddress });
 *     send CHALLENGE 'cryptosign' login.extra
 *     const principal = login.authenticate(authenticateSignature);   // or throws AuthError
 *     send WELCOME { authid: principal.name, authrole: principal.role, … }
 *
 * hello(): finds the principal (crossbar's rules: authextra.pubkey, and the
 * authid when given), validates `channel_binding` (`tls-unique`,
 * `tls-exporter`, or none; never on a connection without TLS), issues a fresh
 * random 32-byte challenge, and — when the client sent `authextra.challenge` —
 * signs it (XOR the channel id when bound) with the router's own SigningKey,
 * from any key source, adding `pubkey` and `signature` to the CHALLENGE extra.
 * authenticate(): accepted only if the signed message is this challenge (XOR
 * this connection's channel id) and the signature verifies strictly. Each
 * login answers once; every refusal is an AuthError with its code.
 * Transcript mode (option `transcript`, docs/transcript-binding.md) replaces
 * both XORs by signatures over the handshake transcript.
 *
 * What the client is told (refusals.ts): a refusal that concerns the
 * principals is AuthError AUTH_NOT_AUTHORIZED "not authorized", whatever the
 * reason; the reason itself (principal, line, option, certificate,
 * PRINCIPALS_UNAVAILABLE) goes to `onRefusal` and to the error's `refusal`,
 * for the operator's log.
 */
import { randomBytes } from 'node:crypto';
import { AuthError, CryptosignKeysError, InputError } from '../../errors.js';
import { toHex } from '../../crypto/hex.js';
import type { SigningKey } from '../../keys/signing-key.js';
import { CHANNEL_BINDING_TYPES, tlsChannelId, transcriptTlsProblem, type ChannelBindingType } from '../channel-binding.js';
import { parseChallenge, signChallenge } from '../challenge.js';
import { signTranscript, transcriptTextProblem, verifyTranscriptSignature, TRANSCRIPT_VERSION, type TranscriptFields } from '../transcript.js';
import { principalsReader, type AuthorizedKeys, type Principal, type PrincipalsSource } from './principals.js';
import { currentPrincipals, currentRevokedKeys, forClient, type Refusal } from './refusals.js';
import { escapeText, quoted } from '../../escape.js';
import { certificatePrincipal, decodeCertificateField } from './cert-authorities.js';
import { toCertificate, type SshCertificate } from '../../ssh/certificate.js';
import type { RevokedKeys } from '../../ssh/krl.js';
import { requireNotRevoked } from './revoked-keys-file.js';
import { currentReader } from './current-source.js';

/** Options for `CryptosignAuthenticator`. */
export interface CryptosignAuthenticatorOptions {
  /** the principals: a list, an AuthorizedKeysFile (followed on disk), or a function returning the current list */
  principals: PrincipalsSource;
  /** the router's own key, for router authentication (any key source: seed, file, ssh-agent) */
  routerKey?: SigningKey;
  /** refuse clients that do not use channel binding (only for TLS listeners); default false */
  requireChannelBinding?: boolean;
  /** the clock for expiry-time; default the real one */
  now?: () => Date;
  /**
   * transcript mode (docs/transcript-binding.md): 'require' refuses XOR-mode
   * clients (and never signs an XOR-mode router challenge); 'allow' speaks
   * both, transcript when the client asks; 'off' (default) ignores the
   * request, as a router without it would.
   */
  transcript?: 'require' | 'allow' | 'off';
  /**
   * sshd's RevokedKeys: keys and certificates refused even when listed or
   * certified (a RevokedKeys, e.g. from loadRevokedKeysFile, or a function
   * returning the current one). Checked at HELLO and again at AUTHENTICATE.
   */
  revokedKeys?: RevokedKeys | { current(): RevokedKeys } | (() => RevokedKeys | undefined);
  /**
   * The router's OpenSSH host certificate for `routerKey` (`ssh-keygen -s ca
   * -h -n router.example key.pub`), as the certificate blob or the
   * `…-cert.pub` line; sent with router authentication as CHALLENGE
   * `extra.certificate` (base64 of the blob).
   */
  routerCertificate?: Uint8Array | string;
  /** the CA signature algorithms accepted for client certificates; default sshd 9.2's CASignatureAlgorithms */
  caSignatureAlgorithms?: readonly string[];
  /** the router's log: one line per certificate login, accepted or refused (key id, serial, CA; escaped) */
  log?: (line: string) => void;
  /** every refusal with its full reason, for the operator's log (the client only hears "not authorized") */
  onRefusal?: (refusal: Refusal) => void;
}

/** The HELLO details the authenticator reads (`authid`, `authextra`). */
export interface HelloDetails {
  authid?: unknown;
  authmethods?: unknown;
  authextra?: { pubkey?: unknown; channel_binding?: unknown; challenge?: unknown; transcript?: unknown; certificate?: unknown; [k: string]: unknown } | null;
}

/** What the router knows about the connection a HELLO came on. */
export interface ConnectionInfo {
  /** the realm the client asked for */
  realm?: string;
  /** the connection's TLS socket (server end), or undefined for plain ws */
  socket?: unknown;
  /** the peer's IP address, for `from=` */
  peerAddress?: string;
}

/** CHALLENGE.extra as the authenticator sends it. */
export interface ChallengeExtra {
  challenge: string;
  channel_binding: ChannelBindingType | null;
  /** router authentication: the router's public key (hex) */
  pubkey?: string;
  /** router authentication: hex(signature) + hex(signed message) over the client's challenge; in transcript mode hex(signature) over the router's transcript message */
  signature?: string;
  /** transcript mode confirmed (TRANSCRIPT_VERSION) */
  transcript?: string;
  /** router authentication: the router's OpenSSH host certificate, base64 of the blob */
  certificate?: string;
}

/** One client's login in progress: the CHALLENGE to send, and the check of the answer. */
export class PendingLogin {
  #used = false;
  readonly #channelId: Uint8Array | undefined;
  readonly #check: (challenge: string, signature: string, channelId: Uint8Array | undefined) => Principal;

  constructor(
    readonly principal: Principal,
    readonly extra: ChallengeExtra,
    channelId: Uint8Array | undefined,
    check: (challenge: string, signature: string, channelId: Uint8Array | undefined) => Principal,
  ) {
    this.#channelId = channelId;
    this.#check = check;
  }

  /** Checks the AUTHENTICATE signature; returns the principal or throws AuthError. Answers once. */
  authenticate(signature: unknown): Principal {
    if (this.#used) throw new AuthError('AUTH_CHALLENGE_USED', 'this challenge was answered already; a new HELLO gets a new one');
    this.#used = true;
    // no string, or far too long to be one (192 or 128 hex digits): checked as '' so the refusal goes through the same path as a wrong one (the client hears "not authorized", onRefusal the reason)
    const sig = typeof signature === 'string' && signature.length <= 1024 ? signature : '';
    // the check (the authenticator's #guarded) turns a malformed signature into a refusal and reports it
    return this.#check(this.extra.challenge, sig, this.#channelId);
  }
}

function bindingOf(value: unknown): ChannelBindingType | null {
  if (value === undefined || value === null) return null;
  if ((CHANNEL_BINDING_TYPES as readonly unknown[]).includes(value)) return value as ChannelBindingType;
  // a string bounded, anything else by its type: JSON.stringify of a deeply nested HELLO value throws RangeError (attack review)
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : typeof value;
  throw new AuthError('AUTH_BINDING_REFUSED', `channel binding ${shown} is not supported (tls-unique, tls-exporter, or none)`);
}

/**
 * The router side of a cryptosign login: `hello()` finds the principal and issues the CHALLENGE
 * (signed with `routerKey` when the client asks for router authentication); the returned login's
 * `authenticate()` checks the answer once, strictly.
 */
export class CryptosignAuthenticator {
  readonly #principals: () => AuthorizedKeys;
  readonly #routerKey: SigningKey | undefined;
  readonly #requireBinding: boolean;
  readonly #now: () => Date;
  readonly #transcript: 'require' | 'allow' | 'off';
  readonly #revoked: () => RevokedKeys | undefined;
  readonly #routerCertificate: SshCertificate | undefined;
  /** CHALLENGE extra.certificate: the router certificate's blob in base64, made once */
  readonly #routerCertificateBase64: string | undefined;
  readonly #caAlgorithms: readonly string[] | undefined;
  readonly #log: ((line: string) => void) | undefined;
  readonly #onRefusal: ((refusal: Refusal) => void) | undefined;

  constructor(options: CryptosignAuthenticatorOptions) {
    this.#onRefusal = options.onRefusal;
    const revoked = options.revokedKeys;
    const readRevoked = revoked === undefined ? () => undefined : currentReader<RevokedKeys | undefined>(revoked);
    this.#revoked = () => currentRevokedKeys(readRevoked); // a source that throws is a coded refusal, never its message to the client
    this.#caAlgorithms = options.caSignatureAlgorithms;
    this.#log = options.log;
    if (options.routerCertificate !== undefined) {
      const rc = options.routerCertificate;
      const cert = toCertificate(rc);
      if (!options.routerKey || !cert.ed25519 || toHex(cert.ed25519) !== options.routerKey.publicKeyHex) {
        throw new InputError('INVALID_ARGUMENT', 'routerCertificate must certify routerKey');
      }
      if (cert.certType !== 'host') throw new InputError('INVALID_ARGUMENT', 'routerCertificate must be a host certificate (ssh-keygen -h)');
      this.#routerCertificate = cert;
      this.#routerCertificateBase64 = Buffer.from(cert.blob).toString('base64');
    }
    const read = principalsReader(options.principals);
    this.#principals = () => currentPrincipals(read); // a source that throws is a coded refusal, never its message to the client
    this.#routerKey = options.routerKey;
    this.#requireBinding = options.requireChannelBinding ?? false;
    this.#now = options.now ?? (() => new Date());
    const mode = options.transcript ?? 'off';
    if (mode !== 'require' && mode !== 'allow' && mode !== 'off') {
      throw new InputError('INVALID_ARGUMENT', 'transcript must be "require", "allow" or "off"');
    }
    this.#transcript = mode;
  }

  /** Does this HELLO get transcript mode? Throws the transcript refusals. */
  #transcriptMode(asked: unknown, binding: ChannelBindingType | null, realm: unknown): boolean {
    let on = false;
    if (asked !== undefined && asked !== null && this.#transcript !== 'off') {
      if (asked !== TRANSCRIPT_VERSION) {
        throw new AuthError('AUTH_TRANSCRIPT_UNSUPPORTED', `transcript mode ${typeof asked === 'string' ? JSON.stringify(asked.slice(0, 64)) : typeof asked} is not supported (${TRANSCRIPT_VERSION})`);
      }
      on = true;
    }
    if (!on && this.#transcript === 'require') {
      throw new AuthError('AUTH_TRANSCRIPT_REQUIRED', `this router requires transcript mode (HELLO authextra.transcript = "${TRANSCRIPT_VERSION}")`);
    }
    if (on && binding === null) {
      throw new AuthError('AUTH_TRANSCRIPT_UNBOUND', 'transcript mode binds the TLS channel: HELLO must announce channel_binding');
    }
    if (on && typeof realm !== 'string') throw new InputError('INVALID_ARGUMENT', 'transcript mode binds the realm: hello() needs connection.realm');
    return on;
  }

  /** A plain-key principal, unless its key is revoked (KEY_REVOKED). */
  #notRevoked(p: Principal): Principal {
    return requireNotRevoked(p, this.#revoked());
  }

  /** Runs a certificate step; a refusal goes to the router's log (with the key id) before it is thrown. */
  #logged<T>(step: () => T, certificate?: SshCertificate): T {
    try {
      return step();
    } catch (e) {
      if (this.#log && e instanceof AuthError) {
        const what = certificate ? ` key id ${quoted(certificate.keyId)} serial ${certificate.serial} CA ${certificate.caKey.fingerprint}` : '';
        this.#log(`cryptosign certificate login refused [${e.code}]${what}: ${e.message}`);
      }
      throw e;
    }
  }

  /** HELLO → the login in progress (its `extra` goes into CHALLENGE), or AuthError (what the client may be told). */
  async hello(details: HelloDetails, connection: ConnectionInfo = {}): Promise<PendingLogin> {
    try {
      return await this.#hello(details, connection);
    } catch (e) {
      throw e instanceof AuthError ? this.#refused(e, details, connection) : e;
    }
  }

  /** Reports a refusal to the operator's hook; returns the error for the client. */
  #refused(e: AuthError, details: HelloDetails, connection: ConnectionInfo): AuthError {
    const out = forClient(e);
    const asked = (v: unknown) => (typeof v === 'string' ? escapeText(v) : undefined);
    const pubkey = details?.authextra?.pubkey;
    const refusal: Refusal = { ...(out.refusal as { code: Refusal['code']; reason: string }) };
    const authid = asked(details?.authid);
    const realm = asked(connection.realm);
    if (authid !== undefined) refusal.authid = authid;
    if (realm !== undefined) refusal.realm = realm;
    if (typeof pubkey === 'string' && /^[0-9a-fA-F]{64}$/.test(pubkey)) refusal.pubkey = pubkey.toLowerCase();
    if (typeof connection.peerAddress === 'string') refusal.peerAddress = escapeText(connection.peerAddress, 64);
    try {
      this.#onRefusal?.(refusal);
    } catch {
      // the operator's hook never changes the answer
    }
    return out;
  }

  /** An AUTHENTICATE check whose refusals are reported and told to the client as hello()'s are. */
  #guarded(
    check: (challenge: string, signature: string, id: Uint8Array | undefined) => Principal,
    details: HelloDetails,
    connection: ConnectionInfo,
  ): (challenge: string, signature: string, id: Uint8Array | undefined) => Principal {
    return (challenge, signature, id) => {
      try {
        return check(challenge, signature, id);
      } catch (e) {
        throw this.#refusedCheck(e, details, connection);
      }
    };
  }

  async #hello(details: HelloDetails, connection: ConnectionInfo): Promise<PendingLogin> {
    const authextra = details?.authextra ?? {};
    // first what depends on the request alone (binding, transcript mode, the TLS channel), then the
    // principal: a malformed request gets the same answer whether or not its key is listed, so the
    // answer tells a stranger nothing about the principals
    const binding = bindingOf(authextra.channel_binding);
    const transcript = this.#transcriptMode(authextra.transcript, binding, connection.realm);
    if (binding === null && this.#requireBinding) {
      throw new AuthError('AUTH_BINDING_REFUSED', 'this router requires channel binding (tls-unique or tls-exporter)');
    }
    let channelId: Uint8Array | undefined;
    if (binding !== null) {
      try {
        channelId = tlsChannelId(connection.socket, binding);
      } catch (e) {
        throw new AuthError('AUTH_BINDING_REFUSED', `the client asked for ${binding} channel binding: ${(e as Error).message}`);
      }
    }

    if (transcript) this.#transcriptRequestChecks(details, connection);

    const certificate =
      authextra.certificate === undefined || authextra.certificate === null ? undefined : this.#logged(() => decodeCertificateField(authextra.certificate));
    /** the principal, found again at AUTHENTICATE (the list may have changed, time has passed) */
    const findPrincipal = (authid: unknown): Principal =>
      certificate
        ? this.#logged(() =>
            certificatePrincipal(this.#principals(), {
              certificate,
              pubkey: authextra.pubkey,
              authid,
              realm: connection.realm,
              peerAddress: connection.peerAddress,
              now: this.#now(),
              revoked: this.#revoked(),
              caSignatureAlgorithms: this.#caAlgorithms,
            }),
          certificate)
        : this.#notRevoked(
            this.#principals().forLogin(
              { pubkey: authextra.pubkey, authid, realm: connection.realm, peerAddress: connection.peerAddress, now: this.#now() },
              'HELLO authextra.pubkey',
            ),
          );
    const principal = findPrincipal(details?.authid);
    if (principal.certificate) {
      this.#log?.(`cryptosign certificate login accepted: authid ${quoted(principal.name)} key id ${quoted(principal.certificate.keyId)} serial ${principal.certificate.serial} CA ${principal.certificate.ca} (line ${principal.line})`);
    }


    const extra: ChallengeExtra = { challenge: toHex(randomBytes(32)), channel_binding: binding };
    if (transcript) {
      return this.#transcriptLogin(principal, details, authextra.challenge, connection, extra, channelId as Uint8Array, () => findPrincipal(principal.name), certificate);
    }
    if (authextra.challenge !== undefined && authextra.challenge !== null && this.#routerKey) {
      let clientChallenge: string;
      try {
        clientChallenge = toHex(parseChallenge(authextra.challenge));
      } catch (e) {
        throw new AuthError('AUTH_CHALLENGE_MISMATCH', `HELLO authextra.challenge: ${(e as Error).message}`);
      }
      extra.pubkey = this.#routerKey.publicKeyHex;
      extra.signature = await signChallenge(this.#routerKey, clientChallenge, channelId ? { channelId } : {});
      if (this.#routerCertificate) extra.certificate = this.#routerCertificateBase64;
    }
    const check = (challenge: string, signature: string, id: Uint8Array | undefined) => {
      if (!certificate) {
        return this.#notRevoked(
          this.#principals().require(principal.publicKey, challenge, signature, {
            authid: principal.name,
            ...(connection.realm !== undefined ? { realm: connection.realm } : {}),
            ...(connection.peerAddress !== undefined ? { peerAddress: connection.peerAddress } : {}),
            ...(id ? { channelId: id } : {}),
            now: this.#now(),
          }),
        );
      }
      const again = findPrincipal(principal.name);
      const r = this.#principals().checkSignature(again, challenge, signature, id ? { channelId: id } : {});
      if (!r.ok) throw new AuthError(r.code, r.reason);
      return again;
    };
    return new PendingLogin(principal, extra, channelId, this.#guarded(check, details, connection));
  }

  /** A refusal at AUTHENTICATE for the client and the operator's hook; a malformed signature (InputError) is AUTH_SIGNATURE_WRONG. */
  #refusedCheck(e: unknown, details: HelloDetails, connection: ConnectionInfo): unknown {
    if (!(e instanceof AuthError) && e instanceof CryptosignKeysError) e = new AuthError('AUTH_SIGNATURE_WRONG', `malformed AUTHENTICATE signature: ${escapeText(e.message)}`);
    return e instanceof AuthError ? this.#refused(e, details, connection) : e;
  }

  /** Transcript mode's checks on the request alone, before the principal is looked up and before the router key signs (attack review). */
  #transcriptRequestChecks(details: HelloDetails, connection: ConnectionInfo): void {
    // a realm or authid with no transcript: refused, coded
    for (const [what, value] of [['realm', connection.realm], ['authid', typeof details.authid === 'string' ? details.authid : '']] as const) {
      const problem = transcriptTextProblem(value);
      if (problem) throw new AuthError('AUTH_INPUT_TOO_LONG', `transcript mode binds the ${what}, and the HELLO ${what} ${problem}`);
    }
    // TLS 1.3, or TLS 1.2 with ECDHE: a relay cannot give its two connections one channel id
    const weakTls = transcriptTlsProblem(connection.socket);
    if (weakTls) throw new AuthError('AUTH_BINDING_REFUSED', weakTls);
  }

  /** A transcript-mode login: the router signs its transcript first (router authentication), the client's is checked against its own. */
  async #transcriptLogin(
    principal: Principal,
    details: HelloDetails,
    clientChallengeHex: unknown,
    connection: ConnectionInfo,
    extra: ChallengeExtra,
    channelId: Uint8Array,
    findAgain: () => Principal,
    certificate: SshCertificate | undefined,
  ): Promise<PendingLogin> {
    extra.transcript = TRANSCRIPT_VERSION;
    const fields: TranscriptFields = {
      channelBinding: extra.channel_binding as ChannelBindingType,
      channelId,
      realm: connection.realm as string,
      authid: typeof details.authid === 'string' ? details.authid : '',
      clientPublicKey: principal.publicKey,
      routerChallenge: parseChallenge(extra.challenge),
      clientCertificate: certificate?.blob,
    };
    if (clientChallengeHex !== undefined && clientChallengeHex !== null && this.#routerKey) {
      try {
        fields.clientChallenge = parseChallenge(clientChallengeHex);
      } catch (e) {
        throw new AuthError('AUTH_CHALLENGE_MISMATCH', `HELLO authextra.challenge: ${(e as Error).message}`);
      }
      fields.routerPublicKey = this.#routerKey.publicKey;
      if (this.#routerCertificate) {
        fields.routerCertificate = this.#routerCertificate.blob;
        extra.certificate = this.#routerCertificateBase64;
      }
      extra.pubkey = this.#routerKey.publicKeyHex;
      extra.signature = await signTranscript(this.#routerKey, 'router', fields);
    }
    const check = (_challenge: string, signature: string) => {
      const found = findAgain();
      if (!verifyTranscriptSignature(this.#principals().verifyKeyOf(found), 'client', fields, signature)) {
        throw new AuthError('AUTH_SIGNATURE_WRONG', `the transcript signature does not verify for "${escapeText(found.name)}" (another connection, mode or role)`);
      }
      return found;
    };
    return new PendingLogin(principal, extra, channelId, this.#guarded(check, details, connection));
  }
}

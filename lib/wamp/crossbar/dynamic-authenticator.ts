/**
 * A crossbar dynamic authenticator for cryptosign, answered from an
 * authorized-keys list (a file followed on disk, or any list).
 *
 * crossbar (`"cryptosign": {"type": "dynamic", "authenticator": URI}`) calls
 * the procedure with (realm, authid, details), details.authextra.pubkey being
 * the client's key and details.transport.peer its address ("tcp4:IP:PORT");
 * it expects {pubkey, role, authid?, realm?, extra?} back, or an error to
 * deny. crossbar then checks the signature itself, against that pubkey —
 * in XOR mode: this authenticator cannot offer transcript mode
 * (docs/transcript-binding.md), since it never sees the signature.
 *
 * `crossbarDecision` is the decision alone (pure, coded refusals);
 * `runCrossbarAuthenticator` joins the router as a WAMP component (its own
 * login with cryptosign, any key source), registers the procedure, and
 * reports each decision to `onDecision` (nothing secret is in it).
 */
import { certificatePrincipal, decodeCertificateField } from '../router/cert-authorities.js';
import type { RevokedKeys } from '../../ssh/krl.js';
import { requireNotRevoked } from '../router/revoked-keys-file.js';
import { AuthError } from '../../errors.js';
import type { SigningKey } from '../../keys/signing-key.js';
import { principalsReader, type PrincipalsSource } from '../router/principals.js';
import { currentPrincipals, currentRevokedKeys, forClient, NOT_AUTHORIZED } from '../router/refusals.js';
import { currentReader } from '../router/current-source.js';
import { quoted } from '../../escape.js';
import { joinWamp, WampCallError, type JoinOptions, type WampSession } from '../client/session.js';

/** What crossbar's dynamic authenticator expects back for a cryptosign login. */
export interface CrossbarAuthResult {
  pubkey: string;
  role: string;
  authid: string;
  realm?: string;
  extra?: Record<string, unknown>;
}

/** Options for `crossbarDecision`. */
export interface CrossbarDecisionOptions {
  /** the role for principals whose line has no wamp-role (else they are refused: AUTH_NO_ROLE) */
  defaultRole?: string;
  now?: Date;
  /** sshd's RevokedKeys (ssh/krl.ts), or a function returning the current one (RevokedKeysFile.current) */
  revokedKeys?: RevokedKeys | { current(): RevokedKeys } | (() => RevokedKeys);
}

/** The client's IP address from crossbar's transport peer ("tcp4:1.2.3.4:5678", "tcp6:[::1]:5678", "tcp6:::1:5678"). */
export function peerAddressOf(details: unknown): string | undefined {
  const peer = (details as { transport?: { peer?: unknown } } | undefined)?.transport?.peer;
  if (typeof peer !== 'string') return undefined;
  const m = /^tcp[46]:(?:\[([^\]]+)\]|(.+)):\d+$/.exec(peer);
  return m ? (m[1] ?? m[2]) : undefined;
}

/**
 * What to answer crossbar for one login: the principal for the key, or
 * AuthError — AUTH_NOT_AUTHORIZED "not authorized" for every refusal about the
 * principals (crossbar forwards the text to the client), with the full reason
 * on the error's `refusal` for the operator's log.
 */
export function crossbarDecision(principals: PrincipalsSource, realm: unknown, authid: unknown, details: unknown, options: CrossbarDecisionOptions = {}): CrossbarAuthResult {
  try {
    return decide(principals, realm, authid, details, options);
  } catch (e) {
    throw e instanceof AuthError ? forClient(e) : e;
  }
}

function decide(principals: PrincipalsSource, realm: unknown, authid: unknown, details: unknown, options: CrossbarDecisionOptions): CrossbarAuthResult {
  const d = (details ?? {}) as { authmethod?: unknown; authextra?: { pubkey?: unknown; certificate?: unknown } | null };
  if (d.authmethod !== undefined && d.authmethod !== 'cryptosign') {
    throw new AuthError('AUTH_METHOD_REFUSED', `this authenticator answers cryptosign, not ${quoted(typeof d.authmethod === 'string' ? d.authmethod : typeof d.authmethod, 40)}`);
  }
  const source = options.revokedKeys;
  const revoked = source === undefined ? undefined : currentRevokedKeys(currentReader<RevokedKeys>(source));
  const cert = d.authextra?.certificate;
  const asked = { pubkey: d.authextra?.pubkey, authid, realm, peerAddress: peerAddressOf(details), ...(options.now ? { now: options.now } : {}) };
  // a client certificate (authextra.certificate): checked here; crossbar then challenges the certified key
  const p =
    cert === undefined || cert === null
      ? currentPrincipals(principalsReader(principals)).forLogin(asked, 'details.authextra.pubkey')
      : certificatePrincipal(currentPrincipals(principalsReader(principals)), {
          ...asked,
          certificate: decodeCertificateField(cert, 'details.authextra.certificate'),
          revoked,
        });
  if (!p.certificate) requireNotRevoked(p, revoked); // a certificate's revocation was checked with it
  const role = p.role ?? options.defaultRole;
  if (role === undefined) {
    throw new AuthError('AUTH_NO_ROLE', `${quoted(p.name)} (line ${p.line}) has no wamp-role option and no default role is set`);
  }
  return { pubkey: p.publicKeyHex, role, authid: p.name, ...(p.realm !== undefined ? { realm: p.realm } : {}) };
}

/** One decision. realm, authid, pubkey and peer are crossbar's arguments as they came (any type, unbounded): escape them before printing (the CLI's decisionLine does); reason is escaped. */
export interface Decision {
  realm: unknown;
  authid: unknown;
  /** the client's public key (public), as it asked */
  pubkey: unknown;
  peer: string | undefined;
  ok: boolean;
  principal?: string;
  role?: string;
  code?: string;
  reason?: string;
}

/**
 * Options for `runCrossbarAuthenticator`: where to join, the procedure to register, the
 * principals.
 */
export interface CrossbarAuthenticatorOptions extends JoinOptions, CrossbarDecisionOptions {
  /** the procedure URI crossbar calls (the "authenticator" in its config) */
  procedure: string;
  principals: PrincipalsSource;
  onDecision?: (decision: Decision) => void;
}

/** Joins the router, registers the procedure; resolves with the session once registered. */
export async function runCrossbarAuthenticator(key: SigningKey, options: CrossbarAuthenticatorOptions): Promise<WampSession> {
  const session = await joinWamp(key, options);
  const report = (decision: Decision) => {
    try {
      options.onDecision?.(decision);
    } catch {
      // the operator's hook never changes the answer, nor reaches the client through runtime_error
    }
  };
  const decide = (args: unknown[]) => {
    const [realm, authid, details] = args;
    const base = {
      realm,
      authid,
      pubkey: (details as { authextra?: { pubkey?: unknown } } | undefined)?.authextra?.pubkey,
      peer: (details as { transport?: { peer?: string } } | undefined)?.transport?.peer,
    };
    try {
      const result = crossbarDecision(options.principals, realm, authid, details, {
        ...(options.defaultRole !== undefined ? { defaultRole: options.defaultRole } : {}),
        ...(options.revokedKeys !== undefined ? { revokedKeys: options.revokedKeys } : {}),
      });
      report({ ...base, ok: true, principal: result.authid, role: result.role });
      return result;
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      const refusal = e.refusal ?? { code: e.code, reason: e.message };
      report({ ...base, ok: false, code: refusal.code, reason: refusal.reason });
      // crossbar passes this text on to the client: nothing but the generic answer and its code
      throw new WampCallError('wamp.error.not_authorized', e.code === 'AUTH_NOT_AUTHORIZED' ? `${NOT_AUTHORIZED} [${e.code}]` : `${e.message} [${e.code}]`);
    }
  };
  try {
    await session.register(options.procedure, decide);
  } catch (e) {
    await session.leave().catch(() => undefined);
    throw e;
  }
  return session;
}

/**
 * What a refused client is told, and what the operator is told.
 *
 * Towards the client (the AuthError a router forwards in ABORT, the error a
 * crossbar authenticator returns): "not authorized" and the stable code
 * AUTH_NOT_AUTHORIZED for every refusal that concerns the principals (unknown
 * key, wrong authid, realm, expiry-time, from=, ambiguous key, bad signature,
 * principals file unavailable): nothing the client did not already know.
 * Refusals about the client's own request (channel binding, transcript
 * negotiation, auth method, an answered challenge, an over-long HELLO string)
 * keep their code; the authenticator decides those before it looks at the
 * principals, so they are the same for a listed and an unlisted key.
 *
 * Towards the operator: `AuthError.refusal` and the `onRefusal` hook carry
 * the full reason (principal, line, option) and its own code; every string
 * in it that came from a file or the wire is escaped (lib/escape.ts).
 */
import { AuthError, CryptosignKeysError, type ErrorCode } from '../../errors.js';
import { escapeText } from '../../escape.js';

/** Codes a client may see as they are: they are about its own request. */
const CLIENT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'AUTH_BINDING_REFUSED',
  'AUTH_METHOD_REFUSED',
  'AUTH_CHALLENGE_USED',
  'AUTH_INPUT_TOO_LONG',
  // transcript negotiation (docs/transcript-binding.md): decided before the principal is looked up
  'AUTH_TRANSCRIPT_REQUIRED',
  'AUTH_TRANSCRIPT_UNBOUND',
  'AUTH_TRANSCRIPT_UNSUPPORTED',
]);

/** The one message a client is told for every refusal that concerns the principals (code AUTH_NOT_AUTHORIZED). */
export const NOT_AUTHORIZED = 'not authorized';

/** A refusal as the operator's log gets it. */
export interface Refusal {
  /** the refusal's own code (AUTH_KEY_EXPIRED, PRINCIPALS_UNAVAILABLE, …) */
  code: ErrorCode;
  /** the full reason, one line */
  reason: string;
  /** what the client asked for (escaped) */
  authid?: string;
  realm?: string;
  /** the client's public key, hex (public) */
  pubkey?: string;
  peerAddress?: string;
}

/**
 * The error to hand to the client for `e`: the generic one, with the full
 * refusal kept on `.refusal` for the router's own log.
 */
export function forClient(e: AuthError): AuthError {
  const refusal = e.refusal ?? { code: e.code, reason: escapeText(e.message, 1000) };
  const out = CLIENT_CODES.has(e.code) ? new AuthError(e.code, escapeText(e.message, 300)) : new AuthError('AUTH_NOT_AUTHORIZED', NOT_AUTHORIZED);
  Object.defineProperty(out, 'refusal', { value: refusal, enumerable: false }); // never in JSON.stringify(e)
  return out;
}

/** The longest authid or realm a login may name (a longer one is refused with AUTH_INPUT_TOO_LONG). */
export const MAX_LOGIN_STRING = 256;

/** Refuses an over-long string from HELLO (or crossbar's call) before anything else looks at it. */
export function boundLoginString(value: unknown, what: string): void {
  if (typeof value === 'string' && value.length > MAX_LOGIN_STRING) {
    throw new AuthError('AUTH_INPUT_TOO_LONG', `the ${what} is longer than ${MAX_LOGIN_STRING} characters`);
  }
}

/** A source's read, its own error (a path, an errno) turned into the refusal `code`, for the operator only. */
function readOrRefuse<T>(read: () => T, code: 'PRINCIPALS_UNAVAILABLE' | 'KEY_REVOKED', what: string): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof AuthError) throw e;
    const coded = e instanceof CryptosignKeysError ? ` [${e.code}]` : '';
    throw new AuthError(code, `${what}: ${escapeText(e instanceof Error ? e.message : e, 500)}${coded}`);
  }
}

/**
 * The current principals from a source that may throw (the operator's
 * function, a list that cannot be read): a source's own error becomes the
 * refusal PRINCIPALS_UNAVAILABLE with its message for the operator, so the
 * client never reads it (a path, an errno) in ABORT or crossbar's answer.
 */
export function currentPrincipals<T>(read: () => T): T {
  return readOrRefuse(read, 'PRINCIPALS_UNAVAILABLE', 'the principals could not be read');
}

/**
 * The current revoked keys from a source that may throw (a function reading a file, say): its own
 * error becomes the refusal KEY_REVOKED (every login refused while the list cannot be read, as sshd
 * does) with its message for the operator, never for the client.
 */
export function currentRevokedKeys<T>(read: () => T): T {
  return readOrRefuse(read, 'KEY_REVOKED', 'the revoked keys could not be read (every login is refused until they can)');
}

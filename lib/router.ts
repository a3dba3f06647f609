/**
 * `cryptosign-keys/router`: the router side of WAMP-cryptosign — who a key belongs to
 * (authorized_keys read as sshd reads it) and the authenticator that runs a login.
 */
export {
  CryptosignAuthenticator,
  type PendingLogin,
  type CryptosignAuthenticatorOptions,
  type HelloDetails,
  type ConnectionInfo,
  type ChallengeExtra,
} from './wamp/router/authenticator.js';
export {
  parseAuthorizedKeys,
  type AuthorizedKeys,
  matchFrom,
  principalsReader,
  type PrincipalsSource,
  type Principal,
  type SkippedKey,
  type AuthCheckOptions,
  type AuthResult,
  /** the library's own authorized_keys options (wamp-authid, wamp-role, wamp-realm); sshd would refuse a line with them */
  WAMP_OPTIONS,
  /** builds a principals list line by line (what parseAuthorizedKeys uses) */
  PrincipalsBuilder,
} from './wamp/router/principals.js';
export {
  foxWampAuthHandler,
  listenFoxWamp,
  type FoxWampAuthOptions,
  type FoxWampAuthHandler,
  type FoxWampListenOptions,
  type FoxWampConnection,
  type FoxWampDecision,
  type FoxWampRouter,
  type FoxWampServer,
} from './wamp/router/fox-wamp.js';
export {
  AuthorizedKeysFile,
  loadAuthorizedKeysFile,
  /** async, stamp-checked read and sliced parse of a principals file (never blocks the event loop for long) */
  readAuthorizedKeysFile,
  parseAuthorizedKeysInSlices,
  type AuthorizedKeysFileOptions,
} from './wamp/router/authorized-keys-file.js';
/** what a refused client is told (AUTH_NOT_AUTHORIZED) and what the operator's onRefusal hook gets */
export { forClient, NOT_AUTHORIZED, MAX_LOGIN_STRING, type Refusal } from './wamp/router/refusals.js';
/** one event, one line: control characters escaped, long text cut */
export { escapeText, quoted } from './escape.js';
/** Client certificates: authorized_keys `cert-authority` lines and the checks of HELLO authextra.certificate (docs/certificates.md). */
export { certificatePrincipal, decodeCertificateField, type CertAuthority, type CertificateLoginRequest } from './wamp/router/cert-authorities.js';
export type { CertificateLogin } from './wamp/router/principals.js';
/** sshd's RevokedKeys: a KRL (`ssh-keygen -k`) or plain public keys, loaded once or followed on disk. */
export { RevokedKeysFile, loadRevokedKeysFile } from './wamp/router/revoked-keys-file.js';
export { RevokedKeys } from './ssh/krl.js';

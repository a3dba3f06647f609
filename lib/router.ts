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
} from './wamp/router/principals.js';
export { AuthorizedKeysFile, loadAuthorizedKeysFile, type AuthorizedKeysFileOptions } from './wamp/router/authorized-keys-file.js';
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

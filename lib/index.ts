/**
 * `cryptosign-keys`: what a WAMP client needs to log in with WAMP-cryptosign — the key sources
 * (ssh-agent, OpenSSH key files, raw seeds), `cryptosignClient` (channel binding and router
 * authentication for autobahn-js, wampy or any client), `signChallenge` and
 * `verifyChallengeSignature`, `joinWamp`, and the errors with their codes.
 *
 * The rest lives behind subpaths: `cryptosign-keys/router` (the router side),
 * `cryptosign-keys/crossbar` (crossbar's dynamic authenticator), `cryptosign-keys/handshake`
 * (the pieces for wiring another WAMP client by hand), `cryptosign-keys/ssh` (the SSH and agent
 * layer), `cryptosign-keys/testing` (a throwaway ssh-agent).
 */

// ---- key sources -----------------------------------------------------------------------------
export type { SigningKey, KeySource } from './keys/signing-key.js';
export { fromSeed, loadSeedFile, fromCrossbarKeyText } from './keys/seed-key.js';
export { loadKeyFile, openKeyFile, type KeyFileOptions } from './keys/openssh-key-file.js';
export { readKeyFilePublicKey, type KeyFilePublicKey } from './keys/key-file-public-key.js';
export type { PrivateFileOptions } from './keys/private-file.js';
export { openAgentKey, listAgentKeys, type AgentKeyInfo, type AgentKeyOptions } from './keys/agent-key.js';

// ---- logging in -------------------------------------------------------------------------------
export { cryptosignClient, type CryptosignClient, type CryptosignClientOptions } from './wamp/client/cryptosign-client.js';
export type { ChannelBindingType } from './wamp/channel-binding.js';
export type { TrustedRouterKeys } from './wamp/client/router-trust.js';
export { signChallenge, verifyChallengeSignature, type ChallengeOptions } from './wamp/challenge.js';
export { joinWamp, type WampSession, type JoinOptions, type Procedure } from './wamp/client/session.js';

// ---- errors -----------------------------------------------------------------------------------
export * from './errors.js';
export { WampCallError } from './wamp/client/session.js';

// ---- deprecated: the 0.1 root names that moved to a subpath -----------------------------------
// They keep working from the root for the 0.x minor versions after 0.1 and go in 1.0. Each
// specifier carries its own @deprecated note (TypeScript reads it there, not on the statement).
export {
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  parseHex,
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  toHex,
} from './crypto/hex.js';
export {
  /** @deprecated Import the type from `cryptosign-keys/ssh` (keys come from `fromSeed`, `loadSeedFile`, `loadKeyFile`, `openKeyFile`). */
  LocalSigningKey,
} from './keys/signing-key.js';
export {
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  parseKeyFileData,
} from './keys/openssh-key-file.js';
export {
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  AgentClient,
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  DEFAULT_AGENT_TIMEOUT_MS,
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  type AgentClientOptions,
} from './agent/client.js';
export {
  /** @deprecated Import the type from `cryptosign-keys/ssh` (agent keys come from `openAgentKey`). */
  AgentSigningKey,
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  matchesSelector,
} from './keys/agent-key.js';
export {
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  type AgentIdentity,
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  type AgentSignature,
} from './agent/protocol.js';
export {
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  parsePublicKeyBlob,
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  fingerprintOfBlob,
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  fingerprintLine,
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  publicKeyLine,
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  ed25519Blob,
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  type PublicKeyInfo,
} from './ssh/public-key.js';
export {
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  VerifyKey,
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  verifyEd25519Strict,
  /** @deprecated Import from `cryptosign-keys/ssh`. */
  publicKeyProblem,
} from './crypto/ed25519.js';
export {
  /** @deprecated Import from `cryptosign-keys/handshake`. */
  challengeMessage,
  /** @deprecated Import from `cryptosign-keys/handshake`. */
  parseChallenge,
  /** @deprecated Import from `cryptosign-keys/handshake`. */
  parseChannelId,
  /** @deprecated Import from `cryptosign-keys/handshake`. */
  CHALLENGE_BYTES,
} from './wamp/challenge.js';
export {
  /** @deprecated Import from `cryptosign-keys/handshake` (or use `cryptosignClient`). */
  cryptosignAuthextra,
  /** @deprecated Import from `cryptosign-keys/handshake` (or use `cryptosignClient`). */
  autobahnOnChallenge,
  /** @deprecated Import from `cryptosign-keys/handshake` (or use `cryptosignClient`). */
  wampyOnChallenge,
  /** @deprecated Import from `cryptosign-keys/handshake`. */
  type CryptosignAuthextra,
  /** @deprecated Import from `cryptosign-keys/handshake`. */
  type CryptosignChallengeExtra,
  /** @deprecated Import from `cryptosign-keys/handshake`. */
  type AuthextraOptions,
  /** @deprecated Import from `cryptosign-keys/handshake`. */
  type ChallengeHandlerOptions,
} from './wamp/client/cryptosign-client.js';
export {
  /** @deprecated Import from `cryptosign-keys/handshake`. */
  tlsChannelId,
  /** @deprecated Import from `cryptosign-keys/handshake`. */
  CHANNEL_BINDING_TYPES,
} from './wamp/channel-binding.js';
export {
  /** @deprecated Import from `cryptosign-keys/handshake` (or give `routerKeys` to `cryptosignClient`). */
  RouterKeys,
  /** @deprecated Import from `cryptosign-keys/handshake`. */
  verifyRouterSignature,
  /** @deprecated Import from `cryptosign-keys/handshake`. */
  type RouterAnswer,
} from './wamp/client/router-trust.js';
export {
  /** @deprecated Import from `cryptosign-keys/handshake`. */
  deriveKey,
  /** @deprecated Import from `cryptosign-keys/handshake`. */
  computeWcs,
} from './wamp/cra.js';
export {
  /** @deprecated Import from `cryptosign-keys/router`. */
  CryptosignAuthenticator,
  /** @deprecated Import the type from `cryptosign-keys/router` (logins come from `CryptosignAuthenticator.hello`). */
  PendingLogin,
  /** @deprecated Import from `cryptosign-keys/router`. */
  type CryptosignAuthenticatorOptions,
  /** @deprecated Import from `cryptosign-keys/router`. */
  type HelloDetails,
  /** @deprecated Import from `cryptosign-keys/router`. */
  type ConnectionInfo,
  /** @deprecated Import from `cryptosign-keys/router`. */
  type ChallengeExtra,
} from './wamp/router/authenticator.js';
export {
  /** @deprecated Import from `cryptosign-keys/router`. */
  parseAuthorizedKeys,
  /** @deprecated Import from `cryptosign-keys/router`. */
  AuthorizedKeys,
  /** @deprecated Import from `cryptosign-keys/router`. */
  matchFrom,
  /** @deprecated Import from `cryptosign-keys/router`. */
  principalsReader,
  /** @deprecated Import from `cryptosign-keys/router`. */
  type PrincipalsSource,
  /** @deprecated Import from `cryptosign-keys/router`. */
  type Principal,
  /** @deprecated Import from `cryptosign-keys/router`. */
  type SkippedKey,
  /** @deprecated Import from `cryptosign-keys/router`. */
  type AuthCheckOptions,
  /** @deprecated Import from `cryptosign-keys/router`. */
  type AuthResult,
} from './wamp/router/principals.js';
export {
  /** @deprecated Import from `cryptosign-keys/router`. */
  AuthorizedKeysFile,
  /** @deprecated Import from `cryptosign-keys/router`. */
  loadAuthorizedKeysFile,
  /** @deprecated Import from `cryptosign-keys/router`. */
  type AuthorizedKeysFileOptions,
} from './wamp/router/authorized-keys-file.js';
export {
  /** @deprecated Import from `cryptosign-keys/crossbar`. */
  crossbarDecision,
  /** @deprecated Import from `cryptosign-keys/crossbar`. */
  runCrossbarAuthenticator,
  /** @deprecated Import from `cryptosign-keys/crossbar`. */
  peerAddressOf,
  /** @deprecated Import from `cryptosign-keys/crossbar`. */
  type CrossbarAuthResult,
  /** @deprecated Import from `cryptosign-keys/crossbar`. */
  type CrossbarAuthenticatorOptions,
  /** @deprecated Import from `cryptosign-keys/crossbar`. */
  type CrossbarDecisionOptions,
  /** @deprecated Import from `cryptosign-keys/crossbar`. */
  type Decision,
} from './wamp/crossbar/dynamic-authenticator.js';
export {
  /** @deprecated Import from `cryptosign-keys/testing`. */
  startThrowawayAgent,
  /** @deprecated Import from `cryptosign-keys/testing`. */
  type ThrowawayAgent,
} from './agent/throwaway.js';

export * from './errors.js';
export { parseHex, toHex } from './crypto/hex.js';
export type { SigningKey, KeySource } from './keys/signing-key.js';
export { LocalSigningKey } from './keys/signing-key.js';
export { fromSeed, loadSeedFile, fromCrossbarKeyText } from './keys/seed-key.js';
export { loadKeyFile, openKeyFile, parseKeyFileData, type KeyFileOptions } from './keys/openssh-key-file.js';
export type { PrivateFileOptions } from './keys/private-file.js';
export { AgentClient, DEFAULT_AGENT_TIMEOUT_MS, type AgentClientOptions } from './agent/client.js';
export { AgentSigningKey, listAgentKeys, openAgentKey, matchesSelector, type AgentKeyInfo, type AgentKeyOptions } from './keys/agent-key.js';
export type { AgentIdentity, AgentSignature } from './agent/protocol.js';
export {
  parsePublicKeyBlob,
  fingerprintOfBlob,
  fingerprintLine,
  publicKeyLine,
  ed25519Blob,
  type PublicKeyInfo,
} from './ssh/public-key.js';
export { signChallenge, verifyChallengeSignature, challengeMessage, parseChallenge, parseChannelId, CHALLENGE_BYTES, type ChallengeOptions } from './wamp/challenge.js';
export {
  cryptosignAuthextra,
  autobahnOnChallenge,
  wampyOnChallenge,
  cryptosignClient,
  type CryptosignClient,
  type CryptosignClientOptions,
  type CryptosignAuthextra,
  type CryptosignChallengeExtra,
  type AuthextraOptions,
  type ChallengeHandlerOptions,
} from './wamp/client/cryptosign-client.js';
export { tlsChannelId, CHANNEL_BINDING_TYPES, type ChannelBindingType } from './wamp/channel-binding.js';
export { RouterKeys, verifyRouterSignature, type TrustedRouterKeys, type RouterAnswer } from './wamp/client/router-trust.js';
/** OpenSSH certificates on the client: router trust through known_hosts (@cert-authority), and finding our own certificate as OpenSSH does. */
export { RouterTrust, routerHostOf, type RouterHost } from './wamp/client/router-trust.js';
export { KnownHosts } from './ssh/known-hosts.js';
export { agentCertificates, certificateBesideKeyFile, readCertificateFile, chooseCertificate } from './keys/certificate-source.js';
export type { SshCertificate } from './ssh/certificate.js';
export {
  CryptosignAuthenticator,
  PendingLogin,
  type CryptosignAuthenticatorOptions,
  type HelloDetails,
  type ConnectionInfo,
  type ChallengeExtra,
} from './wamp/router/authenticator.js';
export { VerifyKey, verifyEd25519Strict, publicKeyProblem } from './crypto/ed25519.js';
export { parseAuthorizedKeys, AuthorizedKeys, matchFrom, principalsReader, type PrincipalsSource, type Principal, type SkippedKey, type AuthCheckOptions, type AuthResult } from './wamp/router/principals.js';
export { AuthorizedKeysFile, loadAuthorizedKeysFile, type AuthorizedKeysFileOptions } from './wamp/router/authorized-keys-file.js';
export {
  crossbarDecision,
  runCrossbarAuthenticator,
  peerAddressOf,
  type CrossbarAuthResult,
  type CrossbarAuthenticatorOptions,
  type CrossbarDecisionOptions,
  type Decision,
} from './wamp/crossbar/dynamic-authenticator.js';
export { joinWamp, WampCallError, type WampSession, type JoinOptions, type Procedure } from './wamp/client/session.js';
export { deriveKey, computeWcs } from './wamp/cra.js';
export { startThrowawayAgent, type ThrowawayAgent } from './agent/throwaway.js';

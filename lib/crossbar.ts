/**
 * `cryptosign-keys/crossbar`: a crossbar dynamic authenticator backed by authorized_keys
 * (crossbar verifies the signature itself, in XOR mode: this path cannot offer transcript mode;
 * this decides who the key belongs to).
 */
export {
  crossbarDecision,
  runCrossbarAuthenticator,
  peerAddressOf,
  type CrossbarAuthResult,
  type CrossbarAuthenticatorOptions,
  type CrossbarDecisionOptions,
  type Decision,
} from './wamp/crossbar/dynamic-authenticator.js';

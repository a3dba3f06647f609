/**
 * `cryptosign-keys/handshake`: the pieces for wiring WAMP-cryptosign into any WAMP client by
 * hand — HELLO authextra, CHALLENGE handlers, the TLS channel id, router trust, the exact
 * bytes each mode signs — and WAMP-CRA helpers.
 */
export {
  cryptosignAuthextra,
  autobahnOnChallenge,
  wampyOnChallenge,
  type CryptosignAuthextra,
  type CryptosignChallengeExtra,
  type AuthextraOptions,
  type ChallengeHandlerOptions,
} from './wamp/client/cryptosign-client.js';
export { tlsChannelId, checkBindingType, CHANNEL_BINDING_TYPES, type ChannelBindingType } from './wamp/channel-binding.js';
export { RouterKeys, verifyRouterSignature, type TrustedRouterKeys, type RouterAnswer } from './wamp/client/router-trust.js';
export { challengeMessage, parseChallenge, parseChannelId, CHALLENGE_BYTES, type ChallengeOptions } from './wamp/challenge.js';
export { deriveKey, computeWcs } from './wamp/cra.js';

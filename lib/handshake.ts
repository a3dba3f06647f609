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
export { tlsChannelId, CHANNEL_BINDING_TYPES, type ChannelBindingType } from './wamp/channel-binding.js';
export { RouterKeys, verifyRouterSignature, type TrustedRouterKeys, type RouterAnswer } from './wamp/client/router-trust.js';
export { challengeMessage, parseChallenge, parseChannelId, CHALLENGE_BYTES, type ChallengeOptions } from './wamp/challenge.js';
export { deriveKey, computeWcs } from './wamp/cra.js';
/** Types of the client option sets and of the promise-returning connects (`login.connectWampy`, `login.openAutobahn`). */
export type { WampyLoginOptions, WampyConnectOptions, WampyLike, WebSocketClass } from './wamp/client/wampy.js';
export type {
  AutobahnLoginOptions,
  AutobahnChallengeHandler,
  AutobahnTransportOptions,
  AutobahnModule,
  AutobahnTransports,
  AutobahnOpenOptions,
  AutobahnOpened,
  AutobahnSessionOf,
} from './wamp/client/autobahn.js';

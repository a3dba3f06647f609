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
/** Transcript mode's TLS rule (TLS 1.3, or TLS 1.2 with ECDHE) and the channel id under it. */
export { transcriptTlsProblem, transcriptChannelId } from './wamp/channel-binding.js';
export { RouterKeys, verifyRouterSignature, type TrustedRouterKeys, type RouterAnswer } from './wamp/client/router-trust.js';
export { challengeMessage, parseChallenge, parseChannelId, CHALLENGE_BYTES, type ChallengeOptions } from './wamp/challenge.js';
export { deriveKey, computeWcs } from './wamp/cra.js';
/** Transcript mode (docs/transcript-binding.md): the exact bytes each role signs, signing and strict verification. */
export {
  TRANSCRIPT_VERSION,
  TRANSCRIPT_LABELS,
  TRANSCRIPT_MESSAGE_BYTES,
  TRANSCRIPT_FIELD_ORDER,
  TRANSCRIPT_SIGNATURE_HEX_DIGITS,
  MAX_TRANSCRIPT_TEXT_BYTES,
  transcriptTextProblem,
  transcriptBytes,
  transcriptMessage,
  signTranscript,
  verifyTranscriptSignature,
  type TranscriptFields,
  type TranscriptRole,
} from './wamp/transcript.js';
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

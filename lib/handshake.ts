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
/** Transcript mode (docs/transcript-binding.md): the exact bytes each role signs, signing and strict verification. */
export {
  TRANSCRIPT_VERSION,
  TRANSCRIPT_LABELS,
  TRANSCRIPT_MESSAGE_BYTES,
  TRANSCRIPT_FIELD_ORDER,
  TRANSCRIPT_SIGNATURE_HEX_DIGITS,
  transcriptBytes,
  transcriptMessage,
  signTranscript,
  verifyTranscriptSignature,
  type TranscriptFields,
  type TranscriptRole,
} from './wamp/transcript.js';

/**
 * WAMP-cryptosign challenge signing, as autobahn (Python and JS) does it:
 * the router's 32-byte challenge (hex), XORed with the 32-byte TLS channel
 * id when channel binding (`tls-unique`) is used, is signed with Ed25519;
 * AUTHENTICATE carries hex(signature) + hex(signed message): 192 hex digits.
 */
import { InputError } from '../errors.js';
import { bytesOrHex, parseHex, toHex } from '../crypto/hex.js';
import type { SigningKey } from '../keys/signing-key.js';

export const CHALLENGE_BYTES = 32;

export interface ChallengeOptions {
  /** the 32-byte TLS channel id (`tls-unique`), raw or hex; enables channel binding */
  channelId?: Uint8Array | string;
}

export function parseChallenge(challengeHex: unknown): Uint8Array {
  return parseHex(challengeHex, 'challenge', CHALLENGE_BYTES, 'INVALID_CHALLENGE');
}

export function parseChannelId(channelId: unknown): Uint8Array {
  return bytesOrHex(channelId, 'channel id', CHALLENGE_BYTES, 'INVALID_CHANNEL_ID');
}

/** The bytes that get signed: the challenge, or challenge XOR channel id. */
export function challengeMessage(challengeHex: string, options: ChallengeOptions = {}): Uint8Array {
  const challenge = parseChallenge(challengeHex);
  if (options.channelId === undefined || options.channelId === null) return challenge;
  const channel = parseChannelId(options.channelId);
  const out = new Uint8Array(CHALLENGE_BYTES);
  for (let i = 0; i < CHALLENGE_BYTES; i++) out[i] = (challenge[i] as number) ^ (channel[i] as number);
  return out;
}

/**
 * Signs a cryptosign challenge; returns the 192 hex digits AUTHENTICATE
 * carries. The challenge and channel id are checked before anything is signed.
 */
export async function signChallenge(key: SigningKey, challengeHex: string, options: ChallengeOptions = {}): Promise<string> {
  if (!key || typeof key.sign !== 'function') {
    throw new InputError('INVALID_ARGUMENT', 'signChallenge needs a SigningKey');
  }
  const message = challengeMessage(challengeHex, options);
  const signature = await key.sign(message);
  return toHex(signature) + toHex(message);
}

/**
 * WAMP-cryptosign challenge signing, as autobahn (Python and JS) does it:
 * the router's 32-byte challenge (hex), XORed with the 32-byte TLS channel
 * id when channel binding (`tls-unique`) is used, is signed with Ed25519;
 * AUTHENTICATE carries hex(signature) + hex(signed message): 192 hex digits.
 * The router's signature for router authentication has the same format.
 * Verification is libsodium-strict (see crypto/ed25519.ts).
 */
import { InputError } from '../errors.js';
import { VerifyKey } from '../crypto/ed25519.js';
import { bytesOrHex, parseHex, toHex } from '../crypto/hex.js';
import type { SigningKey } from '../keys/signing-key.js';

/** A cryptosign challenge, and a TLS channel id, are exactly 32 bytes. */
export const CHALLENGE_BYTES = 32;

/** What a cryptosign signature is bound to besides the challenge. */
export interface ChallengeOptions {
  /** the 32-byte TLS channel id (`tls-unique`), raw or hex; enables channel binding */
  channelId?: Uint8Array | string;
}

/** A challenge as 64 hex digits → its 32 bytes (`INVALID_CHALLENGE` otherwise). */
export function parseChallenge(challengeHex: unknown): Uint8Array {
  return parseHex(challengeHex, 'challenge', CHALLENGE_BYTES, 'INVALID_CHALLENGE');
}

/** A channel id as 32 bytes or 64 hex digits → its 32 bytes (`INVALID_CHANNEL_ID` otherwise). */
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

/** A public key as bytes, hex, or an already checked VerifyKey. */
export type PublicKeyInput = Uint8Array | string | VerifyKey;

export function toVerifyKey(publicKey: PublicKeyInput): VerifyKey {
  if (publicKey instanceof VerifyKey) return publicKey;
  return new VerifyKey(bytesOrHex(publicKey, 'public key', 32, 'INVALID_PUBLIC_KEY'));
}

/**
 * Checks a cryptosign signature (192 hex digits: signature and signed
 * message), strictly. True only when the signed message is this challenge
 * (XOR the channel id, when given) and the signature verifies under
 * libsodium's rules. Malformed inputs, and public keys libsodium refuses
 * (small order, non-canonical, not on the curve), throw InputError; a
 * well-formed wrong signature returns false.
 */
export function verifyChallengeSignature(
  publicKey: PublicKeyInput,
  challengeHex: string,
  signatureHex: string,
  options: ChallengeOptions = {},
): boolean {
  const key = toVerifyKey(publicKey);
  const message = challengeMessage(challengeHex, options);
  const sigAndMessage = parseHex(signatureHex, 'signature', 96, 'INVALID_SIGNATURE');
  const signed = sigAndMessage.subarray(64);
  if (!Buffer.from(signed).equals(Buffer.from(message))) return false;
  return key.verify(message, sigAndMessage.subarray(0, 64));
}

/**
 * Glue for WAMP clients: the HELLO authextra, and ready-made challenge
 * handlers for autobahn-js (`onchallenge(session, method, extra)`) and
 * wampy (`onChallenge(method, extra)`). Both clients accept a Promise.
 */
import { signChallenge, parseChannelId } from './challenge.js';
import { InputError } from '../errors.js';
import type { SigningKey } from '../keys/signing-key.js';

export interface AuthextraOptions {
  /** the TLS channel id; when given, `channel_binding: 'tls-unique'` is announced */
  channelId?: Uint8Array | string;
}

export interface CryptosignAuthextra {
  pubkey: string;
  channel_binding: 'tls-unique' | null;
  [extra: string]: unknown;
}

export function cryptosignAuthextra(key: SigningKey, options: AuthextraOptions = {}): CryptosignAuthextra {
  if (options.channelId !== undefined) parseChannelId(options.channelId);
  return { pubkey: key.publicKeyHex, channel_binding: options.channelId !== undefined ? 'tls-unique' : null };
}

export interface ChallengeHandlerOptions {
  /** the TLS channel id, or a function that returns it at challenge time */
  channelId?: Uint8Array | string | (() => Uint8Array | string | undefined);
}

function handle(key: SigningKey, method: unknown, extra: unknown, options: ChallengeHandlerOptions): Promise<string> {
  if (method !== 'cryptosign') {
    return Promise.reject(new InputError('INVALID_ARGUMENT', `cannot answer a "${String(method)}" challenge with a cryptosign key`));
  }
  const challenge = (extra as { challenge?: unknown } | undefined)?.challenge;
  const channelId = typeof options.channelId === 'function' ? options.channelId() : options.channelId;
  return signChallenge(key, challenge as string, channelId === undefined ? {} : { channelId });
}

/** `onchallenge` for autobahn-js's Connection options. */
export function autobahnOnChallenge(key: SigningKey, options: ChallengeHandlerOptions = {}) {
  return (_session: unknown, method: string, extra: { challenge?: string }): Promise<string> => handle(key, method, extra, options);
}

/** `onChallenge` for wampy's options. */
export function wampyOnChallenge(key: SigningKey, options: ChallengeHandlerOptions = {}) {
  return (method: string, extra: { challenge?: string }): Promise<string> => handle(key, method, extra, options);
}


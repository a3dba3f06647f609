/**
 * What an honest transcript router signs as 'router' for one connection
 * (realm1, tls-exporter): the fields it knows from the HELLO, its CHALLENGE
 * and the TLS socket. Used by tests whose router answers by hand (tamper) to
 * stand for a faithful transcript router.
 */
import { tlsChannelId } from '../../lib/wamp/channel-binding.js';
import type { TranscriptFields } from '../../lib/wamp/transcript.js';

/**
 * The router's transcript fields: `routerPublicKey` is the router's key; it
 * and the client challenge are in only when the HELLO carries a client
 * challenge (router authentication asked for).
 */
export function routerView(
  routerPublicKey: Uint8Array,
  e: { challenge: string },
  hello: { authid?: unknown; authextra?: { pubkey?: unknown; challenge?: unknown } | null },
  socket: unknown,
): TranscriptFields {
  const hex = (v: unknown) => new Uint8Array(Buffer.from(String(v), 'hex'));
  return {
    channelBinding: 'tls-exporter',
    channelId: tlsChannelId(socket, 'tls-exporter'),
    realm: 'realm1',
    authid: String(hello.authid ?? ''),
    clientPublicKey: hex(hello.authextra?.pubkey),
    ...(hello.authextra?.challenge ? { routerPublicKey, clientChallenge: hex(hello.authextra.challenge) } : {}),
    routerChallenge: hex(e.challenge),
  };
}

/**
 * TLS channel binding for WAMP-cryptosign: the 32-byte channel id taken
 * from a live TLS socket, on the client end or the server (router) end.
 *
 * - `tls-unique`, as autobahn-python and crossbar compute it: SHA-256 of the
 *   server's TLS Finished message, for TLS 1.2 and 1.3 alike (the client
 *   reads it with getPeerFinished(), the server with getFinished()). This is
 *   not RFC 5929's definition (the first Finished, the client's).
 * - `tls-exporter` (RFC 9266): 32 bytes of the TLS exporter with the label
 *   `EXPORTER-Channel-Binding` and no context; the same on both ends. With
 *   TLS 1.2 it is sound only with the extended master secret, which OpenSSL
 *   (Node) negotiates by default.
 */
import { createHash } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import { ChannelBindingError } from '../errors.js';

/**
 * The TLS channel bindings cryptosign knows: `tls-unique` (what autobahn-python and crossbar
 * compute) and `tls-exporter` (RFC 9266).
 */
export type ChannelBindingType = 'tls-unique' | 'tls-exporter';
/** Every `ChannelBindingType`, for validating input. */
export const CHANNEL_BINDING_TYPES: readonly ChannelBindingType[] = ['tls-unique', 'tls-exporter'];

/** The binding type named by `binding`, checked; throws ChannelBindingError(CHANNEL_BINDING_UNKNOWN) for any other value. */
export function checkBindingType(binding: unknown): ChannelBindingType {
  if (binding === 'tls-unique' || binding === 'tls-exporter') return binding;
  throw new ChannelBindingError(
    'CHANNEL_BINDING_UNKNOWN',
    `unknown channel binding ${JSON.stringify(binding)}: use "tls-unique" or "tls-exporter"`,
  );
}

/** Is this TLS socket the server end? (Node marks server-side sockets in their TLS options.) */
function isServerEnd(socket: TLSSocket): boolean {
  const internal = socket as unknown as { _tlsOptions?: { isServer?: boolean }; server?: unknown };
  return internal._tlsOptions?.isServer ?? internal.server !== undefined;
}

/**
 * The 32-byte channel id of a TLS connection, on either end. Throws
 * ChannelBindingError: CHANNEL_BINDING_UNKNOWN for another binding type,
 * CHANNEL_BINDING_NOT_TLS for a socket that is not TLS (plain ws),
 * CHANNEL_BINDING_NOT_READY before the handshake has finished (or after the
 * socket was destroyed).
 */
export function tlsChannelId(socket: unknown, binding: ChannelBindingType = 'tls-unique'): Uint8Array {
  const type = checkBindingType(binding);
  if (!(socket instanceof TLSSocket)) {
    throw new ChannelBindingError(
      'CHANNEL_BINDING_NOT_TLS',
      `${type} channel binding needs a TLS connection (wss://), and this is ${socket === null || socket === undefined ? 'no socket' : 'not a TLS socket'}`,
    );
  }
  const notReady = () =>
    new ChannelBindingError('CHANNEL_BINDING_NOT_READY', `the TLS handshake has not finished (or the connection is closed): no ${type} channel id yet`);
  if (!socket.encrypted || socket.destroyed) throw notReady();
  if (type === 'tls-unique') {
    const finished = isServerEnd(socket) ? socket.getFinished() : socket.getPeerFinished();
    if (!finished || finished.length === 0) throw notReady();
    return new Uint8Array(createHash('sha256').update(finished).digest());
  }
  try {
    // no context at all (RFC 9266): in TLS 1.2 that differs from an empty context, so none is passed
    const exporter = socket.exportKeyingMaterial as unknown as (length: number, label: string) => Buffer;
    return new Uint8Array(exporter.call(socket, 32, 'EXPORTER-Channel-Binding'));
  } catch {
    throw notReady();
  }
}

/**
 * Transcript mode's rule for the TLS connection under the channel id, or
 * undefined when it holds: TLS 1.3, or TLS 1.2 with an ECDHE key exchange.
 *
 * Why: a man in the middle runs its own TLS handshake with each side, so it
 * alone decides whether TLS 1.2's extended master secret (RFC 7627) is used on
 * either connection, whatever both peers support. Without it, with static-RSA
 * key exchange (in Node's default cipher list, through HIGH) the relay
 * forwards the client's premaster secret re-encrypted to the router, and with
 * DHE it hands the client a group that forces the same premaster (the triple
 * handshake): both connections then share one master secret and so one
 * tls-exporter value, and after a resumption one tls-unique value. A shared
 * channel id is exactly what the relay needs. With ECDHE on named curves
 * (peer points checked) it cannot force the same premaster, and TLS 1.3 binds
 * its whole handshake into every secret. Node cannot tell whether the
 * extended master secret was used, so the key exchange decides.
 */
export function transcriptTlsProblem(socket: unknown): string | undefined {
  if (!(socket instanceof TLSSocket)) return 'not a TLS connection';
  const version = socket.getProtocol();
  if (version === 'TLSv1.3') return undefined;
  const cipher = socket.getCipher() as { standardName?: string; name?: string } | undefined;
  if (version === 'TLSv1.2' && typeof cipher?.standardName === 'string' && cipher.standardName.startsWith('TLS_ECDHE_')) return undefined;
  return `${version ?? 'this TLS version'} with ${cipher?.name ?? 'an unknown cipher'}: transcript mode needs TLS 1.3, or TLS 1.2 with an ECDHE key exchange (otherwise a relay can give both of its connections one channel id)`;
}

/**
 * The channel id for transcript mode: tlsChannelId, on a connection that
 * passes transcriptTlsProblem (ChannelBindingError CHANNEL_BINDING_WEAK_TLS
 * otherwise).
 */
export function transcriptChannelId(socket: unknown, binding: ChannelBindingType): Uint8Array {
  const id = tlsChannelId(socket, binding);
  const problem = transcriptTlsProblem(socket);
  if (problem) throw new ChannelBindingError('CHANNEL_BINDING_WEAK_TLS', problem);
  return id;
}

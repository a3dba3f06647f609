/**
 * Every error this library throws is a CryptosignKeysError with a stable
 * `code`. Messages are one line, name the input that was wrong, and never
 * contain key material or passphrases.
 */
export type ErrorCode =
  // bad inputs (hex, challenge, channel id, seeds, public keys, signatures)
  | 'INVALID_HEX'
  | 'INVALID_CHALLENGE'
  | 'INVALID_CHANNEL_ID'
  | 'INVALID_SEED'
  | 'INVALID_PUBLIC_KEY'
  | 'INVALID_SIGNATURE'
  | 'INVALID_ARGUMENT'
  // key files
  | 'KEY_FILE_NOT_FOUND'
  | 'KEY_FILE_UNREADABLE'
  | 'KEY_FILE_PERMISSIONS'
  | 'KEY_FILE_FORMAT'
  | 'KEY_NOT_ED25519'
  | 'PASSPHRASE_REQUIRED'
  | 'PASSPHRASE_WRONG'
  | 'KEY_CLOSED'
  // ssh-agent
  | 'AGENT_NOT_CONFIGURED'
  | 'AGENT_SOCKET_MISSING'
  | 'AGENT_CONNECT_FAILED'
  | 'AGENT_REFUSED'
  | 'AGENT_DIED'
  | 'AGENT_TIMEOUT'
  | 'AGENT_MALFORMED_REPLY'
  | 'AGENT_BAD_SIGNATURE'
  | 'AGENT_KEY_NOT_FOUND'
  | 'AGENT_KEY_AMBIGUOUS'
  | 'AGENT_KEY_NOT_ED25519'
  | 'AGENT_CLOSED'
  // router side: the list of principals
  | 'AUTHORIZED_KEYS_FORMAT'
  // router side: why a login was refused (AuthError)
  | 'AUTH_UNKNOWN_KEY'
  | 'AUTH_AUTHID_MISMATCH'
  | 'AUTH_KEY_AMBIGUOUS'
  | 'AUTH_REALM_MISMATCH'
  | 'AUTH_KEY_EXPIRED'
  | 'AUTH_ADDRESS_REFUSED'
  | 'AUTH_CHALLENGE_MISMATCH'
  | 'AUTH_SIGNATURE_WRONG'
  | 'AUTH_CHALLENGE_USED'
  | 'AUTH_BINDING_REFUSED'
  | 'AUTH_METHOD_REFUSED'
  | 'AUTH_NO_ROLE'
  // TLS channel binding (both sides)
  | 'CHANNEL_BINDING_UNKNOWN'
  | 'CHANNEL_BINDING_NOT_TLS'
  | 'CHANNEL_BINDING_NOT_READY'
  | 'CHANNEL_BINDING_MISMATCH'
  | 'CHANNEL_BINDING_UNAVAILABLE'
  // client side: router authentication
  | 'ROUTER_NOT_AUTHENTICATED'
  | 'ROUTER_KEY_UNTRUSTED'
  | 'ROUTER_SIGNATURE_WRONG'
  // a WAMP session of our own (the dynamic authenticator's)
  | 'WAMP_ABORTED'
  | 'WAMP_CONNECTION_FAILED'
  | 'WAMP_PROTOCOL_ERROR'
  | 'WAMP_REGISTER_FAILED'
  // transcript-bound handshake (docs/transcript-binding.md)
  | 'TRANSCRIPT_NOT_CONFIRMED'
  | 'AUTH_TRANSCRIPT_REQUIRED'
  | 'AUTH_TRANSCRIPT_UNBOUND'
  | 'AUTH_TRANSCRIPT_UNSUPPORTED'
  // client and router adapters (adapters): a WebSocket that would hide the TLS socket; a router that cannot reach it
  | 'AUTOBAHN_GLOBAL_WEBSOCKET'
  | 'ROUTER_SOCKET_UNREACHABLE'
  // cli: the trusted router keys a client was given are unusable (its configuration, not the router)
  | 'ROUTER_KEYS_EMPTY'
  | 'ROUTER_KEY_FORMAT'
  // sshd helper: principals files and what a refused client is told
  | 'PRINCIPALS_UNAVAILABLE'
  | 'AUTH_NOT_AUTHORIZED'
  | 'AUTH_INPUT_TOO_LONG'
  // attack review of transcript mode (docs/security-model.md, Review): a TLS connection whose channel id a relay could synchronize
  | 'CHANNEL_BINDING_WEAK_TLS'
  // pkg: a procedure of our own WAMP session refused a call (WampCallError)
  | 'WAMP_CALL_REFUSED';

/**
 * Every error the library throws: a stable `code` (see `ErrorCode`) and a one-line message without
 * key material.
 */
export class CryptosignKeysError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A value handed in by the caller is malformed (hex, lengths, types). */
export class InputError extends CryptosignKeysError {}

/** A private key file could not be used. */
export class KeyFileError extends CryptosignKeysError {}

/** ssh-agent could not be reached, refused, misbehaved, or gave a bad answer. */
export class AgentError extends CryptosignKeysError {}

/** An authorized-keys list could not be parsed. */
export class AuthorizedKeysError extends CryptosignKeysError {}

/** A login was refused by the router side (unknown key, wrong signature, replay, …). */
export class AuthError extends CryptosignKeysError {
  /**
   * When this is what a client is told (code AUTH_NOT_AUTHORIZED, message "not
   * authorized"): the refusal's own code and full reason, for the operator only.
   */
  declare refusal?: { code: ErrorCode; reason: string };
}

/** The TLS channel binding could not be computed, or does not match what was asked for. */
export class ChannelBindingError extends CryptosignKeysError {}

/** The router did not prove its identity as router authentication requires. */
export class RouterAuthError extends CryptosignKeysError {}

/** Our own WAMP session (the dynamic authenticator's) could not join, register, or stay up. */
export class WampSessionError extends CryptosignKeysError {}

/** Is `e` one of this library's errors? */
export function isCryptosignKeysError(e: unknown): e is CryptosignKeysError {
  return e instanceof CryptosignKeysError;
}

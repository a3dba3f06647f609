/**
 * Transcript mode of WAMP-cryptosign (docs/transcript-binding.md): every byte
 * a signature covers. Instead of XOR-mode's `challenge ⊕ channel id` (which
 * whoever picks the challenge can cancel), each side signs
 *
 *     message = label(role) || SHA-256(transcript(role, fields))
 *
 * where the label is a fixed NUL-terminated ASCII string per role (37 bytes)
 * and the transcript is the fields below, in this order, each as
 * uint32-big-endian(length) || bytes. The message is 69 bytes: never an
 * XOR-mode message (32), never SSH signed data (first byte 0x00) or SSHSIG,
 * never the other role's. Signatures travel as 128 hex digits (the bare
 * 64-byte signature; no message appended, unlike XOR mode's 192).
 *
 * The field list is versioned by the label and the wire value
 * TRANSCRIPT_VERSION; the two certificate blobs are reserved (empty when
 * absent) so certificates can be bound without a new version.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { toHex, parseHex } from '../crypto/hex.js';
import { TRANSCRIPT_LABELS, TRANSCRIPT_MESSAGE_BYTES, type SigningKey } from '../keys/signing-key.js';
import { checkBindingType, type ChannelBindingType } from './channel-binding.js';
import { toVerifyKey, type PublicKeyInput } from './challenge.js';

export { TRANSCRIPT_LABELS, TRANSCRIPT_MESSAGE_BYTES };

/** The value of HELLO `authextra.transcript` (the client asks) and CHALLENGE `extra.transcript` (the router confirms). */
export const TRANSCRIPT_VERSION = 'cryptosign-transcript-v1';

/** A transcript-mode signature on the wire: hex of the bare 64-byte Ed25519 signature. */
export const TRANSCRIPT_SIGNATURE_HEX_DIGITS = 128;

/** Who signs a transcript message: each role has its own label, so one role's signature never serves the other. */
export type TranscriptRole = 'client' | 'router';

/** What both sides know once CHALLENGE is sent; each side fills them from its own view. */
export interface TranscriptFields {
  /** the binding type announced in HELLO and confirmed in CHALLENGE */
  channelBinding: ChannelBindingType;
  /** the 32-byte channel id of this side's own TLS connection */
  channelId: Uint8Array;
  /** HELLO realm (UTF-8) */
  realm: string;
  /** HELLO authid as the client sent it (UTF-8); '' when HELLO had none */
  authid: string;
  /** HELLO authextra.pubkey: the client's 32-byte key */
  clientPublicKey: Uint8Array;
  /** router authentication: CHALLENGE extra.pubkey (32 bytes); absent (empty field) without */
  routerPublicKey?: Uint8Array | undefined;
  /** router authentication: HELLO authextra.challenge (32 bytes); absent (empty field) without */
  clientChallenge?: Uint8Array | undefined;
  /** CHALLENGE extra.challenge: the router's 32 bytes */
  routerChallenge: Uint8Array;
  /** reserved: the client's certificate blob; empty until certificates are bound */
  clientCertificate?: Uint8Array | undefined;
  /** reserved: the router's certificate blob; empty until certificates are bound */
  routerCertificate?: Uint8Array | undefined;
}

/** The field names in transcript order (after the role), as the spec lists them. */
export const TRANSCRIPT_FIELD_ORDER = [
  'role',
  'channelBinding',
  'channelId',
  'realm',
  'authid',
  'clientPublicKey',
  'routerPublicKey',
  'clientChallenge',
  'routerChallenge',
  'clientCertificate',
  'routerCertificate',
] as const;

const EMPTY = new Uint8Array(0);

/**
 * The longest realm or authid (UTF-8 bytes) a transcript binds. One constant
 * for every place that checks it: the transcript itself, the client when it is
 * set up (INVALID_ARGUMENT) and the router at HELLO (AUTH_INPUT_TOO_LONG), so
 * an over-long value is refused the same way before anything is signed.
 */
export const MAX_TRANSCRIPT_TEXT_BYTES = 4096;

/** Why `value` cannot be a transcript's realm or authid (not a string, too long), or undefined when it can. */
export function transcriptTextProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  // the length of the UTF-8 encoding, counted without making it
  if (Buffer.byteLength(value, 'utf8') > MAX_TRANSCRIPT_TEXT_BYTES) return `is longer than ${MAX_TRANSCRIPT_TEXT_BYTES} bytes of UTF-8`;
  return undefined;
}

function fixed(value: unknown, what: string, bytes: number, optional: boolean): Uint8Array {
  if (value === undefined || value === null) {
    if (optional) return EMPTY;
    throw new InputError('INVALID_ARGUMENT', `transcript field ${what} is missing`);
  }
  if (!(value instanceof Uint8Array) || value.length !== bytes) {
    throw new InputError('INVALID_ARGUMENT', `transcript field ${what} must be ${bytes} bytes`);
  }
  return value;
}

function text(value: unknown, what: string): Uint8Array {
  const problem = transcriptTextProblem(value);
  if (problem) throw new InputError('INVALID_ARGUMENT', `transcript field ${what} ${problem}`);
  return new Uint8Array(Buffer.from(value as string, 'utf8'));
}

function blob(value: unknown, what: string): Uint8Array {
  if (value === undefined || value === null) return EMPTY;
  if (!(value instanceof Uint8Array)) throw new InputError('INVALID_ARGUMENT', `transcript field ${what} must be bytes`);
  return value;
}

/** The transcript's fields as byte strings, in order (role first). */
function fieldBytes(role: TranscriptRole, f: TranscriptFields): Uint8Array[] {
  if (role !== 'client' && role !== 'router') throw new InputError('INVALID_ARGUMENT', 'transcript role must be "client" or "router"');
  if (!f || typeof f !== 'object') throw new InputError('INVALID_ARGUMENT', 'transcript fields are missing');
  const routerKey = fixed(f.routerPublicKey, 'routerPublicKey', 32, true);
  const clientChallenge = fixed(f.clientChallenge, 'clientChallenge', 32, true);
  if ((routerKey.length === 0) !== (clientChallenge.length === 0)) {
    throw new InputError('INVALID_ARGUMENT', 'transcript fields routerPublicKey and clientChallenge go together (router authentication) or are both absent');
  }
  return [
    new Uint8Array(Buffer.from(role, 'latin1')),
    new Uint8Array(Buffer.from(checkBindingType(f.channelBinding), 'latin1')),
    fixed(f.channelId, 'channelId', 32, false),
    text(f.realm, 'realm'),
    text(f.authid, 'authid'),
    fixed(f.clientPublicKey, 'clientPublicKey', 32, false),
    routerKey,
    clientChallenge,
    fixed(f.routerChallenge, 'routerChallenge', 32, false),
    blob(f.clientCertificate, 'clientCertificate'),
    blob(f.routerCertificate, 'routerCertificate'),
  ];
}

/** The transcript: each field as uint32-big-endian(length) || bytes, in TRANSCRIPT_FIELD_ORDER. */
export function transcriptBytes(role: TranscriptRole, fields: TranscriptFields): Uint8Array {
  const parts = fieldBytes(role, fields);
  const out = Buffer.alloc(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.writeUInt32BE(p.length, at);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return new Uint8Array(out);
}

/** The exact bytes a key signs in transcript mode: label(role) || SHA-256(transcript). 69 bytes. */
export function transcriptMessage(role: TranscriptRole, fields: TranscriptFields): Uint8Array {
  const digest = createHash('sha256').update(transcriptBytes(role, fields)).digest();
  const out = Buffer.concat([Buffer.from(TRANSCRIPT_LABELS[role], 'latin1'), digest]);
  return new Uint8Array(out);
}

/**
 * Signs this role's transcript message with `key` through its named
 * transcript path (SigningKey.signTranscript); returns 128 hex digits.
 */
export async function signTranscript(key: SigningKey, role: TranscriptRole, fields: TranscriptFields): Promise<string> {
  if (!key || typeof key.signTranscript !== 'function') {
    throw new InputError('INVALID_ARGUMENT', 'transcript mode needs a key with signTranscript (every key of this package has one)');
  }
  const message = transcriptMessage(role, fields);
  return toHex(await key.signTranscript(message));
}

/**
 * Checks a transcript-mode signature (128 hex digits) strictly over this
 * role's message. Malformed signatures and keys libsodium refuses throw
 * InputError; a well-formed wrong signature (another role, another mode,
 * another transcript) returns false.
 */
export function verifyTranscriptSignature(publicKey: PublicKeyInput, role: TranscriptRole, fields: TranscriptFields, signatureHex: unknown): boolean {
  const key = toVerifyKey(publicKey);
  const signature = parseHex(signatureHex, 'transcript signature', 64, 'INVALID_SIGNATURE');
  return key.verify(transcriptMessage(role, fields), signature);
}

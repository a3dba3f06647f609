import { KeyObject } from 'node:crypto';
import { InputError } from '../errors.js';
import { privateKeyFromSeed, rawPublicKey, signEd25519 } from '../crypto/ed25519.js';
import { toHex } from '../crypto/hex.js';
import { ed25519Blob, fingerprintOfBlob } from '../ssh/public-key.js';

/** Where the private key lives. */
export type KeySource = 'seed' | 'file' | 'agent';

/** An Ed25519 key that can sign a WAMP-cryptosign challenge. */
export interface SigningKey {
  readonly source: KeySource;
  /** the 32-byte Ed25519 public key */
  readonly publicKey: Uint8Array;
  /** the same, as 64 lowercase hex digits (what WAMP `authextra.pubkey` carries) */
  readonly publicKeyHex: string;
  /** the key's comment (from the key file or the agent), or '' */
  readonly comment: string;
  /** OpenSSH `SHA256:…` fingerprint, as `ssh-keygen -l` and `ssh-add -l` print it */
  readonly fingerprint: string;
  /** a 64-byte Ed25519 signature over `data` (SSH keys: a 32-byte challenge only, see checkSignable) */
  sign(data: Uint8Array): Promise<Uint8Array>;
  /**
   * A 64-byte Ed25519 signature over a transcript-mode message (label +
   * SHA-256, docs/transcript-binding.md), and nothing else: the one named path
   * by which an SSH key signs more than 32 bytes. Optional for keys made
   * elsewhere; every key of this package has it.
   */
  signTranscript?(message: Uint8Array): Promise<Uint8Array>;
  /** releases what the key holds (an agent connection); the key cannot sign afterwards */
  close(): Promise<void>;
}

/** WAMP-cryptosign challenges (and router challenges) are exactly 32 bytes. */
const SIGNED_BYTES = 32;

/**
 * What a key may be asked to sign through `sign()`. Bytes only (never a
 * string, whose encoding would be a guess). An SSH key (from a key file or
 * ssh-agent) signs exactly 32 bytes here: the same key may log its owner in
 * over SSH, and an SSH user-auth signature covers a structured blob that is
 * never 32 bytes, so a router can never obtain one through this package. The
 * only other thing such a key signs is a transcript-mode message, through the
 * separately named `signTranscript()` (checkTranscriptSignable). Seed keys'
 * `sign()` signs any bytes.
 */
export function checkSignable(source: KeySource, data: unknown): asserts data is Uint8Array {
  if (!(data instanceof Uint8Array)) throw new InputError('INVALID_ARGUMENT', 'data to sign must be a Uint8Array (bytes, not a string)');
  if (source !== 'seed' && data.length !== SIGNED_BYTES) {
    throw new InputError(
      'INVALID_CHALLENGE',
      `an SSH key (${source}) signs only ${SIGNED_BYTES}-byte challenges, not ${data.length} bytes: it must never sign anything an SSH server would accept`,
    );
  }
}

/**
 * Transcript mode (docs/transcript-binding.md) signs `label || SHA-256(transcript)`:
 * one fixed ASCII label per role, NUL-terminated, then the 32-byte hash: 69
 * bytes, so never an XOR-mode message (32 bytes), never SSH signed data
 * (user-auth blobs start with a uint32 length, so with a 0x00 byte; SSHSIG
 * with the magic "SSHSIG"), and never the other role's message. Defined here,
 * where what a key may sign is decided; lib/wamp/transcript.ts builds them.
 */
export const TRANSCRIPT_LABELS = {
  client: 'WAMP-cryptosign-transcript-v1 client\0',
  router: 'WAMP-cryptosign-transcript-v1 router\0',
} as const;
const TRANSCRIPT_DIGEST_BYTES = 32;
const LABEL_BYTES = {
  client: Buffer.from(TRANSCRIPT_LABELS.client, 'latin1'),
  router: Buffer.from(TRANSCRIPT_LABELS.router, 'latin1'),
};
/** The length of every transcript-mode message: label (37) + SHA-256 (32). */
export const TRANSCRIPT_MESSAGE_BYTES = LABEL_BYTES.client.length + TRANSCRIPT_DIGEST_BYTES;

/** Which role's transcript message `data` is, or undefined when it is not exactly one. */
function transcriptRoleOf(data: Uint8Array): 'client' | 'router' | undefined {
  if (!(data instanceof Uint8Array) || data.length !== TRANSCRIPT_MESSAGE_BYTES) return undefined;
  for (const role of ['client', 'router'] as const) {
    const label = LABEL_BYTES[role];
    if (Buffer.from(data.buffer, data.byteOffset, label.length).equals(label)) return role;
  }
  return undefined;
}

/** What signTranscript accepts: a transcript-mode message, and nothing else (any key source). */
export function checkTranscriptSignable(data: unknown): asserts data is Uint8Array {
  if (!(data instanceof Uint8Array)) throw new InputError('INVALID_ARGUMENT', 'data to sign must be a Uint8Array (bytes, not a string)');
  if (transcriptRoleOf(data) === undefined) {
    throw new InputError(
      'INVALID_CHALLENGE',
      `signTranscript signs only a transcript-mode message (${TRANSCRIPT_MESSAGE_BYTES} bytes starting with a transcript label), not these ${data.length} bytes`,
    );
  }
}

// for handing a decrypted key from a worker thread to the main thread; not part of the API
const keyObjects = new WeakMap<LocalSigningKey, KeyObject>();
/** @internal the key's KeyObject (postMessage can carry it to another thread) */
export function keyObjectOf(key: LocalSigningKey): KeyObject | undefined {
  return keyObjects.get(key);
}

/**
 * What every key of this package shows of itself, for all its sources:
 * toJSON, toString and util.inspect give the public parts only, never key
 * material or internals (those live in private # fields).
 */
export abstract class ShowsPublicParts {
  abstract readonly source: KeySource;
  abstract readonly publicKeyHex: string;
  abstract readonly comment: string;
  abstract readonly fingerprint: string;

  /** `{source, fingerprint, comment, publicKeyHex}` */
  toJSON(): PublicKeyView {
    return publicView(this);
  }

  /** `ed25519 SHA256:… comment (source)`: the fingerprint as `ssh-keygen -l` and `ssh-add -l` show it. */
  toString(): string {
    return keyLine(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return `${this.constructor.name} ${inspect(publicView(this), options)}`;
  }
}

/** A key whose private half is in this process: from a seed or a key file. */
export class LocalSigningKey extends ShowsPublicParts implements SigningKey {
  readonly publicKey: Uint8Array;
  readonly publicKeyHex: string;
  readonly fingerprint: string;
  #key: KeyObject | undefined;

  constructor(
    readonly source: 'seed' | 'file',
    seed: Uint8Array | KeyObject,
    readonly comment = '',
  ) {
    super();
    if (seed instanceof KeyObject) {
      // a private key made elsewhere (a worker that decrypted a key file)
      if (seed.type !== 'private' || seed.asymmetricKeyType !== 'ed25519') {
        throw new InputError('INVALID_SEED', 'an Ed25519 private KeyObject is needed');
      }
      this.#key = seed;
    } else if (!(seed instanceof Uint8Array) || seed.length !== 32) {
      throw new InputError('INVALID_SEED', 'an Ed25519 seed must be exactly 32 bytes');
    } else {
      this.#key = privateKeyFromSeed(seed);
    }
    keyObjects.set(this, this.#key);
    this.publicKey = rawPublicKey(this.#key);
    this.publicKeyHex = toHex(this.publicKey);
    this.fingerprint = fingerprintOfBlob(ed25519Blob(this.publicKey));
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    return this.signSync(data);
  }

  /** Synchronous signing, for callers that cannot await. */
  signSync(data: Uint8Array): Uint8Array {
    if (!this.#key) throw new InputError('KEY_CLOSED', 'this key was closed and can no longer sign');
    checkSignable(this.source, data);
    return signEd25519(this.#key, data);
  }

  /** Signs a transcript-mode message (see checkTranscriptSignable), and nothing else. */
  async signTranscript(message: Uint8Array): Promise<Uint8Array> {
    if (!this.#key) throw new InputError('KEY_CLOSED', 'this key was closed and can no longer sign');
    checkTranscriptSignable(message);
    return signEd25519(this.#key, message);
  }

  async close(): Promise<void> {
    this.#key = undefined;
    keyObjects.delete(this);
  }

}

/** What JSON.stringify, util.inspect and String() show of a key: public parts, never key material or internals. */
export interface PublicKeyView {
  source: KeySource;
  fingerprint: string;
  comment: string;
  publicKeyHex: string;
}

function publicView(key: PublicKeyView): PublicKeyView {
  return { source: key.source, fingerprint: key.fingerprint, comment: key.comment, publicKeyHex: key.publicKeyHex };
}

/** The longest comment a key line shows (an agent may send any length). */
const MAX_SHOWN_COMMENT = 200;

/** One line naming a key: `ed25519 SHA256:… comment (source)`; the comment's control characters escaped, its length bounded. */
function keyLine(key: PublicKeyView): string {
  let comment = key.comment.length > MAX_SHOWN_COMMENT ? `${key.comment.slice(0, MAX_SHOWN_COMMENT)}…` : key.comment;
  comment = comment.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const n = c.charCodeAt(0);
    return n > 0xff ? `\\u${n.toString(16)}` : `\\x${n.toString(16).padStart(2, '0')}`;
  });
  return `ed25519 ${key.fingerprint}${comment ? ` ${comment}` : ''} (${key.source})`;
}

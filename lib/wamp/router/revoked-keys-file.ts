/**
 * sshd's RevokedKeys file for a running router: an OpenSSH KRL
 * (`ssh-keygen -k`) or a plain public keys file (ssh/krl.ts), followed as
 * AuthorizedKeysFile follows its file: each `current()` (once per login
 * check) stats it and re-reads it when it changed.
 *
 * Fail closed: when the file becomes unreadable, malformed or missing after
 * it was loaded, `current()` throws AuthError(KEY_REVOKED) — every login is
 * refused until it is fixed, so a key revoked in the same edit never slips
 * through. A file that cannot be used at start throws its coded error then.
 */
import type { Stats } from 'node:fs';
import { AuthError, CryptosignKeysError } from '../../errors.js';
import { readBoundedFile } from '../../read-file.js';
import { fileStamp, statPath } from '../../stat-path.js';
import { RevokedKeys } from '../../ssh/krl.js';
import { ed25519Blob } from '../../ssh/public-key.js';

/** KRLs of millions of serials stay far below this. */
export const MAX_REVOKED_KEYS_BYTES = 64 * 1024 * 1024;

/** Reads sshd's RevokedKeys file once: a KRL (`ssh-keygen -k`) or plain public keys; KRL_FORMAT when malformed. */
export function loadRevokedKeysFile(path: string): RevokedKeys {
  return RevokedKeys.parse(readBoundedFile(path, 'revoked keys file', { maxBytes: MAX_REVOKED_KEYS_BYTES }), `revoked keys file ${path}`);
}

const stamp = (st: Stats | { missing: true } | { error: string }) =>
  'missing' in st ? 'missing' : 'error' in st ? `error:${st.error}` : fileStamp(st);

/** A RevokedKeys file followed on disk (re-read when it changes); while it is broken every login is refused. */
export class RevokedKeysFile {
  readonly path: string;
  #revoked: RevokedKeys | undefined;
  #stamp: string;
  #error: CryptosignKeysError | undefined;

  constructor(path: string) {
    this.path = path;
    this.#stamp = stamp(statPath(path));
    this.#revoked = loadRevokedKeysFile(path);
  }

  /** The current revocations; throws AuthError(KEY_REVOKED) while the file cannot be used. */
  current(): RevokedKeys {
    const now = stamp(statPath(this.path));
    if (now !== this.#stamp) {
      try {
        this.#revoked = loadRevokedKeysFile(this.path);
        this.#error = undefined;
      } catch (e) {
        // never the old list after a failed read; an unexpected error is read again next time
        this.#revoked = undefined;
        if (!(e instanceof CryptosignKeysError)) throw e;
        this.#error = e;
      }
      this.#stamp = now;
    }
    if (!this.#revoked) {
      throw new AuthError('KEY_REVOKED', `the revoked keys file cannot be used (${this.#error?.message ?? 'unknown'}); every login is refused until it is fixed`);
    }
    return this.#revoked;
  }

  /** why the file cannot be used now, if it cannot */
  get lastError(): CryptosignKeysError | undefined {
    return this.#error;
  }
}

/** A plain-key principal, unless sshd's RevokedKeys lists its key (AuthError KEY_REVOKED). */
export function requireNotRevoked<P extends { publicKey: Uint8Array; name: string; line: number }>(p: P, revoked: RevokedKeys | undefined): P {
  const why = revoked?.revocationOf(ed25519Blob(p.publicKey));
  if (why !== undefined) throw new AuthError('KEY_REVOKED', `the key of "${p.name}" (line ${p.line}) is revoked (${why})`);
  return p;
}

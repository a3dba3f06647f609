/**
 * An authorized-keys file a running router follows without a restart: each
 * `current()` (once per login) compares the file's identity and times with
 * what was loaded (one stat, no watcher, no timer) and re-reads it when it
 * changed, as sshd reads authorized_keys at each login.
 *
 * A file that no longer parses (or disappears) fails closed: until it is
 * fixed the list is empty, so every login is refused (AUTH_UNKNOWN_KEY) and
 * a key that was removed in the same edit can never slip through; `onError`
 * and `lastError` say why.
 */
import type { Stats } from 'node:fs';
import { CryptosignKeysError } from '../../errors.js';
import { readBoundedFile } from '../../read-file.js';
import { statPath } from '../../stat-path.js';
import { AuthorizedKeys, parseAuthorizedKeys } from './principals.js';

/** sshd has no limit; a principals file of this size would be 100k+ keys. */
export const MAX_AUTHORIZED_KEYS_BYTES = 16 * 1024 * 1024;

/** Callbacks for `AuthorizedKeysFile`. */
export interface AuthorizedKeysFileOptions {
  /** called after each successful (re)load, with the new list */
  onReload?: (keys: AuthorizedKeys) => void;
  /** called when a changed file cannot be used (the list is then empty until it is fixed) */
  onError?: (error: CryptosignKeysError) => void;
}

/** Loads an authorized-keys file once (coded errors). */
export function loadAuthorizedKeysFile(path: string): AuthorizedKeys {
  return parseAuthorizedKeys(readBoundedFile(path, 'authorized keys file', { maxBytes: MAX_AUTHORIZED_KEYS_BYTES }).toString('utf8'));
}

const stamp = (st: Stats | undefined) => (st ? `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : 'missing');

/**
 * An authorized_keys file followed on disk: re-read at the next login after it changes; while a
 * changed file cannot be used, every login is refused.
 */
export class AuthorizedKeysFile {
  readonly path: string;
  readonly #options: AuthorizedKeysFileOptions;
  #keys: AuthorizedKeys;
  #stamp: string;
  #lastError: CryptosignKeysError | undefined;

  /** Reads the file now; throws a coded error when it cannot be used at start. */
  constructor(path: string, options: AuthorizedKeysFileOptions = {}) {
    this.path = path;
    this.#options = options;
    this.#stamp = this.#stat();
    this.#keys = loadAuthorizedKeysFile(path);
  }

  #stat(): string {
    const st = statPath(this.path);
    return stamp('isFile' in st ? st : undefined);
  }

  /** The list as the file says now (re-read when it changed since the last call). */
  current(): AuthorizedKeys {
    const now = this.#stat();
    if (now !== this.#stamp) {
      this.#stamp = now;
      this.reload();
    }
    return this.#keys;
  }

  /** Re-reads the file now. On failure the list becomes empty (fail closed) and the error is reported. */
  reload(): AuthorizedKeys {
    try {
      this.#keys = loadAuthorizedKeysFile(this.path);
      this.#lastError = undefined;
      this.#options.onReload?.(this.#keys);
    } catch (e) {
      if (!(e instanceof CryptosignKeysError)) throw e;
      this.#keys = new AuthorizedKeys([]);
      this.#lastError = e;
      this.#options.onError?.(e);
    }
    return this.#keys;
  }

  /** Why the file could not be used at the last change, if it could not. */
  get lastError(): CryptosignKeysError | undefined {
    return this.#lastError;
  }
}

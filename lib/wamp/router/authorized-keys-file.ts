/**
 * An authorized-keys file a running router follows without a restart, and
 * without ever stalling a login or serving a torn read:
 *
 * - `current()` (once per login) costs one stat(2): when the file's identity,
 *   size or times changed, a small file (≤ 64 KiB, well under a millisecond
 *   to parse) is re-read at once, as sshd reads it at each login; a larger
 *   one is reloaded in the background and the list loaded before keeps
 *   serving until the new one is complete;
 * - a reload reads the file asynchronously and accepts the bytes only if the
 *   file's stamp after the read equals the stamp before it (else it reads
 *   again), then parses them in slices of a few milliseconds, yielding to the
 *   event loop between slices, so logins go on while 100,000s of lines load;
 * - lines sshd would skip are skipped (and reported in `skipped`), never a
 *   reason to drop the file; a file that disappears or cannot be read makes
 *   every login fail closed with PRINCIPALS_UNAVAILABLE (not "not in the
 *   list"), and `onError` / `lastError` say why.
 */
import { constants, promises as fsp } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CryptosignKeysError, KeyFileError } from '../../errors.js';
import { readBoundedFile } from '../../read-file.js';
import { fileStamp, statPath } from '../../stat-path.js';
import { KeyIndexBuilder, indexInWorker } from './key-index.js';
import { AuthorizedKeys, parseAuthorizedKeys } from './principals.js';

/** sshd has no limit; this is several million lines. */
export const MAX_AUTHORIZED_KEYS_BYTES = 512 * 1024 * 1024;

/** How long one parsing slice may hold the event loop, in milliseconds. */
const SLICE_MS = 2;
/** Files up to this size are re-read at once when they change (parsing them takes well under a millisecond). */
export const SYNC_RELOAD_BYTES = 64 * 1024;
/** How often a read is retried when the file changed while it was read. */
const READ_ATTEMPTS = 5;

/** Callbacks for `AuthorizedKeysFile`. */
export interface AuthorizedKeysFileOptions {
  /** called after each successful (re)load, with the new list */
  onReload?: (keys: AuthorizedKeys) => void;
  /** called when the file cannot be used (logins then fail with PRINCIPALS_UNAVAILABLE until it can) */
  onError?: (error: CryptosignKeysError) => void;
}


function statStamp(path: string): { stamp: string; size: number } | { error: CryptosignKeysError } {
  const st = statPath(path);
  if ('missing' in st) return { error: new KeyFileError('KEY_FILE_NOT_FOUND', `authorized keys file ${path} does not exist`) };
  if ('error' in st) return { error: new KeyFileError('KEY_FILE_UNREADABLE', `cannot read authorized keys file ${path}: ${st.error}`) };
  if (!st.isFile()) return { error: new KeyFileError('KEY_FILE_UNREADABLE', `authorized keys file ${path} is not a regular file`) };
  return { stamp: fileStamp(st), size: st.size };
}

/** Loads an authorized-keys file at once, synchronously (coded errors); a file that changes while read is read again. */
export function loadAuthorizedKeysFile(path: string): AuthorizedKeys {
  return loadWithStamp(path).keys;
}

function loadWithStamp(path: string): { keys: AuthorizedKeys; stamp: string } {
  for (let attempt = 1; ; attempt++) {
    const before = statStamp(path);
    if ('error' in before) throw before.error;
    const bytes = readBoundedFile(path, 'authorized keys file', { maxBytes: MAX_AUTHORIZED_KEYS_BYTES });
    const after = statStamp(path);
    if ('error' in after) throw after.error;
    if (before.stamp === after.stamp) return { keys: parseAuthorizedKeys(bytes.toString('utf8')), stamp: before.stamp };
    if (attempt >= READ_ATTEMPTS) {
      throw new KeyFileError('KEY_FILE_UNREADABLE', `authorized keys file ${path} kept changing while it was read (${READ_ATTEMPTS} attempts)`);
    }
  }
}

/** Reads the whole file asynchronously, bounded; the stamp is taken on the open descriptor. */
async function readOnce(path: string): Promise<{ bytes: Buffer; stamp: string }> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new KeyFileError('KEY_FILE_NOT_FOUND', `authorized keys file ${path} does not exist`);
    throw new KeyFileError('KEY_FILE_UNREADABLE', `cannot read authorized keys file ${path}: ${code}`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new KeyFileError('KEY_FILE_UNREADABLE', `authorized keys file ${path} is not a regular file`);
    if (st.size > MAX_AUTHORIZED_KEYS_BYTES) {
      throw new KeyFileError('KEY_FILE_FORMAT', `authorized keys file ${path} is ${st.size} bytes; the limit is ${MAX_AUTHORIZED_KEYS_BYTES}`);
    }
    const bytes = await fh.readFile();
    if (bytes.length > MAX_AUTHORIZED_KEYS_BYTES) throw new KeyFileError('KEY_FILE_FORMAT', `authorized keys file ${path} grew past the limit while read`);
    return { bytes, stamp: fileStamp(st) };
  } finally {
    await fh.close();
  }
}

/**
 * Reads file bytes into a principals list in slices of a few ms, yielding to
 * the event loop between slices; the list is a compact index (key-index.ts)
 * whose lines are parsed when their key first logs in.
 */
export async function parseAuthorizedKeysInSlices(bytes: Uint8Array, sliceMs = SLICE_MS): Promise<AuthorizedKeys> {
  const builder = new KeyIndexBuilder(bytes);
  for (;;) {
    const sliceEnd = performance.now() + sliceMs;
    if (builder.step(() => performance.now() > sliceEnd)) return builder.finish();
    await new Promise<void>((r) => setImmediate(r));
  }
}

/** Files from this size on are indexed in a worker thread (below, starting one costs more than the slices). */
export const WORKER_BYTES = 1024 * 1024;
/** Set when a worker could not run here (a bundle without the worker file, no threads): slices from then on. */
let workerUnavailable = false;

/**
 * Reads and indexes the file in the background: the bytes are accepted only
 * when the file's stamp after the read equals the stamp before (else read
 * again, up to 5 times); a file of WORKER_BYTES or more is indexed in a
 * worker thread (the main thread only starts it and takes the result), a
 * smaller one in slices of `sliceMs` on this thread. When the worker cannot
 * run, the file is read again and indexed in slices. `indexedIn` says which.
 */
export async function readAuthorizedKeysFile(
  path: string,
  sliceMs = SLICE_MS,
  worker = true,
): Promise<{ keys: AuthorizedKeys; stamp: string; indexedIn: 'worker' | 'slices' }> {
  for (let attempt = 1; ; attempt++) {
    const { bytes, stamp } = await readOnce(path);
    const after = statStamp(path);
    if ('error' in after) throw after.error;
    if (after.stamp === stamp || attempt >= READ_ATTEMPTS) {
      if (after.stamp !== stamp) {
        throw new KeyFileError('KEY_FILE_UNREADABLE', `authorized keys file ${path} kept changing while it was read (${READ_ATTEMPTS} attempts)`);
      }
      if (worker && !workerUnavailable && bytes.length >= WORKER_BYTES) {
        try {
          return { keys: await indexInWorker(bytes), stamp, indexedIn: 'worker' };
        } catch {
          // the bytes went to the worker: read again (stamp-checked), in slices
          workerUnavailable = true;
          return readAuthorizedKeysFile(path, sliceMs, false);
        }
      }
      return { keys: await parseAuthorizedKeysInSlices(bytes, sliceMs), stamp, indexedIn: 'slices' };
    }
  }
}

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
  #loading: Promise<AuthorizedKeys> | undefined;

  /** Reads the file now; throws a coded error when it cannot be used at start. */
  constructor(path: string, options: AuthorizedKeysFileOptions = {}) {
    this.path = path;
    this.#options = options;
    const { keys, stamp } = loadWithStamp(path);
    this.#keys = keys;
    this.#stamp = stamp;
  }

  /**
   * The list to decide a login with, at once: the one loaded last. When the
   * file changed since, a background reload starts (the old list serves
   * until it is done); when it is gone or unreadable, every login is refused
   * with PRINCIPALS_UNAVAILABLE.
   */
  current(): AuthorizedKeys {
    const now = statStamp(this.path);
    if ('error' in now) {
      if (this.#stamp !== 'unavailable') this.#fail(now.error);
      return this.#keys;
    }
    if (now.stamp === this.#stamp || this.#loading) return this.#keys;
    if (now.size > SYNC_RELOAD_BYTES) {
      void this.reload();
      return this.#keys;
    }
    try {
      const { keys, stamp } = loadWithStamp(this.path);
      this.#loaded(keys, stamp);
    } catch (e) {
      if (!(e instanceof CryptosignKeysError)) throw e;
      this.#fail(e);
    }
    return this.#keys;
  }

  #loaded(keys: AuthorizedKeys, stamp: string): void {
    this.#keys = keys;
    this.#stamp = stamp;
    this.#lastError = undefined;
    this.#options.onReload?.(keys);
  }

  /** Re-reads the file now in the background (or joins the reload under way); resolves with the list once it serves. */
  reload(): Promise<AuthorizedKeys> {
    if (this.#loading) return this.#loading;
    const loading = (async () => {
      try {
        const { keys, stamp } = await readAuthorizedKeysFile(this.path);
        this.#loaded(keys, stamp);
      } catch (e) {
        // nobody awaits a background reload: every failure is reported, and logins fail closed
        this.#fail(e instanceof CryptosignKeysError ? e : new KeyFileError('KEY_FILE_UNREADABLE', `cannot read authorized keys file ${this.path}: ${(e as Error).message}`));
      }
      return this.#keys;
    })();
    this.#loading = loading;
    void loading.finally(() => {
      if (this.#loading === loading) this.#loading = undefined;
    });
    return loading;
  }

  #fail(e: CryptosignKeysError): void {
    this.#keys = AuthorizedKeys.unavailable(`the principals file cannot be used: ${e.message} [${e.code}]`);
    this.#stamp = 'unavailable';
    this.#lastError = e;
    this.#options.onError?.(e);
  }

  /** The reload under way, if any (tests and tools await it; logins never do). */
  get loading(): Promise<AuthorizedKeys> | undefined {
    return this.#loading;
  }

  /** Why the file could not be used at the last change, if it could not. */
  get lastError(): CryptosignKeysError | undefined {
    return this.#lastError;
  }
}

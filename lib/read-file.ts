/**
 * Reading a local file safely: opened once (non-blocking, so a FIFO never
 * hangs the open), checked on the open descriptor with fstat (a regular
 * file; for secrets, OpenSSH's permission rule), and read with a size bound.
 * Nothing is checked by path and then opened again by name, so swapping the
 * file (or a symlink to it) between check and read gains nothing.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { KeyFileError } from './errors.js';

/** How readBoundedFile reads: its size bound, and whether the file holds a secret (then it must be private to its owner). */
export interface ReadFileOptions {
  /** the file holds a secret: refuse it when group or others may read or write it (unless allowInsecurePermissions) */
  secret?: boolean;
  /** skip the permission check (as sshd's `StrictModes no` would); default false */
  allowInsecurePermissions?: boolean;
  /** refuse files larger than this many bytes */
  maxBytes: number;
  /**
   * for a secret file whose permissions are too open: what its first bytes show
   * it to be, when that makes it a wrong file rather than a leaked secret
   * (e.g. "a public key; …"); undefined keeps the permission message
   */
  wrongFile?: (head: Uint8Array) => string | undefined;
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code ?? String(e);

/** Reads a local file once, bounded, checked on the open descriptor to be a regular file (and private, with `secret`); KeyFileError otherwise. */
export function readBoundedFile(path: string, what: string, options: ReadFileOptions): Buffer {
  if (typeof path !== 'string' || path === '') throw new KeyFileError('KEY_FILE_NOT_FOUND', `no ${what} path given`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (e) {
    const code = errno(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new KeyFileError('KEY_FILE_NOT_FOUND', `${what} ${path} does not exist`);
    if (code === 'EISDIR') throw new KeyFileError('KEY_FILE_UNREADABLE', `${what} ${path} is not a regular file`);
    throw new KeyFileError('KEY_FILE_UNREADABLE', `cannot read ${what} ${path}: ${code}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new KeyFileError('KEY_FILE_UNREADABLE', `${what} ${path} is not a regular file`);
    if (options.secret && process.platform !== 'win32' && !options.allowInsecurePermissions && (st.mode & 0o077) !== 0) {
      // e.g. a public key at its usual 0644 is a wrong file, not a leaked secret: say so instead of "chmod 600"
      const head = Buffer.alloc(64);
      let n = 0;
      try {
        n = readSync(fd, head, 0, head.length, 0);
      } catch {
        // the permission message below is still right
      }
      const wrong = options.wrongFile?.(head.subarray(0, n));
      if (wrong !== undefined) throw new KeyFileError('KEY_FILE_FORMAT', `${what} ${path} is ${wrong}`);
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new KeyFileError(
        'KEY_FILE_PERMISSIONS',
        `permissions ${mode} for ${what} ${path} are too open: it must not be accessible by others (chmod 600 ${path})`,
      );
    }
    if (st.size > options.maxBytes) {
      throw new KeyFileError('KEY_FILE_FORMAT', `${what} ${path} is ${st.size} bytes; no ${what} is larger than ${options.maxBytes}`);
    }
    // read to EOF, bounded: the size may change while we read
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(64 * 1024, options.maxBytes + 1 - total));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        throw new KeyFileError('KEY_FILE_UNREADABLE', `cannot read ${what} ${path}: ${errno(e)}`);
      }
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > options.maxBytes) {
        throw new KeyFileError('KEY_FILE_FORMAT', `${what} ${path} grew past ${options.maxBytes} bytes while being read`);
      }
    }
    const data = Buffer.concat(chunks, total);
    for (const c of chunks) c.fill(0);
    return data;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reading a file that holds a secret (private key, seed, passphrase), with
 * OpenSSH's rule: refuse it when group or others may read or write it.
 */
import { readFileSync } from 'node:fs';
import { KeyFileError } from '../errors.js';
import { statPath } from '../stat-path.js';

export interface PrivateFileOptions {
  /** skip the permission check (as `StrictModes no` would); default false */
  allowInsecurePermissions?: boolean;
}

export function readPrivateFile(path: string, what: string, options: PrivateFileOptions = {}): Buffer {
  if (typeof path !== 'string' || path === '') {
    throw new KeyFileError('KEY_FILE_NOT_FOUND', `no ${what} path given`);
  }
  const st = statPath(path);
  if ('missing' in st) throw new KeyFileError('KEY_FILE_NOT_FOUND', `${what} ${path} does not exist`);
  if ('error' in st) throw new KeyFileError('KEY_FILE_UNREADABLE', `cannot read ${what} ${path}: ${st.error}`);
  if (!st.isFile()) {
    throw new KeyFileError('KEY_FILE_UNREADABLE', `${what} ${path} is not a regular file`);
  }
  if (process.platform !== 'win32' && !options.allowInsecurePermissions && (st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw new KeyFileError(
      'KEY_FILE_PERMISSIONS',
      `permissions ${mode} for ${what} ${path} are too open: it must not be accessible by others (chmod 600 ${path})`,
    );
  }
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new KeyFileError('KEY_FILE_UNREADABLE', `cannot read ${what} ${path}: ${code ?? String(e)}`);
  }
}

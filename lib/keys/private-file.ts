/**
 * Reading a file that holds a secret (private key, seed, passphrase), with
 * OpenSSH's rule: refuse it when group or others may read or write it,
 * checked on the open descriptor (see read-file.ts).
 */
import { readBoundedFile } from '../read-file.js';
import { detectKeyFormat } from './formats/detect.js';

/**
 * How a file holding a secret (key, seed, passphrase) is opened: once, and checked on the open
 * descriptor.
 */
export interface PrivateFileOptions {
  /** skip the permission check (as `StrictModes no` would); default false */
  allowInsecurePermissions?: boolean;
}

/** No key, seed or passphrase file is anywhere near this (an RSA-16384 key file is ~13 KiB). */
export const MAX_PRIVATE_FILE_BYTES = 1024 * 1024;

/** A public key where a secret was expected: its usual 0644 mode is then no leak to warn about. */
function publicKeyHead(head: Uint8Array): string | undefined {
  return detectKeyFormat(head).format === 'ssh-public' ? 'a public key; give the private key file (the same name without .pub)' : undefined;
}

/** Reads a file holding a secret: opened once, a regular file group and others cannot access (OpenSSH's rule, on the open descriptor), bounded; KeyFileError otherwise. */
export function readPrivateFile(path: string, what: string, options: PrivateFileOptions = {}): Buffer {
  return readBoundedFile(path, what, {
    secret: true,
    maxBytes: MAX_PRIVATE_FILE_BYTES,
    wrongFile: publicKeyHead,
    ...(options.allowInsecurePermissions ? { allowInsecurePermissions: true } : {}),
  });
}

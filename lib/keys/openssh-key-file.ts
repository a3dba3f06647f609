/**
 * Private key files: OpenSSH's own format (`ssh-keygen -t ed25519`, plain or
 * passphrase-encrypted; parsed and decrypted by sshpk) and PEM PKCS#8
 * (`BEGIN PRIVATE KEY` / `BEGIN ENCRYPTED PRIVATE KEY`; parsed by node:crypto).
 * Only Ed25519 keys are accepted: cryptosign is Ed25519.
 */
import type { KeyObject } from 'node:crypto';
import { KeyFileError, type ErrorCode } from '../errors.js';
import { readPrivateFile, type PrivateFileOptions } from './private-file.js';
import { LocalSigningKey } from './signing-key.js';
import { NOT_ED25519, readOpenSshPrivateKey } from './formats/openssh.js';
import { readPkcs8PrivateKey } from './formats/pkcs8.js';

export interface KeyFileOptions extends PrivateFileOptions {
  /** passphrase of an encrypted key file */
  passphrase?: string | Uint8Array;
}

export function loadKeyFile(path: string, options: KeyFileOptions = {}): LocalSigningKey {
  const data = readPrivateFile(path, 'key file', options);
  return parseKeyFileData(data, path, options.passphrase);
}

/**
 * Like loadKeyFile, but an encrypted file is decrypted in a worker thread:
 * the bcrypt KDF (hundreds of ms at ssh-keygen's default, seconds with -a 100)
 * never blocks the event loop, so timers and WAMP heartbeats go on.
 */
export async function openKeyFile(path: string, options: KeyFileOptions = {}): Promise<LocalSigningKey> {
  const data = readPrivateFile(path, 'key file', options);
  const passphrase = options.passphrase;
  if (passphrase === undefined || passphrase.length === 0) return parseKeyFileData(data, path, passphrase);
  const { Worker } = await import('node:worker_threads');
  // workerData is copied into the worker here; our copy is wiped at once
  const worker = new Worker(new URL('./key-file-worker.js', import.meta.url), { workerData: { data, where: path, passphrase } });
  data.fill(0);
  try {
    const answer = await new Promise<{ ok: true; key: KeyObject; comment: string } | { ok: false; code: ErrorCode; message: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new KeyFileError('KEY_FILE_FORMAT', `${path}: the key-file worker exited (${code})`)));
    });
    if (!answer.ok) throw new KeyFileError(answer.code, answer.message);
    return new LocalSigningKey('file', answer.key, answer.comment);
  } finally {
    void worker.terminate();
  }
}

/** Parses private key file contents; `where` names the file in messages. */
export function parseKeyFileData(data: Uint8Array, where: string, passphrase?: string | Uint8Array): LocalSigningKey {
  // an empty passphrase (Enter at the prompt) is no passphrase: an encrypted file then says it needs one
  if (passphrase !== undefined && passphrase.length === 0) passphrase = undefined;
  const text = Buffer.from(data).toString('latin1');
  if (text.includes('-----BEGIN OPENSSH PRIVATE KEY-----')) return readOpenSshPrivateKey(data, where, passphrase);
  if (/-----BEGIN (ENCRYPTED )?PRIVATE KEY-----/.test(text)) return readPkcs8PrivateKey(text, where, passphrase);
  const pem = /-----BEGIN ([A-Z0-9 ]+) PRIVATE KEY-----/.exec(text);
  if (pem) {
    throw new KeyFileError('KEY_NOT_ED25519', `${where} holds a key of type ${pem[1]}; ${NOT_ED25519}`);
  }
  // [ \t] not \s: \s also eats newlines, and /m tries every line start (quadratic on blank lines)
  const pub = /^[ \t]*(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+)[ \t]+AAAA/m.exec(text);
  if (pub) {
    throw new KeyFileError(
      'KEY_FILE_FORMAT',
      `${where} is a public key (${pub[1]}); give the private key file (usually the same name without .pub)`,
    );
  }
  if (/private-key-ed25519\s*:/i.test(text)) {
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} is a crossbar/autobahn key file; use it as a seed file`);
  }
  throw new KeyFileError('KEY_FILE_FORMAT', `${where} is not an OpenSSH or PEM private key file`);
}

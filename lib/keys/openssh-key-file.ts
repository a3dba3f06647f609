/**
 * Loading private key files: OpenSSH's own format (`ssh-keygen -t ed25519`,
 * plain or passphrase-encrypted) and PEM PKCS#8 (`BEGIN PRIVATE KEY` /
 * `BEGIN ENCRYPTED PRIVATE KEY`). formats/detect.ts tells the format, the
 * modules in formats/ read it; anything else is refused with a coded error
 * saying what the file is. Only Ed25519 keys are accepted: cryptosign is Ed25519.
 */
import type { KeyObject } from 'node:crypto';
import { KeyFileError, type ErrorCode } from '../errors.js';
import { readPrivateFile, type PrivateFileOptions } from './private-file.js';
import { LocalSigningKey } from './signing-key.js';
import { NOT_ED25519, readOpenSshPrivateKey } from './formats/openssh.js';
import { readPkcs8PrivateKey } from './formats/pkcs8.js';
import { detectKeyFormat } from './formats/detect.js';
import { decryptWithDerivedKey, passphraseBytes, readEncryptedOpenSshKey } from './openssh-decrypt.js';

/** Options for `loadKeyFile` and `openKeyFile`. */
export interface KeyFileOptions extends PrivateFileOptions {
  /** passphrase of an encrypted key file */
  passphrase?: string | Uint8Array;
}

/**
 * Loads an Ed25519 private key file, synchronously: OpenSSH format (`ssh-keygen -t ed25519`),
 * plain or passphrase-encrypted, or PEM PKCS#8. Refused when group/others can access it
 * (`KEY_FILE_PERMISSIONS`); an encrypted file needs `passphrase`
 * (`PASSPHRASE_REQUIRED`/`PASSPHRASE_WRONG`). `openKeyFile` does the same off the event loop.
 */
export function loadKeyFile(path: string, options: KeyFileOptions = {}): LocalSigningKey {
  const data = readPrivateFile(path, 'key file', options);
  return parseKeyFileData(data, path, options.passphrase);
}

/**
 * Like loadKeyFile, but an encrypted file's KDF runs in worker threads: the
 * bcrypt KDF (hundreds of ms at ssh-keygen's default, seconds with -a 100)
 * never blocks the event loop, so timers and WAMP heartbeats go on. An
 * encrypted OpenSSH file's independent bcrypt_pbkdf chains run side by side,
 * one worker each (crypto/bcrypt-pbkdf-workers.ts); the decryption of the few
 * hundred bytes it unlocks is done here. Other encrypted files (PKCS#8), and
 * every file where WebAssembly is off, are opened whole in one worker.
 */
export async function openKeyFile(path: string, options: KeyFileOptions = {}): Promise<LocalSigningKey> {
  const data = readPrivateFile(path, 'key file', options);
  const passphrase = options.passphrase;
  if (passphrase === undefined || passphrase.length === 0) return parseKeyFileData(data, path, passphrase);
  // the workers' Blowfish core is WebAssembly (not there under node --jitless: then the one-worker path below)
  if (typeof WebAssembly !== 'undefined') {
    let file;
    try {
      file = readEncryptedOpenSshKey(data, path, passphrase);
    } catch (e) {
      data.fill(0);
      throw e;
    }
    if (file) {
      const pass = passphraseBytes(passphrase);
      let derived: Uint8Array;
      try {
        // an Ed25519 key is read without sshpk (formats/openssh.ts): nothing else to do on this thread meanwhile;
        // the worker pool's module is loaded only here (an agent or plain key never loads it)
        const { bcryptPbkdfInWorkers } = await import('../crypto/bcrypt-pbkdf-workers.js');
        derived = await bcryptPbkdfInWorkers(pass, file.salt, file.rounds, file.derivedLength);
      } catch (e) {
        if (e instanceof RangeError) throw new KeyFileError('KEY_FILE_FORMAT', `${path}: bad key derivation parameters`);
        throw new KeyFileError('KEY_FILE_FORMAT', `${path}: the key derivation failed in a worker thread (${String((e as Error).message).slice(0, 120)})`);
      } finally {
        pass.fill(0);
        data.fill(0);
      }
      const unencrypted = decryptWithDerivedKey(file, derived, path);
      try {
        return parseKeyFileData(unencrypted, path);
      } finally {
        unencrypted.fill(0);
      }
    }
  }
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
  const found = detectKeyFormat(data);
  switch (found.format) {
    case 'openssh':
      return readOpenSshPrivateKey(data, where, passphrase);
    case 'pkcs8':
      return readPkcs8PrivateKey(Buffer.from(data).toString('latin1'), where, passphrase);
    case 'pem-private':
      throw new KeyFileError('KEY_NOT_ED25519', `${where} holds a key of type ${found.type}; ${NOT_ED25519}`);
    case 'ssh-public':
      throw new KeyFileError('KEY_FILE_FORMAT', `${where} is a public key (${found.type}); give the private key file (usually the same name without .pub)`);
    case 'crossbar':
      throw new KeyFileError('KEY_FILE_FORMAT', `${where} is a crossbar/autobahn key file; use it as a seed file`);
    default:
      throw new KeyFileError('KEY_FILE_FORMAT', `${where} is not an OpenSSH or PEM private key file`);
  }
}

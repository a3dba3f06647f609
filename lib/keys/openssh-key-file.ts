/**
 * Private key files: OpenSSH's own format (`ssh-keygen -t ed25519`, plain or
 * passphrase-encrypted; parsed and decrypted by sshpk) and PEM PKCS#8
 * (`BEGIN PRIVATE KEY` / `BEGIN ENCRYPTED PRIVATE KEY`; parsed by node:crypto).
 * Only Ed25519 keys are accepted: cryptosign is Ed25519.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { basename } from 'node:path';
import { createRequire } from 'node:module';
import type sshpkTypes from 'sshpk';
import { KeyFileError, type ErrorCode } from '../errors.js';
import { rawPublicKey, rawSeed } from '../crypto/ed25519.js';
import { readPrivateFile, type PrivateFileOptions } from './private-file.js';
import { LocalSigningKey } from './signing-key.js';
import { decryptOpenSshKeyFile } from './openssh-decrypt.js';

/** Options for `loadKeyFile` and `openKeyFile`. */
export interface KeyFileOptions extends PrivateFileOptions {
  /** passphrase of an encrypted key file */
  passphrase?: string | Uint8Array;
}

// loaded on first use: a CLI run with a seed never pays for it
let sshpk: typeof sshpkTypes | undefined;
function loadSshpk(): typeof sshpkTypes {
  sshpk ??= createRequire(import.meta.url)('sshpk') as typeof sshpkTypes;
  return sshpk;
}

const NOT_ED25519 = 'cryptosign needs an Ed25519 key (ssh-keygen -t ed25519)';

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
  if (text.includes('-----BEGIN OPENSSH PRIVATE KEY-----')) return parseOpenSsh(data, where, passphrase);
  if (/-----BEGIN (ENCRYPTED )?PRIVATE KEY-----/.test(text)) return parsePkcs8(text, where, passphrase);
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

function parseOpenSsh(data: Uint8Array, where: string, passphrase?: string | Uint8Array): LocalSigningKey {
  let key: sshpkTypes.PrivateKey;
  // every cipher decrypted here (faster KDF, and the AEAD ciphers sshpk lacks); sshpk parses
  const unencrypted = decryptOpenSshKeyFile(data, where, passphrase);
  if (unencrypted) {
    data = unencrypted;
    passphrase = undefined;
  }
  try {
    const opts = passphrase === undefined ? undefined : { passphrase: Buffer.from(passphrase as never) };
    key = loadSshpk().parsePrivateKey(Buffer.from(data), 'openssh', opts as never);
  } catch (e) {
    const err = e as Error;
    if (err.name === 'KeyEncryptedError') {
      throw new KeyFileError('PASSPHRASE_REQUIRED', `${where} is encrypted: a passphrase is needed`);
    }
    if (/incorrect passphrase/i.test(err.message)) {
      throw new KeyFileError('PASSPHRASE_WRONG', `wrong passphrase for ${where}`);
    }
    if (/unsupported|unknown/i.test(err.message)) {
      throw new KeyFileError('KEY_FILE_FORMAT', `${where}: ${oneLine(err.message, where)}`);
    }
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} is not a valid OpenSSH private key file`);
  }
  if (key.type !== 'ed25519') {
    throw new KeyFileError('KEY_NOT_ED25519', `${where} holds a key of type ${key.type.toUpperCase()}; ${NOT_ED25519}`);
  }
  const parts = key.part as unknown as Record<string, { data: Buffer } | undefined>;
  const seed = parts.k?.data;
  const pub = parts.A?.data;
  if (!seed || seed.length !== 32 || !pub) {
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} holds a malformed Ed25519 key`);
  }
  const signing = new LocalSigningKey('file', new Uint8Array(seed), key.comment && key.comment !== '(unnamed)' ? key.comment : '');
  if (!Buffer.from(signing.publicKey).equals(pub)) {
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} is corrupt: its public key does not match its private key`);
  }
  return signing;
}

function parsePkcs8(text: string, where: string, passphrase?: string | Uint8Array): LocalSigningKey {
  const encrypted = text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----');
  if (encrypted && passphrase === undefined) {
    throw new KeyFileError('PASSPHRASE_REQUIRED', `${where} is encrypted: a passphrase is needed`);
  }
  let key;
  try {
    key = createPrivateKey({
      key: text,
      format: 'pem',
      ...(encrypted ? { passphrase: Buffer.from(passphrase as never) } : {}),
    });
  } catch {
    if (encrypted) throw new KeyFileError('PASSPHRASE_WRONG', `wrong passphrase for ${where} (or the file is corrupt)`);
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} is not a valid PEM private key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new KeyFileError('KEY_NOT_ED25519', `${where} holds a key of type ${String(key.asymmetricKeyType).toUpperCase()}; ${NOT_ED25519}`);
  }
  const signing = new LocalSigningKey('file', rawSeed(key), basename(where));
  if (!Buffer.from(signing.publicKey).equals(Buffer.from(rawPublicKey(key)))) {
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} is corrupt`);
  }
  return signing;
}

/** sshpk's messages name the file "(unnamed)"; keep them one line and about our file. */
function oneLine(message: string, where: string): string {
  return message.replace(/\(unnamed\)/g, where).replace(/\s+/g, ' ').slice(0, 200);
}

/**
 * OpenSSH's private key format (openssh-key-v1, `-----BEGIN OPENSSH PRIVATE
 * KEY-----`): an encrypted file is decrypted by openssh-decrypt.ts, then
 * sshpk parses the unencrypted file. Only Ed25519 keys are accepted.
 */
import { createRequire } from 'node:module';
import type sshpkTypes from 'sshpk';
import { KeyFileError } from '../../errors.js';
import { LocalSigningKey } from '../signing-key.js';
import { decryptOpenSshKeyFile } from '../openssh-decrypt.js';

/** The end of every "not Ed25519" message: cryptosign is Ed25519. */
export const NOT_ED25519 = 'cryptosign needs an Ed25519 key (ssh-keygen -t ed25519)';

// loaded on first use: a CLI run with a seed never pays for it
let sshpk: typeof sshpkTypes | undefined;
/** sshpk, loaded on first use (openKeyFile loads it while its KDF workers run). */
export function loadSshpk(): typeof sshpkTypes {
  sshpk ??= createRequire(import.meta.url)('sshpk') as typeof sshpkTypes;
  return sshpk;
}

/** The key in an OpenSSH private key file; `where` names the file in messages. */
export function readOpenSshPrivateKey(data: Uint8Array, where: string, passphrase?: string | Uint8Array): LocalSigningKey {
  let key: sshpkTypes.PrivateKey;
  // an encrypted file is decrypted here (every cipher OpenSSH offers, our faster KDF) or refused with a
  // coded error: sshpk only ever sees an unencrypted openssh-key-v1 file, and only parses it
  const unencrypted = decryptOpenSshKeyFile(data, where, passphrase);
  try {
    key = loadSshpk().parsePrivateKey(Buffer.from(unencrypted ?? data), 'openssh');
  } catch (e) {
    const err = e as Error;
    if (/unsupported|unknown/i.test(err.message)) {
      throw new KeyFileError('KEY_FILE_FORMAT', `${where}: ${oneLine(err.message, where)}`);
    }
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} is not a valid OpenSSH private key file`);
  } finally {
    unencrypted?.fill(0);
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

/** sshpk's messages name the file "(unnamed)"; keep them one line and about our file. */
function oneLine(message: string, where: string): string {
  return message.replace(/\(unnamed\)/g, where).replace(/\s+/g, ' ').slice(0, 200);
}

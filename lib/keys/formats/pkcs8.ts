/**
 * PEM PKCS#8 private keys (`BEGIN PRIVATE KEY` / `BEGIN ENCRYPTED PRIVATE
 * KEY`), parsed by node:crypto. Only Ed25519 keys are accepted.
 */
import { createPrivateKey } from 'node:crypto';
import { basename } from 'node:path';
import { KeyFileError } from '../../errors.js';
import { rawPublicKey, rawSeed } from '../../crypto/ed25519.js';
import { LocalSigningKey } from '../signing-key.js';
import { NOT_ED25519 } from './openssh.js';

/** The key in a PEM PKCS#8 file's text; `where` names the file in messages (its base name is the comment). */
export function readPkcs8PrivateKey(text: string, where: string, passphrase?: string | Uint8Array): LocalSigningKey {
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

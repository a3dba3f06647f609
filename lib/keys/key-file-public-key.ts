/**
 * The public key of a private key file, read without a passphrase: an
 * OpenSSH key file (openssh-key-v1) carries its public key in the clear
 * ahead of the encrypted section — what `ssh-keygen -l` reads. An
 * unencrypted file is parsed whole (its public key checked against its
 * private key); an encrypted PEM PKCS#8 file has no public key in the clear
 * (PASSPHRASE_REQUIRED).
 */
import { InputError, KeyFileError } from '../errors.js';
import { toHex } from '../crypto/hex.js';
import { ED25519_TYPE, parsePublicKeyBlob } from '../ssh/public-key.js';
import { openSshBinary } from './openssh-decrypt.js';
import { NOT_ED25519, readDecodedOpenSshPrivateKey } from './formats/openssh.js';
import { readOpenSshHeader } from './formats/openssh-header.js';
import { parseKeyFileData } from './openssh-key-file.js';
import { readPrivateFile, type PrivateFileOptions } from './private-file.js';

/** What a key file says about its public key. */
export interface KeyFilePublicKey {
  /** the raw 32-byte Ed25519 public key */
  readonly publicKey: Uint8Array;
  /** the public key as 64 hex digits (authextra.pubkey) */
  readonly publicKeyHex: string;
  /** `SHA256:…`, as ssh-keygen -l prints it */
  readonly fingerprint: string;
  /** the key's comment; '' for an encrypted file (OpenSSH encrypts the comment with the key) */
  readonly comment: string;
  /** the private part is encrypted (its public key was read from the clear header) */
  readonly encrypted: boolean;
}

/**
 * The Ed25519 public key of a private key file, with no passphrase: from the
 * clear header of an encrypted OpenSSH file, else by parsing the file.
 * Throws KeyFileError: KEY_NOT_ED25519, KEY_FILE_FORMAT, PASSPHRASE_REQUIRED
 * (an encrypted PKCS#8 file), and the file errors of loadKeyFile.
 */
export function readKeyFilePublicKey(path: string, options: PrivateFileOptions = {}): KeyFilePublicKey {
  const data = readPrivateFile(path, 'key file', options);
  // an unencrypted file's binary holds its private key: wiped with the file's bytes
  let bin: Uint8Array | undefined;
  try {
    bin = openSshBinary(data.toString('latin1'));
    // the clear header is read for every OpenSSH file, encrypted or not: a malformed one is refused here
    const header = bin && readOpenSshHeader(bin).header;
    if (bin && !header) throw new KeyFileError('KEY_FILE_FORMAT', `${path} is not a valid OpenSSH private key file`);
    if (header && header.cipher !== 'none') {
      let info;
      try {
        info = parsePublicKeyBlob(header.publicBlob);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        throw new KeyFileError('KEY_FILE_FORMAT', `${path} is not a valid OpenSSH private key file (its public key is malformed)`);
      }
      if (info.type !== ED25519_TYPE || !info.ed25519) {
        throw new KeyFileError('KEY_NOT_ED25519', `${path} holds a key of type ${info.label}; ${NOT_ED25519}`);
      }
      return { publicKey: info.ed25519, publicKeyHex: toHex(info.ed25519), fingerprint: info.fingerprint, comment: '', encrypted: true };
    }
    // an OpenSSH file (its armour decoded above) is read as parseKeyFileData would, without decoding it again
    const key = bin ? readDecodedOpenSshPrivateKey(bin, data, path) : parseKeyFileData(data, path);
    return { publicKey: key.publicKey, publicKeyHex: key.publicKeyHex, fingerprint: key.fingerprint, comment: key.comment, encrypted: false };
  } finally {
    data.fill(0);
    bin?.fill(0);
  }
}


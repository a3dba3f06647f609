/**
 * Decrypting an encrypted OpenSSH key file (openssh-key-v1), for every cipher
 * `ssh-keygen -Z` offers: aes{128,192,256}-ctr, aes{128,192,256}-cbc, 3des-cbc
 * (node:crypto), aes{128,256}-gcm@openssh.com and chacha20-poly1305@openssh.com
 * (authenticated, as OpenSSH's sshkey.c does). The key and IV come from our
 * bcrypt_pbkdf (crypto/bcrypt-pbkdf.ts), here or, for openKeyFile, in worker
 * threads (read the header, derive, then decryptWithDerivedKey). The result
 * is the same key as an unencrypted openssh-key-v1 file, which
 * formats/openssh.ts then reads like any other.
 *
 * chacha20-poly1305@openssh.com with an empty AAD and sequence number 0: the
 * Poly1305 key is the first 32 bytes of the ChaCha20 keystream (block 0)
 * under the first 32 bytes of the derived key, the tag covers the ciphertext,
 * and the text is ChaCha20 from block 1 (crypto/chacha20-poly1305.ts).
 */
import { createDecipheriv, timingSafeEqual } from 'node:crypto';
import { KeyFileError } from '../errors.js';
import { bcryptPbkdf } from '../crypto/bcrypt-pbkdf.js';
import { chacha20, poly1305 } from '../crypto/chacha20-poly1305.js';
import { WireReader, concatBytes, wireString, wireUint32 } from '../ssh/wire.js';
import { OPENSSH_MAGIC, readOpenSshHeader } from './formats/openssh-header.js';

/** ssh-keygen's default is 16 rounds and -a 100 is "slow"; beyond this a file only hangs the process. */
export const MAX_BCRYPT_ROUNDS = 10_000;
interface CipherSpec {
  keyLen: number;
  ivLen: number;
  tagLen: number;
  block: number;
  /** node:crypto's name, for the plain (not authenticated) ciphers */
  node?: string;
}
const CIPHERS: Record<string, CipherSpec> = {
  'aes128-ctr': { keyLen: 16, ivLen: 16, tagLen: 0, block: 16, node: 'aes-128-ctr' },
  'aes192-ctr': { keyLen: 24, ivLen: 16, tagLen: 0, block: 16, node: 'aes-192-ctr' },
  'aes256-ctr': { keyLen: 32, ivLen: 16, tagLen: 0, block: 16, node: 'aes-256-ctr' },
  'aes128-cbc': { keyLen: 16, ivLen: 16, tagLen: 0, block: 16, node: 'aes-128-cbc' },
  'aes192-cbc': { keyLen: 24, ivLen: 16, tagLen: 0, block: 16, node: 'aes-192-cbc' },
  'aes256-cbc': { keyLen: 32, ivLen: 16, tagLen: 0, block: 16, node: 'aes-256-cbc' },
  '3des-cbc': { keyLen: 24, ivLen: 8, tagLen: 0, block: 8, node: 'des-ede3-cbc' },
  'aes128-gcm@openssh.com': { keyLen: 16, ivLen: 12, tagLen: 16, block: 16 },
  'aes256-gcm@openssh.com': { keyLen: 32, ivLen: 12, tagLen: 16, block: 16 },
  'chacha20-poly1305@openssh.com': { keyLen: 64, ivLen: 0, tagLen: 16, block: 8 },
};

/** OpenSSH's check: the decrypted section starts with the same random uint32 twice. */
function checkIntsMatch(plain: Uint8Array): boolean {
  if (plain.length < 8) return false;
  for (let i = 0; i < 4; i++) if (plain[i] !== plain[i + 4]) return false;
  return true;
}

function armour(binary: Uint8Array): Buffer {
  const b64 = Buffer.from(binary).toString('base64').replace(/.{1,70}/g, '$&\n');
  return Buffer.from(`-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}-----END OPENSSH PRIVATE KEY-----\n`, 'latin1');
}

/** The binary of an openssh-key-v1 file, or undefined when `text` is not one. */
export function openSshBinary(text: string): Uint8Array | undefined {
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([A-Za-z0-9+/=\s]*)-----END OPENSSH PRIVATE KEY-----/.exec(text);
  if (!m) return undefined;
  const bin = new Uint8Array(Buffer.from((m[1] as string).replace(/\s+/g, ''), 'base64'));
  return Buffer.from(bin.subarray(0, OPENSSH_MAGIC.length)).toString('latin1') === OPENSSH_MAGIC ? bin : undefined;
}

/** What decryption needs from an encrypted openssh-key-v1 file, read (and checked) before the KDF runs. */
export interface EncryptedOpenSshKey {
  cipher: string;
  salt: Uint8Array;
  rounds: number;
  /** bytes of key material bcrypt_pbkdf derives: the cipher's key, then its IV */
  derivedLength: number;
  publicBlob: Uint8Array;
  encrypted: Uint8Array;
  tag: Uint8Array;
}

/**
 * When `data` is an encrypted openssh-key-v1 file: its KDF parameters and
 * encrypted section. Undefined for every other file (not OpenSSH, or not
 * encrypted); a cipher OpenSSH does not offer, a missing passphrase or a
 * bad header is a coded error.
 */
export function readEncryptedOpenSshKey(data: Uint8Array, where: string, passphrase: string | Uint8Array | undefined): EncryptedOpenSshKey | undefined {
  const bin = openSshBinary(Buffer.from(data).toString('latin1'));
  return bin && encryptedOpenSshKeyOf(bin, where, passphrase);
}

/** readEncryptedOpenSshKey for the binary of an openssh-key-v1 file (openSshBinary's result); the fields returned are views of `bin`. */
export function encryptedOpenSshKeyOf(bin: Uint8Array, where: string, passphrase: string | Uint8Array | undefined): EncryptedOpenSshKey | undefined {
  const { cipher, header } = readOpenSshHeader(bin);
  if (cipher === 'none') return undefined;
  if (cipher === undefined || header === undefined || header.privateSection === undefined) {
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} is not a valid OpenSSH private key file`);
  }
  const { kdf, kdfOptions, publicBlob, privateSection: encrypted, trailer: rest } = header;
  const spec = CIPHERS[cipher];
  if (!spec) throw new KeyFileError('KEY_FILE_FORMAT', `${where} is encrypted with "${cipher.slice(0, 40)}", which OpenSSH does not offer for key files`);
  if (passphrase === undefined || passphrase.length === 0) throw new KeyFileError('PASSPHRASE_REQUIRED', `${where} is encrypted: a passphrase is needed`);
  if (kdf !== 'bcrypt') throw new KeyFileError('KEY_FILE_FORMAT', `${where}: unsupported key derivation "${kdf}"`);
  if (rest.length < spec.tagLen || encrypted.length === 0 || encrypted.length % spec.block !== 0) {
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} is not a valid OpenSSH private key file (encrypted section)`);
  }
  const tag = rest.subarray(0, spec.tagLen);
  let salt: Uint8Array, rounds: number;
  try {
    const o = new WireReader(kdfOptions);
    salt = o.string();
    rounds = o.uint32();
  } catch {
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} is not a valid OpenSSH private key file (key derivation options)`);
  }
  // the KDF runs synchronously (or in a worker): a file claiming 2^31 rounds would hang it
  if (rounds > MAX_BCRYPT_ROUNDS) {
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} asks for ${rounds} bcrypt rounds; more than ${MAX_BCRYPT_ROUNDS} is refused (ssh-keygen's default is 16)`);
  }
  return { cipher, salt, rounds, derivedLength: spec.keyLen + spec.ivLen, publicBlob, encrypted, tag };
}

/** The passphrase as bytes (UTF-8 when a string): what bcrypt_pbkdf takes. Wipe it after use. */
export function passphraseBytes(passphrase: string | Uint8Array): Buffer {
  return typeof passphrase === 'string' ? Buffer.from(passphrase, 'utf8') : Buffer.from(passphrase);
}

/**
 * The file `file` describes, decrypted with `derived` (bcrypt_pbkdf's output
 * for it: key then IV) and armoured as an unencrypted openssh-key-v1 file for
 * formats/openssh.ts. A wrong passphrase shows as a bad check integer or tag. `derived` is
 * wiped.
 */
export function decryptWithDerivedKey(file: EncryptedOpenSshKey, derived: Uint8Array, where: string): Buffer {
  const spec = CIPHERS[file.cipher] as CipherSpec;
  const { cipher, encrypted, tag } = file;
  const key = derived.subarray(0, spec.keyLen);
  let plain: Uint8Array;
  try {
    if (derived.length !== spec.keyLen + spec.ivLen) throw new Error('length');
    if (spec.node) {
      const d = createDecipheriv(spec.node, key, derived.subarray(spec.keyLen));
      d.setAutoPadding(false);
      plain = new Uint8Array(Buffer.concat([d.update(encrypted), d.final()]));
      // no tag: a wrong passphrase shows in the check integers
      if (!checkIntsMatch(plain)) throw new Error('checkint');
    } else if (cipher.startsWith('chacha')) {
      const mainKey = key.subarray(0, 32);
      const polyKey = chacha20(mainKey, 0, new Uint8Array(32));
      const expected = poly1305(polyKey, encrypted);
      if (!timingSafeEqual(expected, tag)) throw new Error('tag');
      plain = chacha20(mainKey, 1, encrypted);
    } else {
      const d = createDecipheriv(cipher.startsWith('aes128') ? 'aes-128-gcm' : 'aes-256-gcm', key, derived.subarray(spec.keyLen));
      d.setAuthTag(tag);
      plain = new Uint8Array(Buffer.concat([d.update(encrypted), d.final()]));
    }
  } catch {
    throw new KeyFileError('PASSPHRASE_WRONG', `wrong passphrase for ${where} (or the file is corrupt)`);
  } finally {
    derived.fill(0);
  }
  const unencrypted = concatBytes(
    new TextEncoder().encode(OPENSSH_MAGIC),
    wireString(new TextEncoder().encode('none')),
    wireString(new TextEncoder().encode('none')),
    wireString(new Uint8Array(0)),
    wireUint32(1),
    wireString(file.publicBlob),
    wireString(plain),
  );
  plain.fill(0);
  return armour(unencrypted);
}

/**
 * When `bin` (openSshBinary's result) is an encrypted openssh-key-v1 file: the
 * same key, unencrypted and armoured, for formats/openssh.ts to read, the KDF run here
 * (synchronously). Undefined for an unencrypted file; a cipher OpenSSH does
 * not offer is a coded error.
 */
export function decryptOpenSshKeyFile(bin: Uint8Array, where: string, passphrase: string | Uint8Array | undefined): Buffer | undefined {
  const file = encryptedOpenSshKeyOf(bin, where, passphrase);
  if (!file) return undefined;
  const pass = passphraseBytes(passphrase as string | Uint8Array);
  let derived: Uint8Array;
  try {
    derived = bcryptPbkdf(pass, file.salt, file.rounds, file.derivedLength);
  } catch {
    throw new KeyFileError('KEY_FILE_FORMAT', `${where}: bad key derivation parameters`);
  } finally {
    pass.fill(0);
  }
  return decryptWithDerivedKey(file, derived, where);
}

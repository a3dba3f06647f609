/**
 * OpenSSH's private key format (openssh-key-v1, `-----BEGIN OPENSSH PRIVATE
 * KEY-----`): an encrypted file is decrypted by openssh-decrypt.ts, then the
 * unencrypted file is read: a well-formed Ed25519 key here (ed25519KeyOfFile),
 * anything else by sshpk, which says what is wrong with it. Loading sshpk
 * costs ~35-60 ms of CPU, which a CLI run opening an Ed25519 key no longer
 * pays (and which competed with the KDF workers for the cores).
 * Only Ed25519 keys are accepted.
 */
import { createRequire } from 'node:module';
import type sshpkTypes from 'sshpk';
import { KeyFileError } from '../../errors.js';
import { LocalSigningKey } from '../signing-key.js';
import { decryptOpenSshKeyFile, openSshBinary } from '../openssh-decrypt.js';
import { WireReader } from '../../ssh/wire.js';
import { readOpenSshHeader } from './openssh-header.js';

/** The end of every "not Ed25519" message: cryptosign is Ed25519. */
export const NOT_ED25519 = 'cryptosign needs an Ed25519 key (ssh-keygen -t ed25519)';

// loaded on first use: a CLI run with a seed never pays for it
let sshpk: typeof sshpkTypes | undefined;
/** sshpk, loaded on first use (only for files ed25519KeyOfFile does not read). */
export function loadSshpk(): typeof sshpkTypes {
  sshpk ??= createRequire(import.meta.url)('sshpk') as typeof sshpkTypes;
  return sshpk;
}

/** The key in an OpenSSH private key file; `where` names the file in messages. */
export function readOpenSshPrivateKey(data: Uint8Array, where: string, passphrase?: string | Uint8Array): LocalSigningKey {
  // the armour is decoded once, here (undefined: not an openssh-key-v1 file, which sshpk then names)
  return readDecodedOpenSshPrivateKey(openSshBinary(Buffer.from(data).toString('latin1')), data, where, passphrase);
}

/** readOpenSshPrivateKey when the armour of `data` is decoded already: `bin` is openSshBinary's result for it (wiped here). */
export function readDecodedOpenSshPrivateKey(bin: Uint8Array | undefined, data: Uint8Array, where: string, passphrase?: string | Uint8Array): LocalSigningKey {
  let key: sshpkTypes.PrivateKey;
  // an encrypted file is decrypted here (every cipher OpenSSH offers, our faster KDF) or refused with a
  // coded error: sshpk only ever sees an unencrypted openssh-key-v1 file, and only parses it. (This only
  // throws for an encrypted file, whose binary holds nothing in the clear that needs wiping.)
  const unencrypted = bin && decryptOpenSshKeyFile(bin, where, passphrase);
  try {
    const ed25519 = unencrypted ? ed25519KeyOfFile(unencrypted) : bin && ed25519KeyOfBinary(bin);
    if (ed25519) {
      try {
        return signingKeyOf(new Uint8Array(ed25519.seed), ed25519.pub, ed25519.comment, where);
      } finally {
        ed25519.seed.fill(0);
      }
    }
    key = loadSshpk().parsePrivateKey(Buffer.from(unencrypted ?? data), 'openssh');
  } catch (e) {
    const err = e as Error;
    if (/unsupported|unknown/i.test(err.message)) {
      throw new KeyFileError('KEY_FILE_FORMAT', `${where}: ${oneLine(err.message, where)}`);
    }
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} is not a valid OpenSSH private key file`);
  } finally {
    unencrypted?.fill(0);
    bin?.fill(0);
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
  return signingKeyOf(new Uint8Array(seed), pub, key.comment, where);
}

function signingKeyOf(seed: Uint8Array, pub: Uint8Array, comment: string | undefined, where: string): LocalSigningKey {
  const signing = new LocalSigningKey('file', seed, comment && comment !== '(unnamed)' ? comment : '');
  if (!Buffer.from(signing.publicKey).equals(pub)) {
    throw new KeyFileError('KEY_FILE_FORMAT', `${where} is corrupt: its public key does not match its private key`);
  }
  return signing;
}

/**
 * An unencrypted openssh-key-v1 file holding one well-formed Ed25519 key
 * (as sshkey.c writes it: header with cipher and KDF "none", the public key
 * blob, then the private section: two equal check integers, "ssh-ed25519",
 * the 32-byte public key, the 64-byte seed || public key, the comment, and
 * padding 1, 2, 3, …): its seed (wipe it), public key and comment (UTF-8, as
 * sshpk decodes it). Undefined for anything else, which sshpk then reads
 * (and names what is wrong), so that this only ever accepts what sshpk would.
 */
export function ed25519KeyOfFile(armoured: Uint8Array): { seed: Uint8Array; pub: Uint8Array; comment: string } | undefined {
  const bin = openSshBinary(Buffer.from(armoured).toString('latin1'));
  if (!bin) return undefined;
  try {
    return ed25519KeyOfBinary(bin);
  } finally {
    bin.fill(0);
  }
}

/** ed25519KeyOfFile for the binary of the file (openSshBinary's result); the caller wipes `bin`. */
function ed25519KeyOfBinary(bin: Uint8Array): { seed: Uint8Array; pub: Uint8Array; comment: string } | undefined {
  const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');
  const { header } = readOpenSshHeader(bin);
  if (!header || header.cipher !== 'none' || header.kdf !== 'none' || header.kdfOptions.length !== 0) return undefined;
  if (header.privateSection === undefined || header.trailer.length !== 0) return undefined;
  try {
    const blob = new WireReader(header.publicBlob);
    if (text(blob.string()) !== 'ssh-ed25519') return undefined;
    const blobPub = blob.string();
    blob.end();
    const p = new WireReader(header.privateSection);
    if (p.uint32() !== p.uint32() || text(p.string()) !== 'ssh-ed25519') return undefined;
    const pub = p.string();
    const priv = p.string();
    const comment = Buffer.from(p.string()).toString('utf8');
    const padding = p.rest();
    if (pub.length !== 32 || priv.length !== 64 || !Buffer.from(pub).equals(blobPub) || !Buffer.from(priv.subarray(32)).equals(pub)) return undefined;
    if (padding.length >= 16 || padding.some((b, i) => b !== i + 1)) return undefined;
    return { seed: new Uint8Array(priv.subarray(0, 32)), pub: new Uint8Array(pub), comment };
  } catch {
    return undefined;
  }
}

/** sshpk's messages name the file "(unnamed)"; keep them one line and about our file. */
function oneLine(message: string, where: string): string {
  return message.replace(/\(unnamed\)/g, where).replace(/\s+/g, ' ').slice(0, 200);
}

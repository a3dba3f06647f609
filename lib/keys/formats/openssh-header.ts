/**
 * The clear header of an openssh-key-v1 file (OpenSSH's PROTOCOL.key): the
 * magic "openssh-key-v1\0", the cipher name, the KDF name and options, the
 * number of keys (one: the only count OpenSSH writes), the public key blob,
 * then the private section (encrypted unless the cipher is "none") and, for an
 * authenticated cipher, its tag. The one reader of that layout for the
 * public-key reader (key-file-public-key.ts), the decryption
 * (openssh-decrypt.ts) and the unencrypted Ed25519 reader (formats/openssh.ts);
 * what each one accepts or refuses is its own business.
 */
import { WireReader } from '../../ssh/wire.js';

export const OPENSSH_MAGIC = 'openssh-key-v1\0';

export interface OpenSshHeader {
  /** the cipher name (read as latin1); "none" for an unencrypted file */
  cipher: string;
  /** the KDF name (latin1); "none" for an unencrypted file, "bcrypt" otherwise */
  kdf: string;
  kdfOptions: Uint8Array;
  publicBlob: Uint8Array;
  /** the private section; undefined when the file ends (or is malformed) before it */
  privateSection: Uint8Array | undefined;
  /** everything after the private section (an authenticated cipher's tag); empty when there is no private section */
  trailer: Uint8Array;
}

/**
 * The header of the binary of an openssh-key-v1 file (openSshBinary's
 * result; nothing is copied, the fields are views of `bin`). `header` is
 * undefined when the magic, the names, the KDF options or the public key blob
 * are malformed, or the file does not hold exactly one key; `cipher` is the
 * cipher name whenever the binary got that far (a caller can tell an
 * unencrypted file from an encrypted one even when the rest is malformed).
 */
export function readOpenSshHeader(bin: Uint8Array): { cipher: string | undefined; header: OpenSshHeader | undefined } {
  const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
  if (latin1(bin.subarray(0, OPENSSH_MAGIC.length)) !== OPENSSH_MAGIC) return { cipher: undefined, header: undefined };
  const r = new WireReader(bin.subarray(OPENSSH_MAGIC.length));
  let cipher: string | undefined;
  try {
    cipher = latin1(r.string());
    const kdf = latin1(r.string());
    const kdfOptions = r.string();
    if (r.uint32() !== 1) return { cipher, header: undefined };
    const publicBlob = r.string();
    let privateSection: Uint8Array | undefined;
    let trailer: Uint8Array = new Uint8Array(0);
    try {
      privateSection = r.string();
      trailer = r.rest();
    } catch {
      privateSection = undefined;
    }
    return { cipher, header: { cipher, kdf, kdfOptions, publicBlob, privateSection, trailer } };
  } catch {
    return { cipher, header: undefined };
  }
}

/**
 * SSH public key blobs (RFC 4253 §6.6 and OpenSSH's extensions): what type,
 * how many bits, the raw Ed25519 key where there is one, the SHA256
 * fingerprint, and the one-line forms `ssh-add -l` and `ssh-add -L` print.
 */
import { createHash } from 'node:crypto';
import { WireError, WireReader, bignumMagnitude, bitLength, concatBytes, wireString } from './wire.js';
import { InputError } from '../errors.js';

export const ED25519_TYPE = 'ssh-ed25519';

/** What an SSH public key blob says about itself. */
export interface PublicKeyInfo {
  /** key type as it appears on the wire, e.g. `ssh-ed25519`, `ssh-rsa-cert-v01@openssh.com` */
  type: string;
  /** `ssh-add -l` label, e.g. ED25519, RSA, ECDSA-SK, ED25519-CERT */
  label: string;
  /** key size as `ssh-add -l` shows it; 0 when unknown */
  bits: number;
  /** the blob as given */
  blob: Uint8Array;
  /** `SHA256:…` of the plain key (for certificates: of the certified key, as OpenSSH does) */
  fingerprint: string;
  /** the 32-byte key for plain ssh-ed25519 keys, the only ones cryptosign can use */
  ed25519?: Uint8Array;
}

export const CERT_SUFFIX = '-cert-v01@openssh.com';

/** The certified key's plain type of a certificate type (`<base>-cert-v01@openssh.com`); undefined for any other type. */
export function certifiedKeyType(type: string): string | undefined {
  return type.endsWith(CERT_SUFFIX) ? type.slice(0, -CERT_SUFFIX.length) : undefined;
}

/** How many wire fields each plain key type carries after its type name. */
export function fieldCount(type: string): number | undefined {
  if (type === 'ssh-rsa') return 2;
  if (type === 'ssh-dss') return 4;
  if (type === 'ssh-ed25519') return 1;
  if (type.startsWith('ecdsa-sha2-')) return 2;
  if (type === 'sk-ssh-ed25519@openssh.com') return 2;
  if (type.startsWith('sk-ecdsa-sha2-')) return 3;
  return undefined;
}

function label(base: string, cert: boolean): string {
  let l: string;
  if (base === 'ssh-rsa') l = 'RSA';
  else if (base === 'ssh-dss') l = 'DSA';
  else if (base === 'ssh-ed25519') l = 'ED25519';
  else if (base.startsWith('ecdsa-sha2-')) l = 'ECDSA';
  else if (base === 'sk-ssh-ed25519@openssh.com') l = 'ED25519-SK';
  else if (base.startsWith('sk-ecdsa-sha2-')) l = 'ECDSA-SK';
  else l = base.toUpperCase();
  return cert ? `${l}-CERT` : l;
}

/** The bignum fields of RSA (e, n) and DSA (p, q, g, y) keys, which sshd reads as bignums (WireError where it refuses one). */
function bignumFields(base: string, fields: readonly Uint8Array[]): Uint8Array[] {
  const names = base === 'ssh-rsa' ? ['RSA exponent', 'RSA modulus'] : base === 'ssh-dss' ? ['DSA p', 'DSA q', 'DSA g', 'DSA public key'] : [];
  return names.map((what, i) => bignumMagnitude(fields[i] as Uint8Array, what));
}

function curveBits(curve: string): number {
  const m = /^nistp(\d+)$/.exec(curve);
  return m ? Number(m[1]) : 0;
}

/** The OpenSSH `SHA256:…` fingerprint of a public key blob (as `ssh-keygen -l` prints it). */
export function fingerprintOfBlob(blob: Uint8Array): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** Parses a public key blob. Throws InputError(INVALID_PUBLIC_KEY) on a malformed one. */
export function parsePublicKeyBlob(blob: Uint8Array): PublicKeyInfo {
  try {
    const r = new WireReader(blob);
    const type = r.utf8();
    const certified = certifiedKeyType(type);
    const cert = certified !== undefined;
    const base = certified ?? type;
    const n = fieldCount(base);
    if (n === undefined) {
      // unknown type: listed, never usable
      return { type, label: label(base, cert), bits: 0, blob, fingerprint: fingerprintOfBlob(blob) };
    }
    const fields = readKeyFields(r, n, cert);
    if (!cert) r.end();
    const f0 = fields[0] as Uint8Array;
    const bignums = bignumFields(base, fields);
    let bits = 0;
    if (base === 'ssh-rsa') bits = bitLength(bignums[1] as Uint8Array);
    else if (base === 'ssh-dss') bits = bitLength(bignums[0] as Uint8Array);
    else if (base === 'ssh-ed25519' || base === 'sk-ssh-ed25519@openssh.com') bits = 256;
    else bits = curveBits(new TextDecoder('utf-8', { ignoreBOM: true }).decode(f0));
    if ((base === 'ssh-ed25519' || base === 'sk-ssh-ed25519@openssh.com') && f0.length !== 32) {
      throw new WireError(`Ed25519 key of ${f0.length} bytes`);
    }
    const plain = cert ? plainBlobOf(base, fields) : blob;
    const info: PublicKeyInfo = { type, label: label(base, cert), bits, blob, fingerprint: fingerprintOfBlob(plain) };
    if (type === ED25519_TYPE) info.ed25519 = new Uint8Array(f0);
    return info;
  } catch (e) {
    if (e instanceof WireError) {
      throw new InputError('INVALID_PUBLIC_KEY', `malformed SSH public key blob (${e.message})`);
    }
    throw e;
  }
}

/**
 * After a certificate's type (`<base>-cert-v01@openssh.com`): skips the nonce, reads the certified
 * key's fields and returns the plain key blob they make (`string base`, the fields). WireError for
 * an unknown base type or a cut-short field.
 */
export function readCertifiedKey(r: WireReader, base: string): Uint8Array {
  const n = fieldCount(base);
  if (n === undefined) throw new WireError(`unknown certified key type ${base}`);
  return plainBlobOf(base, readKeyFields(r, n, true));
}

/** A key's `n` wire fields after its type name; a certificate's after its nonce, which is skipped. */
function readKeyFields(r: WireReader, n: number, cert: boolean): Uint8Array[] {
  if (cert) r.string(); // nonce
  const fields: Uint8Array[] = [];
  for (let i = 0; i < n; i++) fields.push(r.string());
  return fields;
}

/** The plain key blob of a key type and its fields: `string type`, then each field as a string. */
function plainBlobOf(base: string, fields: Uint8Array[]): Uint8Array {
  return concatBytes(wireString(base), ...fields.map((f) => wireString(f)));
}

/** The plain key of a blob: a certificate's certified key (type without -cert-v01, nonce dropped), a plain key as given. Throws as parsePublicKeyBlob. */
export function plainKeyBlob(blob: Uint8Array): Uint8Array {
  try {
    const r = new WireReader(blob);
    const certified = certifiedKeyType(r.utf8());
    return certified === undefined ? blob : readCertifiedKey(r, certified);
  } catch (e) {
    if (e instanceof WireError) throw new InputError('INVALID_PUBLIC_KEY', `malformed SSH certificate blob (${e.message})`);
    throw e;
  }
}

/**
 * A plain key blob as sshd re-encodes it after parsing (sshkey_to_blob): RSA and DSA numbers as
 * minimal mpints (no extra leading zeros), every other type as it is. sshd compares keys by value
 * (sshkey_equal) and hashes fingerprints over this form, so a key written with padded numbers is
 * the same key. A blob that does not parse is returned as it is.
 */
export function canonicalKeyBlob(plain: Uint8Array): Uint8Array {
  try {
    const r = new WireReader(plain);
    // the type's bytes, not decoded: this runs for every key a login checks against revocations
    const t = r.string();
    const type = t.length === 7 && t[0] === 0x73 && t[3] === 0x2d ? String.fromCharCode(...t) : '';
    if (type !== 'ssh-rsa' && type !== 'ssh-dss') return plain;
    const fields = readKeyFields(r, fieldCount(type) as number, false);
    r.end();
    // each number as sshbuf_put_bignum2 writes it: its magnitude, after a zero byte when the top bit is set
    return plainBlobOf(type, bignumFields(type, fields).map((m) => (m.length > 0 && ((m[0] as number) & 0x80) !== 0 ? concatBytes(new Uint8Array(1), m) : m)));
  } catch (e) {
    if (e instanceof WireError) return plain;
    throw e;
  }
}

/** The SSH wire blob (`string "ssh-ed25519"`, `string key`) of a 32-byte Ed25519 public key. */
export function ed25519Blob(publicKey: Uint8Array): Uint8Array {
  return concatBytes(wireString(ED25519_TYPE), wireString(publicKey));
}

// what every plain Ed25519 blob starts with: string "ssh-ed25519", then the uint32 length 32
const ED25519_BLOB_PREFIX = ed25519Blob(new Uint8Array(32)).subarray(0, -32);

/** The 32-byte key of a plain `ssh-ed25519` blob (a view into it), or undefined for any other blob. */
export function ed25519KeyOfBlob(blob: Uint8Array): Uint8Array | undefined {
  if (blob.length !== ED25519_BLOB_PREFIX.length + 32) return undefined;
  for (let i = 0; i < ED25519_BLOB_PREFIX.length; i++) if (blob[i] !== ED25519_BLOB_PREFIX[i]) return undefined;
  return blob.subarray(ED25519_BLOB_PREFIX.length);
}

/** The line `ssh-add -l` prints: `256 SHA256:… comment (ED25519)`. */
export function fingerprintLine(info: PublicKeyInfo, comment: string): string {
  return `${info.bits} ${info.fingerprint} ${comment} (${info.label})`;
}

/** The line `ssh-add -L` prints: `ssh-ed25519 AAAA… comment`. */
export function publicKeyLine(info: PublicKeyInfo, comment: string): string {
  const b64 = Buffer.from(info.blob).toString('base64');
  return comment ? `${info.type} ${b64} ${comment}` : `${info.type} ${b64}`;
}

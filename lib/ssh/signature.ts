/**
 * SSH signature blobs (RFC 4253 §6.6, RFC 5656 §3.1.2, RFC 8332, RFC 8709)
 * verified with node:crypto for a CA's public key blob: what a certificate's
 * or a KRL's signature needs. Ed25519 goes through the strict libsodium rules
 * (crypto/ed25519.ts); ECDSA nistp256/384/521 (mpint r, s → IEEE P1363);
 * RSA with rsa-sha2-256/512 and, only when the caller allows it, ssh-rsa
 * (SHA-1). The signature's algorithm must belong to the key's type, as
 * sshkey_verify requires. Security keys (sk-*) and DSA are not verified here.
 */
import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { VerifyKey } from '../crypto/ed25519.js';
import { bignumMagnitude, bitLength, WireError, WireReader } from './wire.js';

/** The signature algorithms a key type may sign with. */
export function signatureAlgorithmsFor(keyType: string): readonly string[] {
  if (keyType === 'ssh-ed25519') return ['ssh-ed25519'];
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  if (/^ecdsa-sha2-nistp(256|384|521)$/.test(keyType)) return [keyType];
  return [];
}

const CURVES: Record<string, { crv: string; size: number; hash: string }> = {
  nistp256: { crv: 'P-256', size: 32, hash: 'sha256' },
  nistp384: { crv: 'P-384', size: 48, hash: 'sha384' },
  nistp521: { crv: 'P-521', size: 66, hash: 'sha512' },
};

/** OpenSSH's smallest RSA modulus (SSH_RSA_MINIMUM_MODULUS_SIZE); the largest, 16384 bits, is bignumMagnitude's bound. */
export const RSA_MIN_BITS = 1024;

function padTo(mag: Uint8Array, size: number, what: string): Buffer {
  if (mag.length > size) throw new WireError(`${what} is longer than ${size} bytes`);
  const out = Buffer.alloc(size);
  out.set(mag, size - mag.length);
  return out;
}

/** A CA (or KRL signer) public key decoded once for verification. */
export class SshVerifyKey {
  readonly type: string;
  readonly #ed25519?: VerifyKey;
  readonly #key?: KeyObject;
  readonly #curve?: { crv: string; size: number; hash: string };
  readonly #rsaBytes: number = 0;

  /** Throws WireError for a blob that is malformed or of a type this package does not verify. */
  constructor(blob: Uint8Array) {
    const r = new WireReader(blob);
    this.type = r.utf8();
    if (this.type === 'ssh-ed25519') {
      const pk = r.string();
      r.end();
      if (pk.length !== 32) throw new WireError(`Ed25519 key of ${pk.length} bytes`);
      try {
        this.#ed25519 = new VerifyKey(pk);
      } catch (e) {
        throw new WireError((e as Error).message);
      }
    } else if (this.type === 'ssh-rsa') {
      const e = bignumMagnitude(r.string(), 'RSA exponent');
      const n = bignumMagnitude(r.string(), 'RSA modulus');
      r.end();
      const bits = bitLength(n);
      if (bits < RSA_MIN_BITS) throw new WireError(`RSA key of ${bits} bits, below OpenSSH's minimum of ${RSA_MIN_BITS}`);
      if (e.length === 0) throw new WireError('RSA exponent is zero');
      this.#rsaBytes = n.length;
      this.#key = createPublicKey({
        key: { kty: 'RSA', n: Buffer.from(n).toString('base64url'), e: Buffer.from(e).toString('base64url') },
        format: 'jwk',
      });
    } else if (this.type.startsWith('ecdsa-sha2-')) {
      const name = this.type.slice('ecdsa-sha2-'.length);
      const curve = CURVES[name];
      if (!curve) throw new WireError(`unknown ECDSA curve ${name}`);
      const curveName = r.utf8();
      const point = r.string();
      r.end();
      if (curveName !== name) throw new WireError(`${this.type} key names curve ${curveName}`);
      if (point.length !== 1 + 2 * curve.size || point[0] !== 4) throw new WireError('ECDSA point is not an uncompressed point of its curve');
      this.#curve = curve;
      try {
        this.#key = createPublicKey({
          key: {
            kty: 'EC',
            crv: curve.crv,
            x: Buffer.from(point.subarray(1, 1 + curve.size)).toString('base64url'),
            y: Buffer.from(point.subarray(1 + curve.size)).toString('base64url'),
          },
          format: 'jwk',
        });
      } catch {
        throw new WireError('ECDSA point is not on its curve');
      }
    } else {
      throw new WireError(`${this.type} keys are not supported as signers`);
    }
  }

  /**
   * Verifies an SSH signature blob over `data`. Returns the signature
   * algorithm when it verifies, undefined when it does not (or is malformed,
   * or uses an algorithm this key type cannot sign with).
   */
  verify(data: Uint8Array, signatureBlob: Uint8Array): string | undefined {
    try {
      const r = new WireReader(signatureBlob);
      const alg = r.utf8();
      const sig = r.string();
      r.end();
      if (!signatureAlgorithmsFor(this.type).includes(alg)) return undefined;
      if (this.#ed25519) return this.#ed25519.verify(data, sig) ? alg : undefined;
      if (this.#curve) {
        const inner = new WireReader(sig);
        const rr = bignumMagnitude(inner.string(), 'ECDSA r');
        const ss = bignumMagnitude(inner.string(), 'ECDSA s');
        inner.end();
        if (rr.length === 0 || ss.length === 0) return undefined;
        const size = this.#curve.size;
        const p1363 = Buffer.concat([padTo(rr, size, 'ECDSA r'), padTo(ss, size, 'ECDSA s')]);
        return nodeVerify(this.#curve.hash, data, { key: this.#key as KeyObject, dsaEncoding: 'ieee-p1363' }, p1363) ? alg : undefined;
      }
      // RSA: ssh-rsa.c left-pads a short signature to the modulus length and refuses a longer one
      if (sig.length > this.#rsaBytes) return undefined;
      const full = padTo(sig, this.#rsaBytes, 'RSA signature');
      const hash = alg === 'rsa-sha2-512' ? 'sha512' : alg === 'rsa-sha2-256' ? 'sha256' : 'sha1';
      return nodeVerify(hash, data, this.#key as KeyObject, full) ? alg : undefined;
    } catch (e) {
      if (e instanceof WireError) return undefined;
      throw e;
    }
  }
}

/**
 * Ed25519 through node:crypto (OpenSSL), with libsodium's verification rules.
 *
 * Signing: node:crypto signs several times faster than the pure-JS
 * implementations (see `npm run bench`) and keeps the private key inside a
 * KeyObject.
 *
 * Verifying: OpenSSL alone accepts signatures that libsodium's
 * crypto_sign_verify_detached refuses, among them forgeries made without any
 * private key for small-order public keys. `VerifyKey` applies libsodium's
 * rules: the public key must be a canonical encoding of a curve point that is
 * not of small order (checked once, when the key is made), R must not be of
 * small order and S must be below the group order L (checked per signature);
 * the equation itself ([S]B = R + [k]A, cofactorless, R compared as bytes)
 * is OpenSSL's, on a KeyObject decoded once — or, when the optional peer
 * dependency `sodium-native` is installed, libsodium's own
 * crypto_sign_verify_detached (about half OpenSSL's time; same decisions).
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';

interface Sodium {
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}
let sodium: Sodium | null | undefined;
let backendChoice: 'auto' | 'openssl' = 'auto';
function loadSodium(): Sodium | null {
  if (backendChoice === 'openssl') return null;
  if (sodium === undefined) {
    try {
      sodium = createRequire(import.meta.url)('sodium-native') as Sodium;
    } catch {
      sodium = null; // not installed (or no prebuilt binary here): OpenSSL it is
    }
  }
  return sodium;
}

/** Which library checks the Ed25519 equation: 'libsodium' (sodium-native installed) or 'openssl'. */
export function verifyBackend(): 'libsodium' | 'openssl' {
  return loadSodium() ? 'libsodium' : 'openssl';
}

/** For tests and benchmarks: force OpenSSL, or go back to the automatic choice. */
export function setVerifyBackend(choice: 'auto' | 'openssl'): void {
  backendChoice = choice;
}
import { InputError } from '../errors.js';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function rawPublicKey(key: KeyObject): Uint8Array {
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(spki.length - 32));
}

export function rawSeed(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.d as string, 'base64url'));
}

export function signEd25519(key: KeyObject, data: Uint8Array): Uint8Array {
  return sign(null, data, key); // a Buffer: a Uint8Array, not copied
}

// ---- libsodium's point and scalar rules -------------------------------------------------

const P = 2n ** 255n - 19n;
/** the order of the prime subgroup, little-endian */
const L_BYTES = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');

/**
 * The encodings of the points of small order (1, 2, 4, 8), as libsodium lists
 * them (ge25519_has_small_order): y with the sign bit ignored. p and p+1 are the
 * non-canonical encodings of 0 and 1.
 */
const SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000', // y = 0, order 4
  '0100000000000000000000000000000000000000000000000000000000000000', // y = 1, the identity
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p - 1, order 2
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p (= 0), order 4
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p + 1 (= 1), order 1
].map((h) => Buffer.from(h, 'hex'));

/** Is this point encoding one of the small-order points (sign bit ignored)? */
export function hasSmallOrder(encoding: Uint8Array): boolean {
  outer: for (const bad of SMALL_ORDER) {
    for (let i = 0; i < 31; i++) if (encoding[i] !== bad[i]) continue outer;
    if (((encoding[31] as number) & 0x7f) === bad[31]) return true;
  }
  return false;
}

function yOf(encoding: Uint8Array): bigint {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(encoding[i] as number);
  return y & (2n ** 255n - 1n);
}

/** Is y (sign bit ignored) below p? */
export function isCanonicalPoint(encoding: Uint8Array): boolean {
  return yOf(encoding) < P;
}

/** the curve constant d = −121665/121666 mod p */
const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;

/** x^(2^n) mod p */
function pow2k(x: bigint, n: number): bigint {
  for (let i = 0; i < n; i++) x = (x * x) % P;
  return x;
}

/** Euler's criterion with one addition chain: w^((p−1)/2) = w^(2^254 − 10) mod p (1: a square, 0: zero, p−1: not a square). */
function legendre(w: bigint): bigint {
  const x2 = (w * w) % P;
  const b2 = (x2 * w) % P; // 2^2 − 1
  const b4 = (pow2k(b2, 2) * b2) % P; // 2^4 − 1
  const b5 = (pow2k(b4, 1) * w) % P; // 2^5 − 1
  const b10 = (pow2k(b5, 5) * b5) % P;
  const b20 = (pow2k(b10, 10) * b10) % P;
  const b40 = (pow2k(b20, 20) * b20) % P;
  const b80 = (pow2k(b40, 40) * b40) % P;
  const b160 = (pow2k(b80, 80) * b80) % P;
  const b240 = (pow2k(b160, 80) * b80) % P;
  const b250 = (pow2k(b240, 10) * b10) % P; // 2^250 − 1
  const x6 = (((x2 * x2) % P) * x2) % P;
  return (pow2k(b250, 4) * x6) % P; // 2^254 − 16 + 6
}

/**
 * Does the (canonical) encoding decode to a point of the curve? x² = u / v
 * with u = y² − 1, v = d·y² + 1 (never 0) must have a root, that is u·v must
 * be a square: one exponentiation (about 4 times faster than inverting v and
 * then testing u/v; see bench/authorized-keys.ts).
 */
export function isOnCurve(encoding: Uint8Array): boolean {
  const y = yOf(encoding);
  const y2 = (y * y) % P;
  const u = (y2 - 1n + P) % P;
  if (u === 0n) return ((encoding[31] as number) & 0x80) === 0; // x = 0 has no negative
  const v = (D * y2 + 1n) % P;
  return legendre((u * v) % P) === 1n;
}

/** Is the 32-byte little-endian scalar below L? */
export function isCanonicalScalar(s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const a = s[i] as number;
    const b = L_BYTES[i] as number;
    if (a !== b) return a < b;
  }
  return false; // equal to L
}

/** Why libsodium would refuse this public key, or undefined when it is acceptable. */
export function publicKeyProblem(publicKey: Uint8Array): string | undefined {
  if (publicKey.length !== 32) return `it is ${publicKey.length} bytes, not 32`;
  if (!isCanonicalPoint(publicKey)) return 'it is not a canonical point encoding';
  if (hasSmallOrder(publicKey)) return 'it is a point of small order, for which anyone can forge signatures';
  if (!isOnCurve(publicKey)) return 'it is not a point on the curve';
  return undefined;
}

/**
 * An Ed25519 public key checked once and decoded once, for any number of
 * strict verifications. Throws InputError(INVALID_PUBLIC_KEY) for a key
 * libsodium would refuse.
 */
export class VerifyKey {
  readonly publicKey: Uint8Array;
  readonly #key: KeyObject;

  constructor(publicKey: Uint8Array) {
    const problem = publicKeyProblem(publicKey);
    if (problem) throw new InputError('INVALID_PUBLIC_KEY', `the Ed25519 public key is refused: ${problem}`);
    this.publicKey = new Uint8Array(publicKey);
    this.#key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  }

  /** libsodium's crypto_sign_verify_detached: false for anything it would refuse. */
  verify(data: Uint8Array, signature: Uint8Array): boolean {
    if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
    const r = signature.subarray(0, 32);
    if (hasSmallOrder(r)) return false;
    if (!isCanonicalScalar(signature.subarray(32))) return false;
    const lib = loadSodium();
    if (lib) return lib.crypto_sign_verify_detached(signature, data, this.publicKey);
    return verify(null, data, this.#key, signature);
  }
}

/** Strict verification with a key given as bytes (checked and decoded on every call: keep a VerifyKey instead). */
export function verifyEd25519Strict(publicKey: Uint8Array | VerifyKey, data: Uint8Array, signature: Uint8Array): boolean {
  const key = publicKey instanceof VerifyKey ? publicKey : new VerifyKey(publicKey);
  return key.verify(data, signature);
}

/**
 * WAMP-CRA, the other WAMP challenge method, byte-compatible with
 * autobahn-python's `derive_key`/`compute_wcs` and autobahn-js's
 * `auth_cra.derive_key`/`auth_cra.sign`: PBKDF2-HMAC-SHA256 and
 * HMAC-SHA256, base64-encoded.
 */
import { createHmac, pbkdf2Sync } from 'node:crypto';
import { InputError } from '../errors.js';

function bytes(value: unknown, what: string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value);
  throw new InputError('INVALID_ARGUMENT', `${what} must be a string or bytes`);
}

/** The derived key (base64), as autobahn returns it: use it as the `key` of computeWcs. */
export function deriveKey(secret: string | Uint8Array, salt: string | Uint8Array, iterations = 1000, keylen = 32): string {
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new InputError('INVALID_ARGUMENT', `iterations must be a positive integer, got ${String(iterations)}`);
  }
  if (!Number.isSafeInteger(keylen) || keylen < 1 || keylen > 1024) {
    throw new InputError('INVALID_ARGUMENT', `keylen must be an integer from 1 to 1024, got ${String(keylen)}`);
  }
  return pbkdf2Sync(bytes(secret, 'secret'), bytes(salt, 'salt'), iterations, keylen, 'sha256').toString('base64');
}

/** The WAMP-CRA signature (base64) of `challenge` under `key` (the secret, or deriveKey's result). */
export function computeWcs(key: string | Uint8Array, challenge: string | Uint8Array): string {
  return createHmac('sha256', bytes(key, 'key')).update(bytes(challenge, 'challenge')).digest('base64');
}

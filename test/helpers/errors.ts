import assert from 'node:assert/strict';
import { CryptosignKeysError, type ErrorCode } from '../../lib/errors.js';

/** Asserts that `fn` throws (or rejects with) a library error with this code. */
export async function expectCode(fn: () => unknown, code: ErrorCode, message?: RegExp): Promise<CryptosignKeysError> {
  let thrown: unknown;
  try {
    await fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof CryptosignKeysError, `expected a CryptosignKeysError ${code}, got ${String(thrown)}`);
  assert.equal(thrown.code, code, `code (message: ${thrown.message})`);
  assert.doesNotMatch(thrown.message, /\n/, 'one-line message');
  if (message) assert.match(thrown.message, message);
  return thrown;
}

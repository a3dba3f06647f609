/**
 * The public-key point check (one addition chain for Euler's criterion) gives
 * the same answer as @noble/ed25519's point decoding for random encodings,
 * canonical or not, on the curve or not.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Point } from '@noble/ed25519';
import { isCanonicalPoint, isOnCurve } from '../lib/crypto/ed25519.js';

test('isOnCurve agrees with noble on 400 random encodings', () => {
  let onCurve = 0;
  for (let i = 0; i < 400; i++) {
    const e = new Uint8Array(randomBytes(32));
    if (!isCanonicalPoint(e)) continue;
    let noble: boolean;
    try {
      Point.fromHex(Buffer.from(e).toString('hex'));
      noble = true;
    } catch {
      noble = false;
    }
    assert.equal(isOnCurve(e), noble, Buffer.from(e).toString('hex'));
    if (noble) onCurve++;
  }
  assert.ok(onCurve > 100 && onCurve < 300, `about half decode (${onCurve})`);
});

/**
 * Our bcrypt_pbkdf equals the bcrypt-pbkdf module sshpk uses (a port of
 * OpenBSD's C) on random passphrases, salts, round counts and key lengths;
 * the Blowfish constants stored in the module are pi's digits, recomputed.
 * (Keys from the real ssh-keygen decrypting through it: key-file-ciphers.)
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { bcryptPbkdf, computePiWords, storedPiWords } from '../lib/crypto/bcrypt-pbkdf.js';

const reference = createRequire(import.meta.url)('bcrypt-pbkdf') as {
  pbkdf(pass: Uint8Array, passlen: number, salt: Uint8Array, saltlen: number, key: Uint8Array, keylen: number, rounds: number): number;
};

test('bcrypt_pbkdf equals the reference module on random inputs', () => {
  for (let i = 0; i < 12; i++) {
    const pass = new Uint8Array(randomBytes(1 + i * 7));
    const salt = new Uint8Array(randomBytes(1 + ((i * 5) % 32)));
    const rounds = 1 + (i % 3);
    const keyLength = [16, 32, 40, 48, 64, 88][i % 6] as number;
    const theirs = new Uint8Array(keyLength);
    assert.equal(reference.pbkdf(pass, pass.length, salt, salt.length, theirs, keyLength, rounds), 0);
    assert.equal(Buffer.from(bcryptPbkdf(pass, salt, rounds, keyLength)).toString('hex'), Buffer.from(theirs).toString('hex'), `case ${i}`);
  }
});

test('the stored Blowfish constants are the digits of pi (recomputed with BigInt)', () => {
  const words = computePiWords();
  assert.equal(words[0], 0x243f6a88);
  assert.equal(words[1], 0x85a308d3);
  assert.deepEqual(Array.from(storedPiWords()), Array.from(words));
});

test('bcrypt_pbkdf refuses what OpenBSD refuses: empty passphrase or salt, no rounds, key length 0 or over 1024', () => {
  const one = new Uint8Array(1);
  for (const [pass, salt, rounds, len] of [[new Uint8Array(0), one, 1, 32], [one, new Uint8Array(0), 1, 32], [one, one, 0, 32], [one, one, 1, 0], [one, one, 1, 1025]] as const) {
    assert.throws(() => bcryptPbkdf(pass, salt, rounds, len), RangeError);
  }
});

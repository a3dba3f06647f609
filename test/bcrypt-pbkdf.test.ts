/**
 * Our bcrypt_pbkdf equals the bcrypt-pbkdf module sshpk uses (a port of
 * OpenBSD's C) on random passphrases, salts, round counts and key lengths,
 * with either Blowfish core (WebAssembly, JavaScript) and with its chains
 * computed in 1, 2 or 3 worker threads; the Blowfish constants stored in the
 * module are pi's digits, recomputed; the stored WebAssembly bytes are what
 * scripts/blowfish-wasm.mjs assembles. (Keys from the real ssh-keygen
 * decrypting through it: key-file-ciphers.)
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { bcryptPbkdf, bcryptPbkdfBlocks, computePiWords, storedPiWords } from '../lib/crypto/bcrypt-pbkdf.js';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { bcryptPbkdfInWorkers, prestartBcryptWorkers, setBcryptWorkerIdleMs } from '../lib/crypto/bcrypt-pbkdf-workers.js';
import { fixture, fixtureCopy, ROOT, tempDir } from './helpers/paths.js';

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
    assert.equal(Buffer.from(bcryptPbkdf(pass, salt, rounds, keyLength, 'js')).toString('hex'), Buffer.from(theirs).toString('hex'), `case ${i}, js`);
  }
});

test('property: the WebAssembly and JavaScript cores and 1, 2 or 3 workers all give the reference module\'s bytes', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ minLength: 1, maxLength: 80 }),
      fc.uint8Array({ minLength: 1, maxLength: 40 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 100 }),
      fc.integer({ min: 1, max: 3 }),
      async (pass, salt, rounds, keyLength, parallelism) => {
        const theirs = new Uint8Array(keyLength);
        assert.equal(reference.pbkdf(pass, pass.length, salt, salt.length, theirs, keyLength, rounds), 0);
        const want = Buffer.from(theirs).toString('hex');
        assert.equal(Buffer.from(bcryptPbkdf(pass, salt, rounds, keyLength, 'wasm')).toString('hex'), want);
        assert.equal(Buffer.from(bcryptPbkdf(pass, salt, rounds, keyLength, 'js')).toString('hex'), want);
        assert.equal(Buffer.from(await bcryptPbkdfInWorkers(pass, salt, rounds, keyLength, { parallelism })).toString('hex'), want);
      },
    ),
    { numRuns: 12 },
  );
});

test('a chain computed alone is the same block as in the whole key (the chains are independent)', () => {
  const pass = new Uint8Array(randomBytes(20));
  const salt = new Uint8Array(randomBytes(16));
  const all = bcryptPbkdfBlocks(pass, salt, 2, [1, 2, 3]);
  assert.deepEqual(bcryptPbkdfBlocks(pass, salt, 2, [3]), all.subarray(64));
  assert.deepEqual(bcryptPbkdfBlocks(pass, salt, 2, [2], 'js'), all.subarray(32, 64));
  assert.throws(() => bcryptPbkdfBlocks(pass, salt, 2, [0]), RangeError);
});

test('the worker pool: prestarted workers, and more jobs at once than workers (queued), give the reference bytes', async () => {
  prestartBcryptWorkers();
  const cases = Array.from({ length: 5 }, (_, i) => ({ pass: new Uint8Array(randomBytes(8 + i)), salt: new Uint8Array(randomBytes(16)), rounds: 1 + (i % 2), keyLength: [48, 64, 100, 32, 130][i] as number }));
  const got = await Promise.all(cases.map((c) => bcryptPbkdfInWorkers(c.pass, c.salt, c.rounds, c.keyLength)));
  cases.forEach((c, i) => {
    const theirs = new Uint8Array(c.keyLength);
    assert.equal(reference.pbkdf(c.pass, c.pass.length, c.salt, c.salt.length, theirs, c.keyLength, c.rounds), 0);
    assert.deepEqual(got[i], theirs, `case ${i}`);
  });
});

test('a job that comes just as an idle worker is being stopped goes to a live worker (the stopping one has left the pool)', async () => {
  setBcryptWorkerIdleMs(30);
  try {
    const pass = new Uint8Array(randomBytes(12));
    const salt = new Uint8Array(randomBytes(16));
    const theirs = new Uint8Array(48);
    assert.equal(reference.pbkdf(pass, pass.length, salt, salt.length, theirs, 48, 1), 0);
    await bcryptPbkdfInWorkers(pass, salt, 1, 48); // every pool worker idle from here: their 30 ms timers start now
    // a timer of the same length made after theirs runs right after them: the workers' terminate() has begun
    const got = await new Promise<Uint8Array>((resolve, reject) => setTimeout(() => bcryptPbkdfInWorkers(pass, salt, 1, 48).then(resolve, reject), 30));
    assert.deepEqual(got, theirs);
  } finally {
    setBcryptWorkerIdleMs(5000);
  }
});

test('the longest key bcrypt_pbkdf makes (1024 bytes: 32 chains, two lanes and workers) equals the reference module', async () => {
  const pass = new Uint8Array(randomBytes(20));
  const salt = new Uint8Array(randomBytes(16));
  const theirs = new Uint8Array(1024);
  assert.equal(reference.pbkdf(pass, pass.length, salt, salt.length, theirs, 1024, 2), 0);
  assert.deepEqual(bcryptPbkdf(pass, salt, 2, 1024), theirs);
  assert.deepEqual(await bcryptPbkdfInWorkers(pass, salt, 2, 1024), theirs);
  assert.deepEqual(await bcryptPbkdfInWorkers(pass, salt, 2, 1024, { parallelism: 3 }), theirs);
});

test('a process that opened an encrypted key file (its KDF workers idle in the pool) exits by itself', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const key = fixtureCopy(dir, 'ed25519-encrypted');
    // idle workers kept an hour: if one held the process, it would not exit (and the test would time out)
    const script = `import { openKeyFile } from ${JSON.stringify(join(ROOT, 'dist/lib/index.js'))};
import { setBcryptWorkerIdleMs } from ${JSON.stringify(join(ROOT, 'dist/lib/crypto/bcrypt-pbkdf-workers.js'))};
setBcryptWorkerIdleMs(3_600_000);
const key = await openKeyFile(${JSON.stringify(key)}, { passphrase: ${JSON.stringify(readFileSync(fixture('ed25519-encrypted.passphrase'), 'utf8').split('\n')[0])} });
console.log(key.publicKeyHex);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.match(stdout, /^[0-9a-f]{64}\n$/);
  } finally {
    cleanup();
  }
});

test('workers refuse what bcrypt_pbkdf refuses, before starting any', async () => {
  await assert.rejects(bcryptPbkdfInWorkers(new Uint8Array(0), new Uint8Array(1), 1, 32), RangeError);
  await assert.rejects(bcryptPbkdfInWorkers(new Uint8Array(1), new Uint8Array(1), 0, 32), RangeError);
});

test('the stored WebAssembly Blowfish core is what scripts/blowfish-wasm.mjs assembles', () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/blowfish-wasm.mjs'), '--check'], { stdio: 'pipe' });
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

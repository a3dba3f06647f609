/**
 * Every cipher `ssh -Q cipher` lists, as `ssh-keygen -Z` writes Ed25519 key
 * files with it (keys made here by the real ssh-keygen): the key loads with
 * the right passphrase and matches its .pub, signs a challenge that verifies;
 * a wrong passphrase, no passphrase and (for the AEAD ciphers) a flipped
 * ciphertext byte are refused with their codes. Plus Poly1305's RFC 8439 vector.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { poly1305 } from '../lib/crypto/chacha20-poly1305.js';
import { loadKeyFile, openKeyFile } from '../lib/keys/openssh-key-file.js';
import { signChallenge, verifyChallengeSignature } from '../lib/wamp/challenge.js';
import { tempDir } from './helpers/paths.js';
import { runProcess } from './helpers/run-process.js';

const tmp = tempDir();
after(() => tmp.cleanup());
const CIPHERS = execFileSync('ssh', ['-Q', 'cipher'], { encoding: 'utf8' }).trim().split('\n');
const PASS = 'pässphrase ✓';

test('ssh -Q cipher lists the ciphers OpenSSH 9 offers, AEAD ones among them', () => {
  for (const c of ['aes256-ctr', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com', '3des-cbc']) assert.ok(CIPHERS.includes(c), c);
});

for (const cipher of CIPHERS) {
  test(`ssh-keygen -Z ${cipher}: loads, matches its .pub, signs; wrong and missing passphrases refused`, async () => {
    const path = join(tmp.dir, `k-${cipher}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-a', '2', '-Z', cipher, '-N', PASS, '-C', `cipher ${cipher}`, '-f', path]);
    const pubHex = Buffer.from(readFileSync(`${path}.pub`, 'utf8').split(' ')[1] as string, 'base64').subarray(-32).toString('hex');
    const key = loadKeyFile(path, { passphrase: PASS });
    assert.equal(key.publicKeyHex, pubHex);
    assert.equal(key.comment, `cipher ${cipher}`);
    const challenge = 'c1'.repeat(32);
    assert.ok(verifyChallengeSignature(key.publicKey, challenge, await signChallenge(key, challenge)));
    assert.throws(() => loadKeyFile(path, { passphrase: 'not it' }), { code: 'PASSPHRASE_WRONG' });
    assert.throws(() => loadKeyFile(path), { code: 'PASSPHRASE_REQUIRED' });
    // openKeyFile: the bcrypt_pbkdf chains in worker threads side by side, the same key
    const opened = await openKeyFile(path, { passphrase: PASS });
    assert.equal(opened.publicKeyHex, pubHex);
    assert.equal(opened.comment, `cipher ${cipher}`);
    await assert.rejects(openKeyFile(path, { passphrase: 'not it' }), { code: 'PASSPHRASE_WRONG' });
    if (cipher.includes('gcm') || cipher.includes('chacha')) {
      // one ciphertext byte flipped: the tag does not verify, nothing is parsed
      const text = readFileSync(path, 'utf8');
      const bin = Buffer.from(text.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
      bin[bin.length - 40]! ^= 1;
      const tampered = join(tmp.dir, `t-${cipher}`);
      writeFileSync(tampered, `-----BEGIN OPENSSH PRIVATE KEY-----\n${bin.toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`, { mode: 0o600 });
      assert.throws(() => loadKeyFile(tampered, { passphrase: PASS }), { code: 'PASSPHRASE_WRONG' });
    }
  });
}

test('Poly1305: RFC 8439 section 2.5.2 test vector', () => {
  const key = Buffer.from('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b', 'hex');
  const msg = Buffer.from('Cryptographic Forum Research Group', 'latin1');
  assert.equal(Buffer.from(poly1305(key, msg)).toString('hex'), 'a8061dc1305136c6c22b8baf0c0127a9');
});

test('openKeyFile decrypts in a worker: the event loop keeps running through the KDF; same key and same errors as loadKeyFile', async () => {
  const path = join(tmp.dir, 'slow-kdf');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-a', '24', '-N', PASS, '-C', 'slow', '-f', path]);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const key = await openKeyFile(path, { passphrase: PASS });
  const duringWorker = ticks;
  ticks = 0;
  const same = loadKeyFile(path, { passphrase: PASS }); // synchronous: blocks the loop
  await new Promise((r) => setImmediate(r));
  const duringSync = ticks;
  clearInterval(timer);
  assert.equal(key.publicKeyHex, same.publicKeyHex);
  assert.equal(key.comment, 'slow');
  assert.ok(duringWorker >= 5 && duringSync <= 1, `timer ticks while decrypting: worker ${duringWorker}, synchronous ${duringSync}`);
  const challenge = 'a7'.repeat(32);
  assert.equal(await signChallenge(key, challenge), await signChallenge(same, challenge));
  await assert.rejects(openKeyFile(path, { passphrase: 'nope' }), { code: 'PASSPHRASE_WRONG' });
  await assert.rejects(openKeyFile(path), { code: 'PASSPHRASE_REQUIRED' });
  assert.equal(JSON.stringify(key).includes('private'), false);
});

test('where WebAssembly is off (node --jitless), openKeyFile still opens an encrypted key (the JavaScript Blowfish core, in one worker); under node --input-type=module -e too', async () => {
  const path = join(tmp.dir, 'jitless');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-a', '1', '-N', PASS, '-f', path]);
  const pubHex = Buffer.from(readFileSync(`${path}.pub`, 'utf8').split(' ')[1] as string, 'base64').subarray(-32).toString('hex');
  const module = new URL('../lib/keys/openssh-key-file.js', import.meta.url).href;
  const script = `if (typeof WebAssembly !== 'undefined') throw new Error('WebAssembly is on');
const { openKeyFile } = await import(${JSON.stringify(module)});
process.stdout.write((await openKeyFile(${JSON.stringify(path)}, { passphrase: ${JSON.stringify(PASS)} })).publicKeyHex);`;
  writeFileSync(join(tmp.dir, 'jitless.mjs'), script);
  const r = await runProcess(process.execPath, ['--jitless', join(tmp.dir, 'jitless.mjs')]);
  assert.equal(r.stdout, pubHex, r.stderr);
  assert.equal(r.code, 0);
  // and the worker threads' script runs even when they inherit --input-type=module (node -e)
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const e = await runProcess(process.execPath, ['--input-type=module', '-e', script.replace(/^.*\n/, '')], { env });
  assert.equal(e.stdout, pubHex, e.stderr);
});

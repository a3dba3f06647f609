/**
 * Files holding secrets are opened once and checked on the open descriptor:
 * a symlink swapped between a 0600 and a 0644 file by another process never
 * gets the 0644 one loaded; a FIFO is refused at once instead of hanging;
 * oversized files are refused by size; a public key given as the private key
 * is named as such (not "chmod 600").
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadKeyFile } from '../lib/keys/openssh-key-file.js';
import { MAX_PRIVATE_FILE_BYTES } from '../lib/keys/private-file.js';
import { fromSeed, loadSeedFile } from '../lib/keys/seed-key.js';
import { fixture, fixtureCopy, tempDir } from './helpers/paths.js';

const tmp = tempDir();
after(() => tmp.cleanup());

test('a symlink swapped between a 0600 and a 0644 seed file while loading: the 0644 one is never loaded', async () => {
  const good = join(tmp.dir, 'good.hex');
  const open = join(tmp.dir, 'open.hex');
  writeFileSync(good, 'aa'.repeat(32), { mode: 0o600 });
  writeFileSync(open, 'bb'.repeat(32));
  chmodSync(open, 0o644);
  const link = join(tmp.dir, 'seed-link');
  symlinkSync(good, link);
  // another process swaps the link atomically, as fast as it can
  const swapper = spawn('sh', ['-c', `cd "${tmp.dir}" && while :; do ln -sfn open.hex l.tmp && mv -T l.tmp seed-link; ln -sfn good.hex l.tmp && mv -T l.tmp seed-link; done`], {
    stdio: 'ignore',
  });
  const goodPub = fromSeed('aa'.repeat(32)).publicKeyHex;
  const seen = { good: 0, refused: 0, other: [] as string[] };
  try {
    // bounded by time, not by a count: the swapper (another process) may be slow to start on a loaded machine
    const end = Date.now() + 30_000;
    for (let i = 0; Date.now() < end && (seen.good < 50 || seen.refused < 50); i++) {
      try {
        const k = loadSeedFile(link);
        if (k.publicKeyHex === goodPub) seen.good++;
        else seen.other.push(k.publicKeyHex);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'KEY_FILE_PERMISSIONS') seen.refused++;
        else if (code !== 'KEY_FILE_NOT_FOUND') seen.other.push(String(code)); // between unlink and rename: missing is fine
      }
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
  } finally {
    swapper.kill('SIGKILL');
  }
  assert.deepEqual(seen.other, [], 'the 0644 file was loaded (or an unexpected error)');
  assert.ok(seen.good > 0 && seen.refused > 0, `the race was exercised: ${JSON.stringify(seen)}`);
});

test('a FIFO where a key or seed file should be is refused at once, not waited on', () => {
  const fifo = join(tmp.dir, 'fifo');
  assert.equal(spawnSync('mkfifo', ['-m', '600', fifo]).status, 0, 'mkfifo');
  assert.throws(() => loadKeyFile(fifo), { code: 'KEY_FILE_UNREADABLE', message: /is not a regular file/ });
  assert.throws(() => loadSeedFile(fifo), { code: 'KEY_FILE_UNREADABLE', message: /is not a regular file/ });
  assert.throws(() => loadKeyFile(tmp.dir), { code: 'KEY_FILE_UNREADABLE', message: /is not a regular file/ });
});

test('an oversized key file is refused by its size, before parsing', () => {
  const big = join(tmp.dir, 'big');
  writeFileSync(big, Buffer.alloc(MAX_PRIVATE_FILE_BYTES + 1, 0x0a), { mode: 0o600 });
  assert.throws(() => loadKeyFile(big), { code: 'KEY_FILE_FORMAT', message: /is 1048577 bytes; no key file is larger than 1048576/ });
});

test('a public key at mode 0644 given as the private key: told it is a public key, not to chmod it', () => {
  const pub = fixtureCopy(tmp.dir, 'ed25519.pub', 0o644);
  assert.throws(() => loadKeyFile(pub), { code: 'KEY_FILE_FORMAT', message: /is a public key; give the private key file/ });
  const priv = fixtureCopy(tmp.dir, 'ed25519', 0o644);
  assert.throws(() => loadKeyFile(priv), { code: 'KEY_FILE_PERMISSIONS', message: /chmod 600/ });
});

test('a key file claiming an absurd bcrypt round count is refused at once, not computed', () => {
  const text = readFileSync(fixture('ed25519-encrypted'), 'utf8');
  const b64 = text.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const raw = Buffer.from(b64, 'base64');
  // openssh-key-v1\0, string cipher, string kdf, string kdfoptions { string salt, uint32 rounds }
  let p = 15;
  p += 4 + raw.readUInt32BE(p); // cipher
  p += 4 + raw.readUInt32BE(p); // kdf name
  p += 4; // kdfoptions length
  p += 4 + raw.readUInt32BE(p); // salt
  assert.equal(raw.readUInt32BE(p), 16, 'the fixture uses ssh-keygen\'s default rounds');
  raw.writeUInt32BE(2 ** 31, p);
  const hostile = join(tmp.dir, 'rounds');
  const lines = raw.toString('base64').match(/.{1,70}/g)!.join('\n');
  writeFileSync(hostile, `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines}\n-----END OPENSSH PRIVATE KEY-----\n`, { mode: 0o600 });
  assert.throws(() => loadKeyFile(hostile, { passphrase: 'anything' }), { code: 'KEY_FILE_FORMAT', message: /asks for 2147483648 bcrypt rounds/ });
  assert.throws(() => loadKeyFile(hostile), { code: 'PASSPHRASE_REQUIRED' }, 'without a passphrase nothing is computed anyway');
});

test('a key file whose key-derivation options are cut short is a coded format error, not a crash', () => {
  const text = readFileSync(fixture('ed25519-encrypted'), 'utf8');
  const raw = Buffer.from(text.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
  let p = 15;
  p += 4 + raw.readUInt32BE(p); // cipher
  p += 4 + raw.readUInt32BE(p); // kdf name
  const optsLen = raw.readUInt32BE(p);
  // kdfoptions becomes 2 bytes: a salt length that is cut off
  const cut = Buffer.concat([raw.subarray(0, p), Buffer.from([0, 0, 0, 2, 0, 0]), raw.subarray(p + 4 + optsLen)]);
  const hostile = join(tmp.dir, 'kdfopts');
  writeFileSync(hostile, `-----BEGIN OPENSSH PRIVATE KEY-----\n${cut.toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`, { mode: 0o600 });
  assert.throws(() => loadKeyFile(hostile, { passphrase: 'anything' }), { code: 'KEY_FILE_FORMAT', message: /key derivation options/ });
});

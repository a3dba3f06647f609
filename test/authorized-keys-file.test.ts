/**
 * An authorized-keys file followed on disk: a running authenticator sees
 * added and removed keys at the next login without a restart; a file that
 * breaks (or disappears) fails closed and reports why; fixing it recovers.
 */
import assert from 'node:assert/strict';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { CryptosignKeysError } from '../lib/errors.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import type { SigningKey } from '../lib/keys/signing-key.js';
import { AuthorizedKeysFile } from '../lib/wamp/router/authorized-keys-file.js';
import { signChallenge } from '../lib/wamp/challenge.js';
import { CryptosignAuthenticator } from '../lib/wamp/router/authenticator.js';
import { tempDir } from './helpers/paths.js';

const tmp = tempDir();
after(() => tmp.cleanup());
const alice = fromSeed('a1'.repeat(32));
const bob = fromSeed('b0'.repeat(32));

/** one login through the authenticator: the principal's name, or the refusal code */
async function login(auth: CryptosignAuthenticator, key: SigningKey): Promise<string> {
  try {
    const pending = await auth.hello({ authmethods: ['cryptosign'], authextra: { pubkey: key.publicKeyHex } }, { realm: 'realm1' });
    return pending.authenticate(await signChallenge(key, pending.extra.challenge)).name;
  } catch (e) {
    return (e as CryptosignKeysError).code;
  }
}

test('a changed file is followed at the next login; a broken or missing one fails closed; fixing it recovers', async () => {
  const path = join(tmp.dir, 'principals');
  // editors write a new file and rename it over the old one; both ways are followed
  const replace = (text: string) => {
    writeFileSync(`${path}.new`, text);
    renameSync(`${path}.new`, path);
  };
  writeFileSync(path, `${alice.publicKeyHex} alice\n`);
  const reloads: number[] = [];
  const errors: string[] = [];
  const file = new AuthorizedKeysFile(path, { onReload: (k) => reloads.push(k.principals.length), onError: (e) => errors.push(e.code) });
  const auth = new CryptosignAuthenticator({ principals: file });
  assert.equal(await login(auth, alice), 'alice');
  assert.equal(await login(auth, bob), 'AUTH_UNKNOWN_KEY');
  assert.deepEqual(reloads, [], 'an unchanged file is not re-read');

  replace(`${bob.publicKeyHex} bob\n`);
  assert.equal(await login(auth, bob), 'bob');
  assert.equal(await login(auth, alice), 'AUTH_UNKNOWN_KEY', 'a removed key is refused at once');

  writeFileSync(path, `wamp-role="admin" ${alice.publicKeyHex} alice\n${bob.publicKeyHex} bob\n`); // in place
  assert.equal(await login(auth, alice), 'alice');
  assert.equal(file.current().lookup(alice.publicKeyHex)?.role, 'admin');

  // a small-order key in the file: the whole file is refused, nobody logs in until it is fixed
  replace(`${bob.publicKeyHex} bob\n${'01' + '00'.repeat(31)} identity\n`);
  assert.equal(await login(auth, bob), 'AUTH_UNKNOWN_KEY');
  assert.equal(file.lastError?.code, 'AUTHORIZED_KEYS_FORMAT');
  assert.match(file.lastError!.message, /line 2/);
  replace(`${bob.publicKeyHex} bob\n`);
  assert.equal(await login(auth, bob), 'bob');
  assert.equal(file.lastError, undefined);

  rmSync(path);
  assert.equal(await login(auth, bob), 'AUTH_UNKNOWN_KEY');
  assert.equal((file.lastError as CryptosignKeysError | undefined)?.code, 'KEY_FILE_NOT_FOUND');
  replace(`${alice.publicKeyHex} alice\n`);
  assert.equal(await login(auth, alice), 'alice');
  assert.deepEqual(errors, ['AUTHORIZED_KEYS_FORMAT', 'KEY_FILE_NOT_FOUND']);
  assert.deepEqual(reloads, [1, 2, 1, 1]);
});

test('a file that cannot be used at start is a coded error at once', () => {
  assert.throws(() => new AuthorizedKeysFile(join(tmp.dir, 'nope')), { code: 'KEY_FILE_NOT_FOUND' });
  assert.throws(() => new AuthorizedKeysFile(tmp.dir), { code: 'KEY_FILE_UNREADABLE' });
  const bad = join(tmp.dir, 'bad');
  writeFileSync(bad, `${'01' + '00'.repeat(31)} identity\n`);
  assert.throws(() => new AuthorizedKeysFile(bad), { code: 'AUTHORIZED_KEYS_FORMAT' });
});

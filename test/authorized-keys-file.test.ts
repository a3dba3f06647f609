/**
 * An authorized-keys file followed on disk: a running authenticator sees
 * added and removed keys once the background reload (started by the first
 * login after the change) is done, the old list serving meanwhile; a bad line
 * is skipped as sshd skips it; a file that disappears fails closed with
 * PRINCIPALS_UNAVAILABLE (never "not in the list") and reports why; fixing it
 * recovers; a read is accepted only when the file did not change during it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { AuthError, CryptosignKeysError } from '../lib/errors.js';
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
    // the client is told "not authorized"; the operator's reason is on .refusal
    const err = e as AuthError;
    assert.equal(err.code, 'AUTH_NOT_AUTHORIZED');
    assert.equal(err.message, 'not authorized');
    return err.refusal?.code ?? err.code;
  }
}

test('a changed file is followed once its background reload is done; a bad line is skipped; a missing file is PRINCIPALS_UNAVAILABLE; fixing it recovers', async () => {
  const path = join(tmp.dir, 'principals');
  // editors write a new file and rename it over the old one; both ways are followed
  const replace = (text: string) => {
    writeFileSync(`${path}.new`, text);
    renameSync(`${path}.new`, path);
  };
  writeFileSync(path, `${alice.publicKeyHex} alice\n`);
  const reloads: number[] = [];
  const errors: string[] = [];
  const refusals: string[] = [];
  const file = new AuthorizedKeysFile(path, { onReload: (k) => reloads.push(k.principals.length), onError: (e) => errors.push(e.code) });
  const auth = new CryptosignAuthenticator({ principals: file, onRefusal: (r) => refusals.push(`${r.code} ${r.reason}`) });
  const settled = async () => {
    file.current();
    await file.loading;
  };
  assert.equal(await login(auth, alice), 'alice');
  assert.equal(await login(auth, bob), 'AUTH_UNKNOWN_KEY');
  assert.match(refusals[0] ?? '', /^AUTH_UNKNOWN_KEY public key [0-9a-f]{16}… is not in the list$/);
  assert.deepEqual(reloads, [], 'an unchanged file is not re-read');

  replace(`${bob.publicKeyHex} bob\n`);
  await settled();
  assert.equal(await login(auth, bob), 'bob');
  assert.equal(await login(auth, alice), 'AUTH_UNKNOWN_KEY', 'a removed key is refused once the reload is done');

  writeFileSync(path, `wamp-role="admin" ${alice.publicKeyHex} alice\n${bob.publicKeyHex} bob\n`); // in place
  await settled();
  assert.equal(await login(auth, alice), 'alice');
  assert.equal(file.current().lookup(alice.publicKeyHex)?.role, 'admin');

  // a bad line (here: a small-order key, and a line sshd would skip) never takes the others down
  replace(`${bob.publicKeyHex} bob\n${'01' + '00'.repeat(31)} identity\nfrom="10.0.0.1",from="*" ${alice.publicKeyHex} alice\n`);
  await settled();
  assert.equal(await login(auth, bob), 'bob');
  assert.equal(await login(auth, alice), 'AUTH_UNKNOWN_KEY');
  assert.deepEqual(file.current().skipped.map((s) => [s.line, /multiple "from"/.test(s.reason)]), [[3, true]]);
  assert.equal(file.lastError, undefined);

  rmSync(path);
  assert.equal(await login(auth, bob), 'PRINCIPALS_UNAVAILABLE', 'a missing file is its own code, at once');
  assert.equal((file.lastError as CryptosignKeysError | undefined)?.code, 'KEY_FILE_NOT_FOUND');
  replace(`${alice.publicKeyHex} alice\n`);
  await settled();
  assert.equal(await login(auth, alice), 'alice');
  assert.equal(file.lastError, undefined);
  assert.deepEqual(errors, ['KEY_FILE_NOT_FOUND']);
  assert.deepEqual(reloads, [1, 2, 2, 1]);
});

test('a file that cannot be used at start is a coded error at once; one with bad lines is not', () => {
  assert.throws(() => new AuthorizedKeysFile(join(tmp.dir, 'nope')), { code: 'KEY_FILE_NOT_FOUND' });
  assert.throws(() => new AuthorizedKeysFile(tmp.dir), { code: 'KEY_FILE_UNREADABLE' });
  const bad = join(tmp.dir, 'bad');
  writeFileSync(bad, `garbage\n${alice.publicKeyHex} alice\n`);
  const file = new AuthorizedKeysFile(bad);
  assert.equal(file.current().lookup(alice.publicKeyHex)?.name, 'alice');
  assert.deepEqual(file.current().skipped.map((s) => s.line), [1]);
});

test('the old list serves while a reload runs; a torn read (the file changes while read) is read again', async () => {
  const path = join(tmp.dir, 'torn');
  writeFileSync(path, `${alice.publicKeyHex} user4-readonly\n`);
  const file = new AuthorizedKeysFile(path);
  // a big new file: the reload takes many slices; logins in between are answered from the old list
  const many = Array.from({ length: 20_000 }, (_, i) => `${randomBytes(32).toString('hex')} u${i}`).join('\n');
  writeFileSync(path, `${many}\n${alice.publicKeyHex} user4-readonly-new\n`);
  file.current();
  const loading = file.loading;
  assert.ok(loading, 'the change started a background reload');
  let served = 0;
  while (file.loading) {
    assert.equal(file.current().lookup(alice.publicKeyHex)?.name, 'user4-readonly', 'the old list until the new one is complete');
    served++;
    await new Promise<void>((r) => setImmediate(r));
  }
  await loading;
  assert.ok(served > 1, `logins were answered while the reload ran (${served})`);
  assert.equal(file.current().lookup(alice.publicKeyHex)?.name, 'user4-readonly-new');

  // a writer that appends while we read: the stamp after the read differs, so the read is repeated
  writeFileSync(path, `${alice.publicKeyHex} user4`); // a writer half-way through its line
  const { readAuthorizedKeysFile } = await import('../lib/wamp/router/authorized-keys-file.js');
  const { appendFileSync } = await import('node:fs');
  const fsp = (await import('node:fs')).promises;
  const realOpen = fsp.open;
  let opens = 0;
  (fsp as { open: typeof fsp.open }).open = (async (...a: Parameters<typeof fsp.open>) => {
    const fh = await realOpen(...a);
    if (opens++ === 0) {
      const realRead = fh.readFile.bind(fh);
      (fh as { readFile: unknown }).readFile = async () => {
        const b = await realRead();
        appendFileSync(path, '-readonly\n'); // the writer finishes its line just after our read
        return b;
      };
    }
    return fh;
  }) as typeof fsp.open;
  try {
    const { keys } = await readAuthorizedKeysFile(path);
    assert.equal(opens, 2, 'the torn read was not accepted: read again');
    assert.deepEqual(keys.principals.map((p) => p.name), ['user4-readonly']);
  } finally {
    (fsp as { open: typeof fsp.open }).open = realOpen;
  }
});

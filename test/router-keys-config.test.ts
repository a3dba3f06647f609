/**
 * The trusted router keys a client is given: a mistyped entry or an empty list
 * is the caller's configuration mistake, refused when the client is made, with
 * codes of its own — never an authorized_keys/sshd remark, never
 * ROUTER_KEY_UNTRUSTED (which means the router showed a key we do not trust).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cryptosignClient, fromSeed } from '../lib/index.js';
import { RouterKeys } from '../lib/handshake.js';

const KEY = fromSeed('9d'.repeat(32));
const HEX = KEY.publicKeyHex;

function refused(trusted: unknown, code: string, message: RegExp): void {
  for (const make of [() => new RouterKeys(trusted as never), () => cryptosignClient(KEY, { routerKeys: trusted as never })]) {
    assert.throws(make, (e: { code?: string; message?: string }) => {
      assert.equal(e.code, code, e.message);
      assert.match(e.message as string, message);
      assert.doesNotMatch(e.message as string, /sshd|authorized_keys file/);
      return true;
    });
  }
}

test('an empty list: ROUTER_KEYS_EMPTY', () => {
  refused([], 'ROUTER_KEYS_EMPTY', /no trusted router key given/);
  refused('', 'ROUTER_KEYS_EMPTY', /no trusted router key given/);
  refused('# only a comment\n', 'ROUTER_KEYS_EMPTY', /no trusted router key given/);
});

test('a mistyped entry: ROUTER_KEY_FORMAT naming which entry, not the key text', () => {
  refused([HEX, HEX.slice(1)], 'ROUTER_KEY_FORMAT', /^trusted router key #2 is not a router key: expected 64 hex digits/);
  refused(['public-key-ed25519 ' + HEX], 'ROUTER_KEY_FORMAT', /trusted router key #1 is not a router key/);
  refused(`${HEX}\nnot a key at all\n`, 'ROUTER_KEY_FORMAT', /the trusted router key text \(line 2\) is not a router key/);
  refused([42], 'ROUTER_KEY_FORMAT', /trusted router key #1 is a number/);
  refused({ key: HEX }, 'ROUTER_KEY_FORMAT', /must be hex keys/);
  const rsaOnly = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDbd6T3IEbT1QHMvKZB3RclMQyRLctNoN0wIvOBJ9Dy2lWauTGiilzFhY rsa@example';
  assert.throws(() => new RouterKeys([rsaOnly]), { code: /^ROUTER_KEY_FORMAT$/ });
  for (const bad of [[HEX.slice(1)], [42]]) assert.throws(() => new RouterKeys(bad as never), (e: { message: string }) => !e.message.includes(HEX.slice(1)));
});

test('good entries of every form are still read', () => {
  const ssh = `ssh-ed25519 ${Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.from(KEY.publicKey)]).toString('base64')} router`;
  for (const t of [HEX, [HEX.toUpperCase()], `public-key-ed25519: ${HEX}\n`, [ssh], [KEY.publicKey], `# a list\n${HEX} router\n`]) {
    const keys = new RouterKeys(t);
    assert.deepEqual(keys.list(), [HEX]);
  }
});

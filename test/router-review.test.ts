/**
 * Router-side review (docs/security-model.md, "Router-side review"): what a
 * stranger learns from a refusal when the principals source itself fails,
 * and what the operator's decision hooks receive (escaped, bounded, never
 * able to change the answer). Each test failed before its fix.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { AuthError } from '../lib/errors.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import { signChallenge } from '../lib/wamp/challenge.js';
import { joinWamp } from '../lib/wamp/client/session.js';
import { CryptosignAuthenticator } from '../lib/wamp/router/authenticator.js';
import { parseAuthorizedKeys, type AuthorizedKeys } from '../lib/wamp/router/principals.js';
import type { Refusal } from '../lib/wamp/router/refusals.js';
import { crossbarDecision, runCrossbarAuthenticator, type Decision } from '../lib/wamp/crossbar/dynamic-authenticator.js';
import { foxWampAuthHandler, type FoxWampDecision } from '../lib/wamp/router/fox-wamp.js';
import { startTestRouter, type TestRouter } from './helpers/test-router.js';
import { tempDir } from './helpers/paths.js';
import { authenticatorCommand } from '../bin/authenticator-command.js';
import type { CliIo } from '../bin/cli-io.js';

const alice = fromSeed('a1'.repeat(32));
const authKey = fromSeed('7a'.repeat(32));
const SECRET = 'EACCES: open /etc/wamp/secret-principals';
const routers: TestRouter[] = [];
after(async () => {
  for (const r of routers) await r.stop();
});

/** a principals source the operator wrote, which fails (after `okCalls` good answers) */
function failingSource(list: AuthorizedKeys, okCalls: number): () => AuthorizedKeys {
  let calls = 0;
  return () => {
    if (calls++ < okCalls) return list;
    throw new Error(SECRET);
  };
}

/** The client's answer is "not authorized"; the operator's refusal has `code` and a reason matching `reason`. */
function genericRefusal(code: string, reason: RegExp): (e: unknown) => true {
  return (e) => {
    assert.ok(e instanceof AuthError, `an AuthError, not ${String(e)}`);
    assert.equal(e.code, 'AUTH_NOT_AUTHORIZED');
    assert.equal(e.message, 'not authorized');
    assert.equal(e.refusal?.code, code);
    assert.match(e.refusal?.reason ?? '', reason);
    return true;
  };
}
const assertGeneric = genericRefusal('PRINCIPALS_UNAVAILABLE', /secret-principals/);

test('a principals source that throws: hello() and authenticate() tell the client "not authorized", the operator PRINCIPALS_UNAVAILABLE', async () => {
  const list = parseAuthorizedKeys(`${alice.publicKeyHex} alice`);
  const refusals: Refusal[] = [];
  const hello = { authmethods: ['cryptosign'], authextra: { pubkey: alice.publicKeyHex } };
  const broken = new CryptosignAuthenticator({ principals: failingSource(list, 0), onRefusal: (r) => refusals.push(r) });
  await assert.rejects(broken.hello(hello, { realm: 'realm1' }), assertGeneric);
  // the list reads at HELLO, fails at AUTHENTICATE
  const later = new CryptosignAuthenticator({ principals: failingSource(list, 1), onRefusal: (r) => refusals.push(r) });
  const login = await later.hello(hello, { realm: 'realm1' });
  const signature = await signChallenge(alice, login.extra.challenge);
  assert.throws(() => login.authenticate(signature), assertGeneric);
  assert.deepEqual(refusals.map((r) => r.code), ['PRINCIPALS_UNAVAILABLE', 'PRINCIPALS_UNAVAILABLE']);
});

test('a revoked-keys source that throws: the client is told "not authorized", the operator KEY_REVOKED with the reason (authenticator, crossbarDecision)', async () => {
  const list = parseAuthorizedKeys(`${alice.publicKeyHex} alice`);
  const throwing = () => {
    throw new Error('revoked keys file /etc/secret-revoked: line 1 is not base64');
  };
  const refusals: Refusal[] = [];
  const auth = new CryptosignAuthenticator({ principals: list, revokedKeys: throwing, onRefusal: (r) => refusals.push(r) });
  const hello = { authmethods: ['cryptosign'], authextra: { pubkey: alice.publicKeyHex } };
  const generic = genericRefusal('KEY_REVOKED', /secret-revoked/);
  await assert.rejects(auth.hello(hello, { realm: 'realm1' }), generic);
  assert.deepEqual(refusals.map((r) => r.code), ['KEY_REVOKED']);
  const details = { authmethod: 'cryptosign', authextra: { pubkey: alice.publicKeyHex }, transport: { peer: 'tcp4:127.0.0.1:5000' } };
  assert.throws(() => crossbarDecision(list, 'realm1', null, details, { revokedKeys: throwing }), generic);
  // and something with current() (a RevokedKeysFile), as the authenticator takes it
  assert.throws(() => crossbarDecision(list, 'realm1', null, details, { revokedKeys: { current: throwing } }), generic);
});

test('crossbarDecision with a principals source that throws: a coded refusal, not the source\'s message', () => {
  const details = { authmethod: 'cryptosign', authextra: { pubkey: alice.publicKeyHex }, transport: { peer: 'tcp4:127.0.0.1:5000' } };
  assert.throws(() => crossbarDecision(failingSource(parseAuthorizedKeys(''), 0), 'realm1', null, details), assertGeneric);
});

async function crossbarLike(): Promise<TestRouter> {
  const r = await startTestRouter({
    principals: parseAuthorizedKeys(`wamp-role="authenticator" ${authKey.publicKeyHex} authenticator`),
    dynamic: { authRealm: 'realm-auth', procedure: 'com.example.authenticate' },
  });
  routers.push(r);
  return r;
}

/** a client login through the crossbar-like router: "authid" or "refused: …" */
async function login(url: string): Promise<string> {
  try {
    const s = await joinWamp(alice, { url, realm: 'realm1' });
    await s.leave();
    return String(s.authid);
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  }
}

test('runCrossbarAuthenticator: a failing principals source or a throwing onDecision hook never reaches the client (no runtime_error text)', async () => {
  const r = await crossbarLike();
  const decisions: Decision[] = [];
  const failing = await runCrossbarAuthenticator(authKey, {
    url: r.url, realm: 'realm-auth', procedure: 'com.example.authenticate',
    principals: failingSource(parseAuthorizedKeys(''), 0),
    onDecision: (d) => decisions.push(d),
  });
  const refused = await login(r.url);
  assert.doesNotMatch(refused, /secret|EACCES/, refused);
  assert.match(refused, /AUTH_NOT_AUTHORIZED/);
  assert.deepEqual(decisions.map((d) => [d.ok, d.code]), [[false, 'PRINCIPALS_UNAVAILABLE']]);
  await failing.leave();

  // the operator's hook throws: the answer is the same as without it
  const hooked = await runCrossbarAuthenticator(authKey, {
    url: r.url, realm: 'realm-auth', procedure: 'com.example.authenticate',
    principals: parseAuthorizedKeys(`wamp-role="device" ${alice.publicKeyHex} alice`),
    onDecision: () => {
      throw new Error('log disk full at /var/log/secret');
    },
  });
  assert.equal(await login(r.url), 'alice');
  await hooked.leave();
});

test('fox-wamp adapter: the decision\'s realm, principal and role are escaped and bounded; a throwing hook still answers fox-wamp', async () => {
  const decisions: FoxWampDecision[] = [];
  const handler = foxWampAuthHandler({
    principals: parseAuthorizedKeys(`wamp-role="dev\x1b[2Jice" ${alice.publicKeyHex} ali\x1b]0;owned\x07ce`),
    onDecision: (d) => decisions.push(d),
  });
  const call = <T>(f: (cb: (err: Error | null, v?: unknown) => void) => void) =>
    new Promise<{ err: Error | null; value: T }>((resolve) => f((err, value) => resolve({ err, value: value as T })));
  // a realm from the wire forging a second log line, then one of 100,000 characters
  const forged = `realm1\nallow realm="realm1" authid="admin"`;
  for (const realm of [forged, 'r'.repeat(100_000)]) {
    const r = await call((cb) => handler.cryptosign_extra(realm, { authmethods: ['cryptosign'], authextra: { pubkey: 'ab'.repeat(32) } }, cb));
    assert.ok(r.err);
  }
  // a listed key logs in: the principal's name and role come from the file (control characters in the comment and option)
  const details = { authmethods: ['cryptosign'], authextra: { pubkey: alice.publicKeyHex } };
  const extra = await call<{ challenge: string }>((cb) => handler.cryptosign_extra('realm1', details, cb));
  const signature = await signChallenge(alice, extra.value.challenge);
  const accepted = await call((cb) => handler.cryptosign_auth('realm1', details, signature, null, cb));
  assert.equal(accepted.err, null);
  for (const d of decisions) {
    for (const v of [d.realm, d.authid, d.principal, d.role, d.message]) {
      if (typeof v !== 'string') continue;
      assert.doesNotMatch(v, /[\x00-\x1f\x7f]/, `one event one line: ${JSON.stringify(v).slice(0, 80)}`);
      assert.ok(v.length < 1000, `bounded: ${v.length}`);
    }
  }
  assert.ok(decisions.some((d) => d.principal !== undefined), 'the accepted login was reported');

  // the operator's hook throws: fox-wamp still gets its answer (else the connection hangs without ABORT)
  const throwing = foxWampAuthHandler({ principals: parseAuthorizedKeys(''), onDecision: () => { throw new Error('hook'); } });
  const answered = await call((cb) => throwing.cryptosign_extra('realm1', { authmethods: ['cryptosign'], authextra: { pubkey: alice.publicKeyHex } }, cb));
  assert.ok(answered.err instanceof AuthError);
});

test('a skipped line\'s reason quotes the file\'s text escaped: an unknown option or key type with control characters is one line', () => {
  const list = parseAuthorizedKeys([
    `\x1b[2J\rforged-option ${alice.publicKeyHex} a`,
    `ssh-\x1b]0;owned\x07\u2028rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ b`,
  ].join('\n'));
  assert.equal(list.skipped.length, 2);
  for (const s of list.skipped) assert.doesNotMatch(s.reason, /[\x00-\x1f\x7f\u2028]/, JSON.stringify(s.reason));
  assert.match(list.skipped[0]!.reason, /unknown key option at "\\x1b\[2J\\rforged/);
});

test('a malformed AUTHENTICATE signature (not a string, not hex, megabytes) is refused like a wrong one: "not authorized" to the client, the reason to onRefusal', async () => {
  const refusals: Refusal[] = [];
  const auth = new CryptosignAuthenticator({ principals: parseAuthorizedKeys(`${alice.publicKeyHex} alice`), onRefusal: (r) => refusals.push(r) });
  const hello = { authmethods: ['cryptosign'], authextra: { pubkey: alice.publicKeyHex } };
  for (const bad of [42, { sig: 'x' }, 'zz', 'ab'.repeat(48), 'a'.repeat(4_000_000)]) {
    const login = await auth.hello(hello, { realm: 'realm1' });
    assert.throws(() => login.authenticate(bad), (e: unknown) => e instanceof AuthError && e.code === 'AUTH_NOT_AUTHORIZED' && e.message === 'not authorized');
  }
  assert.deepEqual(refusals.map((r) => r.code), Array(5).fill('AUTH_SIGNATURE_WRONG'));
});

test('fail closed on what a router passes in: an Invalid Date clock refuses an expiry-time key, a peer address that is not a string refuses a from= key', () => {
  const list = parseAuthorizedKeys(`expiry-time="20200101" ${alice.publicKeyHex} x\nfrom="*,!10.0.0.1" ${alice.publicKeyHex} y`);
  const x = list.find(alice.publicKeyHex, { authid: 'x', now: new Date(Number.NaN) });
  assert.equal(x.ok ? 'accepted' : x.code, 'AUTH_KEY_EXPIRED');
  for (const peerAddress of [['10.0.0.1'], 167772161, { toString: () => '127.0.0.1' }]) {
    const y = list.find(alice.publicKeyHex, { authid: 'y', peerAddress: peerAddress as unknown as string });
    assert.equal(y.ok ? 'accepted' : y.code, 'AUTH_ADDRESS_REFUSED', String(peerAddress));
  }
});

test('the authenticator command quotes the authid of its own WELCOME (a name from the router, with control characters) in its log', async () => {
  const tmp = tempDir();
  try {
    const r = await startTestRouter({
      principals: parseAuthorizedKeys(`wamp-role="authenticator" ${authKey.publicKeyHex} auth\x1b[2J\rforged line`),
      dynamic: { authRealm: 'realm-auth', procedure: 'com.example.authenticate' },
    });
    routers.push(r);
    const seedFile = join(tmp.dir, 'seed');
    writeFileSync(seedFile, '7a'.repeat(32) + '\n', { mode: 0o600 });
    const keysFile = join(tmp.dir, 'principals');
    writeFileSync(keysFile, '');
    let stderr = '';
    let stop: (() => void) | undefined;
    const io: CliIo = {
      stdin: Readable.from([]),
      stdout: () => undefined,
      stderr: (s) => {
        stderr += s;
        if (/registered /.test(s)) stop?.();
      },
      stderrIsTTY: false,
      env: {},
      askPassphrase: async () => { throw new Error('no prompt'); },
      onStop: (handler) => {
        stop = handler;
        if (/registered /.test(stderr)) setImmediate(handler); // it registers, then listens for the stop
        return () => undefined;
      },
    };
    await authenticatorCommand({ url: r.url, realm: 'realm-auth', procedure: 'com.example.authenticate', 'authorized-keys': keysFile, 'seed-file': seedFile }, io);
    const line = stderr.split('\n').find((l) => l.includes('registered'));
    assert.ok(line, stderr);
    assert.doesNotMatch(line, /[\x00-\x1f]/);
    assert.match(line, /as "auth\\x1b\[2J\\rforged line"/);
  } finally {
    tmp.cleanup();
  }
});

/**
 * The router side tells strangers nothing and fails closed (issue 16):
 * - every refusal that concerns the principals reaches the client as
 *   AUTH_NOT_AUTHORIZED "not authorized"; the reason (principal, line,
 *   option) goes to onRefusal, escaped, one line;
 * - strings from HELLO are bounded (AUTH_INPUT_TOO_LONG), never echoed;
 * - a realm-bound principal needs the realm (missing or not a string: refused);
 * - RouterKeys honours expiry-time and does not trust cert-authority lines;
 * - the crossbar authenticator's own session signs one CHALLENGE, before
 *   WELCOME, and nothing after (checked against a hostile router; the key
 *   counts what it signs);
 * - verify prints comments escaped and takes --realm.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { AuthError, type CryptosignKeysError } from '../lib/errors.js';
import { escapeText } from '../lib/escape.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import type { SigningKey } from '../lib/keys/signing-key.js';
import { signChallenge } from '../lib/wamp/challenge.js';
import { RouterKeys, verifyRouterSignature } from '../lib/wamp/client/router-trust.js';
import { joinWamp } from '../lib/wamp/client/session.js';
import { CryptosignAuthenticator } from '../lib/wamp/router/authenticator.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import type { Refusal } from '../lib/wamp/router/refusals.js';
import { runCli } from './helpers/cli.js';
import { counting } from './helpers/counting-key.js';

const alice = fromSeed('a1'.repeat(32));
const bob = fromSeed('b0'.repeat(32));
const carol = fromSeed('c3'.repeat(32));
const dave = fromSeed('d4'.repeat(32));

const list = parseAuthorizedKeys(
  [
    `wamp-realm="realm1",wamp-authid="alice" ${alice.publicKeyHex} alice's laptop`,
    `expiry-time="20000101" ${bob.publicKeyHex} bob`,
    `from="10.0.0.0/8" ${carol.publicKeyHex} carol`,
    `${dave.publicKeyHex} evil\u001b[31m\nallow authid="admin"`,
  ].join('\n'),
);

async function refusedHello(auth: CryptosignAuthenticator, details: Record<string, unknown>, connection: Record<string, unknown>): Promise<AuthError> {
  try {
    await auth.hello(details, connection);
  } catch (e) {
    assert.ok(e instanceof AuthError);
    return e;
  }
  assert.fail('the HELLO was accepted');
}

test('refusals: the client hears "not authorized" and a code that reveals nothing; onRefusal gets the reason, escaped, one line', async () => {
  const refusals: Refusal[] = [];
  const auth = new CryptosignAuthenticator({ principals: list, onRefusal: (r) => refusals.push(r) });
  const hello = (key: SigningKey, authid?: string) => ({ authmethods: ['cryptosign'], authextra: { pubkey: key.publicKeyHex }, ...(authid ? { authid } : {}) });
  const cases: [Record<string, unknown>, Record<string, unknown>, string][] = [
    [hello(fromSeed('99'.repeat(32))), { realm: 'realm1', peerAddress: '10.1.1.1' }, 'AUTH_UNKNOWN_KEY'],
    [hello(alice), { realm: 'realm2', peerAddress: '10.1.1.1' }, 'AUTH_REALM_MISMATCH'],
    [hello(alice), { peerAddress: '10.1.1.1' }, 'AUTH_REALM_MISMATCH'], // fail closed: no realm
    [hello(alice), { realm: 7, peerAddress: '10.1.1.1' }, 'AUTH_REALM_MISMATCH'], // not a string
    [hello(bob), { realm: 'realm1', peerAddress: '10.1.1.1' }, 'AUTH_KEY_EXPIRED'],
    [hello(carol), { realm: 'realm1', peerAddress: '192.168.1.1' }, 'AUTH_ADDRESS_REFUSED'],
    [hello(carol, 'mallory'), { realm: 'realm1', peerAddress: '10.1.1.1' }, 'AUTH_AUTHID_MISMATCH'],
  ];
  for (const [details, connection, code] of cases) {
    const e = await refusedHello(auth, details, connection);
    assert.equal(e.code, 'AUTH_NOT_AUTHORIZED', code);
    assert.equal(e.message, 'not authorized');
    assert.equal(JSON.stringify(e), '{"code":"AUTH_NOT_AUTHORIZED","name":"AuthError"}', 'nothing else travels with the error');
    assert.equal(e.refusal?.code, code);
  }
  assert.deepEqual(refusals.map((r) => r.code), cases.map((c) => c[2]));
  for (const r of refusals) assert.ok(!/[\n\r\u001b]/.test(r.reason + (r.authid ?? '')), r.reason);
  assert.match(refusals[1]!.reason, /"alice" \(line 1\) may join realm "realm1", not "realm2"/);
  assert.match(refusals[4]!.reason, /"bob" \(line 2\): expired at 2000-01-0/);

  // a principal whose name holds control characters: its reason stays one line
  const wrongSig = await auth.hello(hello(dave), { realm: 'realm1' });
  assert.throws(() => wrongSig.authenticate('00'.repeat(96)), (e: AuthError) => e.code === 'AUTH_NOT_AUTHORIZED' && e.refusal?.code === 'AUTH_CHALLENGE_MISMATCH');
  const ok = await auth.hello(hello(dave), { realm: 'realm1' });
  assert.equal(ok.authenticate(await signChallenge(dave, ok.extra.challenge)).name, 'evil\u001b[31m');

  // the principals file unavailable: its own code for the operator, "not authorized" for the client
  const down = new CryptosignAuthenticator({ principals: () => (list.constructor as typeof import('../lib/wamp/router/principals.js').AuthorizedKeys).unavailable('file gone'), onRefusal: (r) => refusals.push(r) });
  const e = await refusedHello(down, hello(alice), { realm: 'realm1' });
  assert.equal(e.code, 'AUTH_NOT_AUTHORIZED');
  assert.equal(refusals.at(-1)?.code, 'PRINCIPALS_UNAVAILABLE');
});

test('HELLO strings are bounded: a huge authid is refused at once, coded, and never echoed', async () => {
  const refusals: Refusal[] = [];
  const auth = new CryptosignAuthenticator({ principals: list, onRefusal: (r) => refusals.push(r) });
  const e = await refusedHello(auth, { authmethods: ['cryptosign'], authid: 'A'.repeat(10_000_000), authextra: { pubkey: alice.publicKeyHex } }, { realm: 'realm1' });
  assert.equal(e.code, 'AUTH_INPUT_TOO_LONG');
  assert.ok(e.message.length < 100, e.message);
  assert.ok((refusals[0]?.authid?.length ?? 0) < 300, 'the log gets a bounded copy');
  assert.equal(escapeText('a\nb\u001b\u2028\\'), 'a\\nb\\x1b\\u2028\\\\');
});

test('RouterKeys: expiry-time is honoured; cert-authority, from= and principals= lines are not router keys', () => {
  const pub = (k: SigningKey) => `ssh-ed25519 ${Buffer.concat([Buffer.from('0000000b7373682d6564323535313900000020', 'hex'), k.publicKey]).toString('base64')}`;
  const keys = new RouterKeys(
    [
      `expiry-time="20300101Z" ${pub(alice)} router-until-2030`,
      `cert-authority ${pub(bob)} ca`,
      `from="10.0.0.1" ${pub(carol)} restricted`,
      `principals="x",cert-authority ${pub(dave)} ca2`,
      `${pub(fromSeed('77'.repeat(32)))} plain`,
    ].join('\n'),
  );
  assert.equal(keys.has(alice.publicKeyHex, new Date('2029-06-01T00:00:00Z')), true);
  assert.equal(keys.has(alice.publicKeyHex, new Date('2030-01-01T00:00:01Z')), false);
  for (const k of [bob, carol, dave]) assert.equal(keys.has(k.publicKeyHex), false);
  assert.deepEqual(keys.list().length, 2);
  assert.throws(() => verifyRouterSignature(keys, ['00'.repeat(32)], { pubkey: alice.publicKeyHex, signature: '00'.repeat(96) }, { now: new Date('2031-01-01T00:00:00Z') }), (e: CryptosignKeysError) => e.code === 'ROUTER_KEY_UNTRUSTED' && /past its expiry-time/.test(e.message));
  assert.throws(() => new RouterKeys(`cert-authority ${pub(bob)} ca`), (e: CryptosignKeysError) => e.code === 'ROUTER_KEY_FORMAT');
});

const servers: WebSocketServer[] = [];
after(() => servers.forEach((s) => s.close()));

/** A hostile router: CHALLENGE, then WELCOME, then more CHALLENGEs (or two CHALLENGEs before WELCOME). */
async function hostileRouter(script: 'after-welcome' | 'twice'): Promise<{ url: string; answers: unknown[] }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(wss);
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const answers: unknown[] = [];
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as unknown[];
      if (msg[0] === 1) ws.send(JSON.stringify([4, 'cryptosign', { challenge: '11'.repeat(32), channel_binding: null }]));
      if (msg[0] === 5) {
        answers.push(msg[1]);
        if (script === 'twice' && answers.length === 1) return ws.send(JSON.stringify([4, 'cryptosign', { challenge: '22'.repeat(32), channel_binding: null }]));
        ws.send(JSON.stringify([2, 1, { authid: 'authenticator', authrole: 'authenticator' }]));
        if (script === 'after-welcome') for (const c of ['33', '44', '55']) ws.send(JSON.stringify([4, 'cryptosign', { challenge: c.repeat(32), channel_binding: null }]));
      }
    });
  });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`, answers };
}

test("the authenticator's own session signs one CHALLENGE before WELCOME and none after, nor a second one", async () => {
  const late = await hostileRouter('after-welcome');
  const key1 = counting(alice);
  const session = await joinWamp(key1, { url: late.url, realm: 'realm-auth' });
  const closed = await session.closed;
  assert.equal(key1.signs, 1, 'only the CHALLENGE of the login was signed');
  assert.equal(late.answers.length, 1);
  assert.match(closed.reason, /CHALLENGE after WELCOME/);

  const twice = await hostileRouter('twice');
  const key2 = counting(bob);
  await assert.rejects(joinWamp(key2, { url: twice.url, realm: 'realm-auth' }), (e: CryptosignKeysError) => e.code === 'WAMP_PROTOCOL_ERROR' && /second CHALLENGE/.test(e.message));
  assert.equal(key2.signs, 1);
});

test('verify: comments are printed escaped; --realm is needed for a realm-bound principal', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'cryptosign-keys-test-'));
  try {
    const file = join(dir, 'ak');
    writeFileSync(file, `${dave.publicKeyHex} evil\u001b[2J\rname\nwamp-realm="realm1" ${alice.publicKeyHex} alice\n`);
    const challenge = '5a'.repeat(32);
    const sigDave = await signChallenge(dave, challenge);
    const r1 = await runCli(['verify', '--authorized-keys', file, '--challenge', challenge], { stdin: sigDave });
    assert.equal(r1.stdout, 'ok evil\\x1b[2J\\rname\n');
    const sigAlice = await signChallenge(alice, challenge);
    const r2 = await runCli(['verify', '--authorized-keys', file, '--pubkey', alice.publicKeyHex, '--challenge', challenge], { stdin: sigAlice });
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /\[AUTH_REALM_MISMATCH\]/);
    const r3 = await runCli(['verify', '--authorized-keys', file, '--pubkey', alice.publicKeyHex, '--realm', 'realm1', '--challenge', challenge], { stdin: sigAlice });
    assert.equal(r3.stdout, 'ok alice\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the authenticator CLI writes one line per decision, whatever the wire carried', async () => {
  const { decisionLine } = await import('../bin/authenticator-command.js');
  const line = decisionLine({
    realm: 'realm1\r\n',
    authid: 'x\ncryptosign-keys authenticator: allow realm="realm1" authid="admin"',
    pubkey: alice.publicKeyHex,
    peer: 'tcp4:10.0.0.1:1\u2028',
    ok: false,
    code: 'AUTH_UNKNOWN_KEY',
    reason: 'public key … is not in the list',
  });
  assert.ok(!/[\n\r\u2028]/.test(line), line);
  assert.match(line, /^deny realm="realm1\\r\\n" authid="x\\ncryptosign-keys authenticator: allow realm=\\"realm1\\" authid=\\"admin\\"" key=SHA256:/);
  const huge = decisionLine({ realm: 'r', authid: 'A'.repeat(90_000), pubkey: 'zz', peer: undefined, ok: true, principal: 'p', role: 'r' });
  assert.ok(huge.length < 600, `bounded (${huge.length})`);
});

test('a malformed request gets the same answer for a listed and an unlisted key: request checks come before the principals', async () => {
  const stranger = fromSeed('e5'.repeat(32));
  for (const transcript of ['off', 'require'] as const) {
    const auth = new CryptosignAuthenticator({ principals: list, requireChannelBinding: true, transcript });
    const answers: string[] = [];
    for (const key of [alice, stranger]) {
      for (const authextra of [{ pubkey: key.publicKeyHex, channel_binding: 'tls-bogus' }, { pubkey: key.publicKeyHex }, { pubkey: key.publicKeyHex, transcript: 'v0' }]) {
        const e = await auth.hello({ authid: 'alice', authmethods: ['cryptosign'], authextra }, { realm: 'realm1', peerAddress: '127.0.0.1' }).then(
          () => assert.fail('accepted'),
          (err: AuthError) => err,
        );
        answers.push(`${e.code} ${e.message}`);
      }
    }
    // the three answers for alice (listed) equal the three for the stranger
    assert.deepEqual(answers.slice(0, 3), answers.slice(3), transcript);
    assert.ok(answers.every((a) => !a.startsWith('AUTH_NOT_AUTHORIZED')), answers.join('\n'));
  }
});

/**
 * The crossbar dynamic authenticator end to end: the test router plays
 * crossbar (calls the registered procedure with (realm, authid, details),
 * challenges the returned pubkey, checks the signature), autobahn-js clients
 * log in through it. The library function (its own login with a key held in
 * ssh-agent) and the CLI command (a seed file), with the principals file
 * edited while it runs; every decision logged without secrets.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startThrowawayAgent, type ThrowawayAgent } from '../lib/agent/throwaway.js';
import { openAgentKey } from '../lib/keys/agent-key.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import type { SigningKey } from '../lib/keys/signing-key.js';
import { AuthorizedKeysFile } from '../lib/wamp/router/authorized-keys-file.js';
import { cryptosignClient } from '../lib/wamp/client/cryptosign-client.js';
import { crossbarDecision, peerAddressOf, runCrossbarAuthenticator, type Decision } from '../lib/wamp/crossbar/dynamic-authenticator.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { decisionLine } from '../bin/authenticator-command.js';
import { CLI, tempDir } from './helpers/paths.js';
import { runProcess } from './helpers/run-process.js';
import { startTestRouter, type TestRouter } from './helpers/test-router.js';

const require = createRequire(import.meta.url);
const autobahn = require('autobahn') as {
  Connection: new (o: Record<string, unknown>) => { onopen: (s: unknown, d: { authid: string; authrole: string }) => void; onclose: (r: string, d: { reason?: string; message?: string }) => boolean; open(): void; close(): void };
};

const tmp = tempDir();
let agent: ThrowawayAgent;
let authKey: SigningKey;
const AUTH_SEED = '7a'.repeat(32);
const alice = fromSeed('a1'.repeat(32));
const bob = fromSeed('b0'.repeat(32));
const carol = fromSeed('c4'.repeat(32));
const routers: TestRouter[] = [];

before(async () => {
  agent = await startThrowawayAgent();
  await agent.makeKey('auth', { comment: 'authenticator-key' });
  authKey = await openAgentKey('authenticator-key', { socketPath: agent.socketPath });
});
after(async () => {
  for (const r of routers) await r.stop();
  await authKey?.close();
  await agent.stop();
  tmp.cleanup();
});

async function crossbarLike(authenticatorPubkeys: string[]): Promise<TestRouter> {
  const r = await startTestRouter({
    principals: parseAuthorizedKeys(authenticatorPubkeys.map((k) => `wamp-role="authenticator" ${k} authenticator`).join('\n')),
    dynamic: { authRealm: 'realm-auth', procedure: 'com.example.authenticate' },
  });
  routers.push(r);
  return r;
}

/** autobahn-js logs in to realm1 with cryptosign: "authid/role", or "refused: CODE" */
function login(url: string, key: SigningKey, realm = 'realm1', authid?: string): Promise<string> {
  delete (globalThis as { WebSocket?: unknown }).WebSocket;
  const client = cryptosignClient(key);
  return new Promise((resolve) => {
    const c = new autobahn.Connection({ realm, ...(authid ? { authid } : {}), ...client.autobahn(url), max_retries: 0, retry_if_unreachable: false });
    let opened = false;
    c.onopen = (_s, d) => {
      opened = true;
      resolve(`${d.authid}/${d.authrole}`);
      c.close();
    };
    c.onclose = (reason, d) => {
      if (!opened) resolve(`refused: ${d.message ?? reason}`);
      return true;
    };
    c.open();
  });
}

const principalsPath = join(tmp.dir, 'principals');
function writePrincipals(lines: string[]) {
  writeFileSync(`${principalsPath}.new`, lines.join('\n') + '\n');
  renameSync(`${principalsPath}.new`, principalsPath);
}

test('the decision alone: crossbar arguments in, crossbar answer out; every refusal coded', () => {
  const list = parseAuthorizedKeys(
    [
      `wamp-role="device",wamp-realm="devices" ${alice.publicKeyHex} alice@example`,
      `${bob.publicKeyHex} bob`,
      `from="10.0.0.0/8",wamp-role="x" ${carol.publicKeyHex} carol`,
    ].join('\n'),
  );
  const details = (key: SigningKey, peer = 'tcp4:10.1.2.3:5555') => ({ authmethod: 'cryptosign', authextra: { pubkey: key.publicKeyHex }, transport: { peer } });
  assert.deepEqual(crossbarDecision(list, 'devices', null, details(alice)), { pubkey: alice.publicKeyHex, role: 'device', authid: 'alice@example', realm: 'devices' });
  assert.deepEqual(crossbarDecision(list, 'realm1', 'bob', details(bob), { defaultRole: 'user' }), { pubkey: bob.publicKeyHex, role: 'user', authid: 'bob' });
  assert.deepEqual(crossbarDecision(list, 'realm1', null, details(carol)).authid, 'carol');
  // crossbar passes the error on to the client: "not authorized" (AUTH_NOT_AUTHORIZED) unless the refusal is about the request
  // itself; the operator's code and reason are on .refusal, one line
  const refused = (f: () => unknown, code: string) =>
    assert.throws(f, (e: Error & { code?: string; refusal?: { code: string; reason: string } }) => {
      const clientCode = code === 'AUTH_METHOD_REFUSED' || code === 'AUTH_INPUT_TOO_LONG' ? code : 'AUTH_NOT_AUTHORIZED';
      return e.code === clientCode && (clientCode !== 'AUTH_NOT_AUTHORIZED' || e.message === 'not authorized') && e.refusal?.code === code && !e.refusal.reason.includes('\n') && !JSON.stringify(e).includes('line');
    });
  refused(() => crossbarDecision(list, 'other', null, details(alice)), 'AUTH_REALM_MISMATCH');
  refused(() => crossbarDecision(list, 'realm1', null, details(bob)), 'AUTH_NO_ROLE');
  refused(() => crossbarDecision(list, 'realm1', 'mallory', details(bob), { defaultRole: 'user' }), 'AUTH_AUTHID_MISMATCH');
  refused(() => crossbarDecision(list, 'realm1', null, details(fromSeed('99'.repeat(32)))), 'AUTH_UNKNOWN_KEY');
  refused(() => crossbarDecision(list, 'realm1', null, details(carol, 'tcp4:192.168.0.1:5555')), 'AUTH_ADDRESS_REFUSED');
  refused(() => crossbarDecision(list, 'realm1', null, { ...details(carol), transport: { peer: 'unix' } }), 'AUTH_ADDRESS_REFUSED');
  refused(() => crossbarDecision(list, 'realm1', null, { ...details(bob), authmethod: 'ticket' }), 'AUTH_METHOD_REFUSED');
  refused(() => crossbarDecision(list, 'realm1', null, { authmethod: 'cryptosign', authextra: {} }), 'AUTH_UNKNOWN_KEY');
  // fail closed on realm: a realm-bound principal and no realm (or not a string)
  refused(() => crossbarDecision(list, undefined, null, details(alice)), 'AUTH_REALM_MISMATCH');
  refused(() => crossbarDecision(list, ['devices'], null, details(alice)), 'AUTH_REALM_MISMATCH');
  refused(() => crossbarDecision(list, 'realm1', 'x'.repeat(257), details(bob)), 'AUTH_INPUT_TOO_LONG');
  assert.equal(peerAddressOf({ transport: { peer: 'tcp6:[::1]:8080' } }), '::1');
  assert.equal(peerAddressOf({ transport: { peer: 'tcp6:::ffff:10.0.0.1:8080' } }), '::ffff:10.0.0.1');
});

test('library: the authenticator logs in with an ssh-agent key, registers, answers crossbar; the file is followed while it runs', async () => {
  const r = await crossbarLike([authKey.publicKeyHex]);
  writePrincipals([`wamp-role="device" ${alice.publicKeyHex} alice`, `expiry-time="20200101",wamp-role="device" ${carol.publicKeyHex} carol`]);
  const decisions: Decision[] = [];
  const session = await runCrossbarAuthenticator(authKey, {
    url: r.url,
    realm: 'realm-auth',
    procedure: 'com.example.authenticate',
    principals: new AuthorizedKeysFile(principalsPath),
    onDecision: (d) => decisions.push(d),
  });
  assert.equal(session.authrole, 'authenticator');
  assert.equal(await login(r.url, alice), 'alice/device');
  // the client hears "not authorized", whatever the reason; the reason is in the decision log
  assert.equal(await login(r.url, bob), 'refused: AUTH_NOT_AUTHORIZED');
  assert.equal(await login(r.url, carol), 'refused: AUTH_NOT_AUTHORIZED');
  assert.equal(await login(r.url, alice, 'realm1', 'mallory'), 'refused: AUTH_NOT_AUTHORIZED');
  // the operator adds bob and removes alice while it runs
  writePrincipals([`wamp-role="operator" ${bob.publicKeyHex} bob`]);
  assert.equal(await login(r.url, bob), 'bob/operator');
  assert.equal(await login(r.url, alice), 'refused: AUTH_NOT_AUTHORIZED');
  assert.deepEqual(
    decisions.map((d) => (d.ok ? `allow ${d.principal}` : `deny ${d.code}`)),
    ['allow alice', 'deny AUTH_UNKNOWN_KEY', 'deny AUTH_KEY_EXPIRED', 'deny AUTH_AUTHID_MISMATCH', 'allow bob', 'deny AUTH_UNKNOWN_KEY'],
  );
  assert.match(decisionLine(decisions[0]!), /^allow realm="realm1" authid=null key=SHA256:\S+ peer=tcp4:127\.0\.0\.1:\d+ -> authid="alice" role="device"$/);
  await session.leave();
  assert.equal(await login(r.url, bob), 'refused: no authenticator registered', 'with the authenticator gone, crossbar refuses');
});

test('library: an authenticator the router does not know is refused, and nothing is registered', async () => {
  const r = await crossbarLike([fromSeed('11'.repeat(32)).publicKeyHex]);
  writePrincipals([`wamp-role="device" ${alice.publicKeyHex} alice`]);
  await assert.rejects(
    runCrossbarAuthenticator(authKey, { url: r.url, realm: 'realm-auth', procedure: 'com.example.authenticate', principals: parseAuthorizedKeys('') }),
    (e: Error & { code?: string }) => e.code === 'WAMP_ABORTED' && /AUTH_NOT_AUTHORIZED/.test(e.message),
  );
  assert.equal(await login(r.url, alice), 'refused: no authenticator registered');
  await assert.rejects(
    runCrossbarAuthenticator(authKey, { url: 'ws://127.0.0.1:1/ws', realm: 'realm-auth', procedure: 'x', principals: parseAuthorizedKeys('') }),
    { code: 'WAMP_CONNECTION_FAILED' },
  );
});

test('CLI: cryptosign-keys authenticator runs, logs each decision (no secrets), follows the file, leaves on SIGTERM with exit 0', async () => {
  const seedFile = join(tmp.dir, 'auth.seed');
  writeFileSync(seedFile, AUTH_SEED, { mode: 0o600 });
  const r = await crossbarLike([fromSeed(AUTH_SEED).publicKeyHex]);
  writePrincipals([`${alice.publicKeyHex} alice`]);
  const child = spawn(process.execPath, [CLI, 'authenticator', '--url', r.url, '--realm', 'realm-auth', '--procedure', 'com.example.authenticate', '--authorized-keys', principalsPath, '--default-role', 'user', '--seed-file', seedFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const lines: string[] = [];
  let waiting: { pattern: RegExp; resolve: () => void } | undefined;
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (waiting && waiting.pattern.test(stderr)) waiting.resolve();
  });
  const logged = (pattern: RegExp) => new Promise<void>((resolve) => (pattern.test(stderr) ? resolve() : (waiting = { pattern, resolve })));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await Promise.race([logged(/registered com\.example\.authenticate/), exited.then(() => assert.fail(`the authenticator exited: ${stderr}`))]);
  assert.equal(await login(r.url, alice), 'alice/user');
  assert.equal(await login(r.url, bob), 'refused: AUTH_NOT_AUTHORIZED');
  writePrincipals([`wamp-role="admin" ${bob.publicKeyHex} bob`]);
  assert.equal(await login(r.url, bob), 'bob/admin');
  writePrincipals([`${'01' + '00'.repeat(31)} identity`, `from="10.0.0.1",from="*" ${bob.publicKeyHex} bob`]);
  assert.equal(await login(r.url, bob), 'refused: AUTH_NOT_AUTHORIZED', 'a line sshd would skip is skipped');
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  lines.push(...stderr.trim().split('\n'));
  assert.equal(stdout, '');
  assert.ok(lines.every((l) => l.startsWith('cryptosign-keys authenticator: ')), stderr);
  assert.equal(lines.filter((l) => / allow /.test(l)).length, 2);
  assert.equal(lines.filter((l) => / deny .*\[AUTH_UNKNOWN_KEY\]$/.test(l)).length, 2);
  assert.ok(lines.at(-1)?.endsWith('leaving'));
  for (const secret of [AUTH_SEED, alice.publicKeyHex]) assert.ok(!stderr.includes(secret), 'keys appear only as fingerprints');
});

test('CLI: authenticator usage errors exit 2; a router that refuses it exits 1 with the code', async () => {
  const run = (args: string[]) => runProcess(process.execPath, [CLI, 'authenticator', ...args]);
  const seedFile = join(tmp.dir, 'other.seed');
  writeFileSync(seedFile, '12'.repeat(32), { mode: 0o600 });
  writePrincipals([`${alice.publicKeyHex} alice`]);
  const base = ['--realm', 'realm-auth', '--procedure', 'p', '--authorized-keys', principalsPath, '--seed-file', seedFile];
  const noUrl = await run(base);
  assert.deepEqual([noUrl.code, noUrl.stdout], [2, '']);
  assert.match(noUrl.stderr, /give --url URL/);
  const r = await crossbarLike([alice.publicKeyHex]);
  const refused = await run(['--url', r.url, ...base]);
  assert.deepEqual([refused.code, refused.stdout], [1, '']);
  assert.match(refused.stderr, /^cryptosign-keys: the router refused the session \(wamp\.error\.not_authorized: AUTH_NOT_AUTHORIZED\) \[WAMP_ABORTED\]\n$/);
});

/**
 * The router side against a client nobody here wrote: autobahn-python's own
 * cryptosign client (Debian python3-autobahn, Twisted Component) logs into the
 * library's CryptosignAuthenticator over ws and real wss (TLS 1.2 and 1.3),
 * with and without tls-unique channel binding; the refusals a router must
 * make; and a router signature made through a real ssh-agent key, checked by
 * autobahn-python's key (PyNaCl underneath) and by the client-side check.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startThrowawayAgent, type ThrowawayAgent } from '../lib/agent/throwaway.js';
import { toHex } from '../lib/crypto/hex.js';
import { openAgentKey } from '../lib/keys/agent-key.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import type { SigningKey } from '../lib/keys/signing-key.js';
import { signChallenge } from '../lib/wamp/challenge.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { verifyRouterSignature } from '../lib/wamp/client/router-trust.js';
import { CryptosignAuthenticator } from '../lib/wamp/router/authenticator.js';
import { autobahnPython, autobahnPythonLogin, type PyLogin } from './helpers/autobahn-python.js';
import { startTestRouter, type TestRouter } from './helpers/test-router.js';
import { makeTestCert, TLS_VERSIONS, type TlsVersion } from './helpers/tls.js';

const cert = makeTestCert();
const SEED = '5e'.repeat(32);
const clientKey = fromSeed(SEED);
const principals = parseAuthorizedKeys(
  [`wamp-role="operator" ${clientKey.publicKeyHex} py-alice`, `expiry-time="20200101Z" ${fromSeed('d4'.repeat(32)).publicKeyHex} old`].join('\n'),
);
let agent: ThrowawayAgent;
let routerKey: SigningKey;
const routers: TestRouter[] = [];

before(async () => {
  agent = await startThrowawayAgent();
  await agent.makeKey('router', { comment: 'router-node-key' });
  routerKey = await openAgentKey('router-node-key', { socketPath: agent.socketPath });
});
after(async () => {
  for (const r of routers) await r.stop();
  await routerKey?.close();
  await agent.stop();
  cert.cleanup();
});

/** autobahn-python's Component logs in (the router runs in this process) */
const pythonLogin = (url: string, seedHex: string, opts: { authid?: string; binding?: string; tls?: boolean } = {}): Promise<PyLogin> =>
  autobahnPythonLogin(url, seedHex, { ...(opts.authid ? { authid: opts.authid } : {}), ...(opts.binding ? { binding: opts.binding } : {}), ...(opts.tls ? { caFile: cert.certPath } : {}) });

async function router(version: TlsVersion | null): Promise<TestRouter> {
  const r = await startTestRouter({ principals, routerKey, ...(version ? { tls: { cert, version } } : {}) });
  routers.push(r);
  return r;
}

test('autobahn-python logs in over ws, and over wss (TLS 1.2 and 1.3) with and without tls-unique', async () => {
  const cases: { version: TlsVersion | null; binding?: string }[] = [
    { version: null },
    ...TLS_VERSIONS.flatMap((version) => [{ version }, { version, binding: 'tls-unique' }]),
  ];
  for (const c of cases) {
    const r = await router(c.version);
    const what = `${c.version ?? 'plain ws'}, binding ${c.binding ?? 'none'}`;
    const got = await pythonLogin(r.url, SEED, { tls: c.version !== null, ...(c.binding ? { binding: c.binding } : {}) });
    assert.deepEqual(got.joined, { authid: 'py-alice', authrole: 'operator', authmethod: 'cryptosign' }, `${what}: ${JSON.stringify(got)}`);
    assert.equal(r.challenges.at(-1)?.channel_binding, c.binding ?? null, what);
    assert.equal(r.outcomes.at(-1)?.principal, 'py-alice');
  }
});

test('autobahn-python refused by the authenticator: unknown key, wrong authid, expired key, binding on plain ws', async () => {
  const wss = await router('TLSv1.3');
  const ws = await router(null);
  const cases: [string, TestRouter, () => Promise<PyLogin>, string][] = [
    ['unknown key', wss, () => pythonLogin(wss.url, 'f6'.repeat(32), { tls: true }), 'AUTH_UNKNOWN_KEY'],
    ['wrong authid', wss, () => pythonLogin(wss.url, SEED, { tls: true, authid: 'mallory' }), 'AUTH_AUTHID_MISMATCH'],
    ['expired key', wss, () => pythonLogin(wss.url, 'd4'.repeat(32), { tls: true }), 'AUTH_KEY_EXPIRED'],
    ['binding on plain ws', ws, () => pythonLogin(ws.url, SEED, { binding: 'tls-unique' }), 'AUTH_BINDING_REFUSED'],
  ];
  for (const [name, r, run, code] of cases) {
    const got = await run();
    assert.equal(got.joined, undefined, `${name}: ${JSON.stringify(got)}`);
    assert.equal(got.left?.reason, 'wamp.error.not_authorized', name);
    assert.equal(r.outcomes.at(-1)?.code, code, name);
  }
});

test('a router signature made through ssh-agent verifies in autobahn-python (PyNaCl) and in the client-side check; a wrong one does not', async () => {
  const auth = new CryptosignAuthenticator({ principals, routerKey });
  const jobs = [];
  const expected: boolean[] = [];
  for (const channelId of [undefined, new Uint8Array(randomBytes(32))]) {
    const ours = toHex(randomBytes(32));
    // unbound: the authenticator's own answer; bound (it takes the id from a live socket, tested
    // end to end elsewhere): the same signer with the id given
    const login = await auth.hello({ authextra: { pubkey: clientKey.publicKeyHex, challenge: ours } }, {});
    const signature = channelId ? await signChallenge(routerKey, ours, { channelId }) : login.extra.signature!;
    assert.equal(login.extra.pubkey, routerKey.publicKeyHex);
    assert.equal(verifyRouterSignature([routerKey.publicKeyHex], ours, { pubkey: routerKey.publicKeyHex, signature }, channelId ? { channelId } : {}), routerKey.publicKeyHex);
    const cid = channelId ? toHex(channelId) : null;
    jobs.push({ kind: 'verify', pubkey: routerKey.publicKeyHex, signature, challenge: ours, channel_id: cid });
    expected.push(true);
    // the same answer over another challenge, and with one bit flipped, is refused by both
    jobs.push({ kind: 'verify', pubkey: routerKey.publicKeyHex, signature, challenge: toHex(randomBytes(32)), channel_id: cid });
    expected.push(false);
    const flipped = signature.slice(0, 10) + (signature[10] === '0' ? '1' : '0') + signature.slice(11);
    jobs.push({ kind: 'verify', pubkey: routerKey.publicKeyHex, signature: flipped, challenge: ours, channel_id: cid });
    expected.push(false);
    assert.throws(() => verifyRouterSignature([routerKey.publicKeyHex], ours, { pubkey: routerKey.publicKeyHex, signature: flipped }, channelId ? { channelId } : {}), { code: 'ROUTER_SIGNATURE_WRONG' });
  }
  const results = autobahnPython(jobs);
  assert.deepEqual(results.map((r) => (r as { valid?: boolean; error?: string }).valid ?? r.error), expected);
});

/**
 * The promise-returning connects, with the real clients: `login.connectWampy`
 * (wampy 8) and `login.openAutobahn` (autobahn-js 22 and 26) resolve once the
 * session is joined over real wss on loopback (tls-unique, router
 * authentication), and reject with the coded reason within the handshake:
 * our own refusal (ROUTER_KEY_UNTRUSTED, nothing signed — where wampy's own
 * connect() never settles), the router's ABORT (WAMP_ABORTED), no router
 * (WAMP_CONNECTION_FAILED).
 *
 * autobahn-js and the global WebSocket: with a foreign global WebSocket in
 * place (Node >= 22 has undici's; on Node 20 the test installs ws's plain
 * class, which like undici's knows nothing of the login's agent), both
 * autobahn-js versions still log in bound through the login's own class, and
 * the global is exactly what it was before, during and after; without the
 * module, `login.autobahn(wss…)` throws AUTOBAHN_GLOBAL_WEBSOCKET.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { Wampy } from 'wampy';
import WebSocket from 'ws';
import { CryptosignKeysError } from '../lib/errors.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import { cryptosignClient, type CryptosignClient, type CryptosignClientOptions } from '../lib/wamp/client/cryptosign-client.js';
import type { AutobahnModule } from '../lib/wamp/client/autobahn.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { counting } from './helpers/counting-key.js';
import { startTestRouter, type TestRouter } from './helpers/test-router.js';
import { makeTestCert } from './helpers/tls.js';

const require = createRequire(import.meta.url);
type Connection = { onopen: (session: { id: number }, details: { authid?: string }) => void; close(): void };
const AUTOBAHN: Record<string, AutobahnModule<Connection>> = {
  'autobahn-js 22': require('autobahn') as AutobahnModule<Connection>,
  'autobahn-js 26': require('autobahn26') as AutobahnModule<Connection>,
};
type Kind = 'wampy' | 'autobahn-js 22' | 'autobahn-js 26';
const KINDS: Kind[] = ['wampy', 'autobahn-js 22', 'autobahn-js 26'];

const cert = makeTestCert();
const alice = fromSeed('a7'.repeat(32));
const routerKey = fromSeed('7a'.repeat(32));
const otherRouterKey = fromSeed('7b'.repeat(32));
let router: TestRouter;
/** a loopback port nobody listens on (port 1: one let go by a server here could be taken by another test's) */
const closedPort = 1;
const globalWebSocket = () => Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
const globalAtStart = globalWebSocket();

before(async () => {
  router = await startTestRouter({ principals: parseAuthorizedKeys(`${alice.publicKeyHex} alice`), routerKey, tls: { cert, version: 'TLSv1.3' } });
});
after(async () => {
  await router.stop();
  cert.cleanup();
});

const secure = (extra: CryptosignClientOptions = {}): CryptosignClientOptions => ({ tls: { ca: cert.cert }, channelBinding: 'tls-unique', ...extra });

/** Connects with the adapter for `kind`; resolves with a way to leave, and what the open connection saw. */
async function connect(kind: Kind, client: CryptosignClient, url: string, authid = 'alice') {
  if (kind === 'wampy') {
    const wampy = await client.connectWampy(Wampy, url, { realm: 'realm1', authid });
    return { globalWhileOpen: globalWebSocket(), tls: client.socket?.getProtocol(), leave: () => wampy.disconnect() };
  }
  const { connection, session, details } = await client.openAutobahn(AUTOBAHN[kind]!, { url, realm: 'realm1', authid });
  assert.equal(typeof session.id, 'number');
  assert.equal(details.authid, authid);
  return { globalWhileOpen: globalWebSocket(), tls: client.socket?.getProtocol(), leave: async () => connection.close() };
}

async function refusal(kind: Kind, client: CryptosignClient, url: string, authid = 'alice'): Promise<CryptosignKeysError> {
  const e = await connect(kind, client, url, authid).then(
    () => assert.fail(`${kind}: connected although it should have been refused`),
    (err: unknown) => err,
  );
  assert.ok(e instanceof CryptosignKeysError, `${kind}: not a coded error: ${String(e)}`);
  assert.doesNotMatch(e.message, /\n/);
  return e;
}

for (const kind of KINDS) {
  test(`${kind}: the promise-returning connect resolves once joined, wss + tls-unique + router authentication, the global WebSocket untouched`, async () => {
    const client = cryptosignClient(alice, secure({ routerKeys: [routerKey.publicKeyHex] }));
    const open = await connect(kind, client, router.url);
    assert.equal(router.outcomes.at(-1)?.principal, 'alice');
    assert.equal(router.challenges.at(-1)?.channel_binding, 'tls-unique');
    assert.equal(router.challenges.at(-1)?.pubkey, routerKey.publicKeyHex);
    assert.equal(open.tls, 'TLSv1.3', 'the login captured the TLS socket of this connection');
    assert.deepEqual(open.globalWhileOpen, globalAtStart);
    await open.leave();
    assert.deepEqual(globalWebSocket(), globalAtStart);
  });

  test(`${kind}: refusals reject with the coded reason: ours (nothing signed), the router's ABORT, no router`, async () => {
    const key = counting(alice);
    const untrusting = cryptosignClient(key, secure({ routerKeys: [otherRouterKey.publicKeyHex] }));
    const ours = await refusal(kind, untrusting, router.url);
    assert.equal(ours.code, 'ROUTER_KEY_UNTRUSTED');
    assert.equal(ours, untrusting.lastError);
    assert.equal(key.signs, 0, 'the key was asked to sign');

    const stranger = cryptosignClient(fromSeed('5f'.repeat(32)), secure());
    const aborted = await refusal(kind, stranger, router.url, 'mallory');
    assert.equal(aborted.code, 'WAMP_ABORTED');
    assert.match(aborted.message, /wamp\.error\.not_authorized/);
    assert.equal(router.outcomes.at(-1)?.code, 'AUTH_UNKNOWN_KEY');

    const nobody = await refusal(kind, cryptosignClient(alice, secure()), `wss://127.0.0.1:${closedPort}/ws`);
    assert.equal(nobody.code, 'WAMP_CONNECTION_FAILED');
    assert.match(nobody.message, /ECONNREFUSED/, 'the WebSocket\'s own reason is kept');
    assert.deepEqual(globalWebSocket(), globalAtStart);
  });
}

/** Runs `body` with a global WebSocket that is not the login's: Node >= 22's own, or on Node 20 ws's plain class. */
async function withForeignGlobalWebSocket(body: () => Promise<void>): Promise<void> {
  const g = globalThis as { WebSocket?: unknown };
  if (globalAtStart) return body();
  g.WebSocket = WebSocket;
  try {
    await body();
  } finally {
    delete g.WebSocket;
  }
}

test('autobahn-js 22 and 26 with a foreign global WebSocket: openAutobahn still binds through the login\'s class, scoped to the connection; login.autobahn(wss) without the module throws AUTOBAHN_GLOBAL_WEBSOCKET', async () => {
  await withForeignGlobalWebSocket(async () => {
    const foreign = globalWebSocket();
    for (const kind of ['autobahn-js 22', 'autobahn-js 26'] as const) {
      const client = cryptosignClient(alice, secure({ routerKeys: [routerKey.publicKeyHex] }));
      const open = await connect(kind, client, router.url);
      assert.equal(open.tls, 'TLSv1.3', `${kind}: bound through the login's socket`);
      assert.equal(router.challenges.at(-1)?.channel_binding, 'tls-unique');
      assert.deepEqual(open.globalWhileOpen, foreign, `${kind}: the global WebSocket was changed`);
      await open.leave();
    }
    const client = cryptosignClient(alice, secure());
    assert.throws(() => client.autobahn(router.url), (e: CryptosignKeysError) => e.code === 'AUTOBAHN_GLOBAL_WEBSOCKET' && !/\n/.test(e.message));
    // plain ws has no TLS socket to lose: allowed; and the login's own class as the global is its own business
    assert.equal(client.autobahn('ws://127.0.0.1:1/ws').transports[0]?.type, 'websocket');
    assert.deepEqual(globalWebSocket(), foreign);
  });
  assert.deepEqual(globalWebSocket(), globalAtStart);
});

test('openAutobahn: our refusal does not reach on_user_error (the promise reports it); an error in the app\'s own onopen still does', async () => {
  const seen: unknown[] = [];
  const on_user_error = (e: unknown) => seen.push(e);
  const untrusting = cryptosignClient(alice, secure({ routerKeys: [otherRouterKey.publicKeyHex] }));
  await assert.rejects(untrusting.openAutobahn(AUTOBAHN['autobahn-js 22']!, { url: router.url, realm: 'realm1', authid: 'alice', on_user_error }), { code: 'ROUTER_KEY_UNTRUSTED' });
  assert.deepEqual(seen, []);
  const bug = new Error('app bug');
  const client = cryptosignClient(alice, secure());
  const { connection } = await client.openAutobahn(AUTOBAHN['autobahn-js 22']!, {
    url: router.url,
    realm: 'realm1',
    authid: 'alice',
    on_user_error,
    onopen: () => {
      throw bug;
    },
  });
  connection.close();
  assert.deepEqual(seen, [bug]);
});

test('transcript mode goes through the promise-returning connects unchanged: wampy, autobahn-js 22 and 26 log in to a router that requires it; a router that does not confirm it is refused with TRANSCRIPT_NOT_CONFIRMED, nothing signed', async () => {
  const requiring = await startTestRouter({ principals: parseAuthorizedKeys(`${alice.publicKeyHex} alice`), routerKey, tls: { cert, version: 'TLSv1.3' }, transcript: 'require' });
  try {
    for (const kind of KINDS) {
      const client = cryptosignClient(alice, secure({ channelBinding: 'tls-exporter', routerKeys: [routerKey.publicKeyHex], transcript: true, realm: 'realm1', authid: 'alice' }));
      const open = await connect(kind, client, requiring.url);
      assert.equal(requiring.outcomes.at(-1)?.principal, 'alice', kind);
      assert.ok(requiring.challenges.at(-1)?.transcript, `${kind}: the router confirmed transcript mode`);
      await open.leave();
      const key = counting(alice);
      const downgraded = cryptosignClient(key, secure({ channelBinding: 'tls-exporter', routerKeys: [routerKey.publicKeyHex], transcript: true, realm: 'realm1', authid: 'alice' }));
      assert.equal((await refusal(kind, downgraded, router.url)).code, 'TRANSCRIPT_NOT_CONFIRMED', kind);
      assert.equal(key.signs, 0, `${kind}: the key was asked to sign`);
    }
  } finally {
    await requiring.stop();
  }
});

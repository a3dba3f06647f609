/**
 * The router-side authenticator inside a router nobody here wrote: fox-wamp
 * (npm), through the package's adapter (lib/wamp/router/fox-wamp.ts). Real
 * clients (autobahn-js 22, wampy, autobahn-python) log in, with router
 * authentication by a router key held in ssh-agent.
 *
 * The auth handler alone gets no socket from fox-wamp: binding asked for is
 * refused, and requiring it is refused when the handler is made.
 * listenFoxWamp reaches the socket: over real wss on loopback (fox-wamp's
 * listener on an https server), tls-unique and tls-exporter logins work, and
 * with requireChannelBinding an unbound login is refused.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Wampy } from 'wampy';
import { startThrowawayAgent, type ThrowawayAgent } from '../lib/agent/throwaway.js';
import { CryptosignKeysError } from '../lib/errors.js';
import { openAgentKey } from '../lib/keys/agent-key.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import type { SigningKey } from '../lib/keys/signing-key.js';
import { cryptosignClient, type CryptosignClientOptions } from '../lib/wamp/client/cryptosign-client.js';
import type { AutobahnModule } from '../lib/wamp/client/autobahn.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { foxWampAuthHandler, listenFoxWamp, type FoxWampDecision, type FoxWampRouter, type FoxWampServer } from '../lib/wamp/router/fox-wamp.js';
import { autobahnPythonLogin } from './helpers/autobahn-python.js';
import { makeTestCert } from './helpers/tls.js';

const require = createRequire(import.meta.url);
type FoxServer = FoxWampServer & { address(): AddressInfo | null; clients: Set<{ terminate(): void }>; once(e: string, f: () => void): void };
type FoxRouter = FoxWampRouter<FoxServer>;
const FoxRouterClass = require('fox-wamp') as new () => FoxRouter;
const autobahn = require('autobahn') as AutobahnModule;

const SEED = '6d'.repeat(32);
const alice = fromSeed(SEED);
const principals = parseAuthorizedKeys(`${alice.publicKeyHex} alice`);
const cert = makeTestCert();
let agent: ThrowawayAgent;
let routerKey: SigningKey;
const servers: { server: FoxServer; https?: HttpsServer }[] = [];
const decisions: string[] = [];
const onDecision = (d: FoxWampDecision) => decisions.push(d.principal ? `ok ${d.principal}` : String(d.code));

before(async () => {
  agent = await startThrowawayAgent();
  await agent.makeKey('router', { comment: 'fox-router-key' });
  routerKey = await openAgentKey('fox-router-key', { socketPath: agent.socketPath });
});
after(async () => {
  for (const { server, https } of servers) {
    for (const c of server.clients) c.terminate();
    await new Promise<void>((r) => server.close(() => r()));
    if (https) await new Promise<void>((r) => https.close(() => r()));
  }
  await routerKey?.close();
  await agent.stop();
  cert.cleanup();
});

/** fox-wamp with the bare auth handler on plain ws (no socket reachable) */
async function foxWithHandler(): Promise<string> {
  const server = new FoxRouterClass().listenWAMP({ port: 0, host: '127.0.0.1' }, foxWampAuthHandler({ principals, routerKey, onDecision }));
  servers.push({ server });
  await new Promise<void>((r) => (server.address() ? r() : server.once('listening', r)));
  return `ws://127.0.0.1:${server.address()!.port}/ws`;
}

/** fox-wamp through listenFoxWamp on an https server (real TLS on loopback) */
async function foxOverTls(requireChannelBinding = false): Promise<string> {
  const https = createHttpsServer({ key: cert.key, cert: cert.cert });
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  const server = listenFoxWamp(new FoxRouterClass(), { ws: { server: https }, principals, routerKey, requireChannelBinding, onDecision });
  servers.push({ server, https });
  return `wss://127.0.0.1:${(https.address() as AddressInfo).port}/ws`;
}

/** 'open', or the coded reason the promise-returning connect rejected with */
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'open',
    (e: unknown) => (e instanceof CryptosignKeysError ? e.code : `uncoded: ${String(e)}`),
  );

async function autobahnLogin(url: string, key: SigningKey, options: CryptosignClientOptions, authid = 'alice'): Promise<string> {
  const client = cryptosignClient(key, options);
  return outcome(client.openAutobahn(autobahn, { url, realm: 'realm1', authid }).then(({ connection }) => (connection as { close(): void }).close()));
}

async function wampyLogin(url: string, key: SigningKey, options: CryptosignClientOptions, authid = 'alice'): Promise<string> {
  const client = cryptosignClient(key, options);
  return outcome(client.connectWampy(Wampy, url, { realm: 'realm1', authid }).then((w) => w.disconnect()));
}

test('fox-wamp + the adapter: autobahn-js 22 and wampy log in with router authentication (router key in ssh-agent)', async () => {
  const url = await foxWithHandler();
  const options = { routerKeys: [routerKey.publicKeyHex] };
  assert.equal(await autobahnLogin(url, alice, options), 'open');
  assert.equal(await wampyLogin(url, alice, options), 'open');
  assert.deepEqual(decisions.splice(0), ['ok alice', 'ok alice']);
});

test('fox-wamp + the bare handler: refusals (unknown key, router key not trusted, binding without a socket); requiring binding without a socket is refused up front', async () => {
  const url = await foxWithHandler();
  assert.equal(await autobahnLogin(url, fromSeed('f1'.repeat(32)), {}, 'mallory'), 'WAMP_ABORTED');
  assert.equal(await autobahnLogin(url, alice, { routerKeys: [fromSeed('b2'.repeat(32)).publicKeyHex] }), 'ROUTER_KEY_UNTRUSTED');
  assert.equal(await wampyLogin(url, alice, { channelBinding: 'tls-unique' }), 'WAMP_ABORTED');
  assert.deepEqual(decisions.splice(0), ['AUTH_UNKNOWN_KEY', 'AUTH_BINDING_REFUSED']);
  assert.throws(() => foxWampAuthHandler({ principals, requireChannelBinding: true }), (e: CryptosignKeysError) => e.code === 'ROUTER_SOCKET_UNREACHABLE');
});

test('fox-wamp through listenFoxWamp over real TLS: tls-unique and tls-exporter logins (autobahn-js 22, wampy) with router authentication; requireChannelBinding refuses an unbound login', async () => {
  const url = await foxOverTls(true);
  const tls = { ca: cert.cert };
  assert.equal(await autobahnLogin(url, alice, { tls, channelBinding: 'tls-unique', routerKeys: [routerKey.publicKeyHex] }), 'open');
  assert.equal(await wampyLogin(url, alice, { tls, channelBinding: 'tls-exporter', routerKeys: [routerKey.publicKeyHex] }), 'open');
  assert.equal(await wampyLogin(url, alice, { tls }), 'WAMP_ABORTED');
  assert.deepEqual(decisions.splice(0), ['ok alice', 'ok alice', 'AUTH_BINDING_REFUSED']);
});

test('fox-wamp + the adapter: autobahn-python (its own cryptosign client) logs in; a wrong key does not', async () => {
  const url = await foxWithHandler();
  const run = (seed: string) => autobahnPythonLogin(url, seed, { authid: 'alice' });
  assert.equal((await run(SEED)).joined?.authid, 'alice');
  const bad = await run('f2'.repeat(32));
  assert.equal(bad.joined, undefined);
  assert.deepEqual(decisions.splice(0), ['ok alice', 'AUTH_UNKNOWN_KEY']);
});

/**
 * The router-side authenticator inside a router nobody here wrote: fox-wamp
 * (npm), whose WAMP gate asks an auth handler for the CHALLENGE extra
 * (`cryptosign_extra`) and the verdict (`cryptosign_auth`). The handler below
 * is the whole adapter; real clients (autobahn-js 22, wampy, autobahn-python)
 * log in, with router authentication by a router key held in ssh-agent.
 * fox-wamp gives the handler no socket, so channel binding is refused there.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Wampy } from 'wampy';
import { startThrowawayAgent, type ThrowawayAgent } from '../lib/agent/throwaway.js';
import { AuthError } from '../lib/errors.js';
import { openAgentKey } from '../lib/keys/agent-key.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import type { SigningKey } from '../lib/keys/signing-key.js';
import { cryptosignClient, type CryptosignClientOptions } from '../lib/wamp/client/cryptosign-client.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { CryptosignAuthenticator, type HelloDetails, type PendingLogin } from '../lib/wamp/router/authenticator.js';
import { autobahnPythonLogin } from './helpers/autobahn-python.js';

const require = createRequire(import.meta.url);
type Callback = (err: Error | null, value?: unknown) => void;
const FoxRouter = require('fox-wamp') as new () => { listenWAMP(o: Record<string, unknown>, handler: unknown): { address(): AddressInfo; close(cb?: () => void): void; clients: Set<{ terminate(): void }> } };
const autobahn = require('autobahn') as {
  Connection: new (o: Record<string, unknown>) => { onopen: (s: unknown, d: { authid?: string }) => void; onclose: (r: string, d: { reason?: string }) => boolean; open(): void; close(): void };
};

const SEED = '6d'.repeat(32);
const alice = fromSeed(SEED);
let agent: ThrowawayAgent;
let routerKey: SigningKey;
let server: ReturnType<InstanceType<typeof FoxRouter>['listenWAMP']>;
let url: string;
const decisions: string[] = [];

/** the fox-wamp auth handler: the library's authenticator behind fox's two callbacks */
function foxHandler(auth: CryptosignAuthenticator) {
  const logins = new WeakMap<object, PendingLogin>();
  const record = (e: unknown, cb: Callback) => {
    decisions.push(e instanceof AuthError ? (e.refusal?.code ?? e.code) : String(e)); // the operator's code; the client got e.code
    cb(e as Error);
  };
  return {
    getAuthMethods: () => ['cryptosign'],
    cryptosign_extra(realm: string, details: HelloDetails, cb: Callback) {
      auth.hello(details, { realm }).then(
        (login) => {
          logins.set(details, login);
          cb(null, login.extra);
        },
        (e) => record(e, cb),
      );
    },
    cryptosign_auth(_realm: string, details: HelloDetails, signature: unknown, _extra: unknown, cb: Callback) {
      const login = logins.get(details);
      if (!login) return record(new Error('no challenge was issued'), cb);
      try {
        const p = login.authenticate(signature);
        decisions.push(`ok ${p.name}`);
        cb(null, { authid: p.name, role: p.role });
      } catch (e) {
        record(e, cb);
      }
    },
  };
}

before(async () => {
  agent = await startThrowawayAgent();
  await agent.makeKey('router', { comment: 'fox-router-key' });
  routerKey = await openAgentKey('fox-router-key', { socketPath: agent.socketPath });
  const auth = new CryptosignAuthenticator({ principals: parseAuthorizedKeys(`${alice.publicKeyHex} alice`), routerKey });
  server = new FoxRouter().listenWAMP({ port: 0, host: '127.0.0.1' }, foxHandler(auth));
  await new Promise<void>((r) => (server.address() ? r() : (server as unknown as { once(e: string, f: () => void): void }).once('listening', r)));
  url = `ws://127.0.0.1:${server.address().port}/ws`;
});
after(async () => {
  for (const c of server.clients) c.terminate();
  await new Promise<void>((r) => server.close(() => r()));
  await routerKey?.close();
  await agent.stop();
});

function autobahnLogin(key: SigningKey, options: CryptosignClientOptions, authid = 'alice'): Promise<string> {
  delete (globalThis as { WebSocket?: unknown }).WebSocket;
  const client = cryptosignClient(key, options);
  return new Promise((resolve) => {
    const c = new autobahn.Connection({ realm: 'realm1', authid, ...client.autobahn(url), max_retries: 0, retry_if_unreachable: false });
    let opened = false;
    c.onopen = () => {
      opened = true;
      resolve('open');
      c.close();
    };
    c.onclose = (reason, d) => {
      if (!opened) resolve(`closed: ${client.lastError?.code ?? d.reason ?? reason}`);
      return true;
    };
    c.open();
  });
}

test('fox-wamp + the authenticator: autobahn-js 22 and wampy log in with router authentication (router key in ssh-agent)', async () => {
  const options = { routerKeys: [routerKey.publicKeyHex] };
  assert.equal(await autobahnLogin(alice, options), 'open');
  const client = cryptosignClient(alice, options);
  const wampy = new Wampy(url, { realm: 'realm1', authid: 'alice', ...client.wampy(), autoReconnect: false } as never);
  await wampy.connect();
  await wampy.disconnect();
  assert.deepEqual(decisions.splice(0), ['ok alice', 'ok alice']);
});

test('fox-wamp + the authenticator: refusals (unknown key, router key not trusted, binding without a socket) sign nothing the router accepts', async () => {
  assert.match(await autobahnLogin(fromSeed('f1'.repeat(32)), {}, 'mallory'), /^closed/);
  assert.match(await autobahnLogin(alice, { routerKeys: [fromSeed('b2'.repeat(32)).publicKeyHex] }), /^closed: ROUTER_KEY_UNTRUSTED/);
  assert.match(await autobahnLogin(alice, { channelBinding: 'tls-unique' }), /^closed/);
  assert.deepEqual(decisions.splice(0), ['AUTH_UNKNOWN_KEY', 'AUTH_BINDING_REFUSED']);
});

test('fox-wamp + the authenticator: autobahn-python (its own cryptosign client) logs in; a wrong key does not', async () => {
  const run = (seed: string) => autobahnPythonLogin(url, seed, { authid: 'alice' });
  assert.equal((await run(SEED)).joined?.authid, 'alice');
  const bad = await run('f2'.repeat(32));
  assert.equal(bad.joined, undefined);
  assert.deepEqual(decisions.splice(0), ['ok alice', 'AUTH_UNKNOWN_KEY']);
});

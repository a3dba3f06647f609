/**
 * The secure handshake end to end, over real wss on loopback (TLS 1.2 and 1.3,
 * certificates made by openssl): autobahn-js 22.x, autobahn-js 26.x and wampy
 * log in through cryptosignClient() with seed, file and ssh-agent keys, with
 * tls-unique and tls-exporter channel binding and router authentication, to a
 * router whose decision is the library's CryptosignAuthenticator (its router
 * key from a seed, or held in ssh-agent).
 *
 * Then every refusal, client side and router side: a coded error, the
 * connection closed, and — for the client-side checks — the key never asked
 * to sign (counted at the key and at the agent client).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ThrowawayAgent } from '../lib/agent/throwaway.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import type { SigningKey } from '../lib/keys/signing-key.js';
import { signChallenge } from '../lib/wamp/challenge.js';
import { cryptosignClient, type CryptosignClient, type CryptosignClientOptions } from '../lib/wamp/client/cryptosign-client.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { counting, type CountingAgentClient } from './helpers/counting-key.js';
import { openLoginKeys, type LoginKeys } from './helpers/login-keys.js';
import { tempDir } from './helpers/paths.js';
import { startTestRouter, type TestRouter, type TestRouterOptions } from './helpers/test-router.js';
import { makeTestCert, type TlsVersion } from './helpers/tls.js';
import { KINDS, lastLogin, login as wampLogin, type ClientKind } from './helpers/wamp-login.js';

const cert = makeTestCert();
const tmp = tempDir();
let agent: ThrowawayAgent;
let keys: LoginKeys['keys'];
let agentClient: CountingAgentClient;
let routerAgentKey: SigningKey;
let loginKeys: LoginKeys;
const routerSeedKey = fromSeed('a1'.repeat(32));
const strangerRouterKey = fromSeed('b2'.repeat(32));
const routers: TestRouter[] = [];

let principalsText = '';
const NAMES = new Map<string, string>();
before(async () => {
  loginKeys = await openLoginKeys(tmp.dir);
  ({ agent, agentClient, keys, routerAgentKey } = loginKeys);
  principalsText = [
    `wamp-role="admin" ${keys.agent.publicKeyHex} alice`,
    `${keys.file.publicKeyHex} bob`,
    `${keys.seed.publicKeyHex} carol`,
    `expiry-time="20200101Z" ${fromSeed('d4'.repeat(32)).publicKeyHex} expired-dave`,
    `from="10.0.0.0/8" ${fromSeed('e5'.repeat(32)).publicKeyHex} remote-erin`,
  ].join('\n');
  for (const p of parseAuthorizedKeys(principalsText).principals) NAMES.set(p.publicKeyHex, p.name);
});
after(async () => {
  for (const r of routers) await r.stop();
  await loginKeys?.close();
  cert.cleanup();
  tmp.cleanup();
});

async function router(options: Partial<TestRouterOptions> & { version?: TlsVersion | null } = {}): Promise<TestRouter> {
  const { version = 'TLSv1.3', ...rest } = options;
  const r = await startTestRouter({
    principals: parseAuthorizedKeys(principalsText),
    ...(version ? { tls: { cert, version } } : {}),
    ...rest,
  });
  routers.push(r);
  return r;
}

/** wampy needs an authid to send authextra: the principal's name by default */
const login = (kind: ClientKind, url: string, client: CryptosignClient, authid?: string) =>
  wampLogin(kind, url, client, authid ?? (kind === 'wampy' ? (NAMES.get(client.key.publicKeyHex) ?? 'anyone') : undefined));

const secure = (extra: CryptosignClientOptions = {}): CryptosignClientOptions => ({ tls: { ca: cert.cert }, ...extra });

const MATRIX: { key: 'seed' | 'file' | 'agent'; binding: 'tls-unique' | 'tls-exporter'; version: TlsVersion; routerKey: 'agent' | 'seed' }[] = [
  { key: 'agent', binding: 'tls-unique', version: 'TLSv1.3', routerKey: 'agent' },
  { key: 'file', binding: 'tls-exporter', version: 'TLSv1.2', routerKey: 'seed' },
  { key: 'seed', binding: 'tls-unique', version: 'TLSv1.2', routerKey: 'agent' },
  { key: 'agent', binding: 'tls-exporter', version: 'TLSv1.3', routerKey: 'seed' },
];

for (const kind of KINDS) {
  test(`${kind}: wss logins with channel binding and router authentication, every key source`, async () => {
    for (const m of MATRIX) {
      const rk = m.routerKey === 'agent' ? routerAgentKey : routerSeedKey;
      const r = await router({ version: m.version, routerKey: rk });
      const client = cryptosignClient(keys[m.key], secure({ channelBinding: m.binding, routerKeys: [rk.publicKeyHex] }));
      const what = `${m.key} key, ${m.binding}, ${m.version}, router key in ${m.routerKey}`;
      assert.equal(await login(kind, r.url, client), 'open', `${what}: ${client.lastError?.message}`);
      assert.equal(client.lastError, undefined);
      const name = { agent: 'alice', file: 'bob', seed: 'carol' }[m.key];
      assert.deepEqual(r.outcomes.at(-1)?.principal, name, what);
      const ch = r.challenges.at(-1)!;
      assert.equal(ch.channel_binding, m.binding);
      assert.equal(ch.pubkey, rk.publicKeyHex, 'the router proved its identity');
      assert.equal(lastLogin.openedWith, m.version);
    }
  });
}

test('plain ws without binding still logs in (and router authentication works there too)', async () => {
  const r = await router({ version: null, routerKey: routerSeedKey });
  for (const kind of KINDS) {
    const client = cryptosignClient(keys.seed, { routerKeys: routerSeedKey.publicKeyHex });
    assert.equal(await login(kind, r.url, client), 'open', `${kind}: ${client.lastError?.message}`);
  }
  assert.equal(r.challenges.every((c) => c.channel_binding === null && c.pubkey === routerSeedKey.publicKeyHex), true);
});

test('a reconnect sends a fresh router challenge; the router answer to the old one does not verify', async () => {
  const r = await router({ routerKey: routerSeedKey });
  const client = cryptosignClient(keys.seed, secure({ channelBinding: 'tls-unique', routerKeys: [routerSeedKey.publicKeyHex] }));
  assert.equal(await login('wampy', r.url, client), 'open');
  assert.equal(await login('wampy', r.url, client), 'open');
  const [a, b] = r.challenges.slice(-2);
  assert.notEqual(a?.signature?.slice(128), b?.signature?.slice(128), 'each HELLO carried its own challenge');
});

interface Refusal {
  name: string;
  router: Partial<TestRouterOptions> & { version?: TlsVersion | null };
  client: CryptosignClientOptions;
  code: string;
}

function refusals(): Refusal[] {
  let recorded: { pubkey?: string; signature?: string } | undefined;
  return [
    {
      name: 'router key not trusted',
      router: { routerKey: strangerRouterKey },
      client: secure({ routerKeys: [routerSeedKey.publicKeyHex] }),
      code: 'ROUTER_KEY_UNTRUSTED',
    },
    {
      name: 'router signature over another challenge',
      router: {
        routerKey: routerSeedKey,
        tamper: async (extra) => ({ ...extra, signature: await signChallenge(routerSeedKey, '77'.repeat(32)) }),
      },
      client: secure({ routerKeys: [routerSeedKey.publicKeyHex] }),
      code: 'ROUTER_SIGNATURE_WRONG',
    },
    {
      name: 'router signature replayed from an earlier connection',
      router: {
        routerKey: routerSeedKey,
        tamper: (extra) => {
          if (!recorded) {
            recorded = { pubkey: extra.pubkey!, signature: extra.signature! };
            return extra;
          }
          return { ...extra, ...recorded };
        },
      },
      client: secure({ routerKeys: [routerSeedKey.publicKeyHex] }),
      code: 'ROUTER_SIGNATURE_WRONG',
    },
    {
      name: 'router did not sign although router authentication is required',
      router: {},
      client: secure({ routerKeys: [routerSeedKey.publicKeyHex] }),
      code: 'ROUTER_NOT_AUTHENTICATED',
    },
    {
      name: 'binding asked for, router used none',
      router: { tamper: (extra) => ({ ...extra, channel_binding: null }) },
      client: secure({ channelBinding: 'tls-unique' }),
      code: 'CHANNEL_BINDING_MISMATCH',
    },
    {
      name: 'binding asked for, router used another type',
      router: { tamper: (extra) => ({ ...extra, channel_binding: 'tls-exporter' }) },
      client: secure({ channelBinding: 'tls-unique' }),
      code: 'CHANNEL_BINDING_MISMATCH',
    },
    {
      name: 'no binding asked for, router claims binding',
      router: { tamper: (extra) => ({ ...extra, channel_binding: 'tls-unique' }) },
      client: secure(),
      code: 'CHANNEL_BINDING_MISMATCH',
    },
    {
      name: 'binding announced on plain ws (a router that plays along)',
      router: {
        version: null,
        helloRewrite: (d) => ({ ...d, authextra: { ...d.authextra, channel_binding: null } }),
        tamper: (extra) => ({ ...extra, channel_binding: 'tls-unique' }),
      },
      client: { channelBinding: 'tls-unique' },
      code: 'CHANNEL_BINDING_UNAVAILABLE',
    },
  ];
}

for (const kind of KINDS) {
  test(`${kind}: every client-side refusal is coded, closes the connection, and signs nothing`, async () => {
    const replayRouters = new Map<string, TestRouter>();
    for (const refusal of refusals()) {
      const r = replayRouters.get(refusal.name) ?? (await router(refusal.router));
      if (refusal.name.includes('replayed')) {
        // first a good login records the router's answer; the next connection gets it replayed
        const first = cryptosignClient(keys.seed, refusal.client);
        assert.equal(await login(kind, r.url, first), 'open', `replay setup: ${first.lastError?.message}`);
      }
      for (const source of ['seed', 'agent'] as const) {
        const key = counting(keys[source]);
        const agentBefore = agentClient.signs;
        const client = cryptosignClient(key, refusal.client);
        const result = await login(kind, r.url, client);
        assert.match(result, /^closed/, `${refusal.name} (${source}): ${result}`);
        assert.equal(client.lastError?.code, refusal.code, `${refusal.name} (${source}): ${client.lastError?.message}`);
        assert.doesNotMatch(client.lastError!.message, /\n/);
        assert.equal(key.signs, 0, `${refusal.name}: the key was asked to sign`);
        assert.equal(agentClient.signs, agentBefore, `${refusal.name}: the agent was asked to sign`);
        if (refusal.name.includes('replayed')) break; // the recorded answer belongs to the seed key's router run
      }
    }
  });
}

test('router-side refusals: unknown key, wrong authid, expired key, from= mismatch, binding on plain ws, replayed AUTHENTICATE, another connection\'s answer', async () => {
  const r = await router({ routerKey: routerSeedKey });
  const plain = await router({ version: null });
  const attempt = async (url: string, key: SigningKey, options: CryptosignClientOptions, authid?: string) => {
    const client = cryptosignClient(key, options);
    const result = await login('autobahn-js 22', url, client, authid);
    return { result, outcome: (url === r.url ? r : plain).outcomes.at(-1) };
  };
  const cases: [string, () => Promise<{ result: string; outcome?: { code?: string } }>, string][] = [
    ['unknown key', () => attempt(r.url, fromSeed('f6'.repeat(32)), secure()), 'AUTH_UNKNOWN_KEY'],
    ['wrong authid', () => attempt(r.url, keys.seed, secure(), 'alice'), 'AUTH_AUTHID_MISMATCH'],
    ['expired key', () => attempt(r.url, fromSeed('d4'.repeat(32)), secure()), 'AUTH_KEY_EXPIRED'],
    ['from= mismatch', () => attempt(r.url, fromSeed('e5'.repeat(32)), secure()), 'AUTH_ADDRESS_REFUSED'],
    ['binding on plain ws', () => attempt(plain.url, keys.seed, { channelBinding: 'tls-unique' }), 'AUTH_BINDING_REFUSED'],
  ];
  for (const [name, p, code] of cases) {
    const { result, outcome } = await p();
    assert.match(result, /^closed/, name);
    assert.equal(outcome?.code, code, name);
  }
  // a replayed AUTHENTICATE: the signature from an earlier session, sent again on a new one
  let replay: string | undefined;
  const replaying = await router({ replaceSignature: () => replay });
  assert.equal(await login('wampy', replaying.url, cryptosignClient(keys.seed, secure({ channelBinding: 'tls-unique' }))), 'open');
  replay = replaying.signatures.at(-1);
  assert.match(await login('wampy', replaying.url, cryptosignClient(keys.seed, secure({ channelBinding: 'tls-unique' }))), /^closed/);
  assert.equal(replaying.outcomes.at(-1)?.code, 'AUTH_CHALLENGE_MISMATCH');
  // the answer to another connection's challenge (same challenge bytes, another TLS channel): the binding tells them apart
  const c1 = cryptosignClient(keys.seed, secure({ channelBinding: 'tls-unique' }));
  assert.equal(await login('wampy', r.url, c1), 'open');
  const firstChallenge = r.challenges.at(-1)!.challenge;
  const elsewhere = await signChallenge(keys.seed, firstChallenge, { channelId: new Uint8Array(32).fill(9) });
  replay = elsewhere;
  const r2 = await router({ replaceSignature: () => replay, tamper: (extra) => ({ ...extra, challenge: firstChallenge }) });
  assert.match(await login('wampy', r2.url, cryptosignClient(keys.seed, secure({ channelBinding: 'tls-unique' }))), /^closed/);
  assert.equal(r2.outcomes.at(-1)?.code, 'AUTH_CHALLENGE_MISMATCH');
});

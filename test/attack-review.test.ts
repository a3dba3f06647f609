/**
 * The attack review of transcript mode (docs/security-model.md, "Review"):
 * each finding that was fixed, as the attacker would try it, over real TLS on
 * loopback; every refusal is checked to come before anything is signed
 * (counted at the client key and at the router key).
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { fromSeed } from '../lib/keys/seed-key.js';
import { cryptosignClient, type CryptosignClientOptions } from '../lib/wamp/client/cryptosign-client.js';
import { joinWamp } from '../lib/wamp/client/session.js';
import { CryptosignAuthenticator } from '../lib/wamp/router/authenticator.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { signTranscript, MAX_TRANSCRIPT_TEXT_BYTES } from '../lib/wamp/transcript.js';
import { SYSTEM_PYTHON } from './helpers/autobahn-python.js';
import { counting } from './helpers/counting-key.js';
import { ROOT } from './helpers/paths.js';
import { routerView } from './helpers/router-view.js';
import { runProcess } from './helpers/run-process.js';
import { startTestRouter, type TestRouter, type TestRouterOptions } from './helpers/test-router.js';
import { makeTestCert, type TestCert, type TlsVersion } from './helpers/tls.js';
import { KINDS, login } from './helpers/wamp-login.js';

const ecCert = makeTestCert();
const rsaCert = makeTestCert('rsa');
const clientKey = fromSeed('c3'.repeat(32));
const routerKey = fromSeed('a1'.repeat(32));
const LONG = 'r'.repeat(MAX_TRANSCRIPT_TEXT_BYTES + 1);
const routers: { stop(): Promise<void> }[] = [];
after(async () => {
  for (const r of routers) await r.stop();
  ecCert.cleanup();
  rsaCert.cleanup();
});

async function router(options: Partial<TestRouterOptions> & { cert?: TestCert; version?: TlsVersion } = {}): Promise<TestRouter> {
  const { cert = ecCert, version = 'TLSv1.3', ...rest } = options;
  // dhparam 'auto': the https server also offers DHE in TLS 1.2 (Node does not by default; other TLS servers do)
  const tls = { cert, version, server: { dhparam: 'auto' } };
  const r = await startTestRouter({ principals: parseAuthorizedKeys(`${clientKey.publicKeyHex} carol`), tls, transcript: 'require', ...rest });
  routers.push(r);
  return r;
}

const tx = (extra: CryptosignClientOptions = {}, cert: TestCert = ecCert): CryptosignClientOptions => ({
  tls: { ca: cert.cert },
  transcript: true,
  channelBinding: 'tls-exporter',
  realm: 'realm1',
  authid: 'carol',
  ...extra,
});

// ---- finding 1: a realm or authid with no transcript -------------------------------------------

test('client: a realm or authid longer than the transcript bound is refused when the client is set up (INVALID_ARGUMENT), with or without router keys', () => {
  const twoByte = 'é'.repeat(MAX_TRANSCRIPT_TEXT_BYTES / 2 + 1); // few characters, too many bytes
  for (const routerKeys of [undefined, [routerKey.publicKeyHex]]) {
    const extra = routerKeys ? { routerKeys } : {};
    for (const bad of [{ realm: LONG }, { authid: LONG }, { realm: twoByte }, { authid: twoByte }]) {
      assert.throws(() => cryptosignClient(clientKey, tx({ ...extra, ...bad })), { code: 'INVALID_ARGUMENT' }, JSON.stringify(Object.keys(bad)));
    }
    // exactly the bound is fine
    cryptosignClient(clientKey, tx({ ...extra, realm: 'r'.repeat(MAX_TRANSCRIPT_TEXT_BYTES), authid: 'a'.repeat(MAX_TRANSCRIPT_TEXT_BYTES) }));
  }
  // XOR mode binds neither: no bound there
  cryptosignClient(clientKey, { channelBinding: 'tls-exporter', realm: LONG, authid: LONG });
});

test('router: an over-long HELLO realm or authid in transcript mode is AUTH_INPUT_TOO_LONG at HELLO, with or without a router key; nothing signed', async () => {
  const longName = 'a'.repeat(MAX_TRANSCRIPT_TEXT_BYTES + 1);
  for (const withKey of [true, false]) {
    for (const field of ['realm', 'authid'] as const) {
      const rk = counting(routerKey);
      const principals = parseAuthorizedKeys(`${clientKey.publicKeyHex} carol\n${clientKey.publicKeyHex} ${longName}`);
      const r = await router({ principals, ...(withKey ? { routerKey: rk } : {}) });
      const key = counting(clientKey);
      const c = cryptosignClient(key, tx(withKey ? { routerKeys: [routerKey.publicKeyHex] } : {}));
      // what a client not of this package (or a relay) sends: HELLO with the long value
      const sent = c.wampy();
      const wrapped = { ...c, wampy: () => ({ ...sent, ...(field === 'realm' ? { realm: LONG } : { authid: longName }) }) } as typeof c;
      const what = `${field}, router ${withKey ? 'with' : 'without'} a key`;
      assert.match(await login('wampy', r.url, wrapped, 'carol'), /^closed/, what);
      assert.equal(r.outcomes.at(-1)?.code, 'AUTH_INPUT_TOO_LONG', what);
      assert.equal(r.challenges.length, 0, `${what}: refused at HELLO, no CHALLENGE`);
      assert.equal(rk.signs, 0, `${what}: the router key signed`);
      assert.equal(key.signs, 0, `${what}: the client key signed`);
    }
  }
});

// ---- finding 2: TLS 1.2 key exchanges that let a relay share one channel id ------------------------

const WEAK_TLS12 = ['AES128-GCM-SHA256', 'DHE-RSA-AES128-GCM-SHA256']; // static RSA, finite-field DHE

test('router: transcript mode over TLS 1.2 with static-RSA or DHE key exchange is refused at HELLO (AUTH_BINDING_REFUSED); ECDHE and TLS 1.3 log in', async () => {
  for (const ciphers of WEAK_TLS12) {
    for (const channelBinding of ['tls-exporter', 'tls-unique'] as const) {
      const rk = counting(routerKey);
      const r = await router({ cert: rsaCert, version: 'TLSv1.2', routerKey: rk });
      const key = counting(clientKey);
      const c = cryptosignClient(key, tx({ channelBinding, routerKeys: [routerKey.publicKeyHex], tls: { ca: rsaCert.cert, ciphers } }, rsaCert));
      assert.match(await login('wampy', r.url, c, 'carol'), /^closed/, ciphers);
      assert.equal(r.outcomes.at(-1)?.code, 'AUTH_BINDING_REFUSED', `${ciphers} ${channelBinding}`);
      assert.equal(r.challenges.length, 0, `${ciphers}: no CHALLENGE`);
      assert.equal(rk.signs + key.signs, 0, `${ciphers}: something was signed`);
    }
  }
  for (const [version, ciphers] of [['TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256'], ['TLSv1.3', undefined]] as const) {
    const r = await router({ cert: rsaCert, version, routerKey });
    const c = cryptosignClient(clientKey, tx({ routerKeys: [routerKey.publicKeyHex], tls: { ca: rsaCert.cert, ...(ciphers ? { ciphers } : {}) } }, rsaCert));
    assert.equal(await login('wampy', r.url, c, 'carol'), 'open', `${version}: ${c.lastError?.message}`);
  }
  // XOR mode is not changed (it does not resist a relay anyway; interop with crossbar over any TLS)
  const r = await router({ cert: rsaCert, version: 'TLSv1.2', transcript: 'off' });
  const xor = cryptosignClient(clientKey, { channelBinding: 'tls-exporter', tls: { ca: rsaCert.cert, ciphers: 'AES128-GCM-SHA256' } });
  assert.equal(await login('wampy', r.url, xor, 'carol'), 'open');
});

test('client: a transcript router over TLS 1.2 with static-RSA or DHE is refused (CHANNEL_BINDING_UNAVAILABLE) before the key signs, even when the router answers correctly', async () => {
  for (const ciphers of WEAK_TLS12) {
    // a router that does not apply the rule itself, and otherwise answers exactly as a transcript router would
    const r = await router({
      cert: rsaCert,
      version: 'TLSv1.2',
      transcript: 'off',
      tamper: async (e, hello, socket) => ({
        challenge: e.challenge,
        channel_binding: e.channel_binding,
        transcript: 'cryptosign-transcript-v1',
        pubkey: routerKey.publicKeyHex,
        signature: await signTranscript(routerKey, 'router', routerView(routerKey.publicKey, e, hello, socket)),
      }),
    });
    const key = counting(clientKey);
    const c = cryptosignClient(key, tx({ routerKeys: [routerKey.publicKeyHex], tls: { ca: rsaCert.cert, ciphers } }, rsaCert));
    assert.match(await login('wampy', r.url, c, 'carol'), /^closed/, ciphers);
    assert.equal(c.lastError?.code, 'CHANNEL_BINDING_UNAVAILABLE', `${ciphers}: ${c.lastError?.message}`);
    assert.equal(key.signs, 0, `${ciphers}: the client key signed`);
  }
  // the same router answer over ECDHE: accepted (the tamper is a faithful transcript router)
  const r = await router({
    cert: rsaCert,
    version: 'TLSv1.2',
    transcript: 'off',
    tamper: async (e, hello, socket) => ({ ...e, transcript: 'cryptosign-transcript-v1', pubkey: routerKey.publicKeyHex, signature: await signTranscript(routerKey, 'router', routerView(routerKey.publicKey, e, hello, socket)) }),
  });
  const c = cryptosignClient(clientKey, tx({ routerKeys: [routerKey.publicKeyHex], tls: { ca: rsaCert.cert, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' } }, rsaCert));
  await login('wampy', r.url, c, 'carol');
  assert.equal(c.lastError, undefined, c.lastError?.message);
  assert.equal(r.signatures.at(-1)?.length, 128, 'the client signed its transcript');
});

// ---- finding 3: what a refusing client tells the router, and what it reports -------------------

/** A hostile router on plain ws (loopback): answers HELLO with `reply` and records what the client sends back. */
async function hostileRouter(reply: unknown[]): Promise<{ url: string; received: unknown[][]; stop(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'wamp.2.json' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const received: unknown[][] = [];
  server.on('connection', (ws) =>
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as unknown[];
      received.push(msg);
      if (msg[0] === 1) ws.send(JSON.stringify(reply));
    }),
  );
  let stopped: Promise<void> | undefined;
  const h = {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`,
    received,
    // once, also from after() when a failed assertion left it running
    stop: () => (stopped ??= new Promise<void>((r) => { for (const c of server.clients) c.terminate(); server.close(() => r()); })),
  };
  routers.push(h);
  return h;
}

const HUGE = `${'x'.repeat(100_000)}\n[FAKE] forged log line\u2028`;
const oneShortLine = (message: string, what: string) => {
  assert.doesNotMatch(message, /[\n\r\u2028\u2029]/, `${what}: one line`);
  assert.ok(message.length < 1000, `${what}: bounded (${message.length} characters)`);
};

test('joinWamp: a refused CHALLENGE tells the router nothing of why, and rejects with the coded refusal', async () => {
  const r = await router({ routerKey: fromSeed('b2'.repeat(32)) });
  const key = counting(clientKey);
  const refused = await joinWamp(key, { ...tx({ routerKeys: [routerKey.publicKeyHex] }), url: r.url, realm: 'realm1' }).then(() => undefined, (e: Error & { code?: string }) => e);
  assert.equal(refused?.code, 'ROUTER_KEY_UNTRUSTED', refused?.message);
  assert.equal(key.signs, 0);
  await waitFor(() => r.aborts.length > 0);
  const abort = r.aborts[0]!;
  assert.equal(abort[2], 'wamp.error.cannot_authenticate');
  const told = JSON.stringify(abort[1]);
  assert.doesNotMatch(told, /trusted|router's key|ROUTER_|b2b2|[0-9a-f]{64}/i, `the router was told: ${told}`);
});

test('client messages carrying strings from a hostile router are one bounded line (CHALLENGE method and binding, ABORT reason); no URL password', async () => {
  // CHALLENGE for another method, named with a huge multi-line string
  let h = await hostileRouter([4, HUGE, {}]);
  let e = await joinWamp(clientKey, { url: h.url, realm: 'realm1' }).then(() => undefined, (x: Error & { code?: string }) => x);
  assert.equal(e?.code, 'INVALID_ARGUMENT');
  oneShortLine(e!.message, 'method');
  await waitFor(() => h.received.some((m) => m[0] === 3));
  assert.doesNotMatch(JSON.stringify(h.received.find((m) => m[0] === 3)), /FAKE|xxxx/, 'nothing of it echoed back');
  await h.stop();
  // CHALLENGE naming a huge binding
  h = await hostileRouter([4, 'cryptosign', { challenge: '00'.repeat(32), channel_binding: HUGE }]);
  const key = counting(clientKey);
  e = await joinWamp(key, { url: h.url, realm: 'realm1' }).then(() => undefined, (x: Error & { code?: string }) => x);
  assert.equal(e?.code, 'CHANNEL_BINDING_MISMATCH');
  oneShortLine(e!.message, 'channel_binding');
  assert.equal(key.signs, 0);
  await h.stop();
  // ABORT with a huge multi-line reason and message
  h = await hostileRouter([3, { message: HUGE }, HUGE]);
  e = await joinWamp(clientKey, { url: h.url, realm: 'realm1' }).then(() => undefined, (x: Error & { code?: string }) => x);
  assert.equal(e?.code, 'WAMP_ABORTED');
  oneShortLine(e!.message, 'ABORT');
  await h.stop();
  // a URL with a password: not in the message
  // port 1: nobody listens (a port let go here could be taken by another test's server)
  e = await joinWamp(clientKey, { url: `ws://user:hunter2@127.0.0.1:1/ws`, realm: 'realm1' }).then(() => undefined, (x: Error & { code?: string }) => x);
  assert.equal(e?.code, 'WAMP_CONNECTION_FAILED');
  assert.doesNotMatch(e!.message, /hunter2/);
});

/** Waits for a condition the event loop will make true (a message in flight), without a timer. */
async function waitFor(condition: () => boolean): Promise<void> {
  // turns of the event loop, bounded by a generous deadline (not a count: a loaded machine turns faster than I/O lands)
  const end = Date.now() + 30_000;
  while (!condition() && Date.now() < end) await new Promise((r) => setImmediate(r));
  assert.ok(condition(), 'the awaited message never came');
}

// ---- finding 4: an authid beside the option set, unbound --------------------------------------

test('transcript mode without an authid on the client: an authid given to the WAMP client beside the option set never reaches HELLO unbound (no signature the router then refuses)', async () => {
  const { authid: _unused, ...noAuthid } = tx();
  for (const kind of KINDS) {
    const r = await router();
    const key = counting(clientKey);
    const c = cryptosignClient(key, noAuthid);
    const result = await login(kind, r.url, c, 'carol'); // the helper hands 'carol' to the WAMP client's own options
    if (kind === 'wampy') {
      // wampy answers cryptosign only with an authid: it now has none, so nothing is signed
      assert.match(result, /^closed/, kind);
      assert.equal(key.signs, 0, `${kind}: signed for a HELLO authid it did not bind`);
    } else {
      assert.equal(result, 'open', `${kind}: ${r.outcomes.at(-1)?.code}`);
      assert.equal(r.outcomes.at(-1)?.principal, 'carol', 'the router inferred the principal from the key');
    }
    assert.equal(r.outcomes.filter((o) => o.code === 'AUTH_SIGNATURE_WRONG').length, 0, `${kind}: signed, then refused`);
  }
});

// ---- finding 5: a HELLO value the router cannot describe -----------------------------------------

test('router: a deeply nested or huge channel_binding in HELLO is AUTH_BINDING_REFUSED with a short message (was an uncoded RangeError)', async () => {
  let deep = '1';
  for (let i = 0; i < 200_000; i++) deep = `[${deep}]`;
  const auth = new CryptosignAuthenticator({ principals: parseAuthorizedKeys(`${clientKey.publicKeyHex} carol`), transcript: 'allow' });
  for (const binding of [JSON.parse(deep) as unknown, HUGE, { toString: 'x' }]) {
    const e = await auth.hello({ authextra: { pubkey: clientKey.publicKeyHex, channel_binding: binding } }, { realm: 'realm1' }).then(() => undefined, (x: Error & { code?: string }) => x);
    assert.equal(e?.code, 'AUTH_BINDING_REFUSED', e?.message.slice(0, 200));
    oneShortLine(e!.message, 'channel_binding');
  }
});

// ---- checked and accepted: downgrade through the shape of authextra / extra ------------------------

test('transcript negotiation compares by value: arrays, other cases, numbers and JSON __proto__ keys neither enable nor confirm it', async () => {
  const principals = parseAuthorizedKeys(`${clientKey.publicKeyHex} carol`);
  const variants = ['["cryptosign-transcript-v1"]', '"Cryptosign-Transcript-V1"', '"cryptosign-transcript-v1 "', '1', '{"v":"cryptosign-transcript-v1"}'];
  for (const mode of ['allow', 'require'] as const) {
    const rk = counting(routerKey);
    const auth = new CryptosignAuthenticator({ principals, routerKey: rk, transcript: mode });
    for (const v of variants) {
      const hello = JSON.parse(`{"authextra":{"pubkey":"${clientKey.publicKeyHex}","channel_binding":"tls-exporter","transcript":${v}}}`);
      await assert.rejects(auth.hello(hello, { realm: 'realm1' }), { code: 'AUTH_TRANSCRIPT_UNSUPPORTED' }, `${mode} ${v}`);
    }
    // a __proto__ key is an own property after JSON.parse: not a transcript request
    const proto = JSON.parse(`{"authextra":{"pubkey":"${clientKey.publicKeyHex}","channel_binding":"tls-exporter","__proto__":{"transcript":"cryptosign-transcript-v1"}}}`);
    if (mode === 'require') await assert.rejects(auth.hello(proto, { realm: 'realm1' }), { code: 'AUTH_TRANSCRIPT_REQUIRED' });
    assert.equal(rk.signs, 0);
  }
  // the client: CHALLENGE.extra must carry exactly the string
  const key = counting(clientKey);
  const c = cryptosignClient(key, tx({ routerKeys: [routerKey.publicKeyHex] }));
  for (const v of [...variants, 'null']) {
    const extra = JSON.parse(`{"challenge":"${'00'.repeat(32)}","channel_binding":"tls-exporter","transcript":${v}}`);
    await assert.rejects(c.onChallenge('cryptosign', extra), { code: 'TRANSCRIPT_NOT_CONFIRMED' }, v);
  }
  const proto = JSON.parse(`{"challenge":"${'00'.repeat(32)}","channel_binding":"tls-exporter","__proto__":{"transcript":"cryptosign-transcript-v1"}}`);
  await assert.rejects(c.onChallenge('cryptosign', proto), { code: 'TRANSCRIPT_NOT_CONFIRMED' });
  assert.equal(key.signs, 0);
});

test('the Python client written from the doc applies the TLS rule too: over TLS 1.2 static RSA or DHE it refuses before signing; over ECDHE it signs', async () => {
  const script = join(ROOT, 'test/interop/transcript_client.py');
  for (const [ciphers, expected] of [['AES128-GCM-SHA256', 'refused'], ['DHE-RSA-AES128-GCM-SHA256', 'refused'], ['ECDHE-RSA-AES128-GCM-SHA256', 'signed']] as const) {
    const r = await router({
      cert: rsaCert,
      version: 'TLSv1.2',
      transcript: 'off',
      // a faithful transcript router that does not apply the rule itself
      tamper: async (e, hello, socket) => ({ ...e, transcript: 'cryptosign-transcript-v1', pubkey: routerKey.publicKeyHex, signature: await signTranscript(routerKey, 'router', routerView(routerKey.publicKey, e, hello, socket)) }),
    });
    const out = await runProcess(SYSTEM_PYTHON, [script, 'login', r.url, rsaCert.certPath, 'c3'.repeat(32), 'realm1', 'carol', 'tls-exporter', routerKey.publicKeyHex], {
      env: { ...process.env, TRANSCRIPT_CLIENT_TLS12_CIPHERS: ciphers },
    });
    const result = JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    if (expected === 'refused') {
      assert.equal(result.refused, 'channel binding unavailable', `${ciphers}: ${out.stdout} ${out.stderr}`);
      assert.equal(r.signatures.length, 0, `${ciphers}: the Python client signed`);
    } else {
      // its checks passed and it signed its transcript (this router then checks it as XOR and refuses: it is 'off')
      assert.equal(r.signatures.at(-1)?.length, 128, `${ciphers}: ${out.stdout} ${out.stderr}`);
    }
  }
});

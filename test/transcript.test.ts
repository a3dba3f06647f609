/**
 * Transcript mode (docs/transcript-binding.md), over real wss on loopback:
 * the documented vectors reproduced by this package and by the Python +
 * PyNaCl implementation written from the doc; what keys may sign; cross-mode
 * and cross-role signatures refused; full logins with autobahn-js 22/26,
 * wampy, joinWamp and the Python client; every downgrade refused with its
 * code before anything is signed (counted at the key and at ssh-agent).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ThrowawayAgent } from '../lib/agent/throwaway.js';
import { toHex } from '../lib/crypto/hex.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import type { SigningKey } from '../lib/keys/signing-key.js';
import { tlsChannelId } from '../lib/wamp/channel-binding.js';
import { challengeMessage, signChallenge, verifyChallengeSignature } from '../lib/wamp/challenge.js';
import { cryptosignClient, type CryptosignClientOptions } from '../lib/wamp/client/cryptosign-client.js';
import { joinWamp } from '../lib/wamp/client/session.js';
import { CryptosignAuthenticator } from '../lib/wamp/router/authenticator.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import {
  signTranscript,
  transcriptBytes,
  transcriptMessage,
  verifyTranscriptSignature,
  TRANSCRIPT_MESSAGE_BYTES,
  type TranscriptFields,
  type TranscriptRole,
} from '../lib/wamp/transcript.js';
import { SYSTEM_PYTHON } from './helpers/autobahn-python.js';
import { ROOT, tempDir } from './helpers/paths.js';
import { routerView } from './helpers/router-view.js';
import { runProcess } from './helpers/run-process.js';
import { startTestRouter, type TestRouter, type TestRouterOptions } from './helpers/test-router.js';
import { makeTestCert, type TlsVersion } from './helpers/tls.js';
import { counting, type CountingAgentClient } from './helpers/counting-key.js';
import { openLoginKeys, type LoginKeys } from './helpers/login-keys.js';
import { KINDS, login } from './helpers/wamp-login.js';

const cert = makeTestCert();
const tmp = tempDir();
let agent: ThrowawayAgent;
let agentClient: CountingAgentClient;
let keys: LoginKeys['keys'];
let routerAgentKey: SigningKey;
let loginKeys: LoginKeys;
const routerSeedKey = fromSeed('a1'.repeat(32));
const routers: TestRouter[] = [];
const NAMES = { seed: 'carol', file: 'bob', agent: 'alice' } as const;
let principalsText = '';

before(async () => {
  loginKeys = await openLoginKeys(tmp.dir);
  ({ agent, agentClient, keys, routerAgentKey } = loginKeys);
  principalsText = [`${keys.agent.publicKeyHex} alice`, `${keys.file.publicKeyHex} bob`, `${keys.seed.publicKeyHex} carol`].join('\n');
});
after(async () => {
  for (const r of routers) await r.stop();
  await loginKeys?.close();
  cert.cleanup();
  tmp.cleanup();
});

async function router(options: Partial<TestRouterOptions> & { version?: TlsVersion } = {}): Promise<TestRouter> {
  const { version = 'TLSv1.3', ...rest } = options;
  const r = await startTestRouter({ principals: parseAuthorizedKeys(principalsText), tls: { cert, version }, transcript: 'require', ...rest });
  routers.push(r);
  return r;
}

/** transcript mode, as a caller sets it up: binding, realm and authid given once */
const tx = (source: keyof typeof NAMES, extra: CryptosignClientOptions = {}): CryptosignClientOptions => ({
  tls: { ca: cert.cert },
  transcript: true,
  channelBinding: 'tls-exporter',
  realm: 'realm1',
  authid: NAMES[source],
  ...extra,
});

// ---- the spec's vectors ------------------------------------------------------------------

interface Vector {
  name: string;
  role: TranscriptRole;
  signing_seed: string;
  channel_binding: 'tls-unique' | 'tls-exporter';
  channel_id: string;
  realm: string;
  authid: string;
  client_pubkey: string;
  router_pubkey: string;
  client_challenge: string;
  router_challenge: string;
  transcript: string;
  signed_message: string;
  signature: string;
}
const DOC = readFileSync(join(ROOT, 'docs/transcript-binding.md'), 'utf8');
const VECTORS_JSON = /<!-- test vectors[^>]*-->\s*```json\n([\s\S]*?)\n```/.exec(DOC)?.[1] ?? '';
const { vectors: VECTORS } = JSON.parse(VECTORS_JSON) as { vectors: Vector[] };
const bytes = (h: string) => (h === '' ? undefined : new Uint8Array(Buffer.from(h, 'hex')));
const fieldsOf = (v: Vector): TranscriptFields => ({
  channelBinding: v.channel_binding,
  channelId: bytes(v.channel_id)!,
  realm: v.realm,
  authid: v.authid,
  clientPublicKey: bytes(v.client_pubkey)!,
  routerPublicKey: bytes(v.router_pubkey),
  clientChallenge: bytes(v.client_challenge),
  routerChallenge: bytes(v.router_challenge)!,
});

test('the documented vectors: this implementation gives the exact transcript, signed bytes and signature', async () => {
  assert.equal(VECTORS.length, 3);
  for (const v of VECTORS) {
    const f = fieldsOf(v);
    assert.equal(toHex(transcriptBytes(v.role, f)), v.transcript, v.name);
    assert.equal(toHex(transcriptMessage(v.role, f)), v.signed_message, v.name);
    const key = fromSeed(v.signing_seed);
    assert.equal(await signTranscript(key, v.role, f), v.signature, v.name);
    assert.equal(verifyTranscriptSignature(key.publicKey, v.role, f, v.signature), true, v.name);
  }
});

test('the documented vectors: the Python + PyNaCl implementation written from the doc reproduces them', () => {
  const r = spawnSync(SYSTEM_PYTHON, [join(ROOT, 'test/interop/transcript_client.py'), 'vectors'], { input: VECTORS_JSON, encoding: 'utf8' });
  assert.equal(r.status, 0, `python3-nacl / python3-openssl needed: ${r.error?.message ?? r.stderr}`);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
  assert.equal(lines.length, VECTORS.length);
  VECTORS.forEach((v, i) => {
    for (const k of ['transcript', 'signed_message', 'signature']) assert.equal(lines[i]![k], (v as unknown as Record<string, string>)[k], `${v.name}: ${k}`);
  });
});

// ---- what is signed, and what is refused ---------------------------------------------------

const F: TranscriptFields = fieldsOf(VECTORS[0]!);

test('transcript messages: 69 bytes, never 32, never SSH signed data or SSHSIG, one per role', () => {
  for (const role of ['client', 'router'] as const) {
    const m = transcriptMessage(role, F);
    assert.equal(m.length, TRANSCRIPT_MESSAGE_BYTES);
    assert.equal(m.length, 69);
    assert.notEqual(m[0], 0, 'an SSH user-auth blob starts with a uint32 length: 0x00 first');
    assert.notEqual(Buffer.from(m.subarray(0, 6)).toString('latin1'), 'SSHSIG');
  }
  assert.notDeepEqual(transcriptMessage('client', F), transcriptMessage('router', F));
  // every field counts: change any one, the message changes
  const variants: Partial<TranscriptFields>[] = [
    { channelBinding: 'tls-unique' }, { channelId: new Uint8Array(32) }, { realm: 'realm2' }, { authid: 'mallory' },
    { clientPublicKey: routerSeedKey.publicKey }, { routerPublicKey: keys.seed.publicKey }, { clientChallenge: new Uint8Array(32) },
    { routerChallenge: new Uint8Array(32) }, { clientCertificate: new Uint8Array(1) }, { routerCertificate: new Uint8Array(1) },
  ];
  const base = toHex(transcriptMessage('client', F));
  for (const v of variants) assert.notEqual(toHex(transcriptMessage('client', { ...F, ...v })), base, JSON.stringify(Object.keys(v)));
  // a realm cannot spill into the authid (length prefixes)
  assert.notEqual(toHex(transcriptBytes('client', { ...F, realm: 'ab', authid: 'c' })), toHex(transcriptBytes('client', { ...F, realm: 'a', authid: 'bc' })));
  assert.throws(() => transcriptMessage('client', { ...F, routerPublicKey: undefined }), { code: 'INVALID_ARGUMENT' });
});

test('file and agent keys: sign() only 32 bytes, signTranscript() only a transcript message; refused requests never reach the agent', async () => {
  const message = transcriptMessage('client', F);
  const notQuite = [
    new Uint8Array(32), // an XOR-mode challenge through the transcript path
    new Uint8Array(69), // right length, no label
    Buffer.concat([Buffer.from('SSHSIG'), new Uint8Array(63)]),
    message.subarray(0, 68),
    Buffer.concat([message, new Uint8Array(1)]),
  ];
  for (const source of ['file', 'agent'] as const) {
    const before = agentClient.signs;
    await assert.rejects(keys[source].sign(message), { code: 'INVALID_CHALLENGE' }, `${source}: sign() of a transcript message`);
    for (const data of notQuite) await assert.rejects(keys[source].signTranscript!(new Uint8Array(data)), { code: 'INVALID_CHALLENGE' }, `${source}: ${data.length} bytes`);
    assert.equal(agentClient.signs, before, 'nothing refused reached the agent');
    assert.equal((await keys[source].signTranscript!(message)).length, 64);
  }
  await assert.rejects(keys.seed.signTranscript!(new Uint8Array(32)), { code: 'INVALID_CHALLENGE' });
});

test('cross-mode and cross-role: no XOR signature verifies as a transcript one, no transcript one as XOR, no role as the other', async () => {
  const key = keys.seed;
  const f = { ...F, clientPublicKey: key.publicKey };
  const challengeHex = toHex(f.routerChallenge);
  const xor = await signChallenge(key, challengeHex, { channelId: f.channelId }); // 192 hex: sig || message
  const client = await signTranscript(key, 'client', f);
  const router = await signTranscript(key, 'router', f);
  // XOR → transcript: the full 192 digits are malformed, the bare signature does not verify
  assert.throws(() => verifyTranscriptSignature(key.publicKey, 'client', f, xor), { code: 'INVALID_SIGNATURE' });
  assert.equal(verifyTranscriptSignature(key.publicKey, 'client', f, xor.slice(0, 128)), false);
  assert.equal(verifyTranscriptSignature(key.publicKey, 'router', f, xor.slice(0, 128)), false);
  // transcript → XOR: with the XOR message appended it still does not verify; bare it is malformed
  const xorMessage = toHex(challengeMessage(challengeHex, { channelId: f.channelId }));
  for (const s of [client, router]) {
    assert.equal(verifyChallengeSignature(key.publicKey, challengeHex, s + xorMessage, { channelId: f.channelId }), false);
    assert.throws(() => verifyChallengeSignature(key.publicKey, challengeHex, s, { channelId: f.channelId }), { code: 'INVALID_SIGNATURE' });
    assert.equal(parseAuthorizedKeys(`${key.publicKeyHex} carol`).check(key.publicKey, challengeHex, s + xorMessage, { channelId: f.channelId }).ok, false);
  }
  // role → other role
  assert.equal(verifyTranscriptSignature(key.publicKey, 'router', f, client), false);
  assert.equal(verifyTranscriptSignature(key.publicKey, 'client', f, router), false);
  assert.equal(verifyTranscriptSignature(key.publicKey, 'client', f, client), true);
});

// ---- full logins ----------------------------------------------------------------------------

const MATRIX: { key: 'seed' | 'file' | 'agent'; binding: 'tls-unique' | 'tls-exporter'; version: TlsVersion; routerKey: 'agent' | 'seed' }[] = [
  { key: 'agent', binding: 'tls-exporter', version: 'TLSv1.3', routerKey: 'agent' },
  { key: 'file', binding: 'tls-unique', version: 'TLSv1.2', routerKey: 'seed' },
  { key: 'seed', binding: 'tls-exporter', version: 'TLSv1.2', routerKey: 'seed' },
];

for (const kind of KINDS) {
  test(`${kind}: transcript-mode logins with router authentication, every key source, both bindings`, async () => {
    for (const m of MATRIX) {
      const rk = m.routerKey === 'agent' ? routerAgentKey : routerSeedKey;
      const r = await router({ version: m.version, routerKey: rk });
      const key = counting(keys[m.key]);
      const client = cryptosignClient(key, tx(m.key, { channelBinding: m.binding, routerKeys: [rk.publicKeyHex] }));
      const what = `${m.key} key, ${m.binding}, ${m.version}`;
      assert.equal(await login(kind, r.url, client), 'open', `${what}: ${client.lastError?.message}`);
      assert.equal(r.outcomes.at(-1)?.principal, NAMES[m.key], what);
      const ch = r.challenges.at(-1)!;
      assert.equal(ch.transcript, 'cryptosign-transcript-v1');
      assert.equal(ch.signature?.length, 128, 'the router signed its transcript');
      assert.equal(r.signatures.at(-1)?.length, 128, 'the client signed its transcript');
      assert.equal(key.signs, 1);
    }
  });
}

test('joinWamp in transcript mode; a router that allows both modes takes XOR clients and transcript clients', async () => {
  const r = await router({ transcript: 'allow', routerKey: routerSeedKey });
  const session = await joinWamp(keys.seed, { ...tx('seed', { routerKeys: routerSeedKey.publicKeyHex }), url: r.url, realm: 'realm1' });
  assert.equal(session.authid, 'carol');
  await session.leave();
  assert.equal(r.challenges.at(-1)?.transcript, 'cryptosign-transcript-v1');
  const xorClient = cryptosignClient(keys.seed, { tls: { ca: cert.cert }, channelBinding: 'tls-exporter', routerKeys: [routerSeedKey.publicKeyHex] });
  assert.equal(await login('wampy', r.url, xorClient, 'carol'), 'open');
  assert.equal(r.challenges.at(-1)?.transcript, undefined);
  assert.equal(r.signatures.at(-1)?.length, 192);
  // 'require' refuses the same XOR client
  const strict = await router({ routerKey: routerSeedKey });
  assert.match(await login('wampy', strict.url, cryptosignClient(keys.seed, { tls: { ca: cert.cert }, channelBinding: 'tls-exporter' }), 'carol'), /^closed/);
  assert.equal(strict.outcomes.at(-1)?.code, 'AUTH_TRANSCRIPT_REQUIRED');
});

test('the Python + PyNaCl client written from the doc logs in over real TLS (tls-exporter and tls-unique, router authentication)', async () => {
  for (const binding of ['tls-exporter', 'tls-unique'] as const) {
    for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
      const r = await router({ version, routerKey: routerSeedKey });
      const args = [join(ROOT, 'test/interop/transcript_client.py'), 'login', r.url, cert.certPath, 'c3'.repeat(32), 'realm1', 'carol', binding, routerSeedKey.publicKeyHex];
      const out = await runProcess(SYSTEM_PYTHON, args);
      assert.equal(out.code, 0, out.stderr);
      const result = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { welcome?: { authid: string } };
      assert.equal(result.welcome?.authid, 'carol', `${binding} ${version}: ${out.stdout}`);
      assert.equal(r.challenges.at(-1)?.channel_binding, binding);
    }
  }
  // and it refuses a router whose key it does not trust, as the doc says
  const r = await router({ routerKey: fromSeed('b2'.repeat(32)) });
  const out = await runProcess(SYSTEM_PYTHON, [join(ROOT, 'test/interop/transcript_client.py'), 'login', r.url, cert.certPath, 'c3'.repeat(32), 'realm1', 'carol', 'tls-exporter', routerSeedKey.publicKeyHex]);
  assert.deepEqual(JSON.parse(out.stdout.trim()), { refused: 'router key not trusted' });
  assert.equal(r.signatures.length, 0);
});

// ---- downgrades and refusals ------------------------------------------------------------------


interface Downgrade {
  name: string;
  router: Partial<TestRouterOptions>;
  client?: CryptosignClientOptions;
  code: string;
}

const DOWNGRADES: Downgrade[] = [
  { name: 'the router does not speak transcript mode', router: { transcript: 'off', routerKey: routerSeedKey }, code: 'TRANSCRIPT_NOT_CONFIRMED' },
  {
    name: 'transcript stripped from HELLO (router allows XOR)',
    router: { transcript: 'allow', routerKey: routerSeedKey, helloRewrite: (d) => ({ ...d, authextra: { ...d.authextra, transcript: undefined } }) },
    code: 'TRANSCRIPT_NOT_CONFIRMED',
  },
  {
    name: 'transcript stripped from CHALLENGE',
    router: { routerKey: routerSeedKey, tamper: (e) => ({ ...e, transcript: undefined }) as never },
    code: 'TRANSCRIPT_NOT_CONFIRMED',
  },
  {
    name: 'binding type swapped in HELLO',
    router: { routerKey: routerSeedKey, helloRewrite: (d) => ({ ...d, authextra: { ...d.authextra, channel_binding: 'tls-unique' } }) },
    code: 'CHANNEL_BINDING_MISMATCH',
  },
  { name: 'binding type swapped in CHALLENGE', router: { routerKey: routerSeedKey, tamper: (e) => ({ ...e, channel_binding: 'tls-unique' }) }, code: 'CHANNEL_BINDING_MISMATCH' },
  { name: 'binding stripped from CHALLENGE', router: { routerKey: routerSeedKey, tamper: (e) => ({ ...e, channel_binding: null }) }, code: 'CHANNEL_BINDING_MISMATCH' },
  {
    name: 'router authentication removed from CHALLENGE',
    router: { routerKey: routerSeedKey, tamper: ({ pubkey: _p, signature: _s, ...e }) => e as never },
    code: 'ROUTER_NOT_AUTHENTICATED',
  },
  {
    name: 'router challenge stripped from HELLO',
    router: { routerKey: routerSeedKey, helloRewrite: (d) => ({ ...d, authextra: { ...d.authextra, challenge: undefined } }) },
    code: 'ROUTER_NOT_AUTHENTICATED',
  },
  {
    name: 'an XOR-mode router signature in transcript mode',
    router: { routerKey: routerSeedKey, tamper: async (e, hello) => ({ ...e, signature: await signChallenge(routerSeedKey, String(hello.authextra?.challenge)) }) },
    code: 'ROUTER_SIGNATURE_WRONG',
  },
  {
    name: 'the router key signing the client-role transcript of this very connection (role swapped)',
    router: {
      routerKey: routerSeedKey,
      tamper: async (e, hello, socket) =>
        ({ ...e, signature: await signTranscript(routerSeedKey, 'client', routerView(routerSeedKey.publicKey, e, hello, socket)) }),
    },
    code: 'ROUTER_SIGNATURE_WRONG',
  },
  { name: 'an untrusted router key', router: { routerKey: fromSeed('b2'.repeat(32)) }, code: 'ROUTER_KEY_UNTRUSTED' },
  { name: 'a router challenge that is not 32 bytes', router: { routerKey: routerSeedKey, tamper: (e) => ({ ...e, challenge: 'ab'.repeat(31) }) }, code: 'INVALID_CHALLENGE' },
];

for (const kind of KINDS) {
  test(`${kind}: every downgrade is refused by the client with its code, before anything is signed`, async () => {
    for (const d of DOWNGRADES) {
      const r = await router(d.router);
      for (const source of ['seed', 'agent'] as const) {
        const key = counting(keys[source]);
        const before = agentClient.signs;
        const client = cryptosignClient(key, tx(source, { routerKeys: [routerSeedKey.publicKeyHex], ...d.client }));
        const result = await login(kind, r.url, client);
        assert.match(result, /^closed/, `${d.name} (${source})`);
        assert.equal(client.lastError?.code, d.code, `${d.name} (${source}): ${client.lastError?.message}`);
        assert.equal(key.signs, 0, `${d.name}: the key was asked to sign`);
        assert.equal(agentClient.signs, before, `${d.name}: the agent was asked to sign`);
        assert.equal(r.outcomes.filter((o) => o.principal !== undefined).length, 0, `${d.name}: the router admitted someone`);
      }
    }
  });
}

test('router-side refusals: XOR client, unbound or unknown transcript request, XOR-mode or router-role AUTHENTICATE, another realm or authid', async () => {
  const attempt = async (options: Partial<TestRouterOptions>, client: CryptosignClientOptions, authid = 'carol') => {
    const r = await router({ routerKey: routerSeedKey, ...options });
    const result = await login('wampy', r.url, cryptosignClient(keys.seed, client), authid);
    return { result, code: r.outcomes.at(-1)?.code, admitted: r.outcomes.some((o) => o.principal !== undefined), challenged: r.challenges.length };
  };
  const xorClient: CryptosignClientOptions = { tls: { ca: cert.cert }, channelBinding: 'tls-exporter' };
  const cases: [string, Partial<TestRouterOptions>, CryptosignClientOptions, string][] = [
    ['XOR-mode client on a require router', {}, xorClient, 'AUTH_TRANSCRIPT_REQUIRED'],
    ['XOR-mode client, transcript field forged in by a relay', { helloRewrite: (d) => ({ ...d, authextra: { ...d.authextra, transcript: 'cryptosign-transcript-v1' } }) }, xorClient, 'AUTH_SIGNATURE_WRONG'],
    ['transcript without binding', { helloRewrite: (d) => ({ ...d, authextra: { ...d.authextra, channel_binding: null } }) }, tx('seed'), 'AUTH_TRANSCRIPT_UNBOUND'],
    ['a client challenge that is not 32 bytes', { helloRewrite: (d) => ({ ...d, authextra: { ...d.authextra, challenge: 'abc' } }) }, tx('seed'), 'AUTH_CHALLENGE_MISMATCH'],
    ['unknown transcript version', { helloRewrite: (d) => ({ ...d, authextra: { ...d.authextra, transcript: 'cryptosign-transcript-v9' } }) }, tx('seed'), 'AUTH_TRANSCRIPT_UNSUPPORTED'],
    ['another authid in HELLO than the client bound', { helloRewrite: (d) => ({ ...d, authid: undefined }) }, tx('seed'), 'AUTH_SIGNATURE_WRONG'],
  ];
  for (const [name, options, client, code] of cases) {
    const { result, code: got, admitted, challenged } = await attempt(options, client);
    assert.match(result, /^closed/, name);
    assert.equal(got, code, name);
    assert.equal(admitted, false, name);
    // refused at HELLO: no CHALLENGE, so the router key signed nothing
    if (code.startsWith('AUTH_TRANSCRIPT_')) assert.equal(challenged, 0, name);
  }
  // an integrator that forgets the realm: refused before anything is signed
  const rk = counting(routerSeedKey);
  const auth = new CryptosignAuthenticator({ principals: parseAuthorizedKeys(principalsText), routerKey: rk, transcript: 'allow' });
  await assert.rejects(auth.hello({ authextra: { pubkey: keys.seed.publicKeyHex, channel_binding: 'tls-exporter', transcript: 'cryptosign-transcript-v1', challenge: '00'.repeat(32) } }, {}), { code: 'INVALID_ARGUMENT' });
  assert.equal(rk.signs, 0);
  assert.throws(() => new CryptosignAuthenticator({ principals: parseAuthorizedKeys(principalsText), transcript: 'on' as never }), { code: 'INVALID_ARGUMENT' });
  // another realm in HELLO than the one the client bound
  {
    const r = await router();
    const c = cryptosignClient(keys.seed, tx('seed', { realm: 'realm2' }));
    const sent = c.wampy();
    const wrapped = { ...c, wampy: () => ({ ...sent, realm: 'realm1' }) } as typeof c;
    assert.match(await login('wampy', r.url, wrapped, 'carol'), /^closed/);
    assert.equal(r.outcomes.at(-1)?.code, 'AUTH_SIGNATURE_WRONG', 'realm');
  }
  // AUTHENTICATE replaced by the right key's signature over this connection, in the wrong mode or role
  for (const forge of ['xor', 'router-role'] as const) {
    let forged: string | undefined;
    const r = await router({
      tamper: async (e, hello, socket) => {
        const channelId = tlsChannelId(socket, 'tls-exporter');
        forged = forge === 'xor'
          ? await signChallenge(keys.seed, e.challenge, { channelId })
          : await signTranscript(keys.seed, 'router', routerView(routerSeedKey.publicKey, e, hello, socket));
        return e;
      },
      replaceSignature: () => forged,
    });
    assert.match(await login('wampy', r.url, cryptosignClient(keys.seed, tx('seed'))), /^closed/);
    assert.equal(r.outcomes.at(-1)?.code, 'AUTH_SIGNATURE_WRONG', forge);
    assert.equal(r.outcomes.some((o) => o.principal !== undefined), false);
  }
  assert.throws(() => cryptosignClient(keys.seed, { transcript: true, realm: 'realm1' }), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => cryptosignClient(keys.seed, { transcript: true, channelBinding: 'tls-exporter' }), { code: 'INVALID_ARGUMENT' });
});

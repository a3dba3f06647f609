/**
 * Certificate logins end to end, both directions, with certificates from the
 * real ssh-keygen -s and keys in a real ssh-agent (ssh-add adds key and
 * certificate): a client whose router trusts only the CA (authorized_keys
 * `cert-authority,principals=…`), refusals coded at HELLO; a client trusting
 * a router only through known_hosts `@cert-authority`, for a matching and a
 * non-matching host, with nothing signed by the client when the router's
 * certificate is refused (counted at the key); the key sources that find
 * certificates (agent, -cert.pub, explicit); certificates bound in
 * transcript mode.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startThrowawayAgent, type ThrowawayAgent } from '../lib/agent/throwaway.js';
import { openAgentKey, type AgentSigningKey } from '../lib/keys/agent-key.js';
import { loadKeyFile } from '../lib/keys/openssh-key-file.js';
import { agentCertificates, certificateBesideKeyFile, chooseCertificate, readCertificateFile } from '../lib/keys/certificate-source.js';
import { parseCertificate } from '../lib/ssh/certificate.js';
import { RevokedKeys } from '../lib/ssh/krl.js';
import { RevokedKeysFile } from '../lib/wamp/router/revoked-keys-file.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { CryptosignAuthenticator } from '../lib/wamp/router/authenticator.js';
import { cryptosignClient } from '../lib/wamp/client/cryptosign-client.js';
import { signChallenge } from '../lib/wamp/challenge.js';
import { expectCode } from './helpers/errors.js';
import type { AuthError } from '../lib/errors.js';
import { certBlob, makeKey, signKey, sshKeygen } from './helpers/ssh-certs.js';
import { startTestRouter } from './helpers/test-router.js';
import { login } from './helpers/wamp-login.js';
import { counting } from './helpers/counting-key.js';
import { makeTestCert } from './helpers/tls.js';
import { crossbarDecision } from '../lib/wamp/crossbar/dynamic-authenticator.js';

/** A router-side refusal: the client is told AUTH_NOT_AUTHORIZED; the operator's refusal carries the real code. */
async function refusedWith(fn: () => unknown, code: string, message?: RegExp): Promise<void> {
  const e = (await expectCode(fn, 'AUTH_NOT_AUTHORIZED')) as AuthError;
  assert.equal(e.refusal?.code, code, e.refusal?.reason);
  if (message) assert.match(e.refusal?.reason ?? '', message);
}

let agent: ThrowawayAgent;
let dir: string;
let userCa: string;
let hostCa: string;
let otherCa: string;
let userKeyPath: string;
let agentKey: AgentSigningKey;
let routerKeyPath: string;
const pubLine = (p: string) => readFileSync(`${p}.pub`, 'utf8').trim();
const b64 = (blob: Uint8Array) => Buffer.from(blob).toString('base64');

before(async () => {
  agent = await startThrowawayAgent();
  dir = agent.dir;
  userCa = makeKey(dir, 'user-ca');
  hostCa = makeKey(dir, 'host-ca', 'ecdsa384');
  otherCa = makeKey(dir, 'other-ca', 'rsa');
  userKeyPath = makeKey(dir, 'alice');
  signKey(userCa, userKeyPath, { id: 'alice@laptop', principals: ['alice', 'ops'], serial: 7, validity: '-5m:+1h' });
  // ssh-add adds the key and, beside it, alice-cert.pub
  await agent.sshAdd(userKeyPath);
  agentKey = await openAgentKey(undefined, { socketPath: agent.socketPath });
  routerKeyPath = makeKey(dir, 'router');
});
after(async () => {
  agentKey?.close();
  await agent?.stop();
});

/** a fresh certificate for the alice key (kept apart from alice-cert.pub) */
let n = 0;
function aliceCert(caPath: string, o: Parameters<typeof signKey>[2] = {}): Uint8Array {
  const stem = join(dir, `alice-copy${n++}`);
  copyFileSync(`${userKeyPath}.pub`, `${stem}.pub`);
  return certBlob(signKey(caPath, stem, { principals: ['alice', 'ops'], ...o }));
}

test('key sources find the certificate as OpenSSH does: the agent identity for the key, <keyfile>-cert.pub, an explicit file', async () => {
  const fromAgent = await agentCertificates(agentKey.publicKey, { socketPath: agent.socketPath });
  assert.equal(fromAgent.length, 1);
  assert.equal(fromAgent[0]!.certificate.keyId, 'alice@laptop');
  assert.deepEqual(fromAgent[0]!.certificate.principals, ['alice', 'ops']);
  const beside = certificateBesideKeyFile(userKeyPath, agentKey.publicKey);
  assert.deepEqual(Buffer.from(beside!.blob), Buffer.from(fromAgent[0]!.certificate.blob));
  assert.equal(readCertificateFile(`${userKeyPath}-cert.pub`).serial, 7n);
  assert.equal(certificateBesideKeyFile(routerKeyPath, agentKey.publicKey), undefined, 'no -cert.pub: none');
  // a -cert.pub for another key is refused, not silently used
  copyFileSync(`${userKeyPath}-cert.pub`, `${routerKeyPath}-cert.pub`);
  await expectCode(() => certificateBesideKeyFile(routerKeyPath, loadKeyFile(routerKeyPath).publicKey), 'CERT_KEY_MISMATCH');
  // of several, the one valid now
  const expired = parseCertificate(aliceCert(userCa, { validity: '-2d:-1d' }));
  const longer = parseCertificate(aliceCert(userCa, { validity: '-1m:+2d' }));
  assert.equal(chooseCertificate([expired, fromAgent[0]!.certificate, longer]), longer);
  assert.equal(chooseCertificate([expired]), undefined);
});

test('full login: an agent-held certificate, a router that trusts only the CA (cert-authority,principals=…); the key id reaches the router log', async () => {
  const { certificate } = (await agentCertificates(agentKey.publicKey, { socketPath: agent.socketPath }))[0]!;
  const log: string[] = [];
  const principals = parseAuthorizedKeys(`cert-authority,principals="alice,bob",wamp-role="operator" ${pubLine(userCa)}\n`);
  assert.equal(principals.principals.length, 0, 'no plain key is listed');
  const refusals: string[] = [];
  const router = await startTestRouter({ principals, log: (l) => log.push(l), onRefusal: (r) => refusals.push(r.code) });
  try {
    const key = counting(agentKey);
    const client = cryptosignClient(key, { certificate: certificate! });
    assert.equal(client.authextra.certificate, b64(certificate!.blob));
    assert.equal(await login('autobahn-js 22', router.url, client, 'alice'), 'open', JSON.stringify(router.outcomes) + log.join('\n'));
    assert.equal(await login('wampy', router.url, client, 'alice'), 'open');
    // no authid: the one principal both the certificate and principals= accept
    assert.equal(await login('autobahn-js 26', router.url, client), 'open');
    assert.deepEqual(router.outcomes.map((o) => [o.principal, o.role]), [['alice', 'operator'], ['alice', 'operator'], ['alice', 'operator']]);
    assert.equal(key.signs, 3);
    assert.ok(log.some((l) => /key id "alice@laptop" serial 7 CA SHA256:/.test(l)), log.join('\n'));
    // a principal of the certificate that principals= does not accept
    const closed = await login('autobahn-js 22', router.url, client, 'ops');
    assert.match(closed, /^closed/);
    assert.doesNotMatch(closed, /CERT_|alice@laptop/, 'the client is told nothing more than "not authorized"');
    assert.equal(router.outcomes.at(-1)?.code, 'CERT_PRINCIPAL_REFUSED');
    assert.equal(refusals.at(-1), 'CERT_PRINCIPAL_REFUSED');
    assert.equal(key.signs, 3, 'nothing signed for a refused HELLO');
    assert.ok(log.some((l) => /refused \[CERT_PRINCIPAL_REFUSED\] key id "alice@laptop"/.test(l)));
    // without a certificate the key is unknown
    assert.match(await login('autobahn-js 22', router.url, cryptosignClient(key), 'alice'), /^closed/);
    assert.equal(refusals.at(-1), 'AUTH_UNKNOWN_KEY');
  } finally {
    await router.stop();
  }
});

test('router-side refusals, each coded, at HELLO (nothing is challenged)', async () => {
  const principals = parseAuthorizedKeys(
    [
      `cert-authority,principals="alice,ops",from="127.0.0.0/8",expiry-time="20990101",wamp-realm="realm1" ${pubLine(userCa)}`,
      `cert-authority,expiry-time="20200101" ${pubLine(hostCa)}`,
    ].join('\n'),
  );
  const good = aliceCert(userCa);
  const pub = agentKey.publicKeyHex;
  let clock = new Date();
  const auth = (extra: object = {}) =>
    new CryptosignAuthenticator({ principals, now: () => clock, ...extra });
  const hello = (cert: Uint8Array | string, o: { authid?: string; pubkey?: string; realm?: string; peer?: string } = {}, a = auth()) =>
    a.hello(
      { authid: o.authid ?? 'alice', authmethods: ['cryptosign'], authextra: { pubkey: o.pubkey ?? pub, certificate: typeof cert === 'string' ? cert : b64(cert) } },
      { realm: o.realm ?? 'realm1', peerAddress: o.peer ?? '127.0.0.1' },
    );
  const ok = await hello(good);
  assert.equal(ok.principal.name, 'alice');
  assert.equal(ok.principal.certificate?.serial, 0n);
  // the AUTHENTICATE check runs the certificate checks again, then the signature
  assert.equal(ok.authenticate(await signChallenge(agentKey, ok.extra.challenge)).name, 'alice');

  await refusedWith(() => hello(good, { pubkey: loadKeyFile(routerKeyPath).publicKeyHex }), 'CERT_KEY_MISMATCH');
  await refusedWith(() => hello(aliceCert(otherCa)), 'CERT_CA_UNTRUSTED');
  await refusedWith(() => hello(good, { authid: 'carol' }), 'CERT_PRINCIPAL_REFUSED');
  await refusedWith(() => hello(good, { authid: '' }), 'AUTH_KEY_AMBIGUOUS');
  await refusedWith(() => hello(aliceCert(userCa, { validity: '-2d:-1d' })), 'CERT_EXPIRED');
  await refusedWith(() => hello(aliceCert(userCa, { validity: '+1d:+2d' })), 'CERT_NOT_YET_VALID');
  await refusedWith(() => hello(aliceCert(userCa, { host: true })), 'CERT_TYPE_WRONG');
  await refusedWith(() => hello(aliceCert(userCa, { options: ['force-command=/bin/true'] })), 'CERT_OPTION_REFUSED');
  await refusedWith(() => hello(aliceCert(userCa, { options: ['critical:wamp-only=x'] })), 'CERT_OPTION_REFUSED');
  await refusedWith(() => hello(aliceCert(userCa, { options: ['source-address=10.0.0.0/8'] })), 'CERT_ADDRESS_REFUSED');
  assert.equal((await hello(aliceCert(userCa, { options: ['source-address=127.0.0.1'] }))).principal.name, 'alice');
  // the line's own options
  await refusedWith(() => hello(good, { realm: 'other' }), 'AUTH_REALM_MISMATCH');
  await refusedWith(() => hello(good, { peer: '10.1.1.1' }), 'AUTH_ADDRESS_REFUSED');
  await refusedWith(() => hello(aliceCert(hostCa)), 'AUTH_KEY_EXPIRED');
  // forgeries and garbage in the field
  const flipped = new Uint8Array(good);
  flipped[flipped.length - 3] = (flipped[flipped.length - 3] as number) ^ 1;
  await refusedWith(() => hello(flipped), 'CERT_SIGNATURE_WRONG');
  await refusedWith(() => hello(good.subarray(0, good.length - 1)), 'CERT_FORMAT');
  await refusedWith(() => hello(Buffer.concat([good, Buffer.from([0])])), 'CERT_FORMAT');
  await refusedWith(() => hello('not base64!'), 'CERT_FORMAT');
  await refusedWith(() => hello('A'.repeat(20000)), 'CERT_FORMAT');
  // the certificate expires between HELLO and AUTHENTICATE: refused at AUTHENTICATE
  const shortCert = aliceCert(userCa, { validity: '-1m:+1m' });
  clock = new Date(); // the test's clock was set long before (ssh-keygen runs since): "now" for this certificate
  const short = await hello(shortCert);
  clock = new Date(Date.now() + 5 * 60_000);
  await refusedWith(async () => short.authenticate(await signChallenge(agentKey, short.extra.challenge)), 'CERT_EXPIRED');
  clock = new Date();

  // revocation: by serial and by key id (KRL from ssh-keygen -k), and by key in the plain form
  const serialCert = aliceCert(userCa, { serial: 99, id: 'lost-laptop' });
  const spec = join(dir, 'revoke-spec');
  writeFileSync(spec, 'serial: 99\nid: stolen\n');
  const krl = join(dir, 'krl');
  sshKeygen(['-q', '-k', '-f', krl, '-s', `${userCa}.pub`, spec]);
  const withKrl = auth({ revokedKeys: RevokedKeys.parse(readFileSync(krl)) });
  await refusedWith(() => hello(serialCert, {}, withKrl), 'KEY_REVOKED');
  await refusedWith(() => hello(aliceCert(userCa, { id: 'stolen' }), {}, withKrl), 'KEY_REVOKED');
  assert.equal((await hello(good, {}, withKrl)).principal.name, 'alice');
  const byKey = auth({ revokedKeys: RevokedKeys.parse(pubLine(userKeyPath)) });
  await refusedWith(() => hello(good, {}, byKey), 'KEY_REVOKED');
  const byCa = auth({ revokedKeys: () => RevokedKeys.parse(pubLine(userCa)) });
  await refusedWith(() => hello(good, {}, byCa), 'KEY_REVOKED');
  // a RevokedKeys file followed on disk (sshd's RevokedKeys): re-read when it changes; unusable = every login refused
  const file = new RevokedKeysFile(krl);
  const followed = auth({ revokedKeys: file });
  assert.equal((await hello(good, {}, followed)).principal.name, 'alice');
  await refusedWith(() => hello(serialCert, {}, followed), 'KEY_REVOKED');
  writeFileSync(krl, `${pubLine(userKeyPath)}\n`); // now the plain form, revoking alice's key itself
  await refusedWith(() => hello(good, {}, followed), 'KEY_REVOKED', /revoked key/);
  writeFileSync(krl, 'garbage that is no key\n');
  await refusedWith(() => hello(good, {}, followed), 'KEY_REVOKED', /cannot be used/);
  // plain-key logins are checked too
  const plain = new CryptosignAuthenticator({ principals: parseAuthorizedKeys(pubLine(userKeyPath)), revokedKeys: RevokedKeys.parse(pubLine(userKeyPath)) });
  await refusedWith(() => plain.hello({ authmethods: ['cryptosign'], authextra: { pubkey: pub } }, { realm: 'realm1' }), 'KEY_REVOKED');
});

test('RSA and ECDSA CAs on cert-authority lines; an ssh-rsa (SHA-1) signed certificate is refused as sshd 9.2 refuses it', async () => {
  const principals = parseAuthorizedKeys(`cert-authority ${pubLine(otherCa)}\ncert-authority ${pubLine(hostCa)}\n`);
  const auth = new CryptosignAuthenticator({ principals });
  const hello = (cert: Uint8Array) =>
    auth.hello({ authid: 'alice', authmethods: ['cryptosign'], authextra: { pubkey: agentKey.publicKeyHex, certificate: b64(cert) } }, { realm: 'realm1' });
  assert.equal((await hello(aliceCert(otherCa))).principal.certificate?.ca, parseCertificate(aliceCert(otherCa)).caKey.fingerprint);
  assert.equal((await hello(aliceCert(otherCa, { sigAlg: 'rsa-sha2-256' }))).principal.name, 'alice');
  assert.equal((await hello(aliceCert(hostCa))).principal.name, 'alice');
  await refusedWith(() => hello(aliceCert(otherCa, { sigAlg: 'ssh-rsa' })), 'CERT_SIGNATURE_ALGORITHM_REFUSED');
});

test('router certificates: the client trusts the router only through known_hosts @cert-authority; a non-matching host is refused before anything is signed', async () => {
  const routerKey = loadKeyFile(routerKeyPath);
  const hostCert = (names: string[], o: Parameters<typeof signKey>[2] = {}) => {
    const stem = join(dir, `router-copy${n++}`);
    copyFileSync(`${routerKeyPath}.pub`, `${stem}.pub`);
    return certBlob(signKey(hostCa, stem, { host: true, principals: names, ...o }));
  };
  const { certificate } = (await agentCertificates(agentKey.publicKey, { socketPath: agent.socketPath }))[0]!;
  const principals = parseAuthorizedKeys(`cert-authority,principals="alice" ${pubLine(userCa)}\n`);
  const knownHosts = `@cert-authority [127.0.0.1]:* ${pubLine(hostCa)}\n`;
  const good = hostCert(['127.0.0.1', 'router.example']);
  await expectCode(() => new CryptosignAuthenticator({ principals, routerKey, routerCertificate: aliceCert(hostCa) }), 'INVALID_ARGUMENT');
  const run = async (cert: Uint8Array, kh = knownHosts) => {
    // the router sends whatever certificate the test gives (an honest router refuses to hold a user certificate)
    const router = await startTestRouter({ principals, routerKey, routerCertificate: good, tamper: (extra) => ({ ...extra, certificate: b64(cert) }) });
    try {
      const key = counting(agentKey);
      const client = cryptosignClient(key, { certificate: certificate!, knownHosts: kh });
      const r = await login('autobahn-js 22', router.url, client, 'alice');
      const rw = await login('wampy', router.url, client, 'alice');
      return { r, rw, signs: key.signs, error: client.lastError?.code, sent: router.challenges.at(-1)?.certificate };
    } finally {
      await router.stop();
    }
  };
  const ok = await run(good);
  assert.deepEqual([ok.r, ok.rw, ok.signs], ['open', 'open', 2]);
  assert.equal(ok.sent, b64(good), 'the router sent its certificate in CHALLENGE extra');

  const wrongHost = await run(hostCert(['router.example']));
  assert.match(wrongHost.r, /^closed/);
  assert.equal(wrongHost.error, 'CERT_PRINCIPAL_REFUSED');
  assert.equal(wrongHost.signs, 0, 'nothing signed for a router whose certificate names another host');

  const cases: Array<[string, Uint8Array, string, string?]> = [
    ['expired', hostCert(['127.0.0.1'], { validity: '-2d:-1d' }), 'CERT_EXPIRED'],
    ['a user certificate', (() => { const s = join(dir, `rk${n++}`); copyFileSync(`${routerKeyPath}.pub`, `${s}.pub`); return certBlob(signKey(hostCa, s, { principals: ['127.0.0.1'] })); })(), 'CERT_TYPE_WRONG'],
    ['another CA', (() => { const s = join(dir, `rk${n++}`); copyFileSync(`${routerKeyPath}.pub`, `${s}.pub`); return certBlob(signKey(userCa, s, { host: true, principals: ['127.0.0.1'] })); })(), 'CERT_CA_UNTRUSTED'],
    ['the CA line is for other hosts', good, 'CERT_CA_UNTRUSTED', `@cert-authority *.example ${pubLine(hostCa)}\n`],
    ['the CA @revoked', good, 'KEY_REVOKED', `${knownHosts}@revoked * ${pubLine(hostCa)}\n`],
  ];
  for (const [name, cert, code, kh] of cases) {
    const r = await run(cert, kh);
    assert.equal(r.error, code, name);
    assert.equal(r.signs, 0, `${name}: nothing signed`);
  }
  // a plain known_hosts line for the router key is enough without any certificate trust (as ssh falls back)
  const plain = await run(hostCert(['elsewhere']), `[127.0.0.1]:* ${pubLine(routerKeyPath)}\n`);
  assert.deepEqual([plain.r, plain.signs], ['open', 2]);
});

test('a certificate the client is given must certify its key, and be a user certificate', async () => {
  const routerKey = loadKeyFile(routerKeyPath);
  const { certificate } = (await agentCertificates(agentKey.publicKey, { socketPath: agent.socketPath }))[0]!;
  await expectCode(() => cryptosignClient(routerKey, { certificate: certificate! }), 'CERT_KEY_MISMATCH');
  await expectCode(() => cryptosignClient(agentKey, { certificate: aliceCert(userCa, { host: true }) }), 'CERT_TYPE_WRONG');
  await expectCode(() => cryptosignClient(agentKey, { certificate: 'ssh-ed25519-cert-v01@openssh.com AAAA' }), 'CERT_FORMAT');
});

test('transcript mode binds both certificates: a swapped certificate (another one the same CA issued) breaks the signatures, nothing signed by the client', async () => {
  const tls = makeTestCert();
  const routerKey = loadKeyFile(routerKeyPath);
  const hostCert = (names: string[]) => {
    const stem = join(dir, `router-tx${n++}`);
    copyFileSync(`${routerKeyPath}.pub`, `${stem}.pub`);
    return certBlob(signKey(hostCa, stem, { host: true, principals: names }));
  };
  const { certificate } = (await agentCertificates(agentKey.publicKey, { socketPath: agent.socketPath }))[0]!;
  const principals = parseAuthorizedKeys(`cert-authority,principals="alice" ${pubLine(userCa)}\n`);
  const good = hostCert(['127.0.0.1']);
  const knownHosts = `@cert-authority 127.0.0.1,[127.0.0.1]:* ${pubLine(hostCa)}\n`;
  const options = { tls: { ca: tls.cert }, transcript: true, channelBinding: 'tls-exporter' as const, realm: 'realm1', authid: 'alice', knownHosts };
  const start = (extra: Partial<Parameters<typeof startTestRouter>[0]> = {}) =>
    startTestRouter({ principals, tls: { cert: tls, version: 'TLSv1.3' }, transcript: 'require', routerKey, routerCertificate: good, ...extra });
  try {
    const r = await start();
    try {
      const key = counting(agentKey);
      assert.equal(await login('autobahn-js 22', r.url, cryptosignClient(key, { ...options, certificate: certificate! }), 'alice'), 'open');
      assert.equal(key.signs, 1);
      assert.equal(r.challenges.at(-1)?.certificate, b64(good));
    } finally {
      await r.stop();
    }
    // a relay swaps the router's certificate for another valid one of the same key: the router's transcript signature no longer verifies
    const other = hostCert(['127.0.0.1', 'x.example']);
    const swapped = await start({ tamper: (e) => ({ ...e, certificate: b64(other) }) });
    try {
      const key = counting(agentKey);
      const client = cryptosignClient(key, { ...options, certificate: certificate! });
      assert.match(await login('autobahn-js 22', swapped.url, client, 'alice'), /^closed/);
      assert.equal(client.lastError?.code, 'ROUTER_SIGNATURE_WRONG');
      assert.equal(key.signs, 0);
    } finally {
      await swapped.stop();
    }
    // the client's certificate swapped in HELLO for another valid one (same key, same CA): the router refuses the client's signature
    const otherClientCert = b64(aliceCert(userCa, { principals: ['alice'], id: 'second' }));
    const refusals: string[] = [];
    const relay = await start({ helloRewrite: (d) => ({ ...d, authextra: { ...d.authextra, certificate: otherClientCert } }), onRefusal: (r) => refusals.push(r.code) });
    try {
      // with router authentication the client sees it first (the router's transcript names another certificate): nothing signed
      const key = counting(agentKey);
      const client = cryptosignClient(key, { ...options, certificate: certificate! });
      assert.match(await login('autobahn-js 22', relay.url, client, 'alice'), /^closed/);
      assert.equal(client.lastError?.code, 'ROUTER_SIGNATURE_WRONG');
      assert.equal(key.signs, 0);
      // without it, the client signs its own transcript and the router refuses that signature
      const { knownHosts: _unused, ...noRouterAuth } = options;
      assert.match(await login('autobahn-js 22', relay.url, cryptosignClient(agentKey, { ...noRouterAuth, certificate: certificate! }), 'alice'), /^closed/);
      assert.equal(refusals.at(-1), 'AUTH_SIGNATURE_WRONG');
    } finally {
      await relay.stop();
    }
  } finally {
    tls.cleanup();
  }
});

test('crossbar dynamic authenticator: details.authextra.certificate decided by the same checks; crossbar is told the certified key', async () => {
  const principals = parseAuthorizedKeys(`cert-authority,principals="alice",wamp-role="operator" ${pubLine(userCa)}\n`);
  const cert = aliceCert(userCa, { serial: 5 });
  const details = (c: Uint8Array) => ({ authmethod: 'cryptosign', authextra: { pubkey: agentKey.publicKeyHex, certificate: b64(c) }, transport: { peer: 'tcp4:127.0.0.1:5000' } });
  assert.deepEqual(crossbarDecision(principals, 'realm1', 'alice', details(cert)), { pubkey: agentKey.publicKeyHex, role: 'operator', authid: 'alice' });
  await refusedWith(() => crossbarDecision(principals, 'realm1', 'ops', details(cert)), 'CERT_PRINCIPAL_REFUSED');
  await refusedWith(() => crossbarDecision(principals, 'realm1', 'alice', details(aliceCert(otherCa))), 'CERT_CA_UNTRUSTED');
  const revoked = RevokedKeys.parse(pubLine(userCa));
  await refusedWith(() => crossbarDecision(principals, 'realm1', 'alice', details(cert), { revokedKeys: revoked }), 'KEY_REVOKED');
});

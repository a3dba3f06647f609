/**
 * The CLI with certificates (real processes, certificates from the real
 * ssh-keygen): `cert` shows one as ssh-keygen -L does and says what a router
 * (authorized_keys) or a client (known_hosts) would do with it; `verify`
 * takes --certificate and --revoked-keys; `list` shows certificate
 * identities with principals and validity. Refusals: exit 1, nothing on
 * stdout, one coded line on stderr.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startThrowawayAgent, type ThrowawayAgent } from '../lib/agent/throwaway.js';
import { loadKeyFile } from '../lib/keys/openssh-key-file.js';
import { signChallenge } from '../lib/wamp/challenge.js';
import { runCli } from './helpers/cli.js';
import { makeKey, signKey, sshKeygen } from './helpers/ssh-certs.js';

let agent: ThrowawayAgent;
let dir: string;
let cert: string;
let hostCert: string;
let userKey: string;
let ak: string;
let kh: string;
const CHALLENGE = 'a'.repeat(64);

before(async () => {
  agent = await startThrowawayAgent();
  dir = agent.dir;
  const ca = makeKey(dir, 'ca');
  userKey = makeKey(dir, 'alice');
  cert = signKey(ca, userKey, { id: 'alice@laptop', principals: ['alice', 'ops'], serial: 42, validity: '-5m:+1h' });
  const routerKey = makeKey(dir, 'router');
  hostCert = signKey(ca, routerKey, { host: true, id: 'router-1', principals: ['router.example'] });
  ak = join(dir, 'authorized_keys');
  writeFileSync(ak, `cert-authority,principals="alice",wamp-role="operator" ${readFileSync(`${ca}.pub`, 'utf8')}`);
  kh = join(dir, 'known_hosts');
  writeFileSync(kh, `@cert-authority *.example ${readFileSync(`${ca}.pub`, 'utf8')}`);
  await agent.sshAdd(userKey);
});
after(async () => agent?.stop());

function refused(r: { code: number | null; stdout: string; stderr: string }, code: string): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`\\[${code}\\]\\n$`));
  assert.equal(r.stderr.trimEnd().split('\n').length, 1);
}

test('cert: shown as ssh-keygen -L shows it; a router verdict from authorized_keys; a client verdict from known_hosts', async () => {
  const shown = await runCli(['cert', '--certificate', cert]);
  assert.equal(shown.code, 0, shown.stderr);
  const L = sshKeygen(['-L', '-f', cert]);
  for (const field of ['Key ID: "alice@laptop"', 'Serial: 42', 'Signing CA: ED25519 SHA256:']) {
    assert.ok(shown.stdout.includes(field) && L.includes(field), field);
  }
  assert.match(shown.stdout, /Principals: \n\s+"alice"\n\s+"ops"/);

  const ok = await runCli(['cert', '--certificate', cert, '--authorized-keys', ak, '--authid', 'alice']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^accepted: authid "alice" \(line 1, role "operator"\)$/m);
  refused(await runCli(['cert', '--certificate', cert, '--authorized-keys', ak, '--authid', 'ops']), 'CERT_PRINCIPAL_REFUSED');

  const json = await runCli(['cert', '--certificate', cert, '--authorized-keys', ak, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { keyId: string; serial: string; verdict: string; principals: string[] };
  assert.deepEqual([parsed.keyId, parsed.serial, parsed.principals], ['alice@laptop', '42', ['alice', 'ops']]);
  assert.match(parsed.verdict, /accepted: authid "alice"/);

  const host = await runCli(['cert', '--certificate', hostCert, '--known-hosts', kh, '--url', 'wss://router.example/ws']);
  assert.equal(host.code, 0, host.stderr);
  assert.match(host.stdout, /accepted for router\.example: via certificate \(known_hosts line 1\)/);
  refused(await runCli(['cert', '--certificate', hostCert, '--known-hosts', kh, '--url', 'wss://evil.example/ws']), 'CERT_PRINCIPAL_REFUSED');
  refused(await runCli(['cert', '--certificate', cert, '--known-hosts', kh, '--url', 'wss://router.example/ws']), 'CERT_TYPE_WRONG');
  const usage = await runCli(['cert', '--certificate', cert, '--authid', 'alice']);
  assert.equal(usage.code, 2);
});

test('verify --certificate: the router checks and the signature; --revoked-keys with a KRL from ssh-keygen -k', async () => {
  const sig = await signChallenge(loadKeyFile(userKey), CHALLENGE);
  const ok = await runCli(['verify', '--authorized-keys', ak, '--certificate', cert, '--challenge', CHALLENGE], { stdin: sig });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'ok alice (certificate "alice@laptop" serial 42)\n');
  const spec = join(dir, 'spec');
  writeFileSync(spec, 'serial: 42\n');
  const krl = join(dir, 'krl');
  sshKeygen(['-q', '-k', '-f', krl, '-s', join(dir, 'ca.pub'), spec]);
  refused(await runCli(['verify', '--authorized-keys', ak, '--certificate', cert, '--revoked-keys', krl, '--challenge', CHALLENGE], { stdin: sig }), 'KEY_REVOKED');
  refused(await runCli(['verify', '--authorized-keys', ak, '--certificate', cert, '--challenge', 'b'.repeat(64)], { stdin: sig }), 'AUTH_CHALLENGE_MISMATCH');
});

test('list shows certificate identities with principals and validity', async () => {
  const r = await runCli(['list'], { env: agent.env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\(ED25519-CERT\)\n\s+user certificate id "alice@laptop" serial 42 for "alice","ops" valid \S+ to \S+ CA SHA256:/);
  const j = JSON.parse((await runCli(['list', '--json'], { env: agent.env })).stdout) as Array<{ certificate?: { keyId: string; principals: string[] } }>;
  assert.deepEqual(j.find((k) => k.certificate)?.certificate?.principals, ['alice', 'ops']);
});

/**
 * known_hosts syntax and host matching, with `ssh-keygen -F` (which lines
 * apply to a name) as the oracle, on plain, wildcard, negated, `[host]:port`
 * and `ssh-keygen -H` hashed entries; and KnownHosts.check for host
 * certificates issued by the real `ssh-keygen -s -h`: @cert-authority,
 * @revoked, principals, validity, fallback to the plain key as ssh does.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificate } from '../lib/ssh/certificate.js';
import { KnownHosts, knownHostsName, parseKnownHosts } from '../lib/ssh/known-hosts.js';
import { expectCode } from './helpers/errors.js';
import { tempDir } from './helpers/paths.js';
import { certBlob, makeKey, pubBlob, signKey, sshKeygen } from './helpers/ssh-certs.js';

let dir: string;
let cleanup: () => void;
let ca: string;
let ca2: string;
let router: string;
let other: string;
const pub = (p: string) => readFileSync(`${p}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');

before(() => {
  ({ dir, cleanup } = tempDir());
  ca = makeKey(dir, 'ca');
  ca2 = makeKey(dir, 'ca2', 'ecdsa256');
  router = makeKey(dir, 'router');
  other = makeKey(dir, 'other');
});
after(() => cleanup());

/** line numbers `ssh-keygen -F name -f file` reports */
function oracleLines(file: string, name: string): number[] {
  const r = spawnSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run ssh-keygen: ${r.error.message}`);
  return [...r.stdout.matchAll(/^# Host .* found: line (\d+)/gm)].map((m) => Number(m[1]));
}

const NAMES = [
  'router.example', 'ROUTER.Example', 'a.wamp.test', 'bad.wamp.test', 'ab.wamp.test', 'x.y.wamp.test', '[router.example]:8080',
  '[router.example]:8081', 'router.example:8080', 'other', 'r7.dc1.example', 'r77.dc1.example', '10.0.0.7', '[10.0.0.7]:443', '',
];

function agree(file: string): void {
  const kh = new KnownHosts(readFileSync(file, 'utf8'));
  for (const name of NAMES) {
    const mine = kh.forHost(knownHostsName(name)).map((l) => l.line);
    assert.deepEqual(mine, oracleLines(file, name), `lines for ${JSON.stringify(name)}`);
  }
}

test('which lines apply to a host: the library and ssh-keygen -F agree (plain, wildcards, negation, ports, markers, hashed)', () => {
  const k = pub(router);
  const text = [
    '# known hosts',
    `router.example,*.wamp.test,!bad.wamp.test ${k}`,
    `[router.example]:8080 ${k} port`,
    `@cert-authority *.example,!other ${pub(ca)}`,
    '',
    `@revoked * ${pub(other)}`,
    `r?.dc1.example,10.0.0.* ${k}`,
    `  [10.0.0.7]:443,other ${k}`,
    `@cert-authority ??.wamp.test ${pub(ca2)} ca2`,
  ].join('\n');
  const file = join(dir, 'known_hosts');
  writeFileSync(file, text + '\n');
  agree(file);
  // ssh-keygen -H hashes the names it can (not patterns); the hashed file must agree too
  const hashed = join(dir, 'known_hosts_hashed');
  writeFileSync(hashed, text + '\n');
  sshKeygen(['-q', '-H', '-f', hashed]);
  const hashedText = readFileSync(hashed, 'utf8');
  assert.match(hashedText, /^\|1\|/m, 'ssh-keygen -H wrote hashed entries');
  agree(hashed);
});

test('knownHostsName: [host]:port only for a non-default port', () => {
  assert.equal(knownHostsName('Router.Example'), 'router.example');
  assert.equal(knownHostsName('router.example', 443, 443), 'router.example');
  assert.equal(knownHostsName('router.example', 8080, 443), '[router.example]:8080');
  assert.equal(knownHostsName('[::1]', 8080, 443), '[::1]:8080');
});

test('malformed known_hosts lines refuse the text', async () => {
  const k = pub(router);
  for (const [bad, why] of [
    [`@cert-authorit * ${k}`, /unknown marker/],
    ['router.example', /expected/],
    [`|1|abc|def ${k}`, /20-byte/],
    [`|2|${'A'.repeat(28)}|${'A'.repeat(28)} ${k}`, /hashed/],
    [`host ssh-rsa ${k.split(' ')[1]}`, /says "ssh-rsa"/],
    [`host ssh-ed25519 AAAA!`, /base64/],
    [`host ${readFileSync(signKey(ca, other, { principals: ['x'], host: true }), 'utf8').trim()}`, /certificate is not/],
  ] as Array<[string, RegExp]>) {
    await expectCode(() => parseKnownHosts(`# fine\n${bad}\n`), 'KNOWN_HOSTS_FORMAT', why);
    await expectCode(() => parseKnownHosts(`${bad}\n`), 'KNOWN_HOSTS_FORMAT', /line 1/);
  }
});

test('host certificates through @cert-authority: principal, type, validity, CA, @revoked, and fallback to plain keys as ssh does', () => {
  const host = (o: Parameters<typeof signKey>[2] = {}) => parseCertificate(certBlob(signKey(ca, router, { host: true, principals: ['router.example', '*.dc1.example'], ...o })));
  const kh = new KnownHosts(`@cert-authority *.example,*.dc1.example ${pub(ca)}\n`);
  const good = host();
  assert.deepEqual(kh.check('router.example', 'router.example', good), { ok: true, via: 'certificate', line: 1 });
  assert.equal(kh.check('r1.dc1.example', 'r1.dc1.example', good).ok, false, 'a wildcard principal is not a pattern (as OpenSSH 9.2)');
  const code = (r: ReturnType<KnownHosts['check']>) => (r.ok ? 'ok' : r.code);
  // the CA line applies, but the certificate does not name this host
  assert.equal(code(kh.check('evil.example', 'evil.example', good)), 'CERT_PRINCIPAL_REFUSED');
  // the CA line does not apply to this host at all
  assert.equal(code(kh.check('router.other', 'router.other', good)), 'CERT_CA_UNTRUSTED');
  // a port: the name is [host]:port, the principal is the host
  const khPort = new KnownHosts(`@cert-authority [router.example]:8443 ${pub(ca)}\n`);
  assert.equal(code(khPort.check('[router.example]:8443', 'router.example', good)), 'ok');
  assert.equal(code(khPort.check('router.example', 'router.example', good)), 'CERT_CA_UNTRUSTED');
  // user certificate presented as a host certificate
  const user = parseCertificate(certBlob(signKey(ca, router, { principals: ['router.example'] })));
  assert.equal(code(kh.check('router.example', 'router.example', user)), 'CERT_TYPE_WRONG');
  assert.equal(code(kh.check('router.example', 'router.example', host({ validity: '-2d:-1d' }))), 'CERT_EXPIRED');
  assert.equal(code(kh.check('router.example', 'router.example', host({ validity: '+1d:+2d' }))), 'CERT_NOT_YET_VALID');
  // any critical option refuses a host certificate, as ssh does
  assert.equal(code(kh.check('router.example', 'router.example', host({ options: ['critical:x=y'] }))), 'CERT_OPTION_REFUSED');
  // another CA
  const byOther = parseCertificate(certBlob(signKey(ca2, router, { host: true, principals: ['router.example'] })));
  assert.equal(code(kh.check('router.example', 'router.example', byOther)), 'CERT_CA_UNTRUSTED');
  // @revoked: the CA, or the certified key
  const revokedCa = new KnownHosts(`@cert-authority *.example ${pub(ca)}\n@revoked * ${pub(ca)}\n`);
  assert.equal(code(revokedCa.check('router.example', 'router.example', good)), 'KEY_REVOKED');
  const revokedKey = new KnownHosts(`@cert-authority *.example ${pub(ca)}\n@revoked *.example ${pub(router)}\nrouter.example ${pub(router)}\n`);
  assert.equal(code(revokedKey.check('router.example', 'router.example', good)), 'KEY_REVOKED');
  assert.equal(code(revokedKey.check('router.example', 'router.example', pubBlob(`${router}.pub`))), 'KEY_REVOKED');
  // fallback: a refused certificate whose key is listed plainly is accepted as that key (ssh retries with the plain key)
  const both = new KnownHosts(`@cert-authority *.example ${pub(ca)}\nrouter.example ${pub(router)}\n`);
  assert.deepEqual(both.check('router.example', 'router.example', host({ validity: '-2d:-1d' })), { ok: true, via: 'key', line: 2 });
  assert.deepEqual(both.check('router.example', 'router.example', pubBlob(`${router}.pub`)), { ok: true, via: 'key', line: 2 });
  assert.equal(code(both.check('router.example', 'router.example', pubBlob(`${other}.pub`))), 'ROUTER_KEY_UNTRUSTED');
});

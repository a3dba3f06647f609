/**
 * Router certificates: the library's known_hosts check and the real ssh
 * client decide the same. For each case a private sshd (own config, stopped
 * by pid) serves an Ed25519 host key with an OpenSSH host certificate from
 * `ssh-keygen -s -h`; `ssh` connects with StrictHostKeyChecking=yes, a
 * known_hosts file and HostKeyAlias (the name it checks, as the library
 * checks the URL's host); the library checks the same certificate against
 * the same known_hosts text for the same name.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseCertificate } from '../lib/ssh/certificate.js';
import { KnownHosts } from '../lib/ssh/known-hosts.js';
import { tempDir } from './helpers/paths.js';
import { runProcess } from './helpers/run-process.js';
import { certBlob, makeKey, signKey, sshKeygen, type SignOptions } from './helpers/ssh-certs.js';
import { listenSshd, loginUser } from './helpers/sshd.js';

const tmp = tempDir();
let ca: string;
let ca2: string;
let hostKey: string;
let userKey: string;
const user = loginUser;
const pub = (p: string) => readFileSync(`${p}.pub`, 'utf8').trim();

before(() => {
  ca = makeKey(tmp.dir, 'ca');
  ca2 = makeKey(tmp.dir, 'ca2');
  hostKey = makeKey(tmp.dir, 'host');
  userKey = makeKey(tmp.dir, 'user');
  writeFileSync(join(tmp.dir, 'authorized_keys'), pub(userKey) + '\n');
});
after(() => tmp.cleanup());

/** Runs sshd with this host certificate, connects with ssh; true when ssh accepted the host (and logged in). */
async function sshAccepts(certPath: string, knownHosts: string, alias: string, n: number): Promise<boolean> {
  const config = join(tmp.dir, `sshd_config${n}`);
  const sshd = await listenSshd((port) => {
    writeFileSync(config, [
      `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${hostKey}`, `HostCertificate ${certPath}`, 'PidFile none',
      `AuthorizedKeysFile ${join(tmp.dir, 'authorized_keys')}`, 'StrictModes no', 'UsePAM no', 'UseDNS no',
      'PermitRootLogin prohibit-password', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'LogLevel INFO', '',
    ].join('\n'));
    return config;
  }, ['127.0.0.1']);
  try {
    const kh = join(tmp.dir, `known_hosts${n}`);
    writeFileSync(kh, knownHosts);
    const r = await runProcess('ssh', [
      '-F', '/dev/null', '-p', String(sshd.port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${kh}`,
      '-o', 'GlobalKnownHostsFile=/dev/null', '-o', `HostKeyAlias=${alias}`, '-o', 'HostKeyAlgorithms=ssh-ed25519-cert-v01@openssh.com,ssh-ed25519',
      '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none', '-i', userKey, '-o', 'LogLevel=ERROR', `${user}@127.0.0.1`, 'true',
    ]);
    return r.code === 0;
  } finally {
    await sshd.stop();
  }
}

interface Case {
  name: string;
  sign: SignOptions;
  signer?: string;
  knownHosts: () => string;
  alias: string;
  expect: string;
}

const CA_LINE = () => `@cert-authority *.example ${pub(ca)}\n`;
const CASES: Case[] = [
  { name: 'matching principal', sign: { principals: ['router.example'] }, knownHosts: CA_LINE, alias: 'router.example', expect: 'certificate' },
  { name: 'another host name', sign: { principals: ['router.example'] }, knownHosts: CA_LINE, alias: 'evil.example', expect: 'CERT_PRINCIPAL_REFUSED' },
  { name: 'a wildcard principal is not a pattern', sign: { principals: ['*.example'] }, knownHosts: CA_LINE, alias: 'r1.example', expect: 'CERT_PRINCIPAL_REFUSED' },
  { name: 'several principals', sign: { principals: ['a.example', 'router.example'] }, knownHosts: CA_LINE, alias: 'router.example', expect: 'certificate' },
  { name: 'expired', sign: { principals: ['router.example'], validity: '-2d:-1d' }, knownHosts: CA_LINE, alias: 'router.example', expect: 'CERT_EXPIRED' },
  { name: 'not yet valid', sign: { principals: ['router.example'], validity: '+1d:+2d' }, knownHosts: CA_LINE, alias: 'router.example', expect: 'CERT_NOT_YET_VALID' },
  { name: 'another CA', sign: { principals: ['router.example'] }, signer: 'ca2', knownHosts: CA_LINE, alias: 'router.example', expect: 'CERT_CA_UNTRUSTED' },
  { name: 'CA line for other hosts', sign: { principals: ['router.example'] }, knownHosts: () => `@cert-authority *.other ${pub(ca)}\n`, alias: 'router.example', expect: 'CERT_CA_UNTRUSTED' },
  { name: 'CA @revoked', sign: { principals: ['router.example'] }, knownHosts: () => `${CA_LINE()}@revoked * ${pub(ca)}\n`, alias: 'router.example', expect: 'KEY_REVOKED' },
  { name: 'host key @revoked', sign: { principals: ['router.example'] }, knownHosts: () => `${CA_LINE()}@revoked router.example ${pub(hostKey)}\n`, alias: 'router.example', expect: 'KEY_REVOKED' },
  { name: 'a critical option', sign: { principals: ['router.example'], options: ['critical:x=y'] }, knownHosts: CA_LINE, alias: 'router.example', expect: 'CERT_OPTION_REFUSED' },
  {
    name: 'refused certificate, plain key listed', sign: { principals: ['router.example'], validity: '-2d:-1d' },
    knownHosts: () => `${CA_LINE()}router.example ${pub(hostKey)}\n`, alias: 'router.example', expect: 'key',
  },
  {
    name: 'hashed plain line (ssh-keygen -H), certificate from an unknown CA', sign: { principals: ['router.example'] }, signer: 'ca2',
    knownHosts: () => hashed(`router.example ${pub(hostKey)}\n`), alias: 'router.example', expect: 'key',
  },
  { name: 'hashed plain line for another name', sign: { principals: ['router.example'] }, signer: 'ca2', knownHosts: () => hashed(`other.example ${pub(hostKey)}\n`), alias: 'router.example', expect: 'CERT_CA_UNTRUSTED' },
];

function hashed(text: string): string {
  const path = join(tmp.dir, 'to-hash');
  writeFileSync(path, text);
  sshKeygen(['-q', '-H', '-f', path]);
  const out = readFileSync(path, 'utf8');
  assert.match(out, /^\|1\|/m, 'ssh-keygen -H hashed the line');
  return out;
}

test('host certificates: the ssh client (known_hosts, HostKeyAlias) and the library agree on every case', async () => {
  const prepared = CASES.map((c, i) => {
    const stem = join(tmp.dir, `hostcopy${i}`);
    copyFileSync(`${hostKey}.pub`, `${stem}.pub`);
    const certPath = signKey(c.signer === 'ca2' ? ca2 : ca, stem, { host: true, id: `case-${i}`, ...c.sign });
    return { c, certPath, text: c.knownHosts(), i };
  });
  // each case its own sshd and ssh, a few at a time
  const ssh = new Map<string, boolean>();
  const queue = [...prepared];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let p = queue.shift(); p; p = queue.shift()) ssh.set(p.c.name, await sshAccepts(p.certPath, p.text, p.c.alias, p.i));
    }),
  );
  for (const { c, certPath, text } of prepared) {
    const r = new KnownHosts(text).check(c.alias, c.alias, parseCertificate(certBlob(certPath)));
    const verdict = r.ok ? r.via : r.code;
    assert.equal(verdict, c.expect, `${c.name}: the library's verdict`);
    assert.equal(ssh.get(c.name), r.ok, `${c.name}: ssh ${ssh.get(c.name) ? 'accepts' : 'refuses'} the host, the library says ${verdict}`);
  }
});

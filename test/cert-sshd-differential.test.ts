/**
 * Certificates: the library and a real sshd decide the same. For every case
 * the same authorized_keys line (`cert-authority,principals=…`, its own
 * options) is given to a private sshd (test/helpers/sshd.ts) and to the
 * library; sshd is asked from 127.0.0.1 by `ssh -v` offering every
 * certificate's public half in one connection (sshd runs the same check as
 * for a login and answers "key acceptable" or not; one real login with a
 * private key shows the answer means what it says), the library with
 * certificatePrincipal for the same peer. Certificates come from the real
 * ssh-keygen -s: Ed25519, ECDSA and RSA CAs, validity windows, principals,
 * source-address, unknown critical options, host certificates, another CA,
 * SHA-1 RSA signatures. The two deliberate differences (a certificate
 * without principals, force-command) are asserted as such.
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AuthError } from '../lib/errors.js';
import { toHex } from '../lib/crypto/hex.js';
import { parseCertificate } from '../lib/ssh/certificate.js';
import { certificatePrincipal } from '../lib/wamp/router/cert-authorities.js';
import { parseAuthorizedKeys } from '../lib/wamp/router/principals.js';
import { tempDir } from './helpers/paths.js';
import { certBlob, makeKey, signKey, type KeyKind, type SignOptions } from './helpers/ssh-certs.js';
import { loginUser, startSshd, type PrivateSshd } from './helpers/sshd.js';
import { readFileSync } from 'node:fs';

const tmp = tempDir();
let sshd: PrivateSshd;
const cas: Partial<Record<KeyKind | 'other', string>> = {};
let userKey: string;
const user = loginUser;

before(async () => {
  sshd = await startSshd(tmp.dir);
  for (const k of ['ed25519', 'ecdsa256', 'rsa'] as KeyKind[]) cas[k] = makeKey(tmp.dir, `ca-${k}`, k);
  cas.other = makeKey(tmp.dir, 'ca-other');
  userKey = makeKey(tmp.dir, 'user');
});
after(async () => {
  await sshd?.stop();
  tmp.cleanup();
});

interface Case {
  name: string;
  ca: KeyKind | 'other';
  /** the line's CA (default ed25519) */
  lineCa?: KeyKind;
  lineOptions: string;
  sign: SignOptions;
  /** what the library is expected to say (a code), or 'ok' */
  expect: string;
  /** the library refuses on purpose where sshd accepts */
  deliberate?: string;
}

const CASES: Case[] = [
  { name: 'valid, Ed25519 CA', ca: 'ed25519', lineOptions: 'principals="alice"', sign: { principals: ['alice'] }, expect: 'ok' },
  { name: 'valid, ECDSA CA', ca: 'ecdsa256', lineCa: 'ecdsa256', lineOptions: 'principals="alice"', sign: { principals: ['alice'] }, expect: 'ok' },
  { name: 'valid, RSA CA rsa-sha2-512', ca: 'rsa', lineCa: 'rsa', lineOptions: 'principals="alice"', sign: { principals: ['alice'] }, expect: 'ok' },
  { name: 'valid, RSA CA rsa-sha2-256', ca: 'rsa', lineCa: 'rsa', lineOptions: 'principals="alice"', sign: { principals: ['alice'], sigAlg: 'rsa-sha2-256' }, expect: 'ok' },
  { name: 'RSA CA ssh-rsa (SHA-1)', ca: 'rsa', lineCa: 'rsa', lineOptions: 'principals="alice"', sign: { principals: ['alice'], sigAlg: 'ssh-rsa' }, expect: 'CERT_SIGNATURE_ALGORITHM_REFUSED' },
  { name: 'principal among several', ca: 'ed25519', lineOptions: 'principals="alice"', sign: { principals: ['bob', 'alice'] }, expect: 'ok' },
  { name: 'principal not allowed', ca: 'ed25519', lineOptions: 'principals="alice"', sign: { principals: ['bob'] }, expect: 'CERT_PRINCIPAL_REFUSED' },
  { name: 'expired', ca: 'ed25519', lineOptions: 'principals="alice"', sign: { principals: ['alice'], validity: '-2d:-1d' }, expect: 'CERT_EXPIRED' },
  { name: 'not yet valid', ca: 'ed25519', lineOptions: 'principals="alice"', sign: { principals: ['alice'], validity: '+1d:+2d' }, expect: 'CERT_NOT_YET_VALID' },
  { name: 'valid window', ca: 'ed25519', lineOptions: 'principals="alice"', sign: { principals: ['alice'], validity: '-1h:+1h' }, expect: 'ok' },
  { name: 'source-address matches', ca: 'ed25519', lineOptions: 'principals="alice"', sign: { principals: ['alice'], options: ['source-address=127.0.0.0/8,::1'] }, expect: 'ok' },
  { name: 'source-address does not match', ca: 'ed25519', lineOptions: 'principals="alice"', sign: { principals: ['alice'], options: ['source-address=10.0.0.0/8'] }, expect: 'CERT_ADDRESS_REFUSED' },
  { name: 'unknown critical option', ca: 'ed25519', lineOptions: 'principals="alice"', sign: { principals: ['alice'], options: ['critical:frob=1'] }, expect: 'CERT_OPTION_REFUSED' },
  { name: 'unknown extension', ca: 'ed25519', lineOptions: 'principals="alice"', sign: { principals: ['alice'], options: ['extension:frob@example.com'] }, expect: 'ok' },
  { name: 'host certificate', ca: 'ed25519', lineOptions: 'principals="alice"', sign: { principals: ['alice'], host: true }, expect: 'CERT_TYPE_WRONG' },
  { name: 'another CA', ca: 'other', lineOptions: 'principals="alice"', sign: { principals: ['alice'] }, expect: 'CERT_CA_UNTRUSTED' },
  { name: 'line from= matches', ca: 'ed25519', lineOptions: 'principals="alice",from="127.0.0.1"', sign: { principals: ['alice'] }, expect: 'ok' },
  { name: 'line from= does not match', ca: 'ed25519', lineOptions: 'principals="alice",from="10.*"', sign: { principals: ['alice'] }, expect: 'AUTH_ADDRESS_REFUSED' },
  { name: 'line expiry-time past', ca: 'ed25519', lineOptions: 'principals="alice",expiry-time="20200101"', sign: { principals: ['alice'] }, expect: 'AUTH_KEY_EXPIRED' },
  { name: 'line without principals=: the user name is the principal', ca: 'ed25519', lineOptions: '', sign: { principals: [user] }, expect: 'ok' },
  { name: 'line without principals=, another name', ca: 'ed25519', lineOptions: '', sign: { principals: ['alice'] }, expect: 'CERT_PRINCIPAL_REFUSED' },
  {
    name: 'no principals at all', ca: 'ed25519', lineOptions: '', sign: {}, expect: 'CERT_PRINCIPAL_REFUSED',
    deliberate: 'sshd accepts a principal-less certificate for any user; a WAMP authid must come from the certificate',
  },
  {
    name: 'force-command', ca: 'ed25519', lineOptions: 'principals="alice"', sign: { principals: ['alice'], options: ['force-command=/bin/true'] }, expect: 'CERT_OPTION_REFUSED',
    deliberate: 'sshd runs the forced command; a WAMP session has none to force and would grant more',
  },
];

test('certificates: sshd (cert-authority line, ssh -o CertificateFile) and the library agree on every case', async () => {
  // one authorized_keys for all cases: each case's line names its own CA (RSA and ECDSA lines are shared by
  // cases with the same options), so the cases cannot answer for each other and the logins run in parallel
  const lines = new Map<string, string>();
  const prepared = CASES.map((c, i) => {
    let caPath: string;
    let lineCa: string;
    if (c.ca === 'other') {
      caPath = cas.other as string;
      lineCa = makeKey(tmp.dir, `ca-unused-${i}`);
    } else if (c.ca === 'ed25519') {
      caPath = makeKey(tmp.dir, `ca-case-${i}`);
      lineCa = caPath;
    } else {
      caPath = cas[c.ca] as string;
      lineCa = caPath;
    }
    const stem = join(tmp.dir, `k${i}`);
    copyFileSync(`${userKey}.pub`, `${stem}.pub`);
    const certPath = signKey(caPath, stem, { id: c.name, ...c.sign });
    const line = `cert-authority${c.lineOptions ? ',' + c.lineOptions : ''} ${readFileSync(`${lineCa}.pub`, 'utf8').trim()}`;
    lines.set(line, line);
    return { c, certPath };
  });
  const text = [...lines.keys()].join('\n') + '\n';
  sshd.setAuthorizedKeys(text);
  const list = parseAuthorizedKeys(text);
  // one connection offers every certificate (public halves only: no private key sits beside them, so ssh can only ask);
  // sshd runs its full check for each and answers "key acceptable" or not, which ssh -v reports per file
  const r = await sshd.ssh(prepared.flatMap((p) => ['-i', p.certPath]), '127.0.0.1', { verbose: true });
  const sshdAccepts = new Map<string, boolean>();
  for (const p of prepared) {
    const offered = r.stderr.includes(`Offering public key: ${p.certPath} ED25519-CERT`);
    // ssh does not offer a host certificate as a user identity at all (so it never logs in with one)
    assert.equal(offered, !p.c.sign.host, `${p.c.name}: offered to sshd`);
    sshdAccepts.set(p.c.name, r.stderr.includes(`Server accepts key: ${p.certPath} ED25519-CERT`));
  }
  for (const { c, certPath } of prepared) {
    // the library, for the same file, certificate and peer; the authid: none (inferred) under principals=, else the user name
    const cert = parseCertificate(certBlob(certPath));
    let verdict = 'ok';
    try {
      certificatePrincipal(list, {
        certificate: cert,
        pubkey: toHex(cert.ed25519 as Uint8Array),
        peerAddress: '127.0.0.1',
        ...(c.lineOptions.includes('principals=') || cert.principals.length === 0 ? {} : { authid: user }),
      });
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      verdict = e.code;
    }
    const accepts = sshdAccepts.get(c.name) as boolean;
    assert.equal(verdict, c.expect, `${c.name}: the library's verdict`);
    if (c.deliberate) assert.equal(accepts, true, `${c.name}: sshd accepts (${c.deliberate})`);
    else assert.equal(accepts, verdict === 'ok', `${c.name}: sshd ${accepts ? 'accepts' : 'refuses'}, the library says ${verdict}`);
  }
  // "acceptable" means a login: the first accepted case, logged in for real with the private key and the certificate
  const first = prepared.find((p) => sshdAccepts.get(p.c.name) && !p.c.deliberate) as (typeof prepared)[number];
  const login = await sshd.ssh(['-i', userKey, '-o', `CertificateFile=${first.certPath}`], '127.0.0.1');
  assert.equal(login.code, 0, login.stderr);
  // the cases really exercise both answers
  assert.ok([...sshdAccepts.values()].filter(Boolean).length >= 8);
  assert.ok([...sshdAccepts.values()].filter((v) => !v).length >= 8);
});

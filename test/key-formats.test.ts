/**
 * One detector for key material (lib/keys/formats/detect.ts), and every
 * caller going through it: key files, seed files, the public-key hint for a
 * 0644 file, trusted router keys. The crossbar key-file parser is checked
 * against autobahn-python's own parse_keyfile (Debian's python3-autobahn), on
 * texts it accepts and texts it refuses, and on a file its write_keyfile made.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { detectKeyFormat, type KeyFormat } from '../lib/keys/formats/detect.js';
import { readCrossbarPublicKey } from '../lib/keys/formats/crossbar.js';
import { loadKeyFile } from '../lib/keys/openssh-key-file.js';
import { fromCrossbarKeyText, loadSeedFile } from '../lib/keys/seed-key.js';
import { RouterKeys } from '../lib/wamp/client/router-trust.js';
import { CryptosignKeysError } from '../lib/errors.js';
import { SYSTEM_PYTHON } from './helpers/autobahn-python.js';
import { expectCode } from './helpers/errors.js';
import { fixture, fixtureCopy, tempDir } from './helpers/paths.js';

const { dir, cleanup } = tempDir();
after(cleanup);

const RFC_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC_PUB = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const OTHER_PUB = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';

function write(name: string, data: string | Uint8Array, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  chmodSync(path, mode);
  return path;
}

function sshKeygen(args: string[]): string {
  return execFileSync('ssh-keygen', args, { encoding: 'utf8' });
}

// real files, made by the tools that make them
const ecdsaPem = join(dir, 'ecdsa-pem');
sshKeygen(['-q', '-t', 'ecdsa', '-m', 'PEM', '-N', '', '-f', ecdsaPem]);
const rfc4716 = write('ed25519-rfc4716.pub', sshKeygen(['-e', '-f', fixture('ed25519.pub')]));
const ca = join(dir, 'ca');
sshKeygen(['-q', '-t', 'ed25519', '-N', '', '-f', ca]);
const user = join(dir, 'user');
sshKeygen(['-q', '-t', 'ed25519', '-N', '', '-f', user]);
execFileSync('ssh-keygen', ['-q', '-s', ca, '-I', 'id', '-n', 'alice', `${user}.pub`], { stdio: 'ignore' });
const certPub = `${user}-cert.pub`;
chmodSync(certPub, 0o600);

const SAMPLES: [string, string, KeyFormat['format']][] = [
  ['OpenSSH ed25519', fixtureCopy(dir, 'ed25519'), 'openssh'],
  ['OpenSSH ed25519, encrypted', fixtureCopy(dir, 'ed25519-encrypted'), 'openssh'],
  ['OpenSSH RSA', fixtureCopy(dir, 'rsa'), 'openssh'],
  ['PEM PKCS#8', fixtureCopy(dir, 'ed25519-pkcs8.pem'), 'pkcs8'],
  ['PEM PKCS#8, encrypted', fixtureCopy(dir, 'ed25519-pkcs8-encrypted.pem'), 'pkcs8'],
  ['PEM EC (ssh-keygen -m PEM)', ecdsaPem, 'pem-private'],
  ['.pub', fixtureCopy(dir, 'ed25519.pub'), 'ssh-public'],
  ['.pub, ECDSA', fixtureCopy(dir, 'ecdsa.pub'), 'ssh-public'],
  ['certificate -cert.pub', certPub, 'ssh-public'],
  ['RFC 4716 public key (ssh-keygen -e)', rfc4716, 'ssh-public'],
  ['crossbar key file', fixtureCopy(dir, 'crossbar.priv'), 'crossbar'],
  ['hex seed', fixtureCopy(dir, 'seed.hex'), 'hex'],
  ['raw seed', fixtureCopy(dir, 'seed.bin'), 'raw32'],
  ['empty file', write('empty', ''), 'unknown'],
  ['text', write('text', 'hello, world\n'), 'unknown'],
];

test('the detector names every kind of file the tools make', () => {
  for (const [name, path, format] of SAMPLES) assert.equal(detectKeyFormat(readFileSync(path)).format, format, name);
  assert.deepEqual(detectKeyFormat(readFileSync(ecdsaPem)), { format: 'pem-private', type: 'EC' });
  assert.deepEqual(detectKeyFormat(readFileSync(certPub)), { format: 'ssh-public', type: 'ssh-ed25519-cert-v01@openssh.com' });
  assert.deepEqual(detectKeyFormat(readFileSync(fixture('seed.hex'))), { format: 'hex', digits: 64 });
});

test('key files and seed files take what the detector says they hold, and refuse the rest with a coded error', async () => {
  for (const [name, path, format] of SAMPLES) {
    const encrypted = name.includes('encrypted');
    const asKey = () => loadKeyFile(path);
    if (format === 'openssh' || format === 'pkcs8') {
      if (encrypted) await expectCode(asKey, 'PASSPHRASE_REQUIRED');
      else if (name.includes('RSA')) await expectCode(asKey, 'KEY_NOT_ED25519', /type RSA/);
      else assert.equal(asKey().source, 'file', name);
    } else if (format === 'pem-private') await expectCode(asKey, 'KEY_NOT_ED25519', /holds a key of type EC; cryptosign needs an Ed25519 key/);
    else if (format === 'ssh-public') await expectCode(asKey, 'KEY_FILE_FORMAT', /is a public key \((ssh-ed25519|ecdsa-sha2-nistp256|ssh-ed25519-cert-v01@openssh\.com|RFC 4716)\); give the private key file/);
    else if (format === 'crossbar') await expectCode(asKey, 'KEY_FILE_FORMAT', /crossbar\/autobahn key file; use it as a seed file/);
    else await expectCode(asKey, 'KEY_FILE_FORMAT', /is not an OpenSSH or PEM private key file/);

    const asSeed = () => loadSeedFile(path);
    if (format === 'crossbar' || format === 'hex' || format === 'raw32') assert.equal(asSeed().publicKeyHex, RFC_PUB, name);
    else if (format === 'ssh-public') await expectCode(asSeed, 'KEY_FILE_FORMAT', /is a public key .*a seed file holds a private key/);
    else if (format === 'unknown') await expectCode(asSeed, 'KEY_FILE_FORMAT', /neither 32 raw bytes, 64 hex digits/);
    else await expectCode(asSeed, 'KEY_FILE_FORMAT', /PEM\/OpenSSH private key file; open it as a private key file, not as a seed$/);
  }
});

test('a public key left at 0644 where a secret was expected is named as a public key, whatever its type, never "chmod 600"', async () => {
  for (const path of [fixtureCopy(dir, 'ed25519.pub', 0o644), write('cert-0644.pub', readFileSync(certPub), 0o644), write('rfc4716-0644.pub', readFileSync(rfc4716), 0o644)]) {
    await expectCode(() => loadKeyFile(path), 'KEY_FILE_FORMAT', /is a public key; give the private key file/);
    await expectCode(() => loadSeedFile(path), 'KEY_FILE_FORMAT', /is a public key; give the private key file/);
  }
  // anything else at 0644 is a leaked secret
  await expectCode(() => loadKeyFile(fixtureCopy(dir, 'crossbar.priv', 0o644)), 'KEY_FILE_PERMISSIONS', /chmod 600/);
});

/** A malformed trusted-router-key text: KEY_FILE_FORMAT from the crossbar reader (ROUTER_KEY_FORMAT where RouterKeys recodes its entries' errors). */
function malformedRouterKeys(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CryptosignKeysError, String(e));
    assert.match(e.code, /^(KEY_FILE_FORMAT|ROUTER_KEY_FORMAT)$/);
    assert.match(e.message, message);
    return true;
  });
}

test('trusted router keys: 64 hex digits, crossbar key.pub text (one key, by crossbar\'s rules), or authorized_keys lines', async () => {
  const keyPub = `Crossbar.io node public key\n\ncreator: node@host\ncreated-at: 2026-12-01T00:00:00.000Z\nmachine-id: abc\nnode-authid: node1\npublic-key-ed25519: ${RFC_PUB}\n`;
  assert.deepEqual(new RouterKeys(keyPub).list(), [RFC_PUB]);
  assert.deepEqual(new RouterKeys(RFC_PUB.toUpperCase()).list(), [RFC_PUB]);
  assert.deepEqual(new RouterKeys(readFileSync(fixture('ed25519.pub'), 'utf8')).size, 1);
  assert.deepEqual(new RouterKeys([keyPub, `${OTHER_PUB} other-router`]).list(), [RFC_PUB, OTHER_PUB]);
  // the router's private key file is not a trust anchor to hand a client
  malformedRouterKeys(() => new RouterKeys(readFileSync(fixture('crossbar.priv'), 'utf8')), /holds a private key \(private-key-ed25519\); give the public key file \(key\.pub\)/);
  // two keys in one key.pub: crossbar refuses the file, so do we (the old reader trusted both)
  malformedRouterKeys(() => new RouterKeys([RFC_PUB, `${keyPub}public-key-ed25519: ${OTHER_PUB}\n`]), /has public-key-ed25519 twice \(line 8\)/);
  malformedRouterKeys(() => new RouterKeys(`public-key-ed25519: ${RFC_PUB.slice(2)}`), /public-key-ed25519 in .* must be 32 bytes/);
  await expectCode(() => readCrossbarPublicKey('Crossbar.io node public key\n\ncreator: x\n'), 'KEY_FILE_FORMAT', /has no public-key-ed25519 line/);
});

/** autobahn-python's parse_keyfile (and write_keyfile) on each job's text. */
function autobahnKeyfile(jobs: ({ text: string; private: boolean } | { write: Record<string, string>; msg: string })[]): ({ tags?: Record<string, string>; error?: string; text?: string })[] {
  const script = `
import json, os, sys, tempfile
from autobahn.util import parse_keyfile, write_keyfile
out = []
d = tempfile.mkdtemp()
for i, job in enumerate(json.load(sys.stdin)):
    p = os.path.join(d, 'k%d' % i)
    if 'write' in job:
        write_keyfile(p, job['write'], job['msg'])
        out.append({'text': open(p).read()})
        continue
    with open(p, 'w') as f:
        f.write(job['text'])
    try:
        out.append({'tags': dict(parse_keyfile(p, job['private']))})
    except Exception as e:
        out.append({'error': str(e)})
print(json.dumps(out))
`;
  const r = spawnSync(SYSTEM_PYTHON, ['-c', script], { input: JSON.stringify(jobs), encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`autobahn-python's parse_keyfile failed (apt-get install python3-autobahn): ${r.error?.message ?? r.stderr}`);
  return JSON.parse(r.stdout);
}

test("crossbar key files: one parser, autobahn-python's rules (parse_keyfile) where it decides", async () => {
  const head = 'Crossbar.io node private key - KEEP THIS SAFE!\n\n';
  const good = `creator: node@host\npublic-key-ed25519: ${RFC_PUB}\nprivate-key-ed25519: ${RFC_SEED}\n`;
  // [text, accepted by both?, what we say when not]
  const cases: [string, boolean, RegExp?][] = [
    [head + good, true],
    [head + good.replace(/\n/g, '\r\n'), true],
    [head + `  PRIVATE-Key-ED25519 :  ${RFC_SEED.toUpperCase()}  \n`, true],
    [`Note: a header may hold a colon\n\nprivate-key-ed25519: ${RFC_SEED}\n`, true],
    [head + good + `private-key-ed25519: ${RFC_SEED}\n`, false, /has private-key-ed25519 twice \(line 6\)/],
    [head + good + `public-key-ed25519: ${RFC_PUB}\n`, false, /has public-key-ed25519 twice/],
    [head + `creator: x\nthis line is not a tag\nprivate-key-ed25519: ${RFC_SEED}\n`, false, /line 4 is not a "tag: value" line/],
  ];
  const verdicts = autobahnKeyfile(cases.map(([text]) => ({ text, private: true })));
  for (const [i, [text, ok, why]] of cases.entries()) {
    const theirs = verdicts[i] as { tags?: Record<string, string>; error?: string };
    assert.equal(theirs.error === undefined, ok, `autobahn on case ${i}: ${JSON.stringify(theirs)}`);
    if (ok) {
      assert.equal(theirs.tags?.['private-key-ed25519']?.toLowerCase(), RFC_SEED);
      assert.equal(fromCrossbarKeyText(text).publicKeyHex, RFC_PUB, `case ${i}`);
    } else {
      await expectCode(() => fromCrossbarKeyText(text), 'KEY_FILE_FORMAT', why);
    }
  }

  // a file autobahn writes reads back; as a public file (private=False) autobahn refuses the private tag, as readCrossbarPublicKey does
  const [written] = autobahnKeyfile([{ write: { creator: 'u@h', 'user-id': 'alice', 'public-key-ed25519': RFC_PUB, 'private-key-ed25519': RFC_SEED }, msg: 'Crossbar.io user private key - KEEP THIS SAFE!\n\n' }]);
  const text = written?.text as string;
  assert.equal(fromCrossbarKeyText(text).publicKeyHex, RFC_PUB);
  assert.equal(loadSeedFile(write('autobahn.priv', text)).publicKeyHex, RFC_PUB);
  const [asPublic] = autobahnKeyfile([{ text, private: false }]);
  assert.match(asPublic?.error ?? '', /Invalid tag 'private-key-ed25519'/);
  await expectCode(() => readCrossbarPublicKey(text), 'KEY_FILE_FORMAT', /holds a private key/);

  // where we go further than parse_keyfile: a public key that does not belong is refused (crossbar checks it when it loads a node key)
  await expectCode(() => fromCrossbarKeyText(head + `public-key-ed25519: ${OTHER_PUB}\nprivate-key-ed25519: ${RFC_SEED}\n`), 'KEY_FILE_FORMAT', /does not belong/);
  // and where we are lenient, on purpose: text with no header (autobahn reads no tag from it), and tags outside autobahn's list
  const [headerless, unknownTag] = autobahnKeyfile([
    { text: `private-key-ed25519: ${RFC_SEED}\n`, private: true },
    { text: head + `comment: mine\nprivate-key-ed25519: ${RFC_SEED}\n`, private: true },
  ]);
  assert.deepEqual(headerless?.tags, {});
  assert.equal(fromCrossbarKeyText(`private-key-ed25519: ${RFC_SEED}\n`).publicKeyHex, RFC_PUB);
  assert.match(unknownTag?.error ?? '', /Invalid tag 'comment'/);
  assert.equal(fromCrossbarKeyText(head + `comment: mine\nprivate-key-ed25519: ${RFC_SEED}\n`).publicKeyHex, RFC_PUB);
});

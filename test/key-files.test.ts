import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadKeyFile, parseKeyFileData } from '../lib/keys/openssh-key-file.js';
import { fromCrossbarKeyText, fromSeed, loadSeedFile } from '../lib/keys/seed-key.js';
import { readKeyFilePublicKey } from '../lib/keys/key-file-public-key.js';
import { parsePublicKeyBlob } from '../lib/ssh/public-key.js';
import { WireReader, concatBytes, wireString, wireUint32 } from '../lib/ssh/wire.js';
import { expectCode } from './helpers/errors.js';
import { fixture, fixtureCopy, tempDir } from './helpers/paths.js';

const { dir, cleanup } = tempDir();
after(cleanup);

const RFC_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC_PUB = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const PASSPHRASE = 'correct horse battery staple';

function pubOf(file: string): string {
  const b64 = readFileSync(fixture(file), 'utf8').split(' ')[1] as string;
  return Buffer.from(parsePublicKeyBlob(new Uint8Array(Buffer.from(b64, 'base64'))).ed25519 as Uint8Array).toString('hex');
}

function sshKeygenFingerprint(path: string): string {
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', path], { encoding: 'utf8' }).split(' ')[1] as string;
}

test('an OpenSSH ed25519 key file gives the key of its .pub, its comment, and ssh-keygen\'s fingerprint', async () => {
  const key = loadKeyFile(fixtureCopy(dir, 'ed25519'));
  assert.equal(key.source, 'file');
  assert.equal(key.publicKeyHex, pubOf('ed25519.pub'));
  assert.equal(key.comment, 'fixture-plain@cryptosign-keys');
  assert.equal(key.fingerprint, sshKeygenFingerprint(fixture('ed25519.pub')));
});

test('an encrypted OpenSSH key needs the right passphrase', async () => {
  const path = fixtureCopy(dir, 'ed25519-encrypted');
  await expectCode(() => loadKeyFile(path), 'PASSPHRASE_REQUIRED', /encrypted/);
  const wrong = await expectCode(() => loadKeyFile(path, { passphrase: 'not-the-passphrase-123' }), 'PASSPHRASE_WRONG', /wrong passphrase for/);
  assert.ok(!wrong.message.includes('not-the-passphrase-123'), 'the passphrase tried is not in the message');
  const key = loadKeyFile(path, { passphrase: PASSPHRASE });
  assert.equal(key.publicKeyHex, pubOf('ed25519-encrypted.pub'));
  assert.equal(key.comment, 'fixture-encrypted@cryptosign-keys');
  assert.equal(loadKeyFile(path, { passphrase: Buffer.from(PASSPHRASE) }).publicKeyHex, key.publicKeyHex);
});

test('fresh ssh-keygen keys, plain and encrypted, load and match ssh-keygen -y', async () => {
  for (const pass of ['', 'fresh pass']) {
    const path = join(dir, `fresh-${pass ? 'enc' : 'plain'}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', pass, '-C', 'fresh', '-f', path]);
    const key = loadKeyFile(path, pass ? { passphrase: pass } : {});
    const derived = execFileSync('ssh-keygen', ['-y', '-P', pass, '-f', path], { encoding: 'utf8' });
    const blob = Buffer.from(derived.split(' ')[1] as string, 'base64');
    assert.equal(Buffer.from(parsePublicKeyBlob(new Uint8Array(blob)).ed25519 as Uint8Array).toString('hex'), key.publicKeyHex);
  }
});

test('PEM PKCS#8 ed25519 keys, plain and encrypted (OpenSSL-made)', async () => {
  const plain = loadKeyFile(fixtureCopy(dir, 'ed25519-pkcs8.pem'));
  const pubDer = execFileSync('openssl', ['pkey', '-in', fixture('ed25519-pkcs8.pem'), '-pubout', '-outform', 'DER']);
  assert.equal(plain.publicKeyHex, pubDer.subarray(-32).toString('hex'));
  assert.equal(plain.comment, 'ed25519-pkcs8.pem');
  const encPath = fixtureCopy(dir, 'ed25519-pkcs8-encrypted.pem');
  await expectCode(() => loadKeyFile(encPath), 'PASSPHRASE_REQUIRED');
  await expectCode(() => loadKeyFile(encPath, { passphrase: 'nope' }), 'PASSPHRASE_WRONG');
  assert.equal(loadKeyFile(encPath, { passphrase: 'pkcs8 pass phrase' }).publicKeyHex, plain.publicKeyHex);
});

test('non-Ed25519 keys are refused with a message that says cryptosign needs Ed25519', async () => {
  await expectCode(() => loadKeyFile(fixtureCopy(dir, 'rsa')), 'KEY_NOT_ED25519', /key of type RSA; cryptosign needs an Ed25519 key/);
  await expectCode(() => loadKeyFile(fixtureCopy(dir, 'ecdsa')), 'KEY_NOT_ED25519', /key of type ECDSA/);
  const rsaPem = join(dir, 'rsa.pem');
  execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', rsaPem], { stdio: 'ignore' });
  chmodSync(rsaPem, 0o600);
  await expectCode(() => loadKeyFile(rsaPem), 'KEY_NOT_ED25519', /RSA/);
  const traditional = join(dir, 'rsa-trad.pem');
  writeFileSync(traditional, '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n', { mode: 0o600 });
  await expectCode(() => loadKeyFile(traditional), 'KEY_NOT_ED25519', /key of type RSA/);
});

test('key files readable by group or others are refused, as OpenSSH does', async () => {
  for (const mode of [0o644, 0o640, 0o604, 0o660]) {
    const path = fixtureCopy(dir, 'ed25519', mode);
    await expectCode(() => loadKeyFile(path), 'KEY_FILE_PERMISSIONS', new RegExp(`permissions 0${mode.toString(8)} .* too open`));
  }
  assert.ok(loadKeyFile(fixtureCopy(dir, 'ed25519', 0o400)));
  assert.ok(loadKeyFile(fixtureCopy(dir, 'ed25519', 0o644), { allowInsecurePermissions: true }));
});

test('bad key file inputs each get their own error', async () => {
  await expectCode(() => loadKeyFile(join(dir, 'missing')), 'KEY_FILE_NOT_FOUND', /does not exist/);
  await expectCode(() => loadKeyFile(''), 'KEY_FILE_NOT_FOUND');
  mkdirSync(join(dir, 'a-dir'), { recursive: true });
  await expectCode(() => loadKeyFile(join(dir, 'a-dir')), 'KEY_FILE_UNREADABLE', /not a regular file/);
  await expectCode(() => loadKeyFile(fixtureCopy(dir, 'ed25519.pub')), 'KEY_FILE_FORMAT', /public key .*without \.pub/);
  await expectCode(() => loadKeyFile(fixtureCopy(dir, 'crossbar.priv')), 'KEY_FILE_FORMAT', /crossbar/);
  const text = readFileSync(fixture('ed25519'), 'utf8');
  const lines = text.trim().split('\n');
  const truncated = [...lines.slice(0, 3), lines.at(-1)].join('\n') + '\n';
  await expectCode(() => parseKeyFileData(Buffer.from(truncated), 'truncated'), 'KEY_FILE_FORMAT', /not a valid OpenSSH/);
  await expectCode(() => parseKeyFileData(Buffer.from('hello'), 'garbage'), 'KEY_FILE_FORMAT', /not an OpenSSH or PEM/);
  await expectCode(() => parseKeyFileData(Buffer.from('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'), 'bad.pem'), 'KEY_FILE_FORMAT');
});

test('seeds: bytes, hex, and seed files (hex, raw, crossbar)', async () => {
  assert.equal(fromSeed(RFC_SEED).publicKeyHex, RFC_PUB);
  assert.equal(fromSeed(Buffer.from(RFC_SEED, 'hex')).publicKeyHex, RFC_PUB);
  assert.equal(fromSeed(RFC_SEED).source, 'seed');
  for (const f of ['seed.hex', 'seed.bin', 'crossbar.priv']) {
    assert.equal(loadSeedFile(fixtureCopy(dir, f)).publicKeyHex, RFC_PUB, f);
  }
  await expectCode(() => loadSeedFile(fixtureCopy(dir, 'seed.hex', 0o644)), 'KEY_FILE_PERMISSIONS');
});

test('bad seeds are refused and never echoed', async () => {
  await expectCode(() => fromSeed(RFC_SEED.slice(2)), 'INVALID_SEED', /32 bytes/);
  await expectCode(() => fromSeed(new Uint8Array(31)), 'INVALID_SEED', /got 31/);
  await expectCode(() => fromSeed(RFC_SEED + '00'), 'INVALID_SEED');
  const notHex = await expectCode(() => fromSeed('x' + RFC_SEED.slice(1)), 'INVALID_SEED');
  assert.ok(!notHex.message.includes(RFC_SEED.slice(1)), 'the seed is not in the message');
  const write = (name: string, data: string | Buffer) => {
    const p = join(dir, name);
    writeFileSync(p, data, { mode: 0o600 });
    return p;
  };
  await expectCode(() => loadSeedFile(write('short.hex', RFC_SEED.slice(4))), 'KEY_FILE_FORMAT', /64 hex digits, it holds 60/);
  await expectCode(() => loadSeedFile(write('odd.bin', Buffer.alloc(33, 0xff))), 'KEY_FILE_FORMAT', /33 bytes/);
  await expectCode(() => loadSeedFile(fixtureCopy(dir, 'ed25519')), 'KEY_FILE_FORMAT', /open it as a private key file, not as a seed/);
  await expectCode(
    () => fromCrossbarKeyText(`x\n\npublic-key-ed25519: ${'00'.repeat(32)}\nprivate-key-ed25519: ${RFC_SEED}\n`),
    'KEY_FILE_FORMAT',
    /does not belong/,
  );
  await expectCode(() => fromCrossbarKeyText(`public-key-ed25519: ${RFC_PUB}\n`), 'KEY_FILE_FORMAT', /only a public key/);
  await expectCode(() => fromCrossbarKeyText(`private-key-ed25519: ${RFC_SEED.slice(2)}\n`), 'KEY_FILE_FORMAT', /32 bytes/);
});

test('keys never show their private part when printed or serialized', async () => {
  const key = fromSeed(RFC_SEED);
  const { inspect } = await import('node:util');
  for (const s of [JSON.stringify(key), inspect(key, { showHidden: true, depth: 5 }), String(Object.entries(key))]) {
    assert.ok(!s.includes(RFC_SEED), s);
  }
});

test('an Ed25519 openssh-key-v1 file is read without sshpk, to the same key and comment; anything off is left to sshpk', async () => {
  const { ed25519KeyOfFile, loadSshpk } = await import('../lib/keys/formats/openssh.js');
  const { openSshBinary } = await import('../lib/keys/openssh-decrypt.js');
  const comments = ['', 'plain comment', 'naïve ☃ user@host', '(unnamed)'];
  for (const comment of comments) {
    const path = join(dir, `fast-${comments.indexOf(comment)}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
    const data = readFileSync(path);
    const fast = ed25519KeyOfFile(data);
    assert.ok(fast, `read without sshpk (comment ${JSON.stringify(comment)})`);
    const ref = loadSshpk().parsePrivateKey(data, 'openssh');
    const parts = ref.part as unknown as Record<string, { data: Buffer }>;
    assert.deepEqual(Buffer.from(fast.seed), parts.k!.data);
    assert.deepEqual(Buffer.from(fast.pub), parts.A!.data);
    assert.equal(fast.comment === '' ? '(unnamed)' : fast.comment, ref.comment, 'sshpk names an empty comment (unnamed)');
    const key = loadKeyFile(path);
    assert.equal(key.comment, comment === '(unnamed)' ? '' : comment);
    // tampered copies: each one is not read here (sshpk decides), and loads or fails as sshpk says
    const bin = openSshBinary(data.toString('latin1'))!;
    const armour = (b: Uint8Array) => Buffer.from(`-----BEGIN OPENSSH PRIVATE KEY-----\n${Buffer.from(b).toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`);
    // the private section is the file's last string: check integers first, padding 1, 2, … last
    const { WireReader } = await import('../lib/ssh/wire.js');
    const r = new WireReader(bin.subarray('openssh-key-v1\0'.length));
    for (let i = 0; i < 3; i++) r.string();
    r.uint32();
    r.string();
    const sectionAt = bin.length - r.string().length;
    const paddingAt = sectionAt + 8 + 4 + 11 + 4 + 32 + 4 + 64 + 4 + Buffer.byteLength(comment);
    const tampers: [string, (b: Uint8Array) => void][] = [
      ['check integers differ', (b) => void (b[sectionAt] = (b[sectionAt] as number) ^ 1)],
      ...(paddingAt < bin.length ? [['padding not 1, 2, 3, …', (b: Uint8Array) => void (b[b.length - 1] = (b[b.length - 1] as number) ^ 0x40)] as [string, (b: Uint8Array) => void]] : []),
      ['seed || public key does not end with the public key', (b) => {
        const at = paddingAt - 4 - Buffer.byteLength(comment) - 1;
        b[at] = (b[at] as number) ^ 1;
      }],
    ];
    for (const [what, tamper] of tampers) {
      const b = new Uint8Array(bin);
      tamper(b);
      assert.equal(ed25519KeyOfFile(armour(b)), undefined, what);
    }
  }
  assert.equal(ed25519KeyOfFile(readFileSync(fixture('rsa'))), undefined, 'an RSA key is left to sshpk');
  assert.equal(ed25519KeyOfFile(readFileSync(fixture('ed25519-encrypted'))), undefined, 'an encrypted file is not read here');
  expectCode(() => loadKeyFile(fixtureCopy(dir, 'rsa')), 'KEY_NOT_ED25519');
});

test('readKeyFilePublicKey: an encrypted OpenSSH file gives its public key without the passphrase; a malformed public key in its clear header is KEY_FILE_FORMAT', async () => {
  const tmp = tempDir();
  try {
    const path = fixtureCopy(tmp.dir, 'ed25519-encrypted');
    const read = readKeyFilePublicKey(path);
    assert.equal(read.encrypted, true);
    assert.equal(read.fingerprint, parsePublicKeyBlob(Buffer.from(readFileSync(fixture('ed25519-encrypted.pub'), 'utf8').split(' ')[1] as string, 'base64')).fingerprint);
    // the same file with its header's public key cut to 31 bytes (a blob that is not an Ed25519 key)
    const armoured = readFileSync(path, 'utf8');
    const bin = Buffer.from(armoured.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const magic = 'openssh-key-v1\0'.length;
    const r = new WireReader(bin.subarray(magic));
    const cipher = r.string();
    const kdf = r.string();
    const kdfOptions = r.string();
    const count = r.uint32();
    r.string(); // the public key
    const rest = r.rest();
    const broken = concatBytes(bin.subarray(0, magic), wireString(cipher), wireString(kdf), wireString(kdfOptions), wireUint32(count),
      wireString(concatBytes(wireString('ssh-ed25519'), wireString(new Uint8Array(31)))), rest);
    const b64 = Buffer.from(broken).toString('base64').replace(/.{70}/g, '$&\n');
    writeFileSync(path, `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}\n-----END OPENSSH PRIVATE KEY-----\n`, { mode: 0o600 });
    await expectCode(() => readKeyFilePublicKey(path), 'KEY_FILE_FORMAT', /public key is malformed/);
  } finally {
    tmp.cleanup();
  }
});

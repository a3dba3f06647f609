/**
 * KRLs made by the real `ssh-keygen -k` (serial lists, ranges, bitmaps, key
 * ids, explicit keys, SHA-1 and SHA-256 fingerprints), checked by
 * lib/ssh/krl.ts with `ssh-keygen -Q` as the oracle on every case; the
 * plain-public-keys form sshd also reads; malformed KRLs refused.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificate } from '../lib/ssh/certificate.js';
import { MAX_KRL_CA_SECTIONS, MAX_KRL_ENTRIES, RevokedKeys } from '../lib/ssh/krl.js';
import { concatBytes, wireString, wireUint32 } from '../lib/ssh/wire.js';
import { expectCode } from './helpers/errors.js';
import { seededRandom } from './helpers/seeded-random.js';
import { tempDir } from './helpers/paths.js';
import { certBlob, makeKey, pubBlob, signKey, sshKeygen } from './helpers/ssh-certs.js';

let dir: string;
let cleanup: () => void;
let ca: string;
let ca2: string;
/** name → certificate or public key file */
const subjects = new Map<string, string>();

before(() => {
  ({ dir, cleanup } = tempDir());
  ca = makeKey(dir, 'ca');
  ca2 = makeKey(dir, 'ca2', 'ecdsa256');
  const cert = (name: string, caPath: string, o: Parameters<typeof signKey>[2]) => {
    const k = makeKey(dir, name);
    subjects.set(name, signKey(caPath, k, { principals: ['alice'], ...o }));
    subjects.set(`${name}.pub`, `${k}.pub`);
  };
  cert('s5', ca, { serial: 5 }); // serial list
  cert('s6', ca, { serial: 6 });
  cert('s10', ca, { serial: 10 }); // range 10-20
  cert('s20', ca, { serial: 20 });
  cert('s21', ca, { serial: 21 });
  cert('s500000', ca, { serial: 500000 }); // range 200000-900000 (too wide for a bitmap)
  cert('s900001', ca, { serial: 900001 });
  cert('s104', ca, { serial: 104 }); // bitmap (even 100-160)
  cert('s105', ca, { serial: 105 });
  cert('s160', ca, { serial: 160 });
  cert('id-bad', ca, { id: 'badid', serial: 0 });
  cert('id-good', ca, { id: 'goodid', serial: 0 });
  cert('other-ca', ca2, { serial: 5, id: 'badid' }); // same serial and id, another CA
  cert('keyrev', ca, { serial: 1000 }); // its key revoked explicitly
  cert('sha1rev', ca, { serial: 1001 });
  cert('sha256rev', ca, { serial: 1002 });
  cert('hashrev', ca, { serial: 1003 });
  makeKey(dir, 'plain-ok');
  subjects.set('plain-ok.pub', join(dir, 'plain-ok.pub'));
});
after(() => cleanup());

/** ssh-keygen -Q's verdict for each file: true when REVOKED. */
function oracle(krl: string, files: string[]): Map<string, boolean> {
  const r = spawnSync('ssh-keygen', ['-Q', '-f', krl, ...files], { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run ssh-keygen: ${r.error.message}`);
  const out = new Map<string, boolean>();
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+) \(.*\): (REVOKED|ok)$/.exec(line);
    if (m) out.set(m[1] as string, m[2] === 'REVOKED');
  }
  assert.equal(out.size, files.length, `ssh-keygen -Q answered for every file:\n${r.stdout}${r.stderr}`);
  return out;
}

function libVerdict(revoked: RevokedKeys, file: string): boolean {
  const blob = certBlob(file);
  return file.endsWith('-cert.pub') ? revoked.isRevoked(parseCertificate(blob)) : revoked.isRevoked(blob);
}

function agreeWithOracle(krlPath: string, expectRevoked: string[]): void {
  const revoked = RevokedKeys.parse(readFileSync(krlPath));
  assert.equal(revoked.form, 'krl');
  const files = [...subjects.values()];
  const verdict = oracle(krlPath, files);
  for (const [name, file] of subjects) {
    assert.equal(libVerdict(revoked, file), verdict.get(file), `${name}: the library and ssh-keygen -Q disagree`);
    assert.equal(verdict.get(file), expectRevoked.includes(name), `${name}: ssh-keygen -Q's verdict is not the one the test expects`);
  }
}

test('a KRL with serial lists, ranges, bitmaps, key ids, keys and fingerprints: ssh-keygen -Q agrees on every key and certificate', () => {
  const spec = join(dir, 'spec');
  const pubLine = (name: string) => readFileSync(subjects.get(`${name}.pub`) as string, 'utf8').trim();
  const fp = sshKeygen(['-l', '-E', 'sha256', '-f', subjects.get('hashrev.pub') as string]).split(' ')[1];
  const lines = [
    'serial: 5',
    'serial: 10-20',
    'serial: 200000-900000',
    ...Array.from({ length: 31 }, (_, i) => `serial: ${100 + 2 * i}`),
    'id: badid',
    `key: ${pubLine('keyrev')}`,
    `sha1: ${pubLine('sha1rev')}`,
    `sha256: ${pubLine('sha256rev')}`,
    `hash: ${fp}`,
  ];
  writeFileSync(spec, lines.join('\n') + '\n');
  const krl = join(dir, 'krl');
  sshKeygen(['-q', '-k', '-f', krl, '-s', `${ca}.pub`, spec]);
  // the KRL really uses the section kinds under test
  const bytes = readFileSync(krl);
  for (const sub of [0x21, 0x22, 0x23]) assert.ok(bytes.includes(Buffer.from([sub, 0, 0, 0])), `subsection 0x${sub.toString(16)} present`);
  agreeWithOracle(krl, [
    's5', 's10', 's20', 's500000', 's104', 's160', 'id-bad',
    'keyrev', 'keyrev.pub', 'sha1rev', 'sha1rev.pub', 'sha256rev', 'sha256rev.pub', 'hashrev', 'hashrev.pub',
  ]);
});

test('a KRL with a sparse serial list: ssh-keygen -Q agrees', () => {
  const spec = join(dir, 'spec-list');
  writeFileSync(spec, 'serial: 6\nserial: 1003\nserial: 99999\n');
  const krl = join(dir, 'krl-list');
  sshKeygen(['-q', '-k', '-f', krl, '-s', `${ca}.pub`, spec]);
  assert.ok(readFileSync(krl).includes(Buffer.from([0x20, 0, 0, 0])), 'a serial list subsection');
  agreeWithOracle(krl, ['s6', 'hashrev']);
});

test('a KRL of thousands of scattered serials, ranges and dense runs (lists, ranges, bitmaps): ssh-keygen -Q agrees at every boundary', () => {
  // serials from a seeded generator: singles spread wide, short dense runs (bitmaps), and ranges
  const rnd = seededRandom(0x2545f491);
  const revoked: Array<[number, number]> = [];
  for (let i = 0; i < 4000; i++) revoked.push([1 + rnd(5_000_000), 0]);
  for (let i = 0; i < 40; i++) {
    const start = 1 + rnd(5_000_000);
    for (let k = 0; k < 200; k += 1 + rnd(3)) revoked.push([start + k, 0]);
  }
  for (let i = 0; i < 30; i++) {
    const lo = 1 + rnd(5_000_000);
    revoked.push([lo, lo + 1 + rnd(100_000)]);
  }
  const spec = join(dir, 'spec-many');
  writeFileSync(spec, revoked.map(([lo, hi]) => (hi ? `serial: ${lo}-${hi}` : `serial: ${lo}`)).join('\n') + '\n');
  const krl = join(dir, 'krl-many');
  sshKeygen(['-q', '-k', '-f', krl, '-s', `${ca}.pub`, spec]);
  const bytes = readFileSync(krl);
  for (const sub of [0x20, 0x21, 0x22]) assert.ok(bytes.includes(Buffer.from([sub, 0, 0, 0])), `subsection 0x${sub.toString(16)} present`);
  // certificates at both ends of ranges, around single serials and at random places
  const serials = new Set<number>();
  for (let i = 0; i < 12; i++) {
    const [lo, hi] = revoked[rnd(revoked.length)] as [number, number];
    for (const v of [lo - 1, lo, lo + 1, (hi || lo) - 1, hi || lo, (hi || lo) + 1]) if (v > 0) serials.add(v);
  }
  for (let i = 0; i < 12; i++) serials.add(1 + rnd(5_100_000));
  const key = makeKey(dir, 'many');
  const files: string[] = [];
  for (const serial of serials) {
    const copy = join(dir, `many-${serial}`);
    writeFileSync(`${copy}.pub`, readFileSync(`${key}.pub`));
    files.push(signKey(ca, copy, { principals: ['alice'], serial }));
  }
  const verdict = oracle(krl, files);
  const parsed = RevokedKeys.parse(bytes);
  let revokedCount = 0;
  for (const file of files) {
    assert.equal(libVerdict(parsed, file), verdict.get(file), `${file}: the library and ssh-keygen -Q disagree`);
    if (verdict.get(file)) revokedCount++;
  }
  assert.ok(revokedCount >= 10 && files.length - revokedCount >= 10, `both answers exercised (${revokedCount} of ${files.length} revoked)`);
});

test('a KRL of plain keys (ssh-keygen -k key.pub) revokes the keys and their certificates; a revoked CA key revokes its certificates', () => {
  const krl = join(dir, 'krl-keys');
  sshKeygen(['-q', '-k', '-f', krl, subjects.get('s6.pub') as string, `${ca2}.pub`]);
  agreeWithOracle(krl, ['s6', 's6.pub', 'other-ca']);
  // updating a KRL (-u) keeps what it had
  sshKeygen(['-q', '-k', '-u', '-f', krl, subjects.get('plain-ok.pub') as string]);
  agreeWithOracle(krl, ['s6', 's6.pub', 'other-ca', 'plain-ok.pub']);
});

test('a KRL section for any CA (empty CA key, which ssh-keygen reads but does not write) revokes by key id across CAs', () => {
  const krl = join(dir, 'krl-any');
  const ids = concatBytes(new Uint8Array([0x23]), wireString(wireString('badid')));
  const section = concatBytes(wireString(new Uint8Array(0)), wireString(new Uint8Array(0)), ids);
  writeFileSync(krl, krlBytes(concatBytes(new Uint8Array([1]), wireString(section))));
  agreeWithOracle(krl, ['id-bad', 'other-ca']);
});

function krlBytes(sections: Uint8Array, comment: Uint8Array | string = ''): Uint8Array {
  const u64 = (n: number) => concatBytes(wireUint32(0), wireUint32(n));
  return concatBytes(Buffer.from('SSHKRL\n\0', 'latin1'), wireUint32(1), u64(1), u64(0), u64(0), wireString(''), wireString(comment), sections);
}

test(`a KRL of at most MAX_KRL_ENTRIES entries is read; one more (a key id, a CA section: serials and other entries count alike) refuses it: a hostile KRL cannot exhaust memory`, async () => {
  // bitmaps of alternating bits (0x55: serials offset+0, +2, +4, …): 8192 separate serials per 2048-byte bitmap
  const perBitmap = 2048 * 4;
  assert.equal(MAX_KRL_ENTRIES % perBitmap, 0);
  const full = new Uint8Array(2048).fill(0x55);
  const oneLess = new Uint8Array(full);
  oneLess[0] = 0x15; // its top byte holds three serials, not four
  const caSection = (subs: Uint8Array[]) =>
    concatBytes(new Uint8Array([1]), wireString(concatBytes(wireString(pubBlob(`${ca}.pub`)), wireString(''), ...subs)));
  // entries: this CA section (1) + MAX - 1 serials = MAX
  const atLimitSubs: Uint8Array[] = [];
  const bitmaps = MAX_KRL_ENTRIES / perBitmap;
  for (let i = 0; i < bitmaps; i++) {
    const offset = concatBytes(wireUint32(0), wireUint32(1 + i * 2048 * 8 * 2)); // bitmaps apart: no two runs touch
    atLimitSubs.push(new Uint8Array([0x22]), wireString(concatBytes(offset, wireString(i === bitmaps - 1 ? oneLess : full))));
  }
  const atLimit = RevokedKeys.parse(krlBytes(caSection(atLimitSubs)));
  // offset 1: bit 4 is serial 5, bit 5 serial 6
  assert.equal(libVerdict(atLimit, subjects.get('s5') as string), true);
  assert.equal(libVerdict(atLimit, subjects.get('s6') as string), false);
  const oneMore: Array<[string, Uint8Array]> = [
    ['a key id', krlBytes(caSection([...atLimitSubs, new Uint8Array([0x23]), wireString(wireString('one-more'))]))],
    ['a CA section', krlBytes(concatBytes(caSection(atLimitSubs), caSection([])))],
  ];
  for (const [what, bytes] of oneMore) {
    await expectCode(() => RevokedKeys.parse(bytes), 'KRL_FORMAT', /more than 4194304 entries/).catch((e) => {
      throw new Error(`${what}: ${(e as Error).message}`);
    });
  }
});

test(`a KRL of at most MAX_KRL_CA_SECTIONS CA sections is read; one more refuses it`, async () => {
  const section = concatBytes(new Uint8Array([1]), wireString(concatBytes(wireString(pubBlob(`${ca2}.pub`)), wireString(''))));
  const sections = (n: number) => krlBytes(concatBytes(...Array.from({ length: n }, () => section)));
  assert.equal(RevokedKeys.parse(sections(MAX_KRL_CA_SECTIONS)).form, 'krl');
  await expectCode(() => RevokedKeys.parse(sections(MAX_KRL_CA_SECTIONS + 1)), 'KRL_FORMAT', /more than 4096 CA sections/);
});

test('malformed KRLs are refused (and ssh-keygen -Q refuses them too)', async () => {
  const u64 = (n: number) => concatBytes(wireUint32(0), wireUint32(n));
  const caBlob = pubBlob(`${ca}.pub`);
  const certSection = (sub: Uint8Array) => concatBytes(new Uint8Array([1]), wireString(concatBytes(wireString(caBlob), wireString(''), sub)));
  const cases: Array<[string, Uint8Array]> = [
    ['unknown section', concatBytes(new Uint8Array([9]), wireString(''))],
    ['unknown certificate subsection', certSection(concatBytes(new Uint8Array([0x30]), wireString('')))],
    ['serial 0', certSection(concatBytes(new Uint8Array([0x20]), wireString(u64(0))))],
    ['inverted range', certSection(concatBytes(new Uint8Array([0x21]), wireString(concatBytes(u64(9), u64(3)))))],
    ['unparsed data in a range', certSection(concatBytes(new Uint8Array([0x21]), wireString(concatBytes(u64(1), u64(3), new Uint8Array([0])))))],
    ['short SHA1', concatBytes(new Uint8Array([3]), wireString(wireString(new Uint8Array(19))))],
    ['short SHA256', concatBytes(new Uint8Array([5]), wireString(wireString(new Uint8Array(31))))],
    ['truncated section', concatBytes(new Uint8Array([2]), wireUint32(100))],
    // a serial bitmap is an SSH bignum: over 2048 bytes sshd refuses the KRL (the library allowed 2 MiB, and read serials from it)
    ['a 2049-byte serial bitmap', certSection(concatBytes(new Uint8Array([0x22]), wireString(concatBytes(u64(1), wireString(new Uint8Array(2049).fill(0x55))))))],
    ['a 4096-byte serial bitmap', certSection(concatBytes(new Uint8Array([0x22]), wireString(concatBytes(u64(1), wireString(new Uint8Array(4096).fill(0x55))))))],
    // the comment is a C string for sshd
    ['a NUL in the comment', new Uint8Array(0)],
  ];
  for (const [name, sections] of cases) {
    const bytes = name === 'a NUL in the comment' ? krlBytes(sections, new Uint8Array([0x61, 0, 0x62])) : krlBytes(sections);
    await expectCode(() => RevokedKeys.parse(bytes), 'KRL_FORMAT', undefined);
    const path = join(dir, 'bad-krl');
    writeFileSync(path, bytes);
    const r = spawnSync('ssh-keygen', ['-Q', '-f', path, subjects.get('plain-ok.pub') as string], { encoding: 'utf8' });
    assert.notEqual(r.status, 0, `${name}: ssh-keygen -Q refuses it too`);
    assert.notEqual(r.status, 1, `${name}: (not a REVOKED answer)`);
  }
  await expectCode(() => RevokedKeys.parse(concatBytes(Buffer.from('SSHKRL\n\0', 'latin1'), wireUint32(2))), 'KRL_FORMAT', /version/);
});

test('a serial bitmap of the largest size sshd reads (2048 bytes, or 2049 with a leading zero) is read, and agrees with ssh-keygen -Q', () => {
  const u64 = (n: number) => concatBytes(wireUint32(0), wireUint32(n));
  const caBlob = pubBlob(`${ca}.pub`);
  for (const bitmap of [new Uint8Array(2048).fill(0x11), concatBytes(new Uint8Array([0]), new Uint8Array(2048).fill(0x11))]) {
    // bit i of the bignum (from its least significant end) revokes serial 100 + i: 0x11 bytes revoke serials 100, 104, 108, …
    const bytes = krlBytes(concatBytes(new Uint8Array([1]), wireString(concatBytes(wireString(caBlob), wireString(''), new Uint8Array([0x22]), wireString(concatBytes(u64(100), wireString(bitmap)))))));
    const path = join(dir, 'bitmap-krl');
    writeFileSync(path, bytes);
    const revoked = RevokedKeys.parse(bytes);
    const files = ['s104', 's105', 's160', 's5'].map((n) => subjects.get(n) as string);
    const verdict = oracle(path, files);
    for (const f of files) assert.equal(libVerdict(revoked, f), verdict.get(f), `${f}: the library and ssh-keygen -Q disagree`);
    assert.deepEqual(files.map((f) => verdict.get(f)), [true, false, true, false]);
  }
});

test('a key id is compared byte for byte: a leading U+FEFF (a byte-order mark) is part of it, as for ssh-keygen -Q and sshd', () => {
  const bomCert = signKey(ca, makeKey(dir, 'bom-id'), { id: '\ufeffbob', principals: ['alice'], serial: 0 });
  const plainCert = signKey(ca, makeKey(dir, 'plain-id'), { id: 'bob', principals: ['alice'], serial: 0 });
  for (const [spec, revokedOne] of [['\ufeffbob', bomCert], ['bob', plainCert]] as const) {
    const specFile = join(dir, 'id-spec');
    writeFileSync(specFile, `id: ${spec}\n`);
    const krl = join(dir, 'id-krl');
    sshKeygen(['-k', '-f', krl, '-s', `${ca}.pub`, specFile]);
    const revoked = RevokedKeys.parse(readFileSync(krl));
    const verdict = oracle(krl, [bomCert, plainCert]);
    for (const f of [bomCert, plainCert]) {
      assert.equal(libVerdict(revoked, f), verdict.get(f), `id ${JSON.stringify(spec)}, ${f}: the library and ssh-keygen -Q disagree`);
      assert.equal(verdict.get(f), f === revokedOne, `id ${JSON.stringify(spec)}: only the certificate with that exact id is revoked`);
    }
  }
});

test('the plain public keys form (what sshd reads when the file is not a KRL)', async () => {
  const text = [
    '# revoked',
    readFileSync(subjects.get('s5.pub') as string, 'utf8').trim(),
    '',
    readFileSync(`${ca2}.pub`, 'utf8').trim(),
  ].join('\n');
  const revoked = RevokedKeys.parse(text);
  assert.equal(revoked.form, 'keys');
  const v = (name: string) => libVerdict(revoked, subjects.get(name) as string);
  assert.equal(v('s5.pub'), true);
  assert.equal(v('s5'), true, 'a certificate of a listed key');
  assert.equal(v('other-ca'), true, 'a certificate signed by a listed CA key');
  assert.equal(v('s6'), false);
  assert.equal(v('s6.pub'), false);
  assert.equal(v('plain-ok.pub'), false);
  await expectCode(() => RevokedKeys.parse('ssh-ed25519 not-base64!'), 'KRL_FORMAT', /line 1/);
  await expectCode(() => RevokedKeys.parse(`ssh-rsa ${Buffer.from(pubBlob(`${ca}.pub`)).toString('base64')}`), 'KRL_FORMAT', /says ssh-rsa/);
});

test('keys sshd cannot read refuse the whole file, as sshd then refuses every login (krl-sshd-differential proves sshd does)', async () => {
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  const frob = concatBytes(wireString('ssh-frob'), wireString('x'));
  const point = new Uint8Array(65);
  point[0] = 4;
  point[64] = 7;
  const offCurve = concatBytes(wireString('ecdsa-sha2-nistp256'), wireString('nistp256'), wireString(point));
  const wrongCurve = concatBytes(wireString('ecdsa-sha2-nistp256'), wireString('nistp384'), wireString(point));
  const listed = readFileSync(subjects.get('s5.pub') as string, 'utf8').trim();
  // a plain keys file: an unknown type, an unknown curve, a point off its curve, a curve that is not the type's
  for (const [what, line] of [
    ['unknown type', `ssh-frob ${b64(frob)}`],
    ['unknown curve', `ecdsa-sha2-nistp999 ${b64(concatBytes(wireString('ecdsa-sha2-nistp999'), wireString('nistp999'), wireString(point)))}`],
    ['point off the curve', `ecdsa-sha2-nistp256 ${b64(offCurve)}`],
    ['wrong curve', `ecdsa-sha2-nistp256 ${b64(wrongCurve)}`],
  ]) {
    await expectCode(() => RevokedKeys.parse(`${listed}\n${line}\n`), 'KRL_FORMAT', /line 2/);
    assert.ok(what, 'each case is named');
  }
  // a KRL whose certificate section names a CA key sshd cannot read
  for (const ca of [frob, offCurve]) {
    const section = concatBytes(wireString(ca), wireString(''), new Uint8Array([0x23]), wireString(wireString('badid')));
    await expectCode(() => RevokedKeys.parse(krlBytes(concatBytes(new Uint8Array([1]), wireString(section)))), 'KRL_FORMAT', /CA key/);
  }
  // sshd names an RSA key also rsa-sha2-256 / rsa-sha2-512: such a line is read and revokes the key
  const rsa = makeKey(dir, 'rsa-named', 'rsa');
  const rsaB64 = readFileSync(`${rsa}.pub`, 'utf8').split(' ')[1] as string;
  for (const name of ['rsa-sha2-256', 'rsa-sha2-512']) {
    assert.equal(RevokedKeys.parse(`${name} ${rsaB64}\n`).isRevoked(pubBlob(`${rsa}.pub`)), true, name);
  }
  // a short name (ED25519) is not one sshd takes in this file
  await expectCode(() => RevokedKeys.parse(`ED25519 ${listed.split(' ')[1]}\n`), 'KRL_FORMAT', /says ED25519/);
});

test('a plain keys file is read line by line as sshkey_in_file reads it: b64_pton base64, a blank CRLF line is not blank', async () => {
  const listed = readFileSync(subjects.get('s5.pub') as string, 'utf8').trim();
  const [type, b64] = listed.split(' ') as [string, string];
  const ecdsa = readFileSync(`${ca2}.pub`, 'utf8').trim().split(' ') as [string, string];
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const i = ecdsa[1].indexOf('=') - 1;
  const slop = `${ecdsa[0]} ${ecdsa[1].slice(0, i)}${A[A.indexOf(ecdsa[1][i] as string) | 1]}${ecdsa[1].slice(i + 1)}`;
  for (const [what, text] of [
    ['one = too many', `${type} ${b64}= c\n`],
    ['slop bits', `${slop}\n`],
    ['a blank CRLF line', `${listed}\r\n\r\n`],
    ['a form feed', `\f\n${listed}\n`],
  ] as const) {
    await expectCode(() => RevokedKeys.parse(text), 'KRL_FORMAT', undefined);
    assert.ok(what, 'each case is named');
  }
  // what sshd skips: leading blanks and tabs, '#' lines, empty lines, the rest of a line after NUL; a CRLF key line is read
  const revoked = RevokedKeys.parse(` \t# c\n\n\t${listed}\0 junk\r\n${type} ${b64}\r\n`);
  assert.equal(revoked.isRevoked(pubBlob(subjects.get('s5.pub') as string)), true);
});

test('a certificate line must verify and a KRL CA key must be one sshd reads; a short RSA line is skipped as sshd skips it', async () => {
  const [t, b] = readFileSync(subjects.get('s5') as string, 'utf8').trim().split(' ') as [string, string];
  const blob = Buffer.from(b, 'base64');
  blob[blob.length - 5] = (blob[blob.length - 5] as number) ^ 1;
  await expectCode(() => RevokedKeys.parse(`${t} ${blob.toString('base64')}\n`), 'KRL_FORMAT', /certificate cannot be read/);
  // the certificate itself (signature intact) revokes its key
  assert.equal(RevokedKeys.parse(`${t} ${b}\n`).isRevoked(pubBlob(subjects.get('s5.pub') as string)), true);
  const n = Buffer.alloc(65);
  n[1] = 0xc1;
  n[64] = 1;
  const rsa512 = concatBytes(wireString('ssh-rsa'), wireString(new Uint8Array([1, 0, 1])), wireString(n));
  const section = concatBytes(wireString(rsa512), wireString(''), new Uint8Array([0x23]), wireString(wireString('badid')));
  await expectCode(() => RevokedKeys.parse(krlBytes(concatBytes(new Uint8Array([1]), wireString(section)))), 'KRL_FORMAT', /CA key: RSA key of 5\d\d bits/);
  const short = RevokedKeys.parse(`ssh-rsa ${Buffer.from(rsa512).toString('base64')}\n`);
  assert.equal(short.isRevoked(rsa512), false, 'skipped, as sshd skips it');
});

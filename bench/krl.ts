/**
 * Revoked certificates at scale: a KRL from the real `ssh-keygen -k` with
 * 100,000 scattered serials (lists, ranges and bitmaps), as a router reads
 * it (RevokedKeys.parse, in process) against `ssh-keygen -Q` reading it and
 * checking one certificate (a whole process, as sshd reads it at each
 * login), and the check a login makes (revocationOf, a binary search over
 * the merged ranges) against one strict-path Ed25519 verify with
 * node:crypto, which every login also pays.
 */
import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCertificate } from '../lib/ssh/certificate.js';
import { RevokedKeys } from '../lib/ssh/krl.js';
import { seededRandom } from '../test/helpers/seeded-random.js';
import { certBlob, makeKey, signKey, sshKeygen } from '../test/helpers/ssh-certs.js';

export interface KrlFigures {
  serials: number;
  /** median ms of RevokedKeys.parse (in process) */
  parseMs: number;
  /** median ms of `ssh-keygen -Q -f KRL CERT` (whole process) */
  keygenQueryMs: number;
  /** µs per revocationOf (a certificate of that CA, not revoked) */
  checkUs: number;
  /** µs per node:crypto Ed25519 verify, cached KeyObject */
  verifyUs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

export function benchKrl(turns = 9, serials = 100_000): KrlFigures {
  const dir = mkdtempSync(join(tmpdir(), 'cryptosign-keys-krl-'));
  try {
    const ca = makeKey(dir, 'ca');
    const certFile = signKey(ca, makeKey(dir, 'user'), { id: 'bench', principals: ['alice'], serial: 4_000_000_007 });
    // scattered singles with some dense runs (ssh-keygen writes those as bitmaps) and a few ranges
    const rnd = seededRandom(0x9e3779b9);
    const lines: string[] = [];
    while (lines.length < serials) {
      const start = 1 + rnd(4_000_000_000);
      if (rnd(10) === 0) for (let k = 0; k < 50; k += 1 + rnd(3)) lines.push(`serial: ${start + k}`);
      else if (rnd(100) === 0) lines.push(`serial: ${start}-${start + rnd(10_000)}`);
      else lines.push(`serial: ${start}`);
    }
    writeFileSync(join(dir, 'spec'), lines.join('\n') + '\n');
    const krl = join(dir, 'krl');
    sshKeygen(['-q', '-k', '-f', krl, '-s', `${ca}.pub`, join(dir, 'spec')]);
    const bytes = readFileSync(krl);
    const cert = parseCertificate(certBlob(certFile));
    const parse: number[] = [];
    const query: number[] = [];
    let parsed: RevokedKeys | undefined;
    for (let i = 0; i < turns; i++) {
      let t = performance.now();
      parsed = RevokedKeys.parse(bytes);
      parse.push(performance.now() - t);
      t = performance.now();
      const r = spawnSync('ssh-keygen', ['-Q', '-f', krl, certFile], { encoding: 'utf8' });
      query.push(performance.now() - t);
      if (!/: ok$/m.test(r.stdout)) throw new Error(`ssh-keygen -Q: ${r.stdout}${r.stderr}`);
    }
    const revoked = parsed as RevokedKeys;
    if (revoked.isRevoked(cert)) throw new Error('the asked certificate is revoked');
    const n = 20_000;
    let t = performance.now();
    for (let i = 0; i < n; i++) revoked.revocationOf(cert);
    const checkUs = ((performance.now() - t) * 1000) / n;
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const key = createPublicKey(publicKey.export({ format: 'pem', type: 'spki' }));
    const data = Buffer.alloc(32, 1);
    const sig = sign(null, data, privateKey);
    const m = 5_000;
    t = performance.now();
    for (let i = 0; i < m; i++) verify(null, data, key, sig);
    const verifyUs = ((performance.now() - t) * 1000) / m;
    return { serials: lines.length, parseMs: median(parse), keygenQueryMs: median(query), checkUs, verifyUs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

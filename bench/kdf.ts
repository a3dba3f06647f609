/**
 * Opening an encrypted key file: the bcrypt KDF in JavaScript (ours, as
 * loadKeyFile/openKeyFile run it; and sshpk's bcrypt-pbkdf module, which the
 * library used before) against OpenSSH's C
 * (`ssh-keygen -y`, which derives the key the same way and prints the public
 * key), on the same file, ms per open, taking turns. `ssh-keygen -y` includes
 * its process start (~2 ms); `bare ssh-keygen -l` measures that alone.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadKeyFile } from '../lib/keys/openssh-key-file.js';

const sshpkParse = (createRequire(import.meta.url)('sshpk') as { parsePrivateKey(d: Buffer, f: string, o: object): unknown }).parsePrivateKey;

export function benchKdf(rounds: number, runs: number): Map<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'cryptosign-keys-kdf-'));
  try {
    const path = join(dir, 'key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-a', String(rounds), '-N', 'bench pass', '-f', path]);
    const cases: [string, () => void][] = [
      ['bare ssh-keygen -l (process start, no KDF)', () => void spawnSync('ssh-keygen', ['-l', '-f', `${path}.pub`])],
      ['ssh-keygen -y (OpenSSH, C)', () => void spawnSync('ssh-keygen', ['-y', '-P', 'bench pass', '-f', path])],
      ['cryptosign-keys loadKeyFile (own bcrypt_pbkdf, JS)', () => void loadKeyFile(path, { passphrase: 'bench pass' })],
      ['sshpk alone (its bcrypt-pbkdf module, JS)', () => void sshpkParse(readFileSync(path), 'openssh', { passphrase: 'bench pass' })],
    ];
    const total = new Map<string, number>(cases.map(([n]) => [n, 0]));
    for (let i = 0; i < runs + 1; i++) {
      for (const [name, run] of cases) {
        const t0 = process.hrtime.bigint();
        run();
        if (i > 0) total.set(name, (total.get(name) as number) + Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    return new Map([...total].map(([n, ms]) => [n, ms / runs]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

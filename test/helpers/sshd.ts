/**
 * A private OpenSSH sshd for differential tests: one `/usr/sbin/sshd -D -e`
 * on a free loopback port (127.0.0.1 and ::1), its own host key and config,
 * `AuthorizedKeysFile` = one file the test writes, stopped by pid.
 *
 * Many keys per connection, and sshd's own decision: the client offers
 * public keys only (`ssh -i k1.pub -i k2.pub …`, no private key and no
 * agent), so for each key sshd runs its full authorized_keys check (options,
 * from=, expiry-time: the same check as for a signed login) and answers "key
 * acceptable" or "refused"; the client cannot sign and goes on to the next
 * key. Every key is offered once, up to 90 per connection. sshd's log
 * (LogLevel VERBOSE) says which: "Accepted key ED25519 SHA256:… found at" or
 * "Failed publickey for … from ADDR … SHA256:…". The two peer addresses are
 * asked one after the other, so each answer belongs to one address.
 * `login()` makes a real login (`ssh -i key … true`) to show the two agree.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { privateKeyFromSeed, rawPublicKey } from '../../lib/crypto/ed25519.js';
import { ed25519Blob, fingerprintOfBlob } from '../../lib/ssh/public-key.js';
import { runProcess } from './run-process.js';

export const SSHD = '/usr/sbin/sshd';

/** The user the tests log in as over ssh: whoever runs them (from the password database, not $USER). */
export const loginUser = userInfo().username;

/** An Ed25519 key a test logs in with: its seed, public key, `ssh-ed25519 …` text, fingerprint, private key file. */
export interface LoginKey {
  seed: Uint8Array;
  publicKey: Uint8Array;
  /** `ssh-ed25519 AAAA…` (no comment) */
  line: string;
  fingerprint: string;
  /** the private key file */
  file: string;
  /** the public key file (offered without the private key) */
  pubFile: string;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
function str(b: Uint8Array | string): Buffer {
  const data = typeof b === 'string' ? Buffer.from(b) : Buffer.from(b);
  return Buffer.concat([u32(data.length), data]);
}

/** An unencrypted openssh-key-v1 private key file for a seed (what `ssh-keygen -N ''` writes). */
export function openSshPrivateKeyText(seed: Uint8Array, publicKey: Uint8Array, comment = ''): string {
  const blob = ed25519Blob(publicKey);
  const check = randomBytes(4);
  let priv = Buffer.concat([check, check, str('ssh-ed25519'), str(publicKey), str(Buffer.concat([seed, publicKey])), str(comment)]);
  const pad: number[] = [];
  for (let i = 1; (priv.length + pad.length) % 8 !== 0; i++) pad.push(i);
  priv = Buffer.concat([priv, Buffer.from(pad)]);
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0'), str('none'), str('none'), str(''), u32(1), str(blob), str(priv)]);
  const b64 = body.toString('base64').replace(/.{70}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** Makes a login key from a 32-byte seed, its private key file in `dir`. */
export function loginKey(dir: string, name: string, seed: Uint8Array): LoginKey {
  const publicKey = rawPublicKey(privateKeyFromSeed(seed));
  const blob = ed25519Blob(publicKey);
  const file = join(dir, name);
  const line = `ssh-ed25519 ${Buffer.from(blob).toString('base64')}`;
  writeFileSync(file, openSshPrivateKeyText(seed, publicKey), { mode: 0o600 });
  writeFileSync(`${file}.pub`, `${line}\n`, { mode: 0o600 });
  return { seed, publicKey, line, fingerprint: fingerprintOfBlob(blob), file, pubFile: `${file}.pub` };
}

/** A loopback TCP port nobody listens on right now (for a private sshd). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** An sshd started by listenSshd: its log (stderr) so far, watchers called on each new piece of it. */
export interface ListeningSshd {
  readonly port: number;
  readonly pid: number;
  log(): string;
  readonly watchers: Set<() => void>;
  /** SIGTERM by pid; resolves when it has exited */
  stop(): Promise<void>;
}

/**
 * Runs `sshd -D -e -f CONFIG` on a free loopback port; `writeConfig(port)` writes the config for that
 * port and returns its path. Resolves once sshd logs that it listens on every one of `addresses`. A port
 * can be taken between freePort() and sshd's bind (another test's process): sshd then exits, and this
 * tries again with a new port, five times in all; so it does when sshd binds only some of `addresses`
 * (it then goes on without the others) or has not listened after 60 s. The process is killed when the
 * test process exits.
 */
export async function listenSshd(writeConfig: (port: number) => string, addresses: readonly string[]): Promise<ListeningSshd> {
  // sshd (as root) insists on its privilege separation directory
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const config = writeConfig(port);
    const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env } });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    let log = '';
    const watchers = new Set<() => void>();
    const listening = await new Promise<boolean>((resolve, reject) => {
      // sshd goes on listening on the addresses it could bind when one of them is taken: that is a failed start too
      let settled = false;
      const giveUp = () => {
        if (settled) return; // once it listens, its later lines and its exit are not a failed start
        settled = true;
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        resolve(false);
      };
      const timer = setTimeout(() => {
        log += `(not listening on ${addresses.join(' and ')} after 60 s)\n`;
        giveUp();
      }, 60_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot run ${SSHD}: ${e.message} (install openssh-server)`));
      });
      child.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        if (!settled && log.includes(`Bind to port ${port} on `)) giveUp();
        else if (!settled && addresses.every((a) => log.includes(`Server listening on ${a} port ${port}.`))) {
          settled = true;
          clearTimeout(timer);
          resolve(true);
        }
        for (const w of watchers) w();
      });
      child.on('exit', giveUp);
    });
    if (!listening) {
      await exited;
      lastError = log.trim();
      continue;
    }
    // never leave it behind, even when the test process ends without stop()
    const reap = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
    process.once('exit', reap);
    void exited.then(() => process.removeListener('exit', reap));
    return {
      port,
      pid: child.pid as number,
      log: () => log,
      watchers,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          process.kill(child.pid as number, 'SIGTERM');
          await exited;
        }
      },
    };
  }
  throw new Error(`sshd did not start: ${lastError}`);
}

export interface PrivateSshd {
  readonly port: number;
  readonly pid: number;
  /** the authorized_keys file sshd reads (write it with setAuthorizedKeys) */
  readonly authorizedKeysFile: string;
  /** replaces the authorized_keys file atomically (sshd reads it at each key check) */
  setAuthorizedKeys(content: string | Uint8Array): void;
  /** sshd's log so far */
  log(): string;
  /**
   * Offers every key's public key from `address` ('127.0.0.1' or '::1'),
   * many per connection; returns fingerprint → acceptable to sshd. One call
   * at a time.
   */
  decide(keys: readonly LoginKey[], address: '127.0.0.1' | '::1', options?: { concurrency?: number }): Promise<Map<string, boolean>>;
  /**
   * Resolves once `done(text)` holds for the log written since offset `from`
   * (sshd's processes may still be writing when the client has ended);
   * rejects after 60 s naming `what` (a hang guard: sshd writes them within milliseconds).
   */
  waitForLog(from: number, done: (text: string) => boolean, what: string): Promise<void>;
  /** A real login with the private key (`ssh … true`): true when it logged in. */
  login(key: LoginKey, address: '127.0.0.1' | '::1'): Promise<boolean>;
  /**
   * Runs `ssh … true` against this sshd with `args` (identities: `-i FILE`, `-o CertificateFile=…`),
   * only public-key authentication, no agent, no known_hosts; `verbose`: `-v`, so that stderr says
   * which keys were offered ("Offering public key: FILE") and accepted ("Server accepts key: FILE").
   */
  ssh(args: readonly string[], address: string, options?: { verbose?: boolean }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** Keys offered per connection (ssh's own limit on -i files is 100). */
export const KEYS_PER_CONNECTION = 90;

/** Starts sshd (`config`: more sshd_config lines, e.g. `RevokedKeys …`); resolves once it listens on both addresses. */
export async function startSshd(dir: string, options: { config?: readonly string[] } = {}): Promise<PrivateSshd> {
  const hostSeed = randomBytes(32);
  const hostPub = rawPublicKey(privateKeyFromSeed(hostSeed));
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  writeFileSync(hostKey, openSshPrivateKeyText(hostSeed, hostPub), { mode: 0o600 });
  const authorizedKeysFile = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeysFile, '');

  const config = join(dir, 'sshd_config');
  const running = await listenSshd((port) => {
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        'ListenAddress ::1',
        `HostKey ${hostKey}`,
        'PidFile none',
        `AuthorizedKeysFile ${authorizedKeysFile}`,
        'StrictModes no',
        'UsePAM no',
        'UseDNS no',
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'LogLevel VERBOSE',
        'MaxAuthTries 10000',
        'MaxStartups 64',
        ...(options.config ?? []),
        '',
      ].join('\n'),
    );
    return config;
  }, ['127.0.0.1', '::1']);
  const { port, watchers, log } = running;
    const ssh = (identities: readonly string[], address: string, options: { verbose?: boolean } = {}) =>
      runProcess('ssh', [
        ...(options.verbose ? ['-v'] : ['-o', 'LogLevel=ERROR']),
        '-F', '/dev/null', '-p', String(port),
        '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none', '-o', 'BatchMode=yes',
        '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
        '-o', 'PreferredAuthentications=publickey', '-o', 'ConnectTimeout=20',
        ...identities,
        `${loginUser}@${address}`, 'true',
      ]);
    const sshd: PrivateSshd = {
      port,
      pid: running.pid,
      authorizedKeysFile,
      setAuthorizedKeys(content) {
        const tmp = `${authorizedKeysFile}.new`;
        writeFileSync(tmp, content);
        renameSync(tmp, authorizedKeysFile);
      },
      log,
      async decide(keys, address, options = {}) {
        const from = log().length;
        const batches: LoginKey[][] = [];
        for (let i = 0; i < keys.length; i += KEYS_PER_CONNECTION) batches.push(keys.slice(i, i + KEYS_PER_CONNECTION));
        const queue = [...batches];
        const workers = Array.from({ length: options.concurrency ?? 6 }, async () => {
          for (let b = queue.shift(); b; b = queue.shift()) await ssh(b.flatMap((k) => ['-i', k.pubFile]), address);
        });
        await Promise.all(workers);
        // sshd's processes may still be writing their last lines when the clients have ended: wait for every key's
        const accepted = new Set<string>();
        const refused = new Set<string>();
        const complete = () => {
          const text = log().slice(from);
          for (const m of text.matchAll(/^Accepted key ED25519 (SHA256:\S+) found at /gm)) accepted.add(m[1] as string);
          for (const m of text.matchAll(/^Failed publickey for \S+ from (\S+) port \d+ ssh2: ED25519 (SHA256:\S+)/gm)) {
            if (m[1] === address) refused.add(m[2] as string);
          }
          return keys.every((k) => accepted.has(k.fingerprint) || refused.has(k.fingerprint));
        };
        if (!complete()) {
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => {
              watchers.delete(check);
              const missing = keys.filter((k) => !accepted.has(k.fingerprint) && !refused.has(k.fingerprint));
              reject(new Error(`sshd never answered for ${missing.length} keys from ${address} (${missing[0]?.fingerprint}); its log ends:\n${log().slice(-2000)}`));
            }, 60_000);
            const check = () => {
              if (!complete()) return;
              clearTimeout(timer);
              watchers.delete(check);
              resolve();
            };
            watchers.add(check);
          });
        }
        for (const k of keys) {
          if (accepted.has(k.fingerprint) && refused.has(k.fingerprint)) throw new Error(`sshd both accepted and refused ${k.fingerprint}`);
        }
        return new Map(keys.map((k) => [k.fingerprint, accepted.has(k.fingerprint)]));
      },
      waitForLog(from, done, what) {
        if (done(log().slice(from))) return Promise.resolve();
        return new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            watchers.delete(check);
            reject(new Error(`sshd never logged ${what}; its log ends:\n${log().slice(-2000)}`));
          }, 60_000);
          const check = () => {
            if (!done(log().slice(from))) return;
            clearTimeout(timer);
            watchers.delete(check);
            resolve();
          };
          watchers.add(check);
        });
      },
      async login(key, address) {
        return (await ssh(['-i', key.file], address)).code === 0;
      },
      ssh,
      stop: running.stop,
    };
    return sshd;
}

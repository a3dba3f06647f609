/**
 * Large authorized_keys files on the router side, beside sshd on the same file:
 *
 * - loading a 1,000,000-line file in the background (readAuthorizedKeysFile:
 *   async read, stamp check, parse in slices) — target ≤ 2 s — and one
 *   lookup; sshd's cost for one key check against the same file (it reads the
 *   file at every login) when /usr/sbin/sshd is here;
 * - a 100,000-key reload under way while HELLOs keep coming (one due every
 *   ms; a HELLO's wait counts from when it was due, so a held loop shows):
 *   the longest HELLO wait, and the event-loop delay from
 *   perf_hooks.monitorEventLoopDelay — target: no HELLO waits more than 10 ms;
 *   five rounds, each beside the same HELLOs on an idle loop for as long
 *   (the floor this machine's scheduler sets);
 * - the public-key point check, once per distinct key: this library's
 *   (BigInt, one addition chain), @noble/ed25519 (decode + small order), and
 *   sodium-native's crypto_core_ed25519_is_valid_point when installed.
 *
 * `benchAuthorizedKeys(log)` prints one line per figure; run alone with
 * `node dist/bench/authorized-keys.js`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Point } from '@noble/ed25519';
import { publicKeyProblem } from '../lib/crypto/ed25519.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import { ed25519Blob } from '../lib/ssh/public-key.js';
import { AuthorizedKeysFile, readAuthorizedKeysFile } from '../lib/wamp/router/authorized-keys-file.js';
import { KeyIndexBuilder } from '../lib/wamp/router/key-index.js';
import { AuthorizedKeys } from '../lib/wamp/router/principals.js';
import { CryptosignAuthenticator } from '../lib/wamp/router/authenticator.js';

/** n lines (the last one given), written straight into one buffer: no million strings left for the collector during the measurements */
function keyLines(n: number, last: string): Buffer {
  const prefix = Buffer.from(ed25519Blob(new Uint8Array(32)).subarray(0, 19));
  const out = Buffer.allocUnsafe(n * 100 + Buffer.byteLength(last) + 1);
  const blob = Buffer.alloc(51);
  prefix.copy(blob);
  let at = 0;
  for (let i = 0; i < n - 1; i++) {
    randomBytes(32).copy(blob, 19);
    at += out.write('ssh-ed25519 ', at, 'latin1');
    at += out.write(blob.toString('base64'), at, 'latin1');
    at += out.write(` user${i}@example\n`, at, 'latin1');
  }
  at += out.write(`${last}\n`, at, 'utf8');
  return out.subarray(0, at);
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

export async function benchAuthorizedKeys(log: (line: string) => void = console.log): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cryptosign-keys-bench-'));
  try {
    const alice = fromSeed(new Uint8Array(32).fill(7));
    const aliceLine = `ssh-ed25519 ${Buffer.from(ed25519Blob(alice.publicKey)).toString('base64')} alice`;
    // 1. HELLOs while 100,000 keys reload (5 rounds), beside the same HELLOs on an idle loop (this machine's floor)
    const path = join(dir, 'principals');
    writeFileSync(path, `${aliceLine}\n`);
    const file = new AuthorizedKeysFile(path);
    const auth = new CryptosignAuthenticator({ principals: file });
    const hundredK = keyLines(100_000, aliceLine);
    /**
     * HELLOs due every ms for `forMs` (or while `busy()`); a HELLO's wait runs
     * from when it was due (a HELLO arriving while the loop is held waits
     * for the loop) to its answer.
     */
    const hellos = async (busy: () => boolean, forMs: number) => {
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      const elu = performance.eventLoopUtilization();
      let worst = 0;
      let answered = 0;
      const t = performance.now();
      await new Promise<void>((resolve) => {
        let due = performance.now() + 1;
        const tick = () => {
          const asked = due;
          void auth.hello({ authmethods: ['cryptosign'], authextra: { pubkey: alice.publicKeyHex } }, { realm: 'realm1' }).then(() => {
            worst = Math.max(worst, performance.now() - asked);
            answered++;
          });
          if (busy() || performance.now() - t < forMs) {
            due = Math.max(due + 1, performance.now());
            setTimeout(tick, Math.max(0, due - performance.now()));
          } else resolve();
        };
        setTimeout(tick, 1);
      });
      await new Promise<void>((r) => setImmediate(r));
      delay.disable();
      return { ms: performance.now() - t, answered, worst, loopMax: delay.max / 1e6, busy: performance.eventLoopUtilization(elu).active };
    };
    // the reload as AuthorizedKeysFile does it (a worker thread for a file this size), then in slices on the main thread
    for (const way of ['worker', 'slices'] as const) {
      const rounds: string[] = [];
      const worstReload: number[] = [];
      const worstIdle: number[] = [];
      const busy: number[] = [];
      for (let round = 1; round <= 8; round++) {
        writeFileSync(path, round % 2 ? hundredK : Buffer.concat([hundredK, Buffer.from(`# round ${round}\n`)]));
        let loading: Promise<unknown> | undefined;
        if (way === 'worker') {
          file.current();
          loading = file.loading;
        } else {
          loading = readAuthorizedKeysFile(path, 2, false).finally(() => {
            loading = undefined;
          });
        }
        const running = loading;
        const r = await hellos(() => (way === 'worker' ? file.loading !== undefined : loading !== undefined), 0);
        await running;
        if (way === 'worker' && file.current().size !== 100_000) throw new Error(`the reload has ${file.current().size} principals`);
        const idle = await hellos(() => false, r.ms);
        worstReload.push(Math.max(r.worst, r.loopMax));
        worstIdle.push(Math.max(idle.worst, idle.loopMax));
        busy.push(r.busy - idle.busy);
        rounds.push(`${r.ms.toFixed(0)}/${r.answered}/${r.worst.toFixed(1)} (idle ${idle.worst.toFixed(1)})`);
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
      log(`authorized_keys 100,000-key reload (${way}), 8 rounds: reload ms/HELLOs answered meanwhile/longest HELLO wait ms (idle loop for as long): ${rounds.join('; ')}`);
      log(`authorized_keys 100,000-key reload (${way}): longest HELLO wait or event-loop delay per round, median ${ms(median(worstReload))}, max ${ms(Math.max(...worstReload))} (target ≤ 10 ms); idle loop: median ${ms(median(worstIdle))}, max ${ms(Math.max(...worstIdle))} (this machine's floor); main thread busy for the reload (beyond the idle run's HELLOs) median ${ms(median(busy))}`);
    }
    // what the reload itself holds the loop for: the index built in steps, the longest step (wall and CPU)
    const hundredKBytes = hundredK;
    let longestWall = 0;
    let longestCpu = 0;
    for (let round = 0; round < 3; round++) {
      const b = new KeyIndexBuilder(hundredKBytes);
      for (;;) {
        const t = performance.now();
        const c = process.cpuUsage();
        const done = b.step(() => performance.now() > t + 2);
        const cpu = process.cpuUsage(c);
        longestWall = Math.max(longestWall, performance.now() - t);
        longestCpu = Math.max(longestCpu, (cpu.user + cpu.system) / 1000);
        if (done) break;
      }
      b.finish();
    }
    log(`authorized_keys index steps of 2 ms over 100,000 keys (3 builds): longest step ${ms(longestWall)} wall, ${ms(longestCpu)} CPU (process)`);

    // 2. a million lines, loaded in the background
    const big = join(dir, 'authorized_keys');
    writeFileSync(big, keyLines(1_000_000, aliceLine));
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const t0 = performance.now();
    let { keys } = await readAuthorizedKeysFile(big);
    const loadMs = performance.now() - t0;
    h.disable();
    const t1 = performance.now();
    const found = keys.lookup(alice.publicKeyHex)?.name;
    const lookupMs = performance.now() - t1;
    keys = new AuthorizedKeys([]); // let the million go before sshd's turn
    log(`authorized_keys 1,000,000 lines: background load ${ms(loadMs)} (target ≤ 2000 ms), event-loop delay max ${ms(h.max / 1e6)}, p99 ${ms(h.percentile(99) / 1e6)}; lookup ${ms(lookupMs)} (${found})`);
    const sshdMs = await sshdOneLogin(dir, big, alice);
    if (sshdMs !== undefined) log(`authorized_keys 1,000,000 lines: sshd, one key check against the same file: ${ms(sshdMs)} (it reads the file at every login)`);
    else log('authorized_keys 1,000,000 lines: sshd not run (/usr/sbin/sshd missing, or not root)');

    // 3. the point check, once per distinct key
    const pubs = Array.from({ length: 300 }, (_, i) => fromSeed(new Uint8Array(32).fill(i % 256).map((b, j) => (j === 0 ? i >> 8 : b))).publicKey);
    const per = (f: (k: Uint8Array) => unknown) => {
      for (const k of pubs.slice(0, 30)) f(k);
      const t = performance.now();
      for (const k of pubs) f(k);
      return ((performance.now() - t) * 1000) / pubs.length;
    };
    log(`point check per key: this library (BigInt, one addition chain) ${per((k) => publicKeyProblem(k)).toFixed(0)} µs`);
    log(`point check per key: @noble/ed25519 Point.fromHex + isSmallOrder ${per((k) => Point.fromHex(Buffer.from(k).toString('hex')).isSmallOrder()).toFixed(0)} µs`);
    let sodium: { crypto_core_ed25519_is_valid_point(p: Uint8Array): boolean } | undefined;
    try {
      sodium = createRequire(import.meta.url)('sodium-native');
    } catch {
      sodium = undefined;
    }
    if (sodium) {
      const s = sodium;
      log(`point check per key: sodium-native crypto_core_ed25519_is_valid_point ${per((k) => s.crypto_core_ed25519_is_valid_point(k)).toFixed(0)} µs (also demands the prime-order subgroup: stricter than libsodium's verify)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One key check by a private sshd against `file` (the test harness's sshd), in ms; undefined when sshd cannot run here. */
async function sshdOneLogin(dir: string, file: string, key: { publicKey: Uint8Array }): Promise<number | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  let helpers: typeof import('../test/helpers/sshd.js');
  try {
    helpers = await import('../test/helpers/sshd.js');
  } catch {
    return undefined;
  }
  const { existsSync, readFileSync } = await import('node:fs');
  if (!existsSync(helpers.SSHD)) return undefined;
  const own = mkdtempSync(join(dir, 'sshd-'));
  const sshd = await helpers.startSshd(own);
  try {
    sshd.setAuthorizedKeys(readFileSync(file));
    const k = helpers.loginKey(own, 'alice', new Uint8Array(32).fill(7));
    void key;
    const t = performance.now();
    const r = await sshd.decide([k], '127.0.0.1');
    if (!r.get(k.fingerprint)) throw new Error(`sshd did not accept the key of the last line: ${sshd.log().slice(-600)}`);
    return performance.now() - t;
  } finally {
    await sshd.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await benchAuthorizedKeys();

/**
 * npm run soak: the long probes, not part of npm test. Each prints one
 * "PASS"/"FAIL" line; the exit status is 1 when any failed.
 *
 *  1. signatures: SOAK_SIGNATURES (default 100000) verified agent signatures,
 *     64 in flight on one connection, sampling heap and open fds: no growth.
 *  2. agent restart: ssh-agent killed (SIGKILL) and started again on the same
 *     socket under load, three times: requests meanwhile fail with coded
 *     errors, and signing recovers by itself.
 *  3. hostile agent: SOAK_HOSTILE (default 3000) scripted agents answering
 *     with random bytes, short frames, silence or hang-ups: every request
 *     ends, only with the library's coded errors, and nothing leaks.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentClient } from '../lib/agent/client.js';
import { CryptosignKeysError } from '../lib/errors.js';
import { openAgentKey } from '../lib/keys/agent-key.js';
import { ed25519Blob } from '../lib/ssh/public-key.js';
import { frame, startFakeAgent } from '../test/helpers/fake-agent.js';

const results: [string, boolean, string][] = [];
const record = (name: string, ok: boolean, detail: string) => {
  results.push([name, ok, detail]);
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
};
const fds = () => readdirSync('/proc/self/fd').length;
const heapMb = () => process.memoryUsage().heapUsed / 2 ** 20;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

const dir = mkdtempSync(join(tmpdir(), 'cryptosign-keys-soak-'));
const socketPath = join(dir, 'agent.sock');
const keyPath = join(dir, 'id_ed25519');
spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'soak', '-f', keyPath], { stdio: 'ignore' });

/** ssh-agent on the fixed socket path, holding the soak key */
async function startAgent(): Promise<ChildProcess> {
  rmSync(socketPath, { force: true });
  const agent = spawn('ssh-agent', ['-D', '-a', socketPath], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve) => agent.stdout!.on('data', (d: Buffer) => /Agent pid/.test(String(d)) && resolve()));
  spawnSync('ssh-add', [keyPath], { env: { ...process.env, SSH_AUTH_SOCK: socketPath }, stdio: 'ignore' });
  return agent;
}

let agent = await startAgent();
try {
  // 1. many signatures, sampling memory and fds
  {
    const total = Number(process.env.SOAK_SIGNATURES ?? 100_000);
    const key = await openAgentKey('soak', { socketPath });
    const data = new Uint8Array(32);
    gc();
    const start = { heap: heapMb(), fds: fds() };
    const samples: number[] = [];
    let done = 0;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (done < total) {
        const n = ++done;
        await key.sign(data);
        if (n % 10_000 === 0) {
          gc();
          samples.push(heapMb());
        }
      }
    }));
    gc();
    const end = { heap: heapMb(), fds: fds() };
    await key.close();
    const grew = end.heap - start.heap;
    record('signatures', grew < 20 && end.fds <= start.fds + 1, `${total} verified signatures, heap ${start.heap.toFixed(1)} -> ${end.heap.toFixed(1)} MiB (samples ${samples.map((s) => s.toFixed(1)).join(' ')}), fds ${start.fds} -> ${end.fds}`);
  }

  // 2. the agent killed and restarted under load
  {
    const key = await openAgentKey('soak', { socketPath, timeoutMs: 2000 });
    const codes = new Map<string, number>();
    let ok = 0;
    let other = 0;
    let running = true;
    const load = Promise.all(Array.from({ length: 8 }, async () => {
      while (running) {
        try {
          await key.sign(new Uint8Array(32));
          ok++;
        } catch (e) {
          if (e instanceof CryptosignKeysError) codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
          else other++;
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    }));
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 300));
      agent.kill('SIGKILL');
      await new Promise((r) => agent.once('exit', r));
      await new Promise((r) => setTimeout(r, 200));
      agent = await startAgent();
    }
    const before = ok;
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await load;
    const recovered = ok > before;
    await key.close();
    record('agent restart', recovered && other === 0, `3 kills under load: ${ok} signatures, refusals ${JSON.stringify(Object.fromEntries(codes))}, uncoded errors ${other}, signing after the last restart: ${recovered ? 'yes' : 'NO'}`);
  }

  // 3. hostile agents
  {
    const rounds = Number(process.env.SOAK_HOSTILE ?? 3000);
    const fdStart = fds();
    const blob = ed25519Blob(new Uint8Array(randomBytes(32)));
    let coded = 0;
    let uncoded = 0;
    let resolved = 0;
    for (let i = 0; i < rounds; i++) {
      const kind = i % 4;
      const fake = await startFakeAgent(() => {
        if (kind === 0) return frame(new Uint8Array(randomBytes(1 + (i % 200))));
        if (kind === 1) return new Uint8Array(randomBytes(1 + (i % 7)));
        if (kind === 2) return 'close';
        return i % 8 === 3 ? 'silence' : frame(Uint8Array.of(14, ...randomBytes(i % 90)));
      });
      const client = new AgentClient({ socketPath: fake.socketPath, timeoutMs: 50 });
      try {
        await client.sign(blob, new Uint8Array(32));
        resolved++;
      } catch (e) {
        if (e instanceof CryptosignKeysError) coded++;
        else uncoded++;
      } finally {
        await client.close();
        await fake.stop();
      }
    }
    const fdEnd = fds();
    record('hostile agent', uncoded === 0 && resolved === 0 && fdEnd <= fdStart + 2, `${rounds} scripted agents: ${coded} coded errors, ${uncoded} other errors, ${resolved} accepted, fds ${fdStart} -> ${fdEnd}`);
  }
} finally {
  agent.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
const failed = results.filter(([, ok]) => !ok).length;
console.log(failed === 0 ? 'soak: all probes passed' : `soak: ${failed} probe(s) failed`);
process.exitCode = failed === 0 ? 0 : 1;

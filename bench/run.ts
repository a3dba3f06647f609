/**
 * npm run bench: every figure as a ratio to a named baseline, with its target
 * and met/missed, from this one run (bench/lines.ts; `--json FILE` keeps
 * them for scripts/benchmarks-doc.mjs, which writes docs/benchmarks.md):
 * the seed signer against node:crypto (and tweetnacl, @noble/ed25519); the
 * verified agent signer against a raw-socket client at 1, 8 and 64 in
 * flight; the router's strict verify against node:crypto's; whole logins;
 * encrypted key files against `ssh-keygen -y` (whole processes at 16 and 64
 * rounds, in-process at 16); CLI start-up against bare node and
 * `ssh-add -l`; and bench/authorized-keys.ts's lines when that module is
 * there (the sshd work: a 1M-line file against sshd, event-loop delay).
 * BENCH_ONLY=seed,agent,logins,verify,kdf,cli,krl,authorized-keys runs some.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, randomBytes, sign as cryptoSign } from 'node:crypto';
import * as noble from '@noble/ed25519';
import nacl from 'tweetnacl';
import { AgentClient } from '../lib/agent/client.js';
import { setVerifyBackend, verifyBackend } from '../lib/crypto/ed25519.js';
import { openAgentKey } from '../lib/keys/agent-key.js';
import { signChallenge } from '../lib/wamp/challenge.js';
import { fromSeed } from '../lib/keys/seed-key.js';
import { ed25519Blob } from '../lib/ssh/public-key.js';
import { startThrowawayAgent } from '../lib/agent/throwaway.js';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { RawAgentBaseline } from './raw-agent-baseline.js';
import { benchLogins } from './login.js';
import { benchVerify } from './verify.js';
import { benchKdf, pairedOf } from './kdf.js';
import { benchCliStart } from './cli-start.js';
import { benchKrl } from './krl.js';
import { collected, line, textLine } from './lines.js';

const ONLY = process.env.BENCH_ONLY?.split(',');
const runs = (section: string) => !ONLY || ONLY.includes(section);
const jsonAt = process.argv.indexOf('--json');
const JSON_FILE = jsonAt > 0 ? process.argv[jsonAt + 1] : undefined;
const started = new Date().toISOString();
const loadBefore = loadavg()[0] as number;

/** user+system CPU seconds of a process, from /proc (Linux); undefined elsewhere */
function agentCpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);

/** Runs `batch` (which does `n` operations) until SECONDS pass; returns operations per second. */
async function rate(batch: () => Promise<number> | number): Promise<number> {
  for (let i = 0; i < 3; i++) await batch(); // warm up
  let ops = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < SECONDS) {
    ops += await batch();
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  return ops / elapsed;
}

/** Calls each contender in turn, `calls` times; returns operations per second of each. */
async function interleaved(entries: [string, () => Promise<unknown>][], calls: number): Promise<Map<string, number>> {
  const total = new Map<string, bigint>(entries.map(([name]) => [name, 0n]));
  for (let i = 0; i < calls + 50; i++) {
    for (const [name, call] of entries) {
      const t0 = process.hrtime.bigint();
      await call();
      if (i >= 50) total.set(name, (total.get(name) as bigint) + process.hrtime.bigint() - t0); // first 50: warm-up
    }
  }
  return new Map([...total].map(([name, ns]) => [name, calls / (Number(ns) / 1e9)]));
}

/** ops/s of `batch` over `seconds` */
async function rateFor(batch: () => Promise<number> | number, seconds: number): Promise<number> {
  let ops = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    ops += await batch();
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  return ops / elapsed;
}

/**
 * Baseline and contender measured back to back in short slices, `pairs`
 * times (order alternating), each pair giving one ratio: the median ratio,
 * and the median ops/s of each. Adjacent slices see the same machine, so
 * load that comes and goes cancels out of the ratio (best-of-n does not).
 */
async function pairedRatio(base: () => Promise<number>, ours: () => Promise<number>, pairs: number, slice: number) {
  for (let i = 0; i < 2; i++) {
    await base();
    await ours();
  }
  const b: number[] = [], o: number[] = [], r: number[] = [];
  for (let i = 0; i < pairs; i++) {
    let rb: number, ro: number;
    if (i % 2) {
      ro = await rateFor(ours, slice);
      rb = await rateFor(base, slice);
    } else {
      rb = await rateFor(base, slice);
      ro = await rateFor(ours, slice);
    }
    b.push(rb);
    o.push(ro);
    r.push(ro / rb);
  }
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1] as number;
  const sorted = [...r].sort((x, y) => x - y);
  return { base: med(b), ours: med(o), ratio: med(r), low: sorted[Math.floor(pairs / 4)] as number, high: sorted[Math.floor((3 * pairs) / 4)] as number };
}

/** Alternates the contenders in rounds so drift on the machine hits all of them alike. */
async function compare(entries: [string, () => Promise<number> | number][], rounds = 3): Promise<Map<string, number>> {
  const best = new Map<string, number>();
  for (let r = 0; r < rounds; r++) {
    for (const [name, batch] of entries) best.set(name, Math.max(best.get(name) ?? 0, await rate(batch)));
  }
  return best;
}

function report(title: string, results: Map<string, number>, baseline: string, target?: number): boolean {
  const base = results.get(baseline) as number;
  console.log(`\n${title}`);
  for (const [name, ops] of results) {
    const ratio = ops / base;
    console.log(`  ${name.padEnd(44)} ${ops.toFixed(0).padStart(9)} ops/s   ${ratio.toFixed(3)} x ${baseline}`);
  }
  return target === undefined ? true : [...results.values()].every((ops) => ops / base >= 1 - target - 1e-9);
}

const seed = new Uint8Array(randomBytes(32));
const message = new Uint8Array(randomBytes(32));
const challenge = Buffer.from(message).toString('hex');
const key = fromSeed(seed);
const keyObject = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
const naclSecret = nacl.sign.keyPair.fromSeed(seed).secretKey;
const N = 200;

console.log(
  `cryptosign-keys bench (node ${process.version}, ${availableParallelism()} cores: ${cpus()[0]?.model ?? '?'}; load average ${loadBefore.toFixed(2)} at the start; ` +
    `${SECONDS}s per measurement; Ed25519 verify equation: ${verifyBackend()})`,
);

if (runs('seed')) {
  const local = await compare([
    ['node:crypto sign (native baseline)', () => { for (let i = 0; i < N; i++) cryptoSign(null, message, keyObject); return N; }],
    ['cryptosign-keys seed key.sign()', async () => { for (let i = 0; i < N; i++) await key.sign(message); return N; }],
    ['cryptosign-keys signChallenge(seed key)', async () => { for (let i = 0; i < N; i++) await signChallenge(key, challenge); return N; }],
    ['tweetnacl sign.detached', () => { for (let i = 0; i < 20; i++) nacl.sign.detached(message, naclSecret); return 20; }],
    ['@noble/ed25519 signAsync', async () => { for (let i = 0; i < 50; i++) await noble.signAsync(message, seed); return 50; }],
  ]);
  report('Ed25519 signing with a seed key (sequential)', local, 'node:crypto sign (native baseline)');
  const g = 'Seed-key signing (ops/s, best of 3 alternating rounds)';
  const base = local.get('node:crypto sign (native baseline)') as number;
  line({ group: g, name: 'seed key.sign()', value: local.get('cryptosign-keys seed key.sign()') as number, unit: 'ops/s', baseline: 'node:crypto sign', baselineValue: base, target: { kind: 'min-ratio', value: 0.9 } });
  line({ group: g, name: 'tweetnacl sign.detached', value: local.get('tweetnacl sign.detached') as number, unit: 'ops/s', baseline: 'node:crypto sign', baselineValue: base });
}

const needAgent = runs('agent') || runs('logins') || runs('cli');
const agent = needAgent ? await startThrowawayAgent() : undefined;
try {
  if (agent) await agent.makeKey('bench', { comment: 'bench' });
  if (agent && runs('agent')) {
    const agentKey = await openAgentKey('bench', { socketPath: agent.socketPath });
    const raw = await RawAgentBaseline.open(agent.socketPath);
    const blob = ed25519Blob(agentKey.publicKey);
    // sequential: the contenders take turns call by call, so that the agent's and the
    // machine's ups and downs fall on all of them alike; throughput = calls / summed latency
    const client = new AgentClient({ socketPath: agent.socketPath });
    const seq = await interleaved(
      [
        ['raw socket baseline (no checks)', () => raw.sign(blob, message)],
        ['cryptosign-keys AgentClient.sign (verified)', () => client.sign(blob, message)],
        ['cryptosign-keys agent key.sign() (verified)', () => agentKey.sign(message)],
        ['  the same, verifying with OpenSSL', async () => {
          setVerifyBackend('openssl');
          try {
            return await agentKey.sign(message);
          } finally {
            setVerifyBackend('auto');
          }
        }],
      ],
      Math.round(1500 * SECONDS),
    );
    await client.close();
    report('ssh-agent signing, 1 in flight (calls interleaved)', seq, 'raw socket baseline (no checks)');
    // N workers, each signing in a row: N requests stay in flight all along
    const inFlight = (n: number, sign: () => Promise<unknown>) => async () => {
      await Promise.all(Array.from({ length: n }, async () => { for (let i = 0; i < 8; i++) await sign(); }));
      return n * 8;
    };
    const g = 'ssh-agent signing, verified, vs a raw socket client (ops/s)';
    const lines: [number, number, number, string][] = [[1, seq.get('cryptosign-keys agent key.sign() (verified)') as number, seq.get('raw socket baseline (no checks)') as number, `calls interleaved, ${Math.round(1500 * SECONDS)} each`]];
    const pairs = Math.max(8, Math.round(10 * SECONDS));
    const slice = 0.4;
    for (const n of [8, 64]) {
      const p = await pairedRatio(inFlight(n, () => raw.sign(blob, message)), inFlight(n, () => agentKey.sign(message)), pairs, slice);
      console.log(`\nssh-agent signing, ${n} requests in flight on one connection: raw ${p.base.toFixed(0)} ops/s, verified ${p.ours.toFixed(0)} ops/s; median of ${pairs} paired ratios ${p.ratio.toFixed(3)} (quartiles ${p.low.toFixed(3)}-${p.high.toFixed(3)})`);
      // the line's ratio is the median of the paired ratios: its figures are scaled so that ours / base = that ratio
      lines.push([n, p.base * p.ratio, p.base, `median of ${pairs} paired ${slice} s slices; quartiles ${p.low.toFixed(2)}-${p.high.toFixed(2)}`]);
    }
    console.log();
    for (const [n, ours, base, note] of lines) {
      line({ group: g, name: `agent key.sign(), ${n} in flight`, value: ours, unit: 'ops/s', baseline: `raw socket, ${n} in flight`, baselineValue: base, target: { kind: 'min-ratio', value: n === 1 ? 0.9 : 0.97 }, note });
    }
    // the limit: ssh-agent's own CPU time per signature, from /proc while the raw client keeps it busy
    const cpu = agentCpuSeconds(agent.pid);
    if (cpu !== undefined) {
      const count = 2000;
      await Promise.all(Array.from({ length: 8 }, async () => { for (let i = 0; i < count / 8; i++) await raw.sign(blob, message); }));
      const used = (agentCpuSeconds(agent.pid) as number) - cpu;
      line({ group: g, name: "ssh-agent's own CPU per signature (the limit)", value: (used / count) * 1e6, unit: 'µs', note: `at most ${(count / used).toFixed(0)} signatures/s from this agent` });
    }
    raw.close();
    await agentKey.close();
  }

  if (agent && runs('logins')) {
    const agentKey = await openAgentKey('bench', { socketPath: agent.socketPath });
    const logins = await benchLogins(agentKey, Math.round(100 * SECONDS));
    const base = logins.get('plain ws, seed key (baseline)') as number;
    console.log('\nWhole logins with wampy (new connection each; HELLO to WELCOME and GOODBYE), ms per login, taking turns');
    const g = 'Whole logins with wampy (ms per login, taking turns)';
    for (const [name, ms] of logins) {
      if (name !== 'plain ws, seed key (baseline)') line({ group: g, name, value: ms, unit: 'ms', baseline: 'plain ws, seed key', baselineValue: base });
    }
    // the transcript work's line (bench/login.ts on that branch): transcript mode vs XOR mode, same setup
    const xorMs = logins.get('XOR: wss + tls-exporter + router auth, seed');
    const txMs = logins.get('transcript: same, seed key');
    if (xorMs !== undefined && txMs !== undefined) line({ group: g, name: 'transcript login (seed, tls-exporter, router auth)', value: txMs, unit: 'ms', baseline: 'XOR login, same setup', baselineValue: xorMs });
    await agentKey.close();
  }

  if (agent && runs('cli')) {
    console.log('\nCLI start-up, whole processes in turns, median ms');
    const cli = await benchCliStart(agent.socketPath, Math.max(9, Math.round(16 * SECONDS)));
    const g = 'CLI start-up (whole processes in turns: median ms; difference: median of per-turn differences)';
    const node = cli.median.get('node -e 0') as number;
    for (const name of ['cryptosign-keys --help', 'cryptosign-keys list', 'cryptosign-keys sign --agent']) {
      line({ group: g, name, value: cli.median.get(name) as number, unit: 'ms', baseline: 'node -e 0', baselineValue: node, paired: pairedOf(cli, name), target: { kind: 'max-delta-ms', value: 15 } });
    }
    line({ group: g, name: 'ssh-add -l (for scale)', value: cli.median.get('ssh-add -l') as number, unit: 'ms', baseline: 'node -e 0', baselineValue: node });
  }
} finally {
  await agent?.stop();
}

if (runs('verify')) {
  const verifyResults = await benchVerify(interleaved, Math.round(10000 * SECONDS));
  report("Router-side verify (strict, libsodium's rules) vs a bare node:crypto verify", verifyResults, 'node:crypto verify, cached KeyObject (floor)');
  console.log();
  line({
    group: 'Router-side verify (ops/s, calls interleaved)',
    name: 'strict AuthorizedKeys.check (1000 keys)',
    value: verifyResults.get('strict: AuthorizedKeys.check (1000 keys)') as number,
    unit: 'ops/s',
    baseline: 'node:crypto verify, cached KeyObject',
    baselineValue: verifyResults.get('node:crypto verify, cached KeyObject (floor)') as number,
    target: { kind: 'min-ratio', value: 1 / 1.1 },
  });
}

if (runs('kdf')) {
  const n = Math.max(7, Math.round(12 * SECONDS));
  console.log(`\nEncrypted OpenSSH key files vs ssh-keygen -y on the same file (in turns, medians of ${n}; -a 64: of ${Math.max(3, n >> 1)})`);
  const kdf = await benchKdf(n);
  const g = 'Encrypted key files (in turns with ssh-keygen -y: median ms; ratio: median of per-turn ratios)';
  for (const [rounds, m] of kdf.whole) {
    line({ group: g, name: `cryptosign-keys pubkey --key, ${rounds} rounds (process)`, value: m.median.get('cryptosign-keys pubkey') as number, unit: 'ms', baseline: `ssh-keygen -y, ${rounds} rounds`, baselineValue: m.median.get('ssh-keygen -y') as number, paired: pairedOf(m, 'cryptosign-keys pubkey'), target: { kind: 'max-ratio', value: rounds === 64 ? 1.0 : 1.5 } });
  }
  if (kdf.oneCore) {
    line({ group: g, name: 'cryptosign-keys pubkey --key, 16 rounds, one core (process)', value: kdf.oneCore.median.get('cryptosign-keys pubkey') as number, unit: 'ms', baseline: 'ssh-keygen -y, 16 rounds, one core', baselineValue: kdf.oneCore.median.get('ssh-keygen -y') as number, paired: pairedOf(kdf.oneCore, 'cryptosign-keys pubkey'), note: 'taskset -c 0' });
  }
  const sk = kdf.inProcess.median.get('ssh-keygen -y') as number;
  line({ group: g, name: 'openKeyFile, 16 rounds (in-process, pool warm: a worker per core, one chain each)', value: kdf.inProcess.median.get('openKeyFile') as number, unit: 'ms', baseline: 'ssh-keygen -y, 16 rounds', baselineValue: sk, paired: pairedOf(kdf.inProcess, 'openKeyFile'), target: { kind: 'max-ratio', value: 0.6 } });
  line({ group: g, name: 'openKeyFile, 16 rounds, first call in a process (its workers starting)', value: kdf.firstOpenMs, unit: 'ms', baseline: 'ssh-keygen -y, 16 rounds (whole process)', baselineValue: sk, note: `median of ${kdf.firstOpenRuns} fresh processes, timed inside`, summary: true });
  line({ group: g, name: 'loadKeyFile, 16 rounds (in-process, synchronous)', value: kdf.inProcess.median.get('loadKeyFile') as number, unit: 'ms', baseline: 'ssh-keygen -y, 16 rounds', baselineValue: sk, paired: pairedOf(kdf.inProcess, 'loadKeyFile') });
  line({ group: g, name: 'a worker thread, start to first message', value: kdf.workerStartMs, unit: 'ms', note: 'median of 10' });
  line({ group: g, name: 'one 16-round chain, JavaScript core (CPU)', value: kdf.chainCpuMs.get('js') as number, unit: 'ms', baseline: 'one chain, WebAssembly core', baselineValue: kdf.chainCpuMs.get('wasm') as number, note: 'best of 3, CPU time' });
  line({ group: g, name: 'both 16-round chains, WebAssembly two lanes (CPU)', value: kdf.chainCpuMs.get('wasm2') as number, unit: 'ms', baseline: 'one chain, WebAssembly core', baselineValue: kdf.chainCpuMs.get('wasm') as number, note: 'best of 3, CPU time: a key file\'s whole KDF in one thread' });
}

if (runs('krl')) {
  console.log('\nRevoked certificates: a KRL of 100,000 scattered serials from ssh-keygen -k (medians of 9)');
  const k = benchKrl();
  const g = 'Revoked certificates (a KRL from ssh-keygen -k)';
  line({ group: g, name: `RevokedKeys.parse, ${k.serials} serials (in process)`, value: k.parseMs, unit: 'ms', baseline: 'ssh-keygen -Q, the same KRL and one certificate (whole process)', baselineValue: k.keygenQueryMs, summary: true });
  line({ group: g, name: `a login's revocation check, ${k.serials} serials`, value: k.checkUs, unit: 'µs', baseline: 'one Ed25519 verify (node:crypto, cached key)', baselineValue: k.verifyUs, note: 'binary search over the merged ranges', summary: true });
}

if (runs('authorized-keys')) {
  // the sshd work's bench (a 1M-line authorized_keys against sshd, event-loop delay), when it is there:
  // benchAuthorizedKeys(log) prints its figures (targets in the text) through `log`; each goes in as a text line
  type AkBench = { benchAuthorizedKeys(log: (text: string) => void): Promise<unknown> };
  const mod = await import('./authorized-keys.js' as string).then((m: AkBench) => m, () => undefined);
  const g = 'authorized_keys on the router side (bench/authorized-keys.ts)';
  if (mod) {
    console.log(`\n${g}`);
    await mod.benchAuthorizedKeys((text) => textLine(g, text));
  } else console.log('\n(bench/authorized-keys.ts is not here yet: no authorized_keys lines)');
}

const targeted = collected.filter((l) => l.target);
const missed = targeted.filter((l) => !l.met);
console.log(`\n${targeted.length - missed.length} of ${targeted.length} targets met${missed.length ? `; missed: ${missed.map((l) => l.name).join('; ')}` : ''} (load average ${loadavg()[0]?.toFixed(2)} at the end)`);
if (JSON_FILE) {
  writeFileSync(JSON_FILE, JSON.stringify({ started, node: process.version, cores: availableParallelism(), cpu: cpus()[0]?.model, loadBefore, loadAfter: loadavg()[0], verifyBackend: verifyBackend(), seconds: SECONDS, lines: collected }, null, 2) + '\n');
  console.log(`results: ${JSON_FILE}`);
}

/**
 * npm run bench: throughput of the seed signer against node:crypto native,
 * tweetnacl (what autobahn-js and wampy use) and @noble/ed25519; and of
 * the agent signer against a raw-socket client, sequentially and with 64
 * requests in flight; the router's strict verify against node:crypto's; and
 * whole logins (plain ws vs wss with channel binding and router
 * authentication, seed and agent keys). Every ratio comes from this one run.
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
import { RawAgentBaseline } from './raw-agent-baseline.js';
import { benchLogins } from './login.js';
import { benchVerify } from './verify.js';
import { benchKdf } from './kdf.js';

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

console.log(`cryptosign-keys bench (node ${process.version}, ${SECONDS}s per measurement, best of 3 alternating rounds; Ed25519 verify equation: ${verifyBackend()})`);

const local = await compare([
  ['node:crypto sign (native baseline)', () => { for (let i = 0; i < N; i++) cryptoSign(null, message, keyObject); return N; }],
  ['cryptosign-keys seed key.sign()', async () => { for (let i = 0; i < N; i++) await key.sign(message); return N; }],
  ['cryptosign-keys signChallenge(seed key)', async () => { for (let i = 0; i < N; i++) await signChallenge(key, challenge); return N; }],
  ['tweetnacl sign.detached', () => { for (let i = 0; i < 20; i++) nacl.sign.detached(message, naclSecret); return 20; }],
  ['@noble/ed25519 signAsync', async () => { for (let i = 0; i < 50; i++) await noble.signAsync(message, seed); return 50; }],
]);
const localOk = report('Ed25519 signing with a seed key (sequential)', local, 'node:crypto sign (native baseline)');
const ours = (local.get('cryptosign-keys seed key.sign()') as number) / (local.get('node:crypto sign (native baseline)') as number);
console.log(`  target: seed key.sign() within 10% of node:crypto -> ${ours >= 0.9 ? 'met' : 'MISSED'} (${ours.toFixed(3)})`);
console.log(`  seed key.sign() is ${(ours * (local.get('node:crypto sign (native baseline)') as number) / (local.get('tweetnacl sign.detached') as number)).toFixed(1)}x tweetnacl`);

const agent = await startThrowawayAgent();
let agentOk = true;
try {
  await agent.makeKey('bench', { comment: 'bench' });
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
  const ratios: [string, number][] = [['1', (seq.get('cryptosign-keys agent key.sign() (verified)') as number) / (seq.get('raw socket baseline (no checks)') as number)]];
  for (const n of [8, 64]) {
    const conc = await compare([
      ['raw socket baseline (no checks)', inFlight(n, () => raw.sign(blob, message))],
      ['cryptosign-keys agent key.sign() (verified)', inFlight(n, () => agentKey.sign(message))],
    ]);
    report(`ssh-agent signing, ${n} requests in flight on one connection`, conc, 'raw socket baseline (no checks)');
    ratios.push([String(n), (conc.get('cryptosign-keys agent key.sign() (verified)') as number) / (conc.get('raw socket baseline (no checks)') as number)]);
  }
  // the limit: ssh-agent's own CPU time per signature, from /proc while the raw client keeps it busy
  const cpu = agentCpuSeconds(agent.pid);
  if (cpu !== undefined) {
    const count = 2000;
    await Promise.all(Array.from({ length: 8 }, async () => { for (let i = 0; i < count / 8; i++) await raw.sign(blob, message); }));
    const used = (agentCpuSeconds(agent.pid) as number) - cpu;
    console.log(`\n  the limit: ssh-agent's own CPU per signature ${((used / count) * 1e6).toFixed(0)} µs (at most ${(count / used).toFixed(0)} signatures/s from this agent)`);
  }
  for (const [n, r] of ratios) {
    const want = n === '1' ? 0.85 : 0.95;
    const met = r >= want;
    agentOk &&= met;
    console.log(`  target: verified agent signer, ${n} in flight, >= ${want} x the raw socket -> ${met ? 'met' : 'MISSED'} (${r.toFixed(3)})`);
  }
  raw.close();

  const logins = await benchLogins(agentKey, Math.round(100 * SECONDS));
  const base = logins.get('plain ws, seed key (baseline)') as number;
  console.log('\nWhole logins with wampy (new connection each; HELLO to WELCOME and GOODBYE), ms per login, taking turns');
  for (const [name, ms] of logins) console.log(`  ${name.padEnd(44)} ${ms.toFixed(2).padStart(7)} ms   ${(ms / base).toFixed(2)} x plain ws`);
  const xorMs = logins.get('XOR: wss + tls-exporter + router auth, seed') as number;
  const txMs = logins.get('transcript: same, seed key') as number;
  console.log(`  transcript vs XOR login (seed key, tls-exporter, router auth): ${(txMs / xorMs).toFixed(2)} x`);
  await agentKey.close();
} finally {
  await agent.stop();
}
const verifyResults = await benchVerify(interleaved, Math.round(10000 * SECONDS));
report("Router-side verify (strict, libsodium's rules) vs a bare node:crypto verify", verifyResults, 'node:crypto verify, cached KeyObject (floor)');
const strict = (verifyResults.get('strict: AuthorizedKeys.check (1000 keys)') as number) / (verifyResults.get('node:crypto verify, cached KeyObject (floor)') as number);
console.log(`  strict AuthorizedKeys.check costs ${((1 / strict - 1) * 100).toFixed(1)} % over the floor (target <= 10 %: ${strict >= 1 / 1.1 ? 'met' : 'MISSED'})`);
const kdf = benchKdf(16, Math.max(3, Math.round(6 * SECONDS)));
console.log("\nOpening a key file encrypted at ssh-keygen's default 16 bcrypt rounds, ms per open, taking turns");
for (const [name, ms] of kdf) console.log(`  ${name.padEnd(52)} ${ms.toFixed(1).padStart(8)} ms`);
const kdfRatio = (kdf.get('cryptosign-keys loadKeyFile (own bcrypt_pbkdf, JS)') as number) / (kdf.get('ssh-keygen -y (OpenSSH, C)') as number);
console.log(`  loadKeyFile is ${kdfRatio.toFixed(2)} x ssh-keygen -y (target <= 1.5: ${kdfRatio <= 1.5 ? 'met' : 'MISSED'}); openKeyFile runs the same work in a worker thread`);
void localOk;
console.log(`\nall targets ${ours >= 0.9 && agentOk ? 'met' : 'NOT all met'}`);

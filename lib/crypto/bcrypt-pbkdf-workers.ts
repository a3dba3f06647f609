/**
 * bcrypt_pbkdf in worker threads, its independent chains side by side: a key
 * of n 32-byte blocks (aes256-ctr's 48 bytes of key and IV: 2; chacha20-
 * poly1305's 64: 2) is n chains that need nothing from each other. The
 * WebAssembly core computes two chains at once in one thread, in about the
 * time of one (its two interleaved lanes, scripts/blowfish-wasm.mjs: 1.05x),
 * so one worker can take a whole OpenSSH key file (two chains): what the CLI
 * starts ahead (prestartBcryptWorkers), saving a second worker's start and
 * CPU. Otherwise the chains are shared by the workers that are running, or,
 * with none, by one new worker per core (one chain each: ~5 % faster than
 * two lanes in one). Never on the calling thread: the KDF takes hundreds of
 * milliseconds and the event loop goes on meanwhile.
 *
 * Worker start-up (~30 ms of CPU on Node 20) is as long as half a chain, so
 * the workers are a pool kept between calls: a second key file (a server opening
 * several, a test, a bench) finds them running. An idle worker holds nothing
 * secret (each job wipes its Blowfish state and passphrase copy), does not
 * keep the process alive (unref), and is stopped after 5 s without work.
 * `prestartBcryptWorkers` starts them ahead, for a caller that knows a key
 * file is coming (the CLI, while it reads its files and passphrase).
 *
 * Workers are not ES modules: each runs a short CommonJS script made from the
 * self-contained bcryptChains and wasmHasherOf (bcrypt-pbkdf.ts; built-in
 * modules through process.getBuiltinModule, so that the script runs as a
 * script or as a module, whatever --input-type the worker inherits), with the
 * WebAssembly module compiled once here and cloned into each worker. That
 * skips the ESM loader in every worker (measured: ~30 % of a worker's start).
 * With one core (os.availableParallelism() === 1) one worker computes every
 * chain.
 */
import { availableParallelism } from 'node:os';
import type { Worker as WorkerType } from 'node:worker_threads';
import { BLOWFISH_WASM_LAYOUT } from './blowfish-wasm-bytes.js';
import {
  bcryptChains,
  bcryptPbkdfBlockCount,
  bcryptPbkdfInterleave,
  blowfishWasmModule,
  checkBcryptParameters,
  piWords,
  wasmHasherOf,
} from './bcrypt-pbkdf.js';

/** how long an idle worker is kept for the next key file */
let idleMs = 5000;

/** Sets how long idle workers are kept (a test sets an hour, to see that they never hold the process). */
export function setBcryptWorkerIdleMs(ms: number): void {
  idleMs = ms;
}

// __name: what a bundler keeping function names (esbuild's keepNames, the CLI bundle) wraps functions in
const WORKER_SOURCE = `'use strict';
const __name = (f) => f;
const { parentPort, workerData: d } = process.getBuiltinModule('node:worker_threads');
const { createHash } = process.getBuiltinModule('node:crypto');
const wasmHasherOf = ${wasmHasherOf.toString()};
const bcryptChains = ${bcryptChains.toString()};
// the digest itself (a Buffer), not a copy: bcryptChains wipes what it is handed
const sha512 = (data) => createHash('sha512').update(data).digest();
parentPort.on('message', (job) => {
  try {
    // a fresh instance per job (its wipe() clears the whole memory, pi's digits too)
    const blocks = bcryptChains(sha512, wasmHasherOf(d.module, d.pi, d.layout), job.pass, job.salt, job.rounds, job.counts);
    parentPort.postMessage({ blocks }, [blocks.buffer]);
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message) });
  } finally {
    job.pass.fill(0);
  }
});
`;

export interface BcryptWorkersOptions {
  /** how many workers share the chains at most (default: os.availableParallelism()) */
  parallelism?: number;
}

interface Job {
  pass: Uint8Array;
  salt: Uint8Array;
  rounds: number;
  counts: number[];
  resolve(blocks: Uint8Array): void;
  reject(e: unknown): void;
}

interface PooledWorker {
  worker: WorkerType;
  job?: Job;
  idle?: NodeJS.Timeout;
}

type WorkerThreads = typeof import('node:worker_threads');

const pool: PooledWorker[] = [];
const queue: Job[] = [];

/** node:worker_threads, loaded when first needed (a CLI run that opens no encrypted key never loads it), synchronously (prestart starts workers at once) */
const threads = (): WorkerThreads => process.getBuiltinModule('node:worker_threads') as WorkerThreads;

/** The pool's size: one worker per core (not counting the calling thread's). */
const poolSize = (): number => Math.max(1, availableParallelism());

/** Takes a worker out of the pool (it is going: exited, or being stopped), so that no job is handed to it. */
function leavePool(pw: PooledWorker): void {
  const at = pool.indexOf(pw);
  if (at >= 0) pool.splice(at, 1);
}

function startWorker(t: WorkerThreads, module: WebAssembly.Module): PooledWorker {
  const worker = new t.Worker(WORKER_SOURCE, { eval: true, workerData: { module, pi: piWords(), layout: BLOWFISH_WASM_LAYOUT }, env: t.SHARE_ENV, stdout: false, stderr: false });
  const pw: PooledWorker = { worker };
  const settle = (m: { blocks?: Uint8Array; error?: string } | Error) => {
    const job = pw.job;
    pw.job = undefined;
    if (!job) return;
    if (m instanceof Error) job.reject(m);
    else if (m.blocks) job.resolve(m.blocks);
    else job.reject(new RangeError(`bcrypt_pbkdf: ${m.error}`));
  };
  const gone = (e: Error) => {
    leavePool(pw);
    clearTimeout(pw.idle);
    settle(e);
    dispatch();
  };
  worker.on('message', (m: { blocks?: Uint8Array; error?: string }) => {
    settle(m);
    dispatch();
  });
  worker.once('error', gone);
  worker.once('exit', (code) => gone(new Error(`bcrypt_pbkdf: the worker exited (${code})`)));
  pool.push(pw);
  return pw;
}

/** Gives queued jobs to idle workers (starting workers up to the pool's size), and lets idle ones go. */
function dispatch(): void {
  const module = blowfishWasmModule();
  for (const pw of pool) {
    if (pw.job) continue;
    const job = queue.shift();
    if (job) run(pw, job);
  }
  while (queue.length > 0 && module && pool.length < poolSize()) run(startWorker(threads(), module), queue.shift() as Job);
  for (const pw of pool) {
    if (pw.job || pw.idle) continue;
    pw.worker.unref();
    pw.idle = setTimeout(() => {
      // out of the pool before it goes: terminate() is not immediate, and dispatch must not hand it a job meanwhile
      leavePool(pw);
      void pw.worker.terminate();
    }, idleMs);
    pw.idle.unref();
  }
}

function run(pw: PooledWorker, job: Job): void {
  clearTimeout(pw.idle);
  pw.idle = undefined;
  pw.job = job;
  pw.worker.ref(); // a job in progress keeps the process alive, as any pending I/O does
  // the passphrase is copied into the worker (which wipes its copy after the job); the caller wipes its own
  pw.worker.postMessage({ pass: job.pass, salt: job.salt, rounds: job.rounds, counts: job.counts });
}

/**
 * Starts the pool's workers now (up to `count`, default 1: what an OpenSSH
 * key file's two chains use), so that a key file opened soon after does not
 * wait for their start-up. Idle, they do not keep the process alive and stop
 * by themselves after a few seconds.
 */
export function prestartBcryptWorkers(count = 1): void {
  const module = blowfishWasmModule();
  if (!module) return;
  while (pool.length < Math.min(count, poolSize())) startWorker(threads(), module);
  dispatch();
}

/**
 * bcrypt_pbkdf(pass, salt, rounds) → keyLength bytes, equal to bcryptPbkdf,
 * computed in worker threads (at most `parallelism` of them; a worker with
 * two chains or more runs them two at a time).
 */
export async function bcryptPbkdfInWorkers(pass: Uint8Array, salt: Uint8Array, rounds: number, keyLength: number, options: BcryptWorkersOptions = {}): Promise<Uint8Array> {
  checkBcryptParameters(pass, salt, rounds, keyLength);
  if (!blowfishWasmModule()) throw new Error('bcrypt_pbkdf: WebAssembly is not available');
  const blockCount = bcryptPbkdfBlockCount(keyLength);
  // how many workers share the chains: as many as are running (a prestarted one takes both chains
  // on its two lanes); with none running, one per core (one chain each: ~5 % faster than two lanes)
  const groupCount = Math.max(1, Math.min(blockCount, options.parallelism ?? (pool.length || poolSize())));
  const groups: number[][] = Array.from({ length: groupCount }, () => []);
  for (let count = 1; count <= blockCount; count++) groups[(count - 1) % groupCount]!.push(count);
  const settled = await Promise.allSettled(
    groups.map(
      (counts) =>
        new Promise<Uint8Array>((resolve, reject) => {
          const job: Job = { pass, salt, rounds, counts, resolve, reject };
          queue.push(job);
          try {
            dispatch();
          } catch (e) {
            // a worker that could not even be made (new Worker threw): this job is not left queued
            const at = queue.indexOf(job);
            if (at >= 0) queue.splice(at, 1);
            reject(e);
          }
        }),
    ),
  );
  const results = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    for (const r of results) r.fill(0);
    throw failed.reason;
  }
  const blocks = new Uint8Array(32 * blockCount);
  try {
    results.forEach((r, w) => (groups[w] as number[]).forEach((count, n) => blocks.set(r.subarray(32 * n, 32 * n + 32), 32 * (count - 1))));
    return bcryptPbkdfInterleave(blocks, keyLength);
  } finally {
    blocks.fill(0);
    for (const r of results) r.fill(0);
  }
}

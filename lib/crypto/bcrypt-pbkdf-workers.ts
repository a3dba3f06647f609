/**
 * bcrypt_pbkdf in worker threads, its independent chains side by side: a key
 * of n 32-byte blocks (aes256-ctr's 48 bytes of key and IV: 2; chacha20-
 * poly1305's 64: 2) is n chains that need nothing from each other, so with
 * n cores it takes the time of one. Never on the calling thread: the KDF
 * takes hundreds of milliseconds and the event loop goes on meanwhile.
 *
 * Worker start-up is on the critical path (a CLI run opens one key), so the
 * workers are not ES modules: each runs a short CommonJS script made from the
 * self-contained bcryptChains and wasmHasherOf (bcrypt-pbkdf.ts; built-in
 * modules through process.getBuiltinModule, so that the script runs as a
 * script or as a module, whatever --input-type the worker inherits), with the
 * WebAssembly module compiled once here and cloned into each worker. That
 * skips the ESM loader in every worker (measured: ~30 % of a worker's start).
 * With one core (os.availableParallelism() === 1) one worker computes every
 * chain in turn: no second worker to start for nothing.
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

// __name: what a bundler keeping function names (esbuild's keepNames, the CLI bundle) wraps functions in
const WORKER_SOURCE = `'use strict';
const __name = (f) => f;
const { parentPort, workerData: d } = process.getBuiltinModule('node:worker_threads');
const { createHash } = process.getBuiltinModule('node:crypto');
const wasmHasherOf = ${wasmHasherOf.toString()};
const bcryptChains = ${bcryptChains.toString()};
const sha512 = (data) => new Uint8Array(createHash('sha512').update(data).digest());
try {
  const blocks = bcryptChains(sha512, wasmHasherOf(d.module, d.pi, d.layout), d.pass, d.salt, d.rounds, d.counts);
  parentPort.postMessage({ blocks }, [blocks.buffer]);
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message) });
} finally {
  d.pass.fill(0);
}
`;

/** Whether bcryptPbkdfInWorkers can run here (it needs WebAssembly: not under node --jitless). */
export function bcryptWorkersAvailable(): boolean {
  return blowfishWasmModule() !== undefined;
}

export interface BcryptWorkersOptions {
  /** how many workers at most (default: os.availableParallelism()) */
  parallelism?: number;
}

type WorkerThreads = typeof import('node:worker_threads');

function runChains(threads: WorkerThreads, data: { module: WebAssembly.Module; pi: Int32Array; layout: typeof BLOWFISH_WASM_LAYOUT; pass: Uint8Array; salt: Uint8Array; rounds: number; counts: number[] }): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const worker: WorkerType = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: data, env: threads.SHARE_ENV });
    worker.once('message', (m: { blocks?: Uint8Array; error?: string }) => {
      void worker.terminate();
      if (m.blocks) resolve(m.blocks);
      else reject(new RangeError(`bcrypt_pbkdf: ${m.error}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`bcrypt_pbkdf: the worker exited (${code})`)));
  });
}

/**
 * bcrypt_pbkdf(pass, salt, rounds) → keyLength bytes, equal to bcryptPbkdf,
 * computed in worker threads (one per chain, at most `parallelism`).
 */
export async function bcryptPbkdfInWorkers(pass: Uint8Array, salt: Uint8Array, rounds: number, keyLength: number, options: BcryptWorkersOptions = {}): Promise<Uint8Array> {
  checkBcryptParameters(pass, salt, rounds, keyLength);
  const module = blowfishWasmModule();
  if (!module) throw new Error('bcrypt_pbkdf: WebAssembly is not available');
  const blockCount = bcryptPbkdfBlockCount(keyLength);
  const workers = Math.max(1, Math.min(blockCount, options.parallelism ?? availableParallelism()));
  const groups: number[][] = Array.from({ length: workers }, () => []);
  for (let count = 1; count <= blockCount; count++) groups[(count - 1) % workers]!.push(count);
  const pi = piWords();
  // loaded here, not at import: a CLI run that opens no encrypted key never loads worker_threads
  const threads = await import('node:worker_threads');
  const settled = await Promise.allSettled(groups.map((counts) => runChains(threads, { module, pi, layout: BLOWFISH_WASM_LAYOUT, pass, salt, rounds, counts })));
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

/**
 * Opening an encrypted OpenSSH key file against OpenSSH's own C
 * (`ssh-keygen -y`, which derives the key the same way and prints the public
 * key), on the same file:
 * - whole processes: `cryptosign-keys pubkey --key K --passphrase-file P`
 *   vs `ssh-keygen -y -P … -f K`, at ssh-keygen's default 16 rounds and at
 *   -a 64, run in turns (A, B, A, B, …), medians;
 * - in-process: openKeyFile (the chains in worker threads) and loadKeyFile
 *   (synchronous, one after the other) vs `ssh-keygen -y`, in turns, medians;
 * - the pieces: a worker thread's start-up (to its first message) and one
 *   chain of 16 rounds on each Blowfish core (CPU time, this thread).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { bcryptPbkdfBlocks } from '../lib/crypto/bcrypt-pbkdf.js';
import { loadKeyFile, openKeyFile } from '../lib/keys/openssh-key-file.js';

/** the CLI as installed (package.json "bin": the bundle npm run build makes), else the plain tsc build's entry */
const BUNDLED = fileURLToPath(new URL('../bin/cryptosign-keys.cjs', import.meta.url));
export const CLI = existsSync(BUNDLED) ? BUNDLED : fileURLToPath(new URL('../bin/cryptosign-keys.js', import.meta.url));
const PASS = 'bench pass';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** ms of a whole process, spawned and waited for */
export function processMs(command: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: exit ${r.status}: ${String(r.stderr).slice(0, 200)}`);
  return ms;
}

/**
 * Medians of contenders run in turns, and each one's median per-turn difference
 * and ratio to the first contender (the baseline): the pairs are taken side by
 * side, so the machine's ups and downs (and a bimodal node start-up, as
 * NODE_EXTRA_CA_CERTS makes here) fall on both of a pair alike.
 */
export interface TurnResults {
  median: Map<string, number>;
  pairedDeltaMs: Map<string, number>;
  pairedRatio: Map<string, number>;
}

/** A contender's paired figures, for a bench line's `paired`. */
export function pairedOf(t: TurnResults, name: string): { ratio: number; deltaMs: number } {
  return { ratio: t.pairedRatio.get(name) as number, deltaMs: t.pairedDeltaMs.get(name) as number };
}

/** Runs the contenders in turns `runs` times (after one warm-up turn), the order reversed every other turn. */
export async function turns(cases: [string, () => number | Promise<number>][], runs: number): Promise<TurnResults> {
  const samples = new Map<string, number[]>(cases.map(([n]) => [n, []]));
  for (let i = 0; i <= runs; i++) {
    for (const [name, run] of i % 2 ? [...cases].reverse() : cases) {
      const ms = await run();
      if (i > 0) samples.get(name)!.push(ms);
    }
  }
  const base = samples.get(cases[0]![0]) as number[];
  const per = (f: (x: number, b: number) => number) => new Map([...samples].map(([n, xs]) => [n, median(xs.map((x, i) => f(x, base[i] as number)))]));
  return { median: new Map([...samples].map(([n, xs]) => [n, median(xs)])), pairedDeltaMs: per((x, b) => x - b), pairedRatio: per((x, b) => x / b) };
}

const timed = async (f: () => unknown): Promise<number> => {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};

export interface KdfResults {
  /** 'ssh-keygen -y' (the baseline) and 'cryptosign-keys pubkey' at 16 and 64 rounds */
  whole: Map<number, TurnResults>;
  /** in-process at 16 rounds, against 'ssh-keygen -y' */
  inProcess: TurnResults;
  /** whole processes at 16 rounds on one core (taskset -c 0), when taskset is there */
  oneCore?: TurnResults;
  workerStartMs: number;
  /** median ms of openKeyFile at 16 rounds as the first call in fresh processes (the pool's worker starting), and how many */
  firstOpenMs: number;
  firstOpenRuns: number;
  /** CPU ms of one 16-round chain on each core */
  chainCpuMs: Map<string, number>;
}

export async function benchKdf(runs: number): Promise<KdfResults> {
  const dir = mkdtempSync(join(tmpdir(), 'cryptosign-keys-kdf-'));
  try {
    const passFile = join(dir, 'pass');
    writeFileSync(passFile, `${PASS}\n`, { mode: 0o600 });
    const keys = new Map<number, string>();
    for (const rounds of [16, 64]) {
      const path = join(dir, `key${rounds}`);
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-a', String(rounds), '-N', PASS, '-f', path]);
      keys.set(rounds, path);
    }
    const whole = new Map<number, TurnResults>();
    for (const [rounds, path] of keys) {
      whole.set(
        rounds,
        await turns(
          [
            ['ssh-keygen -y', () => processMs('ssh-keygen', ['-y', '-P', PASS, '-f', path])],
            ['cryptosign-keys pubkey', () => processMs(process.execPath, [CLI, 'pubkey', '--key', path, '--passphrase-file', passFile])],
          ],
          rounds === 64 ? Math.max(3, runs >> 1) : runs,
        ),
      );
    }
    const k16 = keys.get(16) as string;
    // on one core (taskset, where there is one): the pool's one worker runs both chains on its two lanes
    let oneCore: TurnResults | undefined;
    if (spawnSync('taskset', ['-c', '0', 'true']).status === 0) {
      oneCore = await turns(
        [
          ['ssh-keygen -y', () => processMs('taskset', ['-c', '0', 'ssh-keygen', '-y', '-P', PASS, '-f', k16])],
          ['cryptosign-keys pubkey', () => processMs('taskset', ['-c', '0', process.execPath, CLI, 'pubkey', '--key', k16, '--passphrase-file', passFile])],
        ],
        Math.max(3, runs >> 1),
      );
    }
    const inProcess = await turns(
      [
        ['ssh-keygen -y', () => processMs('ssh-keygen', ['-y', '-P', PASS, '-f', k16])],
        ['openKeyFile', () => timed(() => openKeyFile(k16, { passphrase: PASS }))],
        ['loadKeyFile', () => timed(() => loadKeyFile(k16, { passphrase: PASS }))],
      ],
      runs,
    );
    const starts: number[] = [];
    for (let i = 0; i < 10; i++) {
      starts.push(
        await timed(
          () =>
            new Promise<void>((resolve) => {
              const w = new Worker("process.getBuiltinModule('node:worker_threads').parentPort.postMessage(0)", { eval: true });
              w.once('message', () => void w.terminate().then(() => resolve()));
            }),
        ),
      );
    }
    const chainCpuMs = new Map<string, number>();
    const pass = new TextEncoder().encode(PASS);
    const salt = new Uint8Array(16);
    // one chain on each core, and both chains at once on the WebAssembly core's two lanes
    for (const [name, core, counts] of [['wasm', 'wasm', [1]], ['js', 'js', [1]], ['wasm2', 'wasm', [1, 2]]] as const) {
      for (let i = 0; i < 3; i++) {
        const c0 = process.cpuUsage();
        bcryptPbkdfBlocks(pass, salt, 16, counts, core);
        const c = process.cpuUsage(c0);
        chainCpuMs.set(name, Math.min(chainCpuMs.get(name) ?? Infinity, (c.user + c.system) / 1000));
      }
    }
    // the first openKeyFile in a process: its worker starts then (timed inside the process)
    const firstOpenRuns = 7;
    const script = `const { openKeyFile } = await import(${JSON.stringify(new URL('../lib/index.js', import.meta.url).href)});
const t0 = performance.now(); await openKeyFile(${JSON.stringify(k16)}, { passphrase: ${JSON.stringify(PASS)} }); console.log(performance.now() - t0);`;
    const firsts: number[] = [];
    for (let i = 0; i < firstOpenRuns; i++) firsts.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })));
    return { whole, inProcess, ...(oneCore ? { oneCore } : {}), workerStartMs: median(starts), chainCpuMs, firstOpenMs: median(firsts), firstOpenRuns };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

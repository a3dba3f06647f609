/** Running the CLI in tests: in-process through main(argv, io) (most tests), or as a real process. */
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { CliIo } from '../../bin/cli-io.js';
import { main } from '../../bin/main.js';
import { NoTerminalError } from '../../bin/cli-errors.js';
import { CLI } from './paths.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (tsc's entry, or `script`) in a child process. `setsid` detaches it from any terminal. */
export function runCli(
  args: string[],
  options: { stdin?: string; env?: NodeJS.ProcessEnv; noTty?: boolean; timeoutMs?: number; script?: string; nodeArgs?: string[] } = {},
): Promise<CliResult> {
  const env = { ...(options.env ?? process.env) };
  const node = [...(options.nodeArgs ?? []), options.script ?? CLI, ...args];
  const [cmd, argv] = options.noTty ? ['setsid', ['-w', process.execPath, ...node]] : [process.execPath, node];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd as string, argv as string[], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI ${args.join(' ')} did not finish in time`));
    }, options.timeoutMs ?? 20000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}

export interface InProcessOptions {
  stdin?: string;
  env?: NodeJS.ProcessEnv;
  /** stderr is a terminal (progress notices shown) */
  tty?: boolean;
  /** the terminal's answers to passphrase prompts; without it there is no terminal */
  answers?: string[];
  /** called with each piece written to stderr, as it is written */
  onStderr?: (s: string) => void;
  noticeDelayMs?: number;
}

/** Runs main() in this process with its own stdin/stdout/stderr/env/terminal; `prompts` counts passphrase prompts. */
export async function runMain(args: string[], options: InProcessOptions = {}): Promise<CliResult & { prompts: number }> {
  let stdout = '';
  let stderr = '';
  let prompts = 0;
  const answers = [...(options.answers ?? [])];
  const io: CliIo = {
    stdin: Readable.from(options.stdin ? [Buffer.from(options.stdin, 'latin1')] : []),
    stdout: (s) => void (stdout += s),
    stderr: (s) => {
      stderr += s;
      options.onStderr?.(s);
    },
    stderrIsTTY: options.tty === true,
    env: options.env ?? process.env,
    askPassphrase: async () => {
      prompts++;
      if (!options.answers) throw new NoTerminalError('there is no terminal to ask on');
      const a = answers.shift();
      if (a === undefined) throw new Error('test: more prompts than answers');
      return a;
    },
    onStop: () => () => undefined,
    ...(options.noticeDelayMs !== undefined ? { noticeDelayMs: options.noticeDelayMs } : {}),
  };
  const code = await main(args, io);
  return { code, stdout, stderr, prompts };
}

/**
 * A failed run: the exit code, nothing on stdout, one line on stderr (plus
 * the usage hint for bad usage), no stack trace, and none of the secrets.
 * Exit 2 is bad usage unless `usage` is false (no agent reachable).
 */
export function assertFailure(r: CliResult, code: 1 | 2, pattern: RegExp, secrets: string[] = [], usage = code === 2): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '', 'nothing on stdout');
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, usage ? 2 : 1, `one line of error: ${r.stderr}`);
  for (const s of secrets) assert.ok(!r.stderr.includes(s), 'no secret printed');
}

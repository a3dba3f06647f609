import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { CLI } from './paths.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process. `setsid` detaches it from any terminal. */
export function runCli(
  args: string[],
  options: { stdin?: string; env?: NodeJS.ProcessEnv; noTty?: boolean; timeoutMs?: number } = {},
): Promise<CliResult> {
  const env = { ...(options.env ?? process.env) };
  const [cmd, argv] = options.noTty ? ['setsid', ['-w', process.execPath, CLI, ...args]] : [process.execPath, [CLI, ...args]];
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

/**
 * A failed run: the exit code, nothing on stdout, one line on stderr (plus
 * the usage hint for exit 2), no stack trace, and none of the secrets.
 */
export function assertFailure(r: CliResult, code: 1 | 2, pattern: RegExp, secrets: string[] = []): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '', 'nothing on stdout');
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, code === 2 ? 2 : 1, `one line of error: ${r.stderr}`);
  for (const s of secrets) assert.ok(!r.stderr.includes(s), 'no secret printed');
}

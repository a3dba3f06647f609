/**
 * CLI start-up, whole processes in turns (medians): bare `node -e 0` against
 * `cryptosign-keys --help`, `list` and `sign --agent` (the bundled
 * dist/bin/cryptosign-keys.cjs that package.json's bin names, against the
 * bench's throwaway ssh-agent), and `ssh-add -l` for scale.
 */
import { spawnSync } from 'node:child_process';
import { CLI, turns, type TurnResults } from './kdf.js';

function run(command: string, args: string[], env: NodeJS.ProcessEnv, input?: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command, args, { env, input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: exit ${r.status}: ${String(r.stderr).slice(0, 200)}`);
  return ms;
}

/** ms per command, and paired against `node -e 0` */
export async function benchCliStart(socketPath: string, runs: number): Promise<TurnResults> {
  const env = { ...process.env, SSH_AUTH_SOCK: socketPath };
  const challenge = `${'5a'.repeat(32)}\n`;
  return turns(
    [
      ['node -e 0', () => run(process.execPath, ['-e', '0'], env)],
      ['cryptosign-keys --help', () => run(process.execPath, [CLI, '--help'], env)],
      ['cryptosign-keys list', () => run(process.execPath, [CLI, 'list'], env)],
      ['cryptosign-keys sign --agent', () => run(process.execPath, [CLI, 'sign', '--agent', 'bench'], env, challenge)],
      ['ssh-add -l', () => run('ssh-add', ['-l'], env)],
    ],
    runs,
  );
}

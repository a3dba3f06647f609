/**
 * A private, throwaway ssh-agent with fresh keys, made with the real OpenSSH
 * tools in a private temporary directory. Used by the demo and the tests;
 * handy for anyone's tests.
 *
 * The agent runs under a small `sh` watchdog that holds a pipe from this
 * process: however this process ends (stop(), process.exit, an uncaught
 * throw, SIGINT/SIGTERM/SIGHUP, SIGKILL, a crash), the pipe closes and the
 * watchdog kills the agent and removes the directory with the keys in it.
 * Nothing here keeps the event loop alive or leaves a timer behind.
 */
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { AgentError } from '../errors.js';

const run = promisify(execFile);

/** A private ssh-agent from `startThrowawayAgent`. */
export interface ThrowawayAgent {
  socketPath: string;
  pid: number;
  dir: string;
  /** env for child processes that should use this agent (not part of JSON or inspect output) */
  readonly env: NodeJS.ProcessEnv;
  /** make a fresh key with ssh-keygen (type ed25519 unless given) and return its private key path */
  makeKey(name: string, options?: { type?: string; comment?: string; passphrase?: string; add?: boolean; confirm?: boolean }): Promise<string>;
  /** run ssh-add with these arguments against this agent */
  sshAdd(...args: string[]): Promise<string>;
  /** kills the agent and removes its directory; resolves when both are done */
  stop(): Promise<void>;
}

/** Is `tool` an executable on PATH? (Running it to find out can hang: `ssh-keygen -h` makes a key.) */
function requireTool(tool: string, env: NodeJS.ProcessEnv): void {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return;
    } catch {
      // not in this directory
    }
  }
  throw new AgentError('AGENT_NOT_CONFIGURED', `${tool} is not installed (it comes with OpenSSH: apt-get install openssh-client)`);
}

// $1 socket path, $2 directory. Prints the agent's pid once the socket listens
// (ssh-agent -D prints its "echo Agent pid N;" line after binding); then
// waits for stdin to close, kills the agent and removes the directory.
const WATCHDOG = `
ssh-agent -D -a "$1" &
agent=$!
read -r _ || true
kill "$agent" 2>/dev/null
wait "$agent" 2>/dev/null
rm -rf "$2"
`;

/**
 * Starts a private ssh-agent in a fresh temporary directory (OpenSSH's own binary; fails when it
 * is missing), for tests and demos. `stop()` kills it and removes the directory.
 */
export async function startThrowawayAgent(options: { env?: NodeJS.ProcessEnv } = {}): Promise<ThrowawayAgent> {
  const baseEnv = { ...process.env, ...options.env };
  requireTool('ssh-agent', baseEnv);
  requireTool('ssh-keygen', baseEnv);
  requireTool('ssh-add', baseEnv);
  const dir = mkdtempSync(join(tmpdir(), 'cryptosign-keys-'));
  const socketPath = join(dir, 'agent.sock');
  // detached: its own session, so a ^C meant for this process group does not reach the agent first
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG, 'watchdog', socketPath, dir], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: baseEnv,
    detached: true,
  });
  const exited = new Promise<void>((resolve) => watchdog.once('close', () => resolve()));
  let pid: number;
  try {
    pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      let err = '';
      watchdog.stderr.on('data', (d: Buffer) => (err += d.toString()));
      watchdog.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /echo Agent pid (\d+);/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      watchdog.once('error', (e) => reject(new AgentError('AGENT_CONNECT_FAILED', `cannot start ssh-agent: ${e.message}`)));
      watchdog.once('exit', () =>
        reject(new AgentError('AGENT_CONNECT_FAILED', `ssh-agent did not start: ${err.trim().split('\n')[0] || 'it exited'}`)),
      );
    });
  } catch (e) {
    watchdog.stdin.end();
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  watchdog.stdout.removeAllListeners('data');
  watchdog.stdout.resume();
  // nothing of the watchdog keeps this process alive: it is there only while we are
  watchdog.unref();
  for (const s of [watchdog.stdin, watchdog.stdout, watchdog.stderr]) (s as unknown as { unref?: () => void }).unref?.();

  const env = { ...baseEnv, SSH_AUTH_SOCK: socketPath, SSH_AGENT_PID: String(pid) };
  const sshAdd = async (...args: string[]) => (await run('ssh-add', args, { env, timeout: 20000 })).stdout;
  let stopping: Promise<void> | undefined;
  const agent: ThrowawayAgent = {
    socketPath,
    pid,
    dir,
    env,
    sshAdd,
    async makeKey(name, o = {}) {
      const path = join(dir, name);
      const type = o.type ?? 'ed25519';
      await run('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', o.passphrase ?? '', '-C', o.comment ?? name, '-f', path], {
        timeout: 20000,
        env: baseEnv,
      });
      if (o.add !== false) {
        if (o.passphrase) throw new Error('makeKey: add an encrypted key yourself');
        await sshAdd(...(o.confirm ? ['-c'] : []), path);
      }
      return path;
    },
    stop() {
      stopping ??= (async () => {
        watchdog.ref(); // keep the process alive until the watchdog is done
        watchdog.stdin.end(); // the watchdog kills the agent and removes the directory, then exits
        await exited;
        watchdog.unref(); // it has exited; its handle finishes closing on its own
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
  // JSON and inspect show where the agent is, never the environment
  Object.defineProperty(agent, 'env', { enumerable: false });
  Object.defineProperty(agent, 'toJSON', { enumerable: false, value: () => ({ socketPath, pid, dir }) });
  return agent;
}

/**
 * A private, throwaway ssh-agent with a fresh Ed25519 key, made with the
 * real OpenSSH tools in a private temporary directory. Used by the demo and
 * the tests; handy for anyone's tests. `stop()` kills the agent and removes
 * the directory.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AgentError } from '../errors.js';

const run = promisify(execFile);

export interface ThrowawayAgent {
  socketPath: string;
  pid: number;
  dir: string;
  /** env for child processes that should use this agent */
  env: NodeJS.ProcessEnv;
  /** make a fresh key with ssh-keygen (type ed25519 unless given) and return its private key path */
  makeKey(name: string, options?: { type?: string; comment?: string; passphrase?: string; add?: boolean; confirm?: boolean }): Promise<string>;
  /** run ssh-add with these arguments against this agent */
  sshAdd(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

async function which(tool: string): Promise<void> {
  try {
    await run(tool, ['-h'], { timeout: 5000 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AgentError('AGENT_NOT_CONFIGURED', `${tool} is not installed (it comes with OpenSSH: apt-get install openssh-client)`);
    }
  }
}

export async function startThrowawayAgent(options: { env?: NodeJS.ProcessEnv } = {}): Promise<ThrowawayAgent> {
  await which('ssh-agent');
  await which('ssh-keygen');
  const dir = mkdtempSync(join(tmpdir(), 'cryptosign-keys-'));
  const socketPath = join(dir, 'agent.sock');
  // -D: stay in the foreground as our child, so it dies with us and we know its pid
  const child = spawn('ssh-agent', ['-D', '-a', socketPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const started = await waitForSocket(socketPath, child, 5000);
  if (!started) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new AgentError('AGENT_CONNECT_FAILED', `ssh-agent did not start: ${stderr.trim() || 'no socket appeared'}`);
  }
  child.unref();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  const env = { ...process.env, SSH_AUTH_SOCK: socketPath, SSH_AGENT_PID: String(child.pid) };
  const sshAdd = async (...args: string[]) => (await run('ssh-add', args, { env, timeout: 20000 })).stdout;
  return {
    socketPath,
    pid: child.pid as number,
    dir,
    env,
    sshAdd,
    async makeKey(name, o = {}) {
      const path = join(dir, name);
      const type = o.type ?? 'ed25519';
      await run('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', o.passphrase ?? '', '-C', o.comment ?? name, '-f', path], { timeout: 20000 });
      if (o.add !== false) {
        if (o.passphrase) throw new Error('makeKey: add an encrypted key yourself');
        await sshAdd(...(o.confirm ? ['-c'] : []), path);
      }
      return path;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForSocket(path: string, child: ReturnType<typeof spawn>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) return false;
    try {
      if (statSync(path).isSocket()) return true;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

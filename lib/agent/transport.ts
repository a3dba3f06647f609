/**
 * Opening a byte stream to ssh-agent. ssh2's agent support does the
 * connecting, so the same code reaches a Unix socket, a Windows OpenSSH
 * named pipe (\\.\pipe\openssh-ssh-agent), Pageant (`pageant`) and a Cygwin
 * agent socket. Before connecting we look at the path ourselves, so a
 * missing or stale socket gets a message that says what is wrong.
 */
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { AgentError } from '../errors.js';
import { statPath } from '../stat-path.js';

interface Ssh2AgentModule {
  createAgent(path: string): { getStream(cb: (err: Error | undefined | null, stream?: Duplex) => void): void };
}
let ssh2Agent: Ssh2AgentModule | undefined;
function loadSsh2Agent(): Ssh2AgentModule {
  // the agent part of ssh2 only: loading all of ssh2 costs a CLI run twice as much
  ssh2Agent ??= createRequire(import.meta.url)('ssh2/lib/agent.js') as Ssh2AgentModule;
  return ssh2Agent;
}

/** The agent path: the one given, else SSH_AUTH_SOCK. */
export function resolveAgentPath(explicit?: string): string {
  const path = explicit ?? process.env.SSH_AUTH_SOCK;
  if (path === undefined || path === '') {
    throw new AgentError(
      'AGENT_NOT_CONFIGURED',
      'no ssh-agent: SSH_AUTH_SOCK is not set (start one with `eval $(ssh-agent)` and `ssh-add`, or give a socket path)',
    );
  }
  return path;
}

function isWindowsSpecial(path: string): boolean {
  return path === 'pageant' || path.startsWith('\\\\.\\pipe\\') || process.platform === 'win32';
}

function checkSocketPath(path: string): void {
  if (process.platform !== 'win32' && (path === 'pageant' || path.startsWith('\\\\.\\pipe\\'))) {
    throw new AgentError('AGENT_CONNECT_FAILED', `${path === 'pageant' ? 'Pageant' : 'a Windows named pipe'} exists only on Windows; here the agent is a Unix socket (SSH_AUTH_SOCK)`);
  }
  if (isWindowsSpecial(path)) return;
  const st = statPath(path);
  if ('missing' in st) {
    throw new AgentError(
      'AGENT_SOCKET_MISSING',
      `ssh-agent socket ${path} does not exist (the agent exited, or the forwarded connection is gone)`,
    );
  }
  if ('error' in st) throw new AgentError('AGENT_CONNECT_FAILED', `cannot reach ssh-agent socket ${path}: ${st.error}`);
  if (!st.isSocket()) {
    throw new AgentError('AGENT_CONNECT_FAILED', `${path} is not a socket, so it cannot be an ssh-agent`);
  }
}

export function openAgentStream(path: string, timeoutMs: number): Promise<Duplex> {
  checkSocketPath(path);
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(new AgentError('AGENT_TIMEOUT', `connecting to ssh-agent at ${path} took longer than ${timeoutMs} ms`));
    }, timeoutMs);
    loadSsh2Agent()
      .createAgent(path)
      .getStream((err, stream) => {
        clearTimeout(timer);
        if (settled) {
          stream?.destroy();
          return;
        }
        settled = true;
        if (err || !stream) {
          reject(
            new AgentError(
              'AGENT_CONNECT_FAILED',
              `cannot connect to ssh-agent at ${path}: nothing is listening (the agent exited and left its socket behind?)`,
            ),
          );
          return;
        }
        resolve(stream);
      });
  });
}

/**
 * Opening a byte stream to ssh-agent: a Unix socket with node:net; on
 * Windows, ssh2's agent support reaches a Windows OpenSSH named pipe
 * (\\.\pipe\openssh-ssh-agent), Pageant (`pageant`) and a Cygwin agent
 * socket. Before connecting we look at the path ourselves, so a missing or
 * stale socket gets a message that says what is wrong; a busy agent (EAGAIN)
 * is tried again.
 */
import { createRequire } from 'node:module';
import { createConnection } from 'node:net';
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

/**
 * Tries again when the agent's listen backlog is full: Linux says EAGAIN, some
 * systems ECONNREFUSED. A burst of connections is not a dead agent; but
 * ECONNREFUSED is also what a stale socket (no agent) gives, so that one is
 * retried only briefly before it is reported.
 */
const BUSY_RETRIES = 50;
const REFUSED_RETRIES = 3;

function connectUnix(path: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const onError = (e: NodeJS.ErrnoException) => {
      socket.destroy();
      reject(e);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

function connectViaSsh2(path: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    loadSsh2Agent()
      .createAgent(path)
      .getStream((err, stream) => (err || !stream ? reject(err ?? new Error('no stream')) : resolve(stream)));
  });
}

function connectError(path: string, e: NodeJS.ErrnoException): AgentError {
  switch (e.code) {
    case 'ECONNREFUSED':
      return new AgentError('AGENT_CONNECT_FAILED', `cannot connect to ssh-agent at ${path}: nothing is listening (the agent exited and left its socket behind?)`);
    case 'EAGAIN':
      return new AgentError('AGENT_CONNECT_FAILED', `cannot connect to ssh-agent at ${path}: it is too busy to accept connections (EAGAIN, its listen backlog stayed full)`);
    case 'EACCES':
      return new AgentError('AGENT_CONNECT_FAILED', `cannot connect to ssh-agent at ${path}: permission denied (the socket belongs to another user?)`);
    case 'ENOENT':
      return new AgentError('AGENT_SOCKET_MISSING', `ssh-agent socket ${path} does not exist (the agent exited, or the forwarded connection is gone)`);
    default:
      return new AgentError('AGENT_CONNECT_FAILED', `cannot connect to ssh-agent at ${path}: ${e.code ?? e.message}`);
  }
}

/**
 * A byte stream to the agent. Unix sockets through node:net directly (no
 * module to load); Pageant, Windows pipes and Cygwin sockets through ssh2's
 * agent module, on Windows.
 */
export function openAgentStream(path: string, timeoutMs: number): Promise<Duplex> {
  checkSocketPath(path);
  const connect = isWindowsSpecial(path) ? connectViaSsh2 : connectUnix;
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(new AgentError('AGENT_TIMEOUT', `connecting to ssh-agent at ${path} took longer than ${timeoutMs} ms`));
    }, timeoutMs);
    const attempt = (n: number) => {
      connect(path).then(
        (stream) => {
          if (settled) {
            stream.destroy();
            return;
          }
          settled = true;
          clearTimeout(timer);
          resolve(stream);
        },
        (e: NodeJS.ErrnoException) => {
          if (settled) return;
          if ((e.code === 'EAGAIN' && n < BUSY_RETRIES) || (e.code === 'ECONNREFUSED' && n < REFUSED_RETRIES)) {
            // back off a little (1, 2, 4 … 50 ms) and try again; the timeout still bounds it all
            setTimeout(() => attempt(n + 1), Math.min(50, 2 ** n)).unref();
            return;
          }
          settled = true;
          clearTimeout(timer);
          reject(connectError(path, e));
        },
      );
    };
    attempt(0);
  });
}

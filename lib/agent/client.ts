/**
 * A client for ssh-agent over one connection, opened on first use and
 * reopened after it breaks. Requests are written at once and answered in
 * order (the agent protocol answers each connection's requests in turn), so
 * any number may be in flight. Every request has a timeout. The connection
 * does not keep the process alive while nothing is in flight.
 */
import type { Duplex } from 'node:stream';
import { AgentError, InputError } from '../errors.js';
import {
  MAX_MESSAGE_LENGTH,
  MessageFramer,
  encodeRequestIdentities,
  encodeSignRequest,
  parseIdentitiesAnswer,
  parseSignResponse,
  type AgentIdentity,
  type AgentSignature,
} from './protocol.js';
import { openAgentStream, resolveAgentPath } from './transport.js';
import { VerifyKey } from '../crypto/ed25519.js';
import { ed25519KeyOfBlob } from '../ssh/public-key.js';

/** Thrown by a reply check when the stream cannot be trusted any more: the connection is dropped. */
class OutOfStep extends AgentError {}

/** Where the agent is and how long to wait for it. */
export interface AgentClientOptions {
  /** agent socket path (or `pageant`, or a Windows pipe); default: SSH_AUTH_SOCK */
  socketPath?: string;
  /** how long one request (or connecting) may take, in ms; default 10000 (sign requests: see signTimeoutMs) */
  timeoutMs?: number;
  /**
   * how long a sign request may take: a key added with `ssh-add -c` (or an agent
   * that prompts) waits for a person to confirm. Default: `timeoutMs` when that is
   * given, else 60000.
   */
  signTimeoutMs?: number;
}

/** a person confirming an `ssh-add -c` prompt needs more than a machine's 10 s */
export const DEFAULT_AGENT_SIGN_TIMEOUT_MS = 60_000;

function checkTimeout(t: number, what: string): number {
  // setTimeout clamps anything above 2^31-1 ms to 1 ms: refuse it rather than time out at once
  if (!Number.isFinite(t) || t <= 0 || t > MAX_TIMEOUT_MS) {
    throw new InputError('INVALID_ARGUMENT', `${what} must be a positive number of ms up to ${MAX_TIMEOUT_MS} (~24.8 days), got ${String(t)}`);
  }
  return t;
}

interface Pending {
  parse(payload: Uint8Array): unknown;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

interface Connection {
  stream: Duplex;
  framer: MessageFramer;
  pending: Pending[];
  /** replies received and not yet handed out (ssh-agent answers queued requests in a batch) */
  inbox: Uint8Array[];
  draining: boolean;
  broken: boolean;
}

/** How long one agent request (or connecting) may take by default, in ms. */
export const DEFAULT_AGENT_TIMEOUT_MS = 10_000;

function agentDied(): AgentError {
  return new AgentError('AGENT_DIED', 'ssh-agent closed the connection before answering (did the agent exit or get killed?)');
}

/** the largest delay setTimeout honours */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * A connection to ssh-agent (Unix socket; on Windows a pipe or Pageant): lists keys and signs,
 * requests pipelined, each with a timeout, every reply parsed strictly. Connects on first use;
 * `close()` ends it. One client can serve several keys (`openAgentKey(selector, { client })`).
 */
export class AgentClient {
  readonly socketPath: string;
  readonly timeoutMs: number;
  readonly signTimeoutMs: number;
  #conn: Promise<Connection> | undefined;
  #current: Connection | undefined;
  #closed = false;

  constructor(options: AgentClientOptions = {}) {
    this.socketPath = resolveAgentPath(options.socketPath);
    this.timeoutMs = checkTimeout(options.timeoutMs ?? DEFAULT_AGENT_TIMEOUT_MS, 'agent timeout');
    this.signTimeoutMs = checkTimeout(options.signTimeoutMs ?? options.timeoutMs ?? DEFAULT_AGENT_SIGN_TIMEOUT_MS, 'agent sign timeout');
  }

  listIdentities(): Promise<AgentIdentity[]> {
    return this.#request('list keys', encodeRequestIdentities(), parseIdentitiesAnswer);
  }

  /**
   * Signs `data` with the agent key `keyBlob`. For Ed25519 keys the signature
   * is verified (libsodium's rules) against this request's data before it is
   * handed out: a signature that does not verify means a forged answer or
   * replies out of step with requests (an agent that answered twice), so the
   * connection is dropped and every request on it fails, rather than one
   * request getting another's signature.
   */
  sign(keyBlob: Uint8Array, data: Uint8Array, flags = 0): Promise<AgentSignature> {
    const raw = ed25519KeyOfBlob(keyBlob);
    if (!raw) return this.#request('sign', encodeSignRequest(keyBlob, data, flags), parseSignResponse, this.signTimeoutMs);
    const verifyKey = this.#verifyKey(raw);
    const request = encodeSignRequest(keyBlob, data, flags);
    // the data as sent (the caller may change its array meanwhile): the request's own copy
    const copy = request.subarray(request.length - 4 - data.length, request.length - 4);
    return this.#request('sign', request, (payload) => {
      const answer = parseSignResponse(payload);
      if (answer.algorithm !== 'ssh-ed25519' || answer.signature.length !== 64) {
        throw new AgentError(
          'AGENT_BAD_SIGNATURE',
          `ssh-agent answered with a ${answer.algorithm || 'nameless'} signature of ${answer.signature.length} bytes, not an Ed25519 signature`,
        );
      }
      if (!verifyKey.verify(copy, answer.signature)) {
        throw new OutOfStep(
          'AGENT_BAD_SIGNATURE',
          'ssh-agent returned a signature that does not verify for this request (forged, or replies out of step); the connection is dropped',
        );
      }
      return answer;
    }, this.signTimeoutMs);
  }

  // decoded and checked once per key
  readonly #verifyKeys = new Map<string, VerifyKey>();
  #verifyKey(raw: Uint8Array): VerifyKey {
    const id = Buffer.from(raw).toString('hex');
    let k = this.#verifyKeys.get(id);
    if (!k) {
      k = new VerifyKey(raw);
      if (this.#verifyKeys.size > 64) this.#verifyKeys.clear();
      this.#verifyKeys.set(id, k);
    }
    return k;
  }

  /** Closes the connection; requests in flight fail with AGENT_CLOSED. */
  async close(): Promise<void> {
    this.#closed = true;
    const conn = this.#conn;
    this.#conn = undefined;
    if (!conn) return;
    try {
      const c = await conn;
      // the error is built only when a request is in flight (not a stack trace at every CLI exit)
      this.#fail(c, () => new AgentError('AGENT_CLOSED', 'the ssh-agent connection was closed'));
      this.#current = undefined;
    } catch {
      // connecting had failed: nothing to close
    }
  }

  #request<T>(what: string, message: Uint8Array, parse: (p: Uint8Array) => T, timeoutMs = this.timeoutMs): Promise<T> {
    if (message.length - 4 > MAX_MESSAGE_LENGTH) {
      return Promise.reject(new InputError('INVALID_ARGUMENT', `a ${what} request of ${message.length - 4} bytes is over ssh-agent's ${MAX_MESSAGE_LENGTH}-byte message limit`));
    }
    if (this.#closed) return Promise.reject(new AgentError('AGENT_CLOSED', 'the ssh-agent connection was closed'));
    // connected: written now, with no promise hop in between (each costs the caller latency)
    const ready = this.#current;
    if (ready && !ready.broken) return this.#enqueue(ready, what, message, parse, timeoutMs);
    return this.#connectAndRequest(what, message, parse, timeoutMs);
  }

  async #connectAndRequest<T>(what: string, message: Uint8Array, parse: (p: Uint8Array) => T, timeoutMs: number): Promise<T> {
    let conn = await this.#connection();
    if (conn.broken) conn = await this.#connection(); // it broke while we waited: once more, afresh
    if (this.#closed) throw new AgentError('AGENT_CLOSED', 'the ssh-agent connection was closed');
    return this.#enqueue(conn, what, message, parse, timeoutMs);
  }

  #enqueue<T>(conn: Connection, what: string, message: Uint8Array, parse: (p: Uint8Array) => T, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (conn.broken) {
        reject(agentDied());
        return;
      }
      const timer = setTimeout(() => {
        this.#fail(
          conn,
          new AgentError('AGENT_TIMEOUT', `ssh-agent did not answer a ${what} request within ${timeoutMs} ms${what === 'sign' ? ' (a confirmation prompt not answered?)' : ''}`),
        );
      }, timeoutMs);
      conn.pending.push({ parse, resolve: resolve as (v: unknown) => void, reject, timer });
      if (conn.pending.length === 1) (conn.stream as { ref?: () => void }).ref?.();
      conn.stream.write(message);
    });
  }

  #connection(): Promise<Connection> {
    if (!this.#conn) {
      const p = openAgentStream(this.socketPath, this.timeoutMs).then((stream) => this.#wire(stream));
      this.#conn = p;
      p.catch(() => {
        if (this.#conn === p) this.#conn = undefined;
      });
    }
    return this.#conn;
  }

  #wire(stream: Duplex): Connection {
    const conn: Connection = { stream, framer: new MessageFramer(), pending: [], inbox: [], draining: false, broken: false };
    this.#current = conn;
    (stream as { unref?: () => void }).unref?.();
    stream.on('data', (chunk: Buffer) => this.#onData(conn, chunk));
    const died = () => {
      // answers that arrived before the agent went away still count
      while (conn.inbox.length > 0 && this.#deliverOne(conn));
      this.#fail(conn, agentDied());
    };
    stream.on('end', died);
    stream.on('close', died);
    stream.on('error', died);
    return conn;
  }

  #onData(conn: Connection, chunk: Buffer): void {
    if (conn.broken) return;
    try {
      conn.inbox.push(...conn.framer.push(new Uint8Array(chunk)));
    } catch (e) {
      this.#fail(conn, e as Error);
      return;
    }
    if (!conn.draining) this.#drain(conn);
  }

  /**
   * Hands out one reply, then the next one a macrotask later. ssh-agent
   * answers the requests queued on a connection in one batch; handing the
   * whole batch out at once would run every caller's check of its reply
   * before any of them could send its next request, leaving the agent idle.
   * One at a time, each caller writes its next request before the next reply
   * is checked, and the agent always has work.
   */
  #drain(conn: Connection): void {
    conn.draining = false;
    if (!this.#deliverOne(conn)) return;
    if (conn.inbox.length > 0) {
      conn.draining = true;
      setImmediate(() => this.#drain(conn));
    } else if (conn.pending.length === 0) {
      (conn.stream as { unref?: () => void }).unref?.();
    }
  }

  /** Hands the next reply to the request it answers; false when the connection broke. */
  #deliverOne(conn: Connection): boolean {
    if (conn.broken) return false;
    const payload = conn.inbox.shift();
    if (payload === undefined) return true;
    const p = conn.pending.shift();
    if (!p) {
      this.#fail(conn, new AgentError('AGENT_MALFORMED_REPLY', 'malformed reply from ssh-agent: a message nobody asked for'));
      return false;
    }
    clearTimeout(p.timer);
    try {
      p.resolve(p.parse(payload));
    } catch (e) {
      p.reject(e as Error);
      if (e instanceof OutOfStep) {
        this.#fail(conn, new AgentError('AGENT_MALFORMED_REPLY', 'ssh-agent replies are out of step with the requests (an answer to another request); the connection was dropped'));
        return false;
      }
    }
    return true;
  }

  /** Fails every request in flight on this connection and drops it. */
  /** Breaks the connection: every request in flight fails with `err` (a function: built only if one is). */
  #fail(conn: Connection, err: Error | (() => Error)): void {
    if (conn.broken) return;
    conn.broken = true;
    conn.inbox.length = 0;
    const pending = conn.pending.splice(0);
    if (pending.length > 0 && typeof err === 'function') err = err();
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(err as Error);
    }
    conn.stream.destroy();
    if (this.#current === conn) {
      this.#current = undefined;
      this.#conn = undefined;
    }
  }
}

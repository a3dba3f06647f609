/**
 * What a CLI run talks to: stdin, stdout, stderr, the environment, the
 * terminal (for the passphrase prompt and progress notices) and stop signals.
 * `processIo()` is the real process; tests hand `main` their own, so most of
 * them run in-process.
 */
import { fstatSync, readSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';

export interface CliIo {
  /** the challenge, signature or router answer a command reads */
  readonly stdin: Readable & { isTTY?: boolean };
  /**
   * Reads stdin at once when it is a pipe or a file (the real process: no stream to create): up to
   * `max` bytes, and whether that was all (end of file); undefined where `stdin` is to be used.
   */
  readonly readStdinNow?: (max: number) => { data: Buffer; ended: boolean } | undefined;
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  /** stderr is a terminal: progress notices (decrypting, waiting for the agent) are shown there */
  readonly stderrIsTTY: boolean;
  /** the environment (SSH_AUTH_SOCK) */
  readonly env: NodeJS.ProcessEnv;
  /** asks on the controlling terminal without echo; rejects with PASSPHRASE_REQUIRED when there is none */
  readonly askPassphrase: (prompt: string) => Promise<string>;
  /** calls `handler` on SIGINT/SIGTERM until the returned function is called */
  readonly onStop: (handler: () => void) => () => void;
  /** how long an operation runs before its notice appears (ms; default 250) */
  readonly noticeDelayMs?: number;
}

/**
 * Reads fd 0 to its end with read(2), not a stream (whose creation costs ~1 ms of start-up): when
 * it is a pipe or a regular file. A terminal (or any character device) is left to process.stdin;
 * a non-blocking pipe that is not ready (EAGAIN) ends the read early, and the stream reads the rest.
 */
function readStdinNow(max: number): { data: Buffer; ended: boolean } | undefined {
  if (process.platform === 'win32') return undefined; // (fd 0 there: a console, or libuv's pipe emulation)
  let st;
  try {
    st = fstatSync(0);
  } catch {
    return undefined;
  }
  if (!st.isFIFO() && !st.isFile() && !st.isSocket()) return undefined;
  const buf = Buffer.alloc(max);
  let n = 0;
  try {
    for (;;) {
      const r = readSync(0, buf, n, max - n, null);
      if (r === 0) return { data: buf.subarray(0, n), ended: true };
      n += r;
      if (n === max) return { data: buf, ended: false };
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return { data: buf.subarray(0, n), ended: false };
    throw e;
  }
}

/**
 * Writes to fd 1 with write(2), not through process.stdout (whose creation costs ~1 ms of
 * start-up; a pipe's or a file's writes are synchronous either way on Linux). Once a write would
 * block (EAGAIN: a non-blocking pipe that is full), the rest and every later write go through
 * process.stdout, so nothing is reordered. A reader that went away (EPIPE, `| head`) ends the
 * output quietly, as SIGPIPE ends C programs' output. On Windows, process.stdout always (a
 * console wants its UTF-16 API).
 */
function stdoutWriter(): (s: string) => void {
  let stream = process.platform === 'win32';
  let gone = false;
  return (s) => {
    if (gone) return;
    if (!stream) {
      const bytes = Buffer.from(s, 'utf8');
      let n = 0;
      try {
        while (n < bytes.length) n += writeSync(1, bytes, n);
        return;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') {
          gone = true;
          return;
        }
        if (code !== 'EAGAIN') throw e;
        stream = true;
        // the rest as bytes: n may fall inside a character
        process.stdout.write(bytes.subarray(n));
        return;
      }
    }
    process.stdout.write(s);
  };
}

/** The real process's streams, environment, terminal and signals. */
export function processIo(): CliIo {
  // stdin and stderr's terminal check are looked at only when a command needs them (creating the stream costs)
  return {
    get stdin() {
      return process.stdin;
    },
    readStdinNow,
    stdout: stdoutWriter(),
    stderr: (s) => void process.stderr.write(s),
    get stderrIsTTY() {
      return process.stderr.isTTY === true;
    },
    env: process.env,
    askPassphrase: async (prompt) => (await import('./terminal-prompt.js')).promptOnTerminal(prompt),
    onStop: (handler) => {
      process.once('SIGINT', handler);
      process.once('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}

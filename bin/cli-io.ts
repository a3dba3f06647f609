/**
 * What a CLI run talks to: stdin, stdout, stderr, the environment, the
 * terminal (for the passphrase prompt and progress notices) and stop signals.
 * `processIo()` is the real process; tests hand `main` their own, so most of
 * them run in-process.
 */
import type { Readable } from 'node:stream';

export interface CliIo {
  /** the challenge, signature or router answer a command reads */
  readonly stdin: Readable & { isTTY?: boolean };
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

/** The real process's streams, environment, terminal and signals. */
export function processIo(): CliIo {
  // stdin and stderr's terminal check are looked at only when a command needs them (creating the stream costs)
  return {
    get stdin() {
      return process.stdin;
    },
    stdout: (s) => void process.stdout.write(s),
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

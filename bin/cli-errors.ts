/** The CLI's own failures: bad usage (exit 2) and failures it detects itself (exit 1, with a [CODE]). */
import type { ErrorCode } from '../lib/index.js';

/** Bad command-line usage: exit status 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command = 'main',
  ) {
    super(message);
  }
}

/** A failure the CLI reports itself (not a library error): exit status 1, printed with its [CODE]. */
export class CliFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** There is no controlling terminal to ask a passphrase on (the caller says what to do instead). */
export class NoTerminalError extends Error {}

/** One line: control characters (a key comment from the agent may hold any) shown as `?`. */
export function oneLine(message: string): string {
  return message.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

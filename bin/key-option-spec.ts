/** The key options' spec, the timeout check and the agent socket: light, so that parsing arguments (and `list`) loads no key code. */
import type { CliIo } from './cli-io.js';
import { UsageError } from './cli-errors.js';

export const KEY_OPTION_SPEC = {
  agent: { type: 'string' },
  key: { type: 'string' },
  'seed-file': { type: 'string' },
  'passphrase-file': { type: 'string' },
  socket: { type: 'string' },
  timeout: { type: 'string' },
} as const;

export function parseTimeout(value: string | undefined, command: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value)) throw new UsageError(`--timeout takes a whole number of milliseconds, got "${value}"`, command);
  const n = Number(value);
  if (n < 1 || n > 2 ** 31 - 1) throw new UsageError(`--timeout must be between 1 and 2147483647 ms, got ${value}`, command);
  return n;
}

/**
 * The agent socket: --socket, else SSH_AUTH_SOCK from the CLI's environment
 * (an empty path when neither: the library then says no agent is configured).
 */
export function agentSocket(socket: string | undefined, io: CliIo): string {
  return socket ?? io.env.SSH_AUTH_SOCK ?? '';
}

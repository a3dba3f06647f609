/**
 * The cryptosign-keys CLI: parses arguments, runs a command, and turns every
 * error into one line on stderr with exit status 1 (failure) or 2 (bad usage,
 * or no agent to be reached, as ssh-add -l). `main` runs against the CliIo it
 * is given and never exits the process: cryptosign-keys.ts is the entry that
 * runs it.
 */
import { parseArgs } from 'node:util';
import { CryptosignKeysError } from '../lib/index.js';
import type { CliIo } from './cli-io.js';
import { CliFailure, oneLine, UsageError } from './cli-errors.js';
import { AGENT_UNREACHABLE, withHint } from './hints.js';
import { KEY_OPTION_SPEC } from './key-option-spec.js';
import { HELP, version } from './usage.js';

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;
const JSON_OPTION = { json: { type: 'boolean' } } as const;

const SPECS = {
  list: { ...HELP_OPTION, ...JSON_OPTION, L: { type: 'boolean', short: 'L' }, socket: { type: 'string' }, timeout: { type: 'string' } },
  sign: { ...HELP_OPTION, ...JSON_OPTION, ...KEY_OPTION_SPEC, 'channel-id': { type: 'string' } },
  pubkey: { ...HELP_OPTION, ...JSON_OPTION, ...KEY_OPTION_SPEC, ssh: { type: 'boolean' } },
  verify: {
    ...HELP_OPTION,
    ...JSON_OPTION,
    pubkey: { type: 'string' },
    'authorized-keys': { type: 'string' },
    challenge: { type: 'string' },
    'channel-id': { type: 'string' },
    authid: { type: 'string' },
    realm: { type: 'string' },
    'peer-address': { type: 'string' },
    certificate: { type: 'string' },
    'revoked-keys': { type: 'string' },
  },
  'verify-router': {
    ...HELP_OPTION,
    ...JSON_OPTION,
    'router-key': { type: 'string', multiple: true },
    'router-keys': { type: 'string' },
    pubkey: { type: 'string' },
    challenge: { type: 'string' },
    'channel-id': { type: 'string' },
  },
  authenticator: {
    ...HELP_OPTION,
    ...KEY_OPTION_SPEC,
    url: { type: 'string' },
    realm: { type: 'string' },
    procedure: { type: 'string' },
    'authorized-keys': { type: 'string' },
    'default-role': { type: 'string' },
    authid: { type: 'string' },
    'channel-binding': { type: 'string' },
    'router-key': { type: 'string', multiple: true },
    ca: { type: 'string' },
    'revoked-keys': { type: 'string' },
  },
  cert: {
    ...HELP_OPTION,
    ...JSON_OPTION,
    certificate: { type: 'string' },
    'authorized-keys': { type: 'string' },
    authid: { type: 'string' },
    realm: { type: 'string' },
    'peer-address': { type: 'string' },
    'revoked-keys': { type: 'string' },
    'known-hosts': { type: 'string' },
    url: { type: 'string' },
  },
  demo: { ...HELP_OPTION, ...KEY_OPTION_SPEC },
} as const;

type Command = keyof typeof SPECS;

type Run = (values: never, io: CliIo) => Promise<void>;
// each command's module is loaded only when it runs: `--help` and `list` do not pay for the rest
const RUN: Record<Command, () => Promise<Run>> = {
  list: async () => (await import('./list-command.js')).listCommand as Run,
  sign: async () => (await import('./sign-command.js')).signCommand as Run,
  pubkey: async () => (await import('./sign-command.js')).pubkeyCommand as Run,
  verify: async () => (await import('./verify-command.js')).verifyCommand as Run,
  'verify-router': async () => (await import('./verify-router-command.js')).verifyRouterCommand as Run,
  authenticator: async () => (await import('./authenticator-command.js')).authenticatorCommand as Run,
  demo: async () => (await import('./demo-command.js')).demoCommand as Run,
  cert: async () => (await import('./cert-command.js')).certCommand as Run,
};

/** `--agent` takes an optional value: `--agent`, `--agent SELECTOR`, `--agent=SELECTOR`. */
function normalizeAgentFlag(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--agent') {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('-')) {
        out.push(`--agent=${next}`);
        i++;
      } else out.push('--agent=');
    } else out.push(a);
  }
  return out;
}

function helpText(command: Command | 'main'): string {
  return (HELP[command] as string).replace('cryptosign-keys VERSION:', `cryptosign-keys ${version()}:`) + '\n';
}

/** Runs the CLI with `argv` (without node and the script); resolves with the exit status. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr(helpText('main'));
    return 2;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    io.stdout(helpText(first === 'help' && rest[0] && Object.hasOwn(SPECS, rest[0]) ? (rest[0] as Command) : 'main'));
    return 0;
  }
  if (first === '--version' || first === '-V') {
    io.stdout(version() + '\n');
    return 0;
  }
  let command: Command | 'main' = 'main';
  try {
    if (!Object.hasOwn(SPECS, first)) {
      throw new UsageError(first.startsWith('-') ? `unknown option ${first}` : `unknown command "${first}"`);
    }
    command = first as Command;
    let values: Record<string, string | boolean | undefined>;
    try {
      ({ values } = parseArgs({
        args: normalizeAgentFlag(rest),
        options: SPECS[command],
        strict: true,
        allowPositionals: false,
      }) as { values: Record<string, string | boolean | undefined> });
    } catch (e) {
      throw new UsageError(((e as Error).message.split('\n')[0] ?? '').replace(/^Unknown option/, 'unknown option'), command);
    }
    if (values.help) {
      io.stdout(helpText(command));
      return 0;
    }
    await (await RUN[command]())(values as never, io);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`cryptosign-keys: ${e.message}\nTry 'cryptosign-keys ${e.command === 'main' ? '' : e.command + ' '}--help'.\n`);
      return 2;
    }
    if (e instanceof CryptosignKeysError) {
      io.stderr(`cryptosign-keys: ${oneLine(withHint(e))} [${e.code}]\n`);
      return AGENT_UNREACHABLE.has(e.code) ? 2 : 1;
    }
    if (e instanceof CliFailure) {
      io.stderr(`cryptosign-keys: ${oneLine(e.message)} [${e.code}]\n`);
      return 1;
    }
    // a bug: still one line, no stack, nothing secret (messages never carry keys)
    io.stderr(`cryptosign-keys: internal error: ${oneLine(String((e as Error)?.message ?? e))}\n`);
    return 1;
  }
}

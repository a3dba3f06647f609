/** The CLI's key options (--agent / --key / --seed-file) turned into a SigningKey. */
import { CryptosignKeysError, loadSeedFile, openAgentKey, openKeyFile, type SigningKey } from '../lib/index.js';
import type { CliIo } from './cli-io.js';
import { CliFailure, NoTerminalError, UsageError } from './cli-errors.js';
import { withNotice } from './notice.js';
import { readPassphraseFile } from './passphrase.js';
import { agentSocket, parseTimeout } from './key-option-spec.js';

export { KEY_OPTION_SPEC, agentSocket, parseTimeout } from './key-option-spec.js';

export interface KeyArgs {
  agent?: string | undefined;
  key?: string | undefined;
  'seed-file'?: string | undefined;
  'passphrase-file'?: string | undefined;
  socket?: string | undefined;
  timeout?: string | undefined;
}

export function hasKeyOption(args: KeyArgs): boolean {
  return args.agent !== undefined || args.key !== undefined || args['seed-file'] !== undefined;
}

/** Usage checks of the key options alone, before anything is read or opened. */
export function checkKeyArgs(args: KeyArgs, command: string): void {
  const given = (['agent', 'key', 'seed-file'] as const).filter((k) => args[k] !== undefined);
  if (given.length !== 1) {
    throw new UsageError(
      given.length === 0 ? 'choose a key: --agent, --key FILE or --seed-file FILE' : `choose one key option, not ${given.map((g) => '--' + g).join(' and ')}`,
      command,
    );
  }
  if (args['passphrase-file'] !== undefined && args.key === undefined) {
    throw new UsageError('--passphrase-file goes with --key', command);
  }
  if ((args.socket !== undefined || args.timeout !== undefined) && args.agent === undefined) {
    throw new UsageError('--socket and --timeout go with --agent', command);
  }
  parseTimeout(args.timeout, command);
}

/** Opens an encrypted key file with a worker-thread KDF, a notice on the terminal meanwhile. */
function decrypt(path: string, passphrase: string, io: CliIo): Promise<SigningKey> {
  return withNotice(io, `decrypting ${path}...`, () => openKeyFile(path, { passphrase }));
}

/** The passphrase of an encrypted key file, asked on the terminal (a CLI-worded error when there is none). */
async function askPassphrase(path: string, io: CliIo): Promise<string> {
  try {
    return await io.askPassphrase(`Enter passphrase for ${path}: `);
  } catch (e) {
    if (!(e instanceof NoTerminalError)) throw e;
    throw new CliFailure('PASSPHRASE_REQUIRED', `${path} is encrypted and there is no terminal to ask for its passphrase; give --passphrase-file FILE`);
  }
}

export async function openKey(args: KeyArgs, command: string, io: CliIo): Promise<SigningKey> {
  checkKeyArgs(args, command);
  if (args.agent !== undefined) {
    const timeoutMs = parseTimeout(args.timeout, command);
    return openAgentKey(args.agent === '' ? undefined : args.agent, {
      socketPath: agentSocket(args.socket, io),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
  }
  if (args['seed-file'] !== undefined) return loadSeedFile(args['seed-file']);
  const path = args.key as string;
  if (args['passphrase-file'] !== undefined) return decrypt(path, readPassphraseFile(args['passphrase-file']), io);
  try {
    return await openKeyFile(path);
  } catch (e) {
    if (!(e instanceof CryptosignKeysError) || e.code !== 'PASSPHRASE_REQUIRED') throw e;
  }
  // encrypted: ask on the terminal, three tries as ssh does
  for (let attempt = 1; ; attempt++) {
    const passphrase = await askPassphrase(path, io);
    try {
      return await decrypt(path, passphrase, io);
    } catch (e) {
      const retry = e instanceof CryptosignKeysError && (e.code === 'PASSPHRASE_WRONG' || e.code === 'PASSPHRASE_REQUIRED');
      if (attempt >= 3 || !retry) throw e;
      io.stderr(e.code === 'PASSPHRASE_REQUIRED' ? 'Empty passphrase, try again.\n' : 'Bad passphrase, try again.\n');
    }
  }
}

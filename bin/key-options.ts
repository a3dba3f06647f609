/** The CLI's key options (--agent / --key / --seed-file) turned into a SigningKey. */
import { openAgentKey } from '../lib/keys/agent-key.js';
import { CryptosignKeysError } from '../lib/errors.js';
import { openKeyFile } from '../lib/keys/openssh-key-file.js';
import { loadSeedFile } from '../lib/keys/seed-key.js';
import type { SigningKey } from '../lib/keys/signing-key.js';
import { UsageError } from './cli-errors.js';
import { promptPassphrase, readPassphraseFile } from './passphrase.js';
import { parseTimeout } from './key-option-spec.js';

export { KEY_OPTION_SPEC, parseTimeout } from './key-option-spec.js';

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

export async function openKey(args: KeyArgs, command: string): Promise<SigningKey> {
  checkKeyArgs(args, command);
  if (args.agent !== undefined) {
    const timeoutMs = parseTimeout(args.timeout, command);
    return openAgentKey(args.agent === '' ? undefined : args.agent, {
      ...(args.socket !== undefined ? { socketPath: args.socket } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
  }
  if (args['seed-file'] !== undefined) return loadSeedFile(args['seed-file']);
  const path = args.key as string;
  if (args['passphrase-file'] !== undefined) {
    return await openKeyFile(path, { passphrase: readPassphraseFile(args['passphrase-file']) });
  }
  try {
    return await openKeyFile(path);
  } catch (e) {
    if (!(e instanceof CryptosignKeysError) || e.code !== 'PASSPHRASE_REQUIRED') throw e;
  }
  // encrypted: ask on the terminal, three tries as ssh does
  for (let attempt = 1; ; attempt++) {
    const passphrase = await promptPassphrase(`Enter passphrase for ${path}: `);
    try {
      return await openKeyFile(path, { passphrase });
    } catch (e) {
      const retry = e instanceof CryptosignKeysError && (e.code === 'PASSPHRASE_WRONG' || e.code === 'PASSPHRASE_REQUIRED');
      if (attempt >= 3 || !retry) throw e;
      process.stderr.write(e.code === 'PASSPHRASE_REQUIRED' ? 'Empty passphrase, try again.\n' : 'Bad passphrase, try again.\n');
    }
  }
}

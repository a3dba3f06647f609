/** Passphrases for encrypted key files from a file: its first line (the terminal prompt is in terminal-prompt.ts). */
import { KeyFileError } from '../lib/index.js';
import { readPrivateFile } from '../lib/ssh.js';

/** The first line of the file, without its line ending. Refused when others can access it. */
export function readPassphraseFile(path: string): string {
  const text = readPrivateFile(path, 'passphrase file').toString('utf8');
  const first = text.split(/\r?\n/)[0] ?? '';
  if (first === '') throw new KeyFileError('PASSPHRASE_REQUIRED', `passphrase file ${path} is empty`);
  return first;
}

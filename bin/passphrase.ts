/**
 * Passphrases for encrypted key files: from a file (its first line), or
 * asked on the controlling terminal without echo. stdin is never used: it
 * carries the challenge.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { KeyFileError } from '../lib/index.js';
import { readPrivateFile } from '../lib/ssh.js';

/** There is no controlling terminal to ask on (the caller says what to do instead). */
export class NoTerminalError extends Error {}

/** The first line of the file, without its line ending. Refused when others can access it. */
export function readPassphraseFile(path: string): string {
  const text = readPrivateFile(path, 'passphrase file').toString('utf8');
  const first = text.split(/\r?\n/)[0] ?? '';
  if (first === '') throw new KeyFileError('PASSPHRASE_REQUIRED', `passphrase file ${path} is empty`);
  return first;
}

/** Asks on /dev/tty; throws NoTerminalError when there is no terminal. */
export async function promptOnTerminal(prompt: string): Promise<string> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw new NoTerminalError('there is no terminal to ask on');
  }
  const tty = new ReadStream(fd);
  try {
    tty.setRawMode(true);
    writeSync(fd, prompt);
    return await new Promise<string>((resolve, reject) => {
      let buf = '';
      tty.on('data', (chunk: Buffer) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            writeSync(fd, '\n');
            resolve(buf);
            return;
          }
          if (ch === '\u0003' || ch === '\u0004') {
            writeSync(fd, '\n');
            reject(new KeyFileError('PASSPHRASE_REQUIRED', 'passphrase entry cancelled'));
            return;
          }
          if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
          else buf += ch;
        }
      });
    });
  } finally {
    try {
      tty.setRawMode(false);
    } catch {
      // the terminal went away
    }
    tty.destroy();
    try {
      closeSync(fd);
    } catch {
      // already closed with the stream
    }
  }
}

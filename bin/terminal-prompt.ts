/**
 * A passphrase asked on the controlling terminal (/dev/tty) without echo.
 * stdin is never used: it carries the challenge. Loaded only when a prompt
 * is needed.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { KeyFileError } from '../lib/index.js';
import { NoTerminalError } from './cli-errors.js';

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

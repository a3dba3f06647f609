/** Reads one hex value from stdin: to EOF (a pipe) or to the first newline (a terminal). */
import type { ErrorCode } from '../lib/index.js';
import type { CliIo } from './cli-io.js';
import { CliFailure } from './cli-errors.js';

const MAX_STDIN = 64 * 1024;

export async function readStdinValue(io: CliIo, what: string, code: ErrorCode): Promise<string> {
  const now = io.readStdinNow?.(MAX_STDIN + 1);
  const text = now?.ended ? now.data.toString('latin1') : await readStream(io, what, code, now?.data.toString('latin1') ?? '');
  if (text.length > MAX_STDIN) throw new CliFailure(code, `stdin holds more than ${MAX_STDIN} bytes; expected one ${what} in hex`);
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length === 0) throw new CliFailure(code, `no ${what} on stdin (expected hex, e.g. echo <hex> | cryptosign-keys …)`);
  if (lines.length > 1) throw new CliFailure(code, `stdin holds ${lines.length} lines; expected one ${what} in hex`);
  return lines[0] as string;
}

/**
 * The rest of stdin through its stream, after `start` (what was read at once): to EOF, to the first
 * newline on a terminal, or to the first byte past MAX_STDIN (the caller refuses that).
 */
function readStream(io: CliIo, what: string, code: ErrorCode, start: string): Promise<string> {
  const stdin = io.stdin;
  const interactive = stdin.isTTY === true;
  if (interactive) io.stderr(`Paste the ${what} hex and press Enter:\n`);
  return new Promise<string>((resolve, reject) => {
    let buf = start;
    const done = () => {
      stdin.off('data', onData);
      stdin.off('end', done);
      stdin.off('error', onError);
      stdin.pause();
      resolve(buf);
    };
    const onError = (e: Error) => reject(new CliFailure(code, `cannot read the ${what} from stdin: ${e.message}`));
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      if (buf.length > MAX_STDIN) {
        stdin.off('data', onData);
        stdin.destroy();
        resolve(buf);
      } else if (interactive && buf.includes('\n')) done();
    };
    if (buf.length > MAX_STDIN) return resolve(buf);
    stdin.on('data', onData);
    stdin.on('end', done);
    stdin.on('error', onError);
  });
}

/**
 * A notice on stderr while something slow runs — a key decrypting, an agent
 * waiting for a person to confirm (ssh-add -c) — shown only on a terminal,
 * only once the work has taken a moment, and erased when it ends.
 */
import { oneLine } from './cli-errors.js';
import type { CliIo } from './cli-io.js';

const FRAMES = ['|', '/', '-', '\\'];

/** Control characters out, length bounded: a notice is one line. */
function printable(text: string): string {
  const t = oneLine(text);
  return t.length > 160 ? t.slice(0, 157) + '...' : t;
}

export async function withNotice<T>(io: CliIo, text: string, work: () => Promise<T>): Promise<T> {
  if (!io.stderrIsTTY) return work();
  const line = printable(text);
  let frame = 0;
  let shown = false;
  let spin: NodeJS.Timeout | undefined;
  const draw = () => {
    io.stderr(`\r${FRAMES[frame++ % FRAMES.length]} ${line}`);
    shown = true;
  };
  const begin = () => {
    draw();
    spin = setInterval(draw, 120);
  };
  const delay = io.noticeDelayMs ?? 250;
  const start = delay <= 0 ? undefined : setTimeout(begin, delay);
  if (delay <= 0) begin();
  try {
    return await work();
  } finally {
    clearTimeout(start);
    clearInterval(spin);
    if (shown) io.stderr('\r\u001b[K');
  }
}

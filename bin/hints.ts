/**
 * The CLI's own advice, added to library errors (the library names no CLI
 * flag): which option does what the message asks for. One place, so every
 * hint is tested.
 */
import type { CryptosignKeysError, ErrorCode } from '../lib/index.js';

/** Codes meaning no agent could be reached: exit status 2, as `ssh-add -l` exits. */
export const AGENT_UNREACHABLE: ReadonlySet<ErrorCode> = new Set(['AGENT_NOT_CONFIGURED', 'AGENT_SOCKET_MISSING', 'AGENT_CONNECT_FAILED']);

const HINTS: { code: ErrorCode; when?: RegExp; hint: string }[] = [
  { code: 'AGENT_NOT_CONFIGURED', hint: 'a socket path goes in --socket PATH' },
  { code: 'AGENT_KEY_AMBIGUOUS', hint: 'select one with --agent SELECTOR' },
  { code: 'AGENT_KEY_NOT_FOUND', when: /keys? listed\)$/, hint: 'see `cryptosign-keys list`' },
  { code: 'KEY_FILE_FORMAT', when: /open it as a private key file, not as a seed$/, hint: 'give it with --key FILE' },
  { code: 'KEY_FILE_FORMAT', when: /crossbar\/autobahn key file; use it as a seed file$/, hint: 'give it with --seed-file FILE' },
];

/** The message with the CLI's hint for it, if any. */
export function withHint(e: CryptosignKeysError): string {
  const h = HINTS.find((x) => x.code === e.code && (!x.when || x.when.test(e.message)));
  return h ? `${e.message}; ${h.hint}` : e.message;
}

/**
 * Why a WAMP client's login failed, as one coded error: what the promise-
 * returning connects (wampy.ts, autobahn.ts) reject with.
 *
 * Our own refusal comes first: when the challenge handler refused during this
 * attempt (untrusted router key, binding mismatch, …), that coded error is
 * the reason, whatever the WAMP client reports afterwards (it only knows that
 * the handler failed). Otherwise the router's ABORT (WAMP_ABORTED) or the
 * connection (WAMP_CONNECTION_FAILED), with any text from the wire bounded
 * and escaped so the message stays one short line.
 */
import { CryptosignKeysError, WampSessionError } from '../../errors.js';

/** The part of a cryptosignClient the failure needs: its most recent coded refusal. */
export interface RefusalSource {
  readonly lastError: CryptosignKeysError | undefined;
}

const WIRE_TEXT_MAX = 160;

/** A string from the wire, quoted: control and line-separator characters escaped, at most WIRE_TEXT_MAX characters. */
export function wireText(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  const cut = s.length > WIRE_TEXT_MAX ? `${s.slice(0, WIRE_TEXT_MAX)}…` : s;
  return JSON.stringify(cut).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Remembers the refusal seen before an attempt, to tell whether the attempt itself was refused. */
export function refusalWatch(login: RefusalSource): () => CryptosignKeysError | undefined {
  const before = login.lastError;
  return () => (login.lastError !== before ? login.lastError : undefined);
}

/** The URL as errors show it: any user:password@ part left out. */
function shownUrl(url: string): string {
  return wireText(url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1'));
}

/** The router sent ABORT (or closed the session) before WELCOME. */
export function routerRefused(url: string, reason: unknown, message?: unknown): WampSessionError {
  const why = message === undefined || message === null || message === '' ? wireText(reason) : `${wireText(reason)}: ${wireText(message)}`;
  return new WampSessionError('WAMP_ABORTED', `the router at ${shownUrl(url)} refused the session (${why})`);
}

/** The connection could not be made, or closed before WELCOME. */
export function connectionFailed(url: string, what: string): WampSessionError {
  return new WampSessionError('WAMP_CONNECTION_FAILED', `cannot log in at ${shownUrl(url)}: ${what}`);
}

/**
 * wampy (8.x) with a cryptosign login: `connectWampy`, a connect whose
 * promise settles, and the types of the option set `login.wampy()` returns.
 *
 * wampy 8's own connect() never settles when the challenge handler refuses:
 * it sends ABORT, calls onError with its ChallengeExceptionError, closes the
 * WebSocket and forgets the promise. connectWampy also watches onError and
 * onClose, so its promise rejects with the coded refusal (ROUTER_KEY_UNTRUSTED,
 * CHANNEL_BINDING_MISMATCH, …) within the handshake; a router ABORT rejects
 * with WAMP_ABORTED, a connection that fails or closes before WELCOME with
 * WAMP_CONNECTION_FAILED. wampy's Node path always uses the `ws` class given,
 * so the login's own class (and its TLS socket) is used on every Node version.
 */
import type { CryptosignKeysError } from '../../errors.js';
import type { CryptosignAuthextra } from './cryptosign-client.js';
import { connectionFailed, refusalWatch, routerRefused, wireText, type RefusalSource } from './handshake-failure.js';

/**
 * A WebSocket class as wampy and autobahn-js call it: `new WebSocket(url, protocols, …)`. Its
 * instances are `ws` WebSockets (typed `any`: the ws package's types are not a dependency here,
 * and wampy's own types expect a DOM-like WebSocket).
 */
export type WebSocketClass = new (url: string, protocols?: string | string[], ...rest: any[]) => any;

/** What `login.wampy()` returns: spread into `new Wampy(url, { realm, authid, ...login.wampy() })`. */
export interface WampyLoginOptions {
  /** the login's `ws` WebSocket class (keeps the TLS socket for channel binding; uses the `tls` options) */
  ws: WebSocketClass;
  authmethods: string[];
  authextra: CryptosignAuthextra;
  onChallenge: (method: string, extra: unknown) => Promise<string>;
}

/** Options for `login.connectWampy(Wampy, url, options)`: the realm, the authid, and any other wampy option. */
export interface WampyConnectOptions {
  realm: string;
  /** wampy sends HELLO authextra (the public key) and answers challenges only with an authid */
  authid: string;
  /** called as wampy calls it (after the promise has been settled by the same event) */
  onError?: (error: Error) => void | Promise<void>;
  /** called as wampy calls it */
  onClose?: () => void;
  /** any other wampy option (autoReconnect, serializer, …), passed through unchanged */
  [option: string]: unknown;
}

/** The part of a wampy instance connectWampy uses. */
export interface WampyLike {
  connect(): Promise<unknown>;
}

/** The part of a cryptosignClient connectWampy uses. */
export interface WampyLogin extends RefusalSource {
  wampy(): WampyLoginOptions;
}

/** wampy's errors carry a numeric `code`; the ones a connect can end with, by their names. */
function wampyFailure(url: string, e: unknown): CryptosignKeysError {
  const err = (e ?? {}) as { name?: unknown; message?: unknown; errorUri?: unknown; details?: { message?: unknown }; error?: { message?: unknown } };
  if (err.name === 'AbortedError' || err.name === 'AbortError') return routerRefused(url, err.errorUri, err.details?.message);
  if (err.name === 'WebsocketError') {
    const why = err.error?.message;
    return connectionFailed(url, why === undefined ? 'the WebSocket failed' : `the WebSocket failed: ${wireText(why)}`);
  }
  return connectionFailed(url, `wampy: ${wireText(err.message ?? e)}`);
}

/**
 * Connects `new Wampy(url, { ...options, ...login.wampy() })`; resolves with the
 * wampy instance once the session is established, or rejects with a coded
 * error (see the top of this file). The login's own options (ws, authmethods,
 * authextra, onChallenge) take precedence over the same names in `options`.
 */
export function connectWampy<W extends WampyLike>(
  login: WampyLogin,
  Wampy: new (url: string, options: never) => W,
  url: string,
  options: WampyConnectOptions,
): Promise<W> {
  const refused = refusalWatch(login);
  return new Promise<W>((resolve, reject) => {
    let settled = false;
    const fail = (e: CryptosignKeysError) => {
      if (settled) return;
      settled = true;
      reject(e);
    };
    const { onError, onClose } = options;
    const wampyOptions = {
      ...options,
      ...login.wampy(),
      onError: (e: Error) => {
        // our challenge handler refused: wampy aborts and closes, but its connect() never settles
        const ours = refused();
        if (ours) fail(ours);
        return onError?.(e);
      },
      onClose: () => {
        // wampy rejects connect() (with the WebSocket's error, or the router's ABORT) a few ticks
        // after the close: that reason, when there is one, is the better one
        setImmediate(() => fail(refused() ?? connectionFailed(url, 'the connection closed before WELCOME')));
        onClose?.();
      },
    };
    let wampy: W;
    try {
      wampy = new Wampy(url, wampyOptions as never);
    } catch (e) {
      return fail(wampyFailure(url, e));
    }
    wampy.connect().then(
      () => {
        if (settled) return;
        settled = true;
        resolve(wampy);
      },
      (e: unknown) => fail(refused() ?? wampyFailure(url, e)),
    );
  });
}

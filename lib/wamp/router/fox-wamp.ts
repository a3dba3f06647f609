/**
 * fox-wamp (npm, the Node WAMP router; 0.7.x) with the router side of
 * WAMP-cryptosign: the CryptosignAuthenticator behind fox-wamp's auth handler.
 *
 * fox-wamp's WAMP gate asks an auth handler for the CHALLENGE extra
 * (`cryptosign_extra(realm, helloDetails, cb)`) and the verdict
 * (`cryptosign_auth(realm, helloDetails, signature, extra, cb)`), and gives it
 * no socket. So:
 *
 * - `foxWampAuthHandler(options)` alone has no socket: a client asking for
 *   channel binding is refused (AUTH_BINDING_REFUSED), `from=` principals are
 *   refused (no peer address), and `requireChannelBinding` is refused when the
 *   handler is made (ROUTER_SOCKET_UNREACHABLE), rather than refusing every
 *   login later.
 * - `listenFoxWamp(router, options)` calls `router.listenWAMP` itself and
 *   reaches the socket: the ws server's `connection` event (request socket:
 *   the TLS socket when `server` is an https server) is followed, in the same
 *   synchronous turn, by fox-wamp creating the session (the router's
 *   `connection` event), and fox keeps the HELLO details it hands the handler
 *   as `session.secureDetails`. With an https `server`, tls-unique and
 *   tls-exporter work, and `requireChannelBinding` can be set.
 *
 * The remote side learns only fox-wamp's ABORT reason; each decision (who,
 * or the refusal's code and message) goes to `onDecision` for the operator's
 * log.
 */
import type { ErrorCode } from '../../errors.js';
import { AuthError, ChannelBindingError, CryptosignKeysError } from '../../errors.js';
import { CryptosignAuthenticator, type CryptosignAuthenticatorOptions, type HelloDetails, type PendingLogin } from './authenticator.js';
import { escapeText } from '../../escape.js';

type Callback = (err: Error | null, value?: unknown) => void;

/** One login decision, for the operator's log. */
export interface FoxWampDecision {
  /** the realm asked for, escaped and bounded (`(type)` when it is not a string) */
  realm: string;
  /** the HELLO authid: escaped and bounded when a string, else as it came (print its type) */
  authid: unknown;
  /** the principal's name (escaped and bounded), when the login was accepted */
  principal?: string;
  role?: string;
  /** the refusal's code and message, when it was refused */
  code?: ErrorCode;
  message?: string;
}

/** The connection a HELLO arrived on, when the listener can reach it. */
export interface FoxWampConnection {
  /** the server end of the TLS socket (or the plain socket) */
  socket?: unknown;
  /** the peer's IP address, for `from=` */
  peerAddress?: string;
}

/** Options for `foxWampAuthHandler`: the authenticator's options, where each HELLO's connection comes from, and a decision log. */
export interface FoxWampAuthOptions extends CryptosignAuthenticatorOptions {
  /** the connection of a HELLO (listenFoxWamp supplies it); without it there is no binding and no peer address */
  connectionOf?: (details: HelloDetails) => FoxWampConnection | undefined;
  /** every decision (accepted or refused), for the operator's log */
  onDecision?: (decision: FoxWampDecision) => void;
}

/** fox-wamp's auth handler interface for cryptosign (what `router.listenWAMP(options, handler)` takes). */
export interface FoxWampAuthHandler {
  getAuthMethods(): string[];
  cryptosign_extra(realm: string, details: HelloDetails, callback: Callback): void;
  cryptosign_auth(realm: string, details: HelloDetails, signature: unknown, extra: unknown, callback: Callback): void;
}

/** fox-wamp's auth handler with the cryptosign authenticator; see the top of this file for what it can and cannot check. */
export function foxWampAuthHandler(options: FoxWampAuthOptions): FoxWampAuthHandler {
  const { connectionOf, onDecision, ...authOptions } = options;
  if (authOptions.requireChannelBinding && !connectionOf) {
    throw new ChannelBindingError(
      'ROUTER_SOCKET_UNREACHABLE',
      'fox-wamp gives its auth handler no socket, so channel binding cannot be checked; use listenFoxWamp with an https server to require it',
    );
  }
  const authenticator = new CryptosignAuthenticator(authOptions);
  // the operator's log gets escaped, bounded text (the realm and authid come from the wire, the principal from the file), and its hook never changes the answer
  const report = (realm: unknown, decision: Omit<FoxWampDecision, 'realm'>) => {
    try {
      onDecision?.({ ...decision, realm: typeof realm === 'string' ? escapeText(realm) : `(${typeof realm})` });
    } catch {
      // the answer is the same whatever the hook does
    }
  };
  const logins = new WeakMap<object, PendingLogin>();
  const refuse = (realm: string, details: HelloDetails, e: unknown, cb: Callback) => {
    const coded = e instanceof CryptosignKeysError ? e : undefined;
    // the operator sees the refusal's own code and reason; the client was told only AUTH_NOT_AUTHORIZED
    const refusal = e instanceof AuthError ? e.refusal : undefined;
    const code = refusal?.code ?? coded?.code;
    report(realm, { authid: typeof details?.authid === 'string' ? escapeText(details.authid) : details?.authid, ...(code ? { code } : {}), message: escapeText(refusal?.reason ?? coded?.message ?? String(e)) });
    cb(e instanceof Error ? e : new Error(String(e)));
  };
  return {
    getAuthMethods: () => ['cryptosign'],
    cryptosign_extra(realm, details, cb) {
      const connection = connectionOf?.(details) ?? {};
      authenticator.hello(details, { realm, ...connection }).then(
        (login) => {
          logins.set(details as object, login);
          cb(null, login.extra);
        },
        (e) => refuse(realm, details, e, cb),
      );
    },
    cryptosign_auth(realm, details, signature, _extra, cb) {
      const login = logins.get(details as object);
      if (!login) return refuse(realm, details, new AuthError('AUTH_CHALLENGE_MISMATCH', 'AUTHENTICATE without a challenge issued on this connection'), cb);
      let principal;
      try {
        principal = login.authenticate(signature);
      } catch (e) {
        return refuse(realm, details, e, cb);
      }
      // fox-wamp's WELCOME carries the HELLO's authid: make it the principal's name
      (details as { authid?: unknown }).authid = principal.name;
      report(realm, { authid: escapeText(principal.name), principal: escapeText(principal.name), ...(principal.role !== undefined ? { role: escapeText(principal.role) } : {}) });
      cb(null, { authid: principal.name, role: principal.role });
    },
  };
}

/** The fox-wamp WAMP listener (a `ws` WebSocketServer), as far as listenFoxWamp uses it. */
export interface FoxWampServer {
  on(event: string, listener: (...args: never[]) => void): unknown;
  prependListener(event: string, listener: (...args: never[]) => void): unknown;
  close(callback?: () => void): void;
}

/** A fox-wamp router (`new FoxRouter()`), as far as listenFoxWamp uses it. */
export interface FoxWampRouter<S extends FoxWampServer = FoxWampServer> {
  listenWAMP(wsOptions: object, authHandler: FoxWampAuthHandler): S;
  on(event: 'connection' | 'disconnection', listener: (session: { secureDetails?: unknown }) => void): unknown;
}

/** Options for `listenFoxWamp`: those of `foxWampAuthHandler` (the connection of each HELLO is found for you) and where to listen. */
export interface FoxWampListenOptions extends Omit<FoxWampAuthOptions, 'connectionOf'> {
  /** `ws` server options for fox-wamp's listener: `{ server: httpsServer }` for wss (binding), or `{ port, host }` for plain ws */
  ws: Record<string, unknown>;
}

/**
 * `router.listenWAMP(options.ws, handler)` with the cryptosign authenticator,
 * reaching each connection's socket (binding and `from=` work; with an https
 * `server` that is the TLS socket). Returns fox-wamp's server.
 */
export function listenFoxWamp<S extends FoxWampServer>(router: FoxWampRouter<S>, options: FoxWampListenOptions): S {
  const { ws, ...authOptions } = options;
  // the socket of the connection being accepted; fox-wamp creates its session in the same turn
  let accepting: FoxWampConnection | undefined;
  const waiting = new Map<object, FoxWampConnection>();
  router.on('connection', (session) => {
    if (accepting) waiting.set(session, accepting);
    accepting = undefined;
  });
  router.on('disconnection', (session) => waiting.delete(session));
  const connectionOf = (details: HelloDetails) => {
    for (const [session, connection] of waiting) {
      if ((session as { secureDetails?: unknown }).secureDetails === details) {
        waiting.delete(session); // the socket is needed for this HELLO only (a PendingLogin keeps its channel id)
        return connection;
      }
    }
    return undefined;
  };
  const server = router.listenWAMP(ws, foxWampAuthHandler({ ...authOptions, connectionOf }));
  server.prependListener('connection', ((_client: unknown, request: { socket: { remoteAddress?: string } }) => {
    accepting = { socket: request.socket, ...(request.socket.remoteAddress ? { peerAddress: request.socket.remoteAddress } : {}) };
  }) as never);
  server.on('connection', (() => {
    accepting = undefined;
  }) as never);
  return server;
}

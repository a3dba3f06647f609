/**
 * A small WAMP router for the tests: WebSocket (wamp.2.json) on loopback, plain
 * ws or real wss (a certificate made by openssl, TLS version forced), doing
 * HELLO → CHALLENGE → AUTHENTICATE → WELCOME/ABORT with the library's
 * CryptosignAuthenticator deciding. `tamper` lets a test make the router
 * misbehave (sign another challenge, replay, lie about the binding).
 *
 * With `dynamic`, it also plays crossbar's dynamic authentication: sessions on
 * `dynamic.authRealm` log in through the authenticator above and may REGISTER;
 * a HELLO for any other realm makes the router call `dynamic.procedure` with
 * (realm, authid, details) as crossbar does, challenge the pubkey it returns,
 * check the signature, and WELCOME with the returned authid and role.
 */
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { CryptosignAuthenticator, type ChallengeExtra, type CryptosignAuthenticatorOptions, type HelloDetails } from '../../lib/wamp/router/authenticator.js';
import { randomBytes } from 'node:crypto';
import { AuthError } from '../../lib/errors.js';
import { verifyChallengeSignature } from '../../lib/wamp/challenge.js';
import { forceVersion, type TestCert, type TlsVersion } from './tls.js';

export interface Outcome {
  authid: unknown;
  principal?: string;
  role?: string;
  aborted?: string;
  code?: string;
}

export interface TestRouter {
  url: string;
  outcomes: Outcome[];
  /** every CHALLENGE extra sent, in order */
  challenges: ChallengeExtra[];
  /** every AUTHENTICATE signature received, in order */
  signatures: string[];
  /** every ABORT a client sent, in order */
  aborts: unknown[][];
  stop(): Promise<void>;
}

export interface TestRouterOptions extends CryptosignAuthenticatorOptions {
  /** `server`: more options for the https server (e.g. `dhparam: 'auto'` to offer DHE in TLS 1.2) */
  tls?: { cert: TestCert; version: TlsVersion; server?: Record<string, unknown> };
  /** `socket` is the connection's TLS socket (server end), for tampering that needs the channel id */
  tamper?: (extra: ChallengeExtra, hello: HelloDetails, socket: unknown) => ChallengeExtra | Promise<ChallengeExtra>;
  /** rewrite HELLO details before the authenticator sees them (to make a router that ignores the client's binding) */
  helloRewrite?: (details: HelloDetails) => HelloDetails;
  /** answer AUTHENTICATE with this instead of the client's (replay tests) */
  replaceSignature?: () => string | undefined;
  dynamic?: { authRealm: string; procedure: string };
}

const HELLO = 1, WELCOME = 2, ABORT = 3, CHALLENGE = 4, AUTHENTICATE = 5, GOODBYE = 6, ERROR = 8;
const REGISTER = 64, REGISTERED = 65, INVOCATION = 68, YIELD = 70;

interface DynamicResult {
  pubkey: string;
  role: string;
  authid: string;
  realm?: string;
}

export async function startTestRouter(options: TestRouterOptions): Promise<TestRouter> {
  const auth = new CryptosignAuthenticator(options);
  let https: HttpsServer | undefined;
  if (options.tls) {
    https = createHttpsServer({ key: options.tls.cert.key, cert: options.tls.cert.cert, ...forceVersion(options.tls.version), ...options.tls.server });
    await new Promise<void>((r) => https!.listen(0, '127.0.0.1', r));
  }
  const wss = new WebSocketServer({
    ...(https ? { server: https } : { host: '127.0.0.1', port: 0 }),
    handleProtocols: (protocols) => (protocols.has('wamp.2.json') ? 'wamp.2.json' : false),
  });
  if (!https) await new Promise<void>((r) => wss.once('listening', () => r()));
  const outcomes: Outcome[] = [];
  const challenges: ChallengeExtra[] = [];
  const signatures: string[] = [];
  const aborts: unknown[][] = [];
  // crossbar-like dynamic authentication: the registered procedure, and calls waiting for its answer
  let registration: { ws: WebSocket; id: number } | undefined;
  const calls = new Map<number, (r: { ok: true; result: DynamicResult } | { ok: false; error: string; message: string }) => void>();
  let nextId = 0;
  const callAuthenticator = (args: unknown[]) =>
    new Promise<{ ok: true; result: DynamicResult } | { ok: false; error: string; message: string }>((resolve) => {
      if (!registration) return resolve({ ok: false, error: 'wamp.error.no_such_procedure', message: 'no authenticator registered' });
      const id = ++nextId;
      calls.set(id, resolve);
      registration.ws.send(JSON.stringify([INVOCATION, id, registration.id, {}, args]));
    });
  wss.on('connection', (ws: WebSocket, req) => {
    let login: Awaited<ReturnType<CryptosignAuthenticator['hello']>> | undefined;
    let dynamicLogin: { result: DynamicResult; challenge: string } | undefined;
    let joined = false;
    let outcome: Outcome = { authid: undefined };
    const send = (msg: unknown[]) => ws.send(JSON.stringify(msg));
    // the client is sent only what it may know (e.code); the outcome records the operator's code (e.refusal)
    const abort = (reason: string, code?: string, operatorCode?: string) => {
      outcome.aborted = reason;
      if (code) outcome.code = operatorCode ?? code;
      outcomes.push(outcome);
      send([ABORT, { message: code ?? reason }, reason]);
      ws.close();
    };
    ws.on('close', () => {
      if (registration?.ws === ws) registration = undefined;
    });
    ws.on('message', async (data) => {
      const msg = JSON.parse(String(data)) as unknown[];
      if (msg[0] === HELLO) {
        const sent = msg[2] as HelloDetails;
        const details = options.helloRewrite ? options.helloRewrite(structuredClone(sent)) : sent;
        outcome = { authid: details.authid };
        if (!Array.isArray(details.authmethods) || !details.authmethods.includes('cryptosign')) return abort('wamp.error.no_auth_method');
        if (options.dynamic && msg[1] !== options.dynamic.authRealm) {
          const peer = `tcp4:${req.socket.remoteAddress}:${req.socket.remotePort}`;
          const answer = await callAuthenticator([msg[1], details.authid ?? null, { authmethod: 'cryptosign', authextra: details.authextra, transport: { type: 'websocket', peer }, session: ++nextId }]);
          if (!answer.ok) return abort(answer.error, /\[([A-Z_]+)\]$/.exec(answer.message)?.[1] ?? answer.message);
          dynamicLogin = { result: answer.result, challenge: randomBytes(32).toString('hex') };
          const extra = { challenge: dynamicLogin.challenge, channel_binding: null };
          challenges.push(extra as ChallengeExtra);
          return send([CHALLENGE, 'cryptosign', extra]);
        }
        try {
          login = await auth.hello(details, { realm: String(msg[1]), socket: req.socket, peerAddress: req.socket.remoteAddress ?? '' });
        } catch (e) {
          return abort('wamp.error.not_authorized', e instanceof AuthError ? e.code : String(e), e instanceof AuthError ? e.refusal?.code : undefined);
        }
        const extra = options.tamper ? await options.tamper({ ...login.extra }, sent, req.socket) : login.extra;
        challenges.push(extra);
        send([CHALLENGE, 'cryptosign', extra]);
      } else if (msg[0] === AUTHENTICATE) {
        signatures.push(String(msg[1]));
        if (dynamicLogin) {
          // as crossbar: the signature checked against the pubkey the authenticator returned
          const { result, challenge } = dynamicLogin;
          if (!verifyChallengeSignature(result.pubkey, challenge, String(msg[1]))) return abort('wamp.error.not_authorized', 'AUTH_SIGNATURE_WRONG');
          outcome.principal = result.authid;
          outcome.role = result.role;
          outcomes.push(outcome);
          joined = true;
          return send([WELCOME, 1, { authid: result.authid, authrole: result.role, authmethod: 'cryptosign', roles: { broker: {}, dealer: {} } }]);
        }
        if (!login) return abort('wamp.error.protocol_violation');
        try {
          const p = login.authenticate(options.replaceSignature?.() ?? msg[1]);
          outcome.principal = p.name;
          if (p.role !== undefined) outcome.role = p.role;
          outcomes.push(outcome);
          joined = true;
          send([WELCOME, 1, { authid: p.name, authrole: p.role ?? 'user', authmethod: 'cryptosign', roles: { broker: {}, dealer: {} } }]);
        } catch (e) {
          abort('wamp.error.not_authorized', e instanceof AuthError ? e.code : String(e), e instanceof AuthError ? e.refusal?.code : undefined);
        }
      } else if (msg[0] === REGISTER && joined) {
        registration = { ws, id: 1000 + Number(msg[1]) };
        send([REGISTERED, msg[1], registration.id]);
      } else if (msg[0] === YIELD) {
        const done = calls.get(Number(msg[1]));
        calls.delete(Number(msg[1]));
        done?.({ ok: true, result: (msg[3] as DynamicResult[])[0] as DynamicResult });
      } else if (msg[0] === ERROR && msg[1] === INVOCATION) {
        const done = calls.get(Number(msg[2]));
        calls.delete(Number(msg[2]));
        done?.({ ok: false, error: String(msg[4]), message: String((msg[5] as unknown[] | undefined)?.[0] ?? '') });
      } else if (msg[0] === ABORT) {
        aborts.push(msg);
      } else if (msg[0] === GOODBYE) {
        send([GOODBYE, {}, 'wamp.close.goodbye_and_out']);
        ws.close();
      }
    });
  });
  const port = ((https ?? wss).address() as AddressInfo).port;
  return {
    url: `${https ? 'wss' : 'ws'}://127.0.0.1:${port}/ws`,
    outcomes,
    challenges,
    signatures,
    aborts,
    stop: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => (https ? https.close(() => r()) : r()));
      }),
  };
}

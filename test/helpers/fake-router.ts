/**
 * The smallest WAMP router that does cryptosign: WebSocket (wamp.2.json) on
 * loopback, HELLO -> CHALLENGE -> AUTHENTICATE -> WELCOME or ABORT, with the
 * library's verifier deciding. Enough for real WAMP clients to log in.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AuthorizedKeys } from '../../lib/wamp/principals.js';

export interface Outcome {
  authid: unknown;
  principal?: string;
  aborted?: string;
}

export interface FakeRouter {
  url: string;
  outcomes: Outcome[];
  stop(): Promise<void>;
}

const HELLO = 1, WELCOME = 2, ABORT = 3, CHALLENGE = 4, AUTHENTICATE = 5, GOODBYE = 6;

export async function startFakeRouter(keys: AuthorizedKeys): Promise<FakeRouter> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocols.has('wamp.2.json') ? 'wamp.2.json' : false),
  });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const outcomes: Outcome[] = [];
  wss.on('connection', (ws: WebSocket) => {
    let pubkey = '';
    let challenge = '';
    let outcome: Outcome = { authid: undefined };
    const send = (msg: unknown[]) => ws.send(JSON.stringify(msg));
    const abort = (reason: string) => {
      outcome.aborted = reason;
      outcomes.push(outcome);
      send([ABORT, { message: reason }, reason]);
      ws.close();
    };
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as unknown[];
      if (msg[0] === HELLO) {
        const details = msg[2] as { authmethods?: string[]; authid?: string; authextra?: { pubkey?: string } };
        outcome = { authid: details.authid };
        pubkey = String(details.authextra?.pubkey ?? '');
        if (!details.authmethods?.includes('cryptosign')) return abort('wamp.error.no_auth_method');
        if (!keys.lookup(pubkey)) return abort('wamp.error.not_authorized');
        challenge = randomBytes(32).toString('hex');
        send([CHALLENGE, 'cryptosign', { challenge, channel_binding: null }]);
      } else if (msg[0] === AUTHENTICATE) {
        let principal;
        try {
          principal = keys.authenticate(pubkey, challenge, String(msg[1]));
        } catch {
          principal = undefined;
        }
        if (!principal) return abort('wamp.error.not_authorized');
        outcome.principal = principal.name;
        outcomes.push(outcome);
        send([WELCOME, 1, { authid: principal.name, authrole: 'user', authmethod: 'cryptosign', roles: { broker: {}, dealer: {} } }]);
      } else if (msg[0] === GOODBYE) {
        send([GOODBYE, {}, 'wamp.close.goodbye_and_out']);
        ws.close();
      }
    });
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    outcomes,
    stop: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}

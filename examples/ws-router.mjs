/**
 * A minimal WAMP-cryptosign router on `ws`, complete and runnable: it logs
 * clients in (HELLO → CHALLENGE → AUTHENTICATE → WELCOME or ABORT) with TLS
 * channel binding and router authentication, and does nothing else — for
 * routing, put the authenticator in fox-wamp or crossbar
 * (docs/router-recipes.md). In a project with cryptosign-keys and ws:
 *
 *   TLS_CERT=cert.pem TLS_KEY=key.pem AUTHORIZED_KEYS=wamp_authorized_keys \
 *     ROUTER_AGENT_KEY=router-node-key node ws-router.mjs
 *
 * TLS_CERT, TLS_KEY: PEM files (this router speaks wss only).
 * AUTHORIZED_KEYS: who may log in, in authorized_keys format
 *   (`ssh-ed25519 AAAA… alice` or `<64 hex digits> alice`), re-read when it changes.
 * ROUTER_AGENT_KEY (a key in ssh-agent: comment, SHA256 fingerprint or hex)
 *   or ROUTER_SEED_FILE: the router's own key, for router authentication (optional).
 * TRANSCRIPT: transcript mode (docs/transcript-binding.md): allow (default: a client
 *   asking for it gets it, others XOR mode), require, or off.
 * HOST (127.0.0.1), PORT (8443; 0 picks a free one).
 * stdout: "listening on wss://…/ws" and "router key <hex>"; stderr: one line per login.
 *
 * Where the TLS socket comes from: the WebSocket server runs on an https
 * server, and its `connection` event gives (ws, req); `req.socket` is that
 * connection's TLS socket (the server end). The authenticator computes the
 * tls-unique / tls-exporter channel id from it, and `from=` checks its
 * remoteAddress.
 *
 * `ws` 7 or 8: `import { WebSocketServer } from 'ws'` needs ws >= 8, and
 * autobahn-js 22 can leave ws 7 at the top of node_modules; the namespace
 * import below finds the server class in both.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import * as ws from 'ws';
import { loadSeedFile, openAgentKey } from 'cryptosign-keys';
import { AuthorizedKeysFile, CryptosignAuthenticator } from 'cryptosign-keys/router';

const [HELLO, WELCOME, ABORT, CHALLENGE, AUTHENTICATE, GOODBYE] = [1, 2, 3, 4, 5, 6];
const env = process.env;
const routerKey = env.ROUTER_AGENT_KEY ? await openAgentKey(env.ROUTER_AGENT_KEY)
  : env.ROUTER_SEED_FILE ? loadSeedFile(env.ROUTER_SEED_FILE) : undefined;
const auth = new CryptosignAuthenticator({ principals: new AuthorizedKeysFile(env.AUTHORIZED_KEYS), routerKey, transcript: env.TRANSCRIPT ?? 'allow' });
const https = createServer({ cert: readFileSync(env.TLS_CERT), key: readFileSync(env.TLS_KEY) });
const WebSocketServer = ws.WebSocketServer ?? ws.default.Server; // ws 8 ?? ws 7
const wss = new WebSocketServer({
  server: https,
  handleProtocols: (offered) => ([...offered].includes('wamp.2.json') ? 'wamp.2.json' : false),
});
const shown = (value) => JSON.stringify(String(value).slice(0, 100)); // text from the wire, one line
let sessions = 0;

wss.on('connection', (client, req) => {
  const socket = req.socket; // this connection's TLS socket: channel binding is computed from it
  const send = (message) => client.send(JSON.stringify(message));
  const refuse = (reason, why) => {
    console.error(`${socket.remoteAddress} refused: ${why}`); // the details stay in the operator's log
    send([ABORT, {}, reason]);
    client.close();
  };
  let login; // the login in progress, once HELLO has been answered
  let helloSeen = false;
  client.on('message', async (data) => {
    let message;
    try {
      message = JSON.parse(String(data));
    } catch {
      return client.close(1003, 'not JSON');
    }
    const [type, first, second] = message;
    if (type === HELLO && !helloSeen) {
      helloSeen = true;
      if (!Array.isArray(second?.authmethods) || !second.authmethods.includes('cryptosign')) return refuse('wamp.error.no_auth_method', 'no cryptosign in authmethods');
      try {
        login = await auth.hello(second, { realm: String(first), socket, peerAddress: socket.remoteAddress });
      } catch (e) {
        return refuse('wamp.error.not_authorized', `[${e.code}] ${e.message} (authid ${shown(second.authid)})`);
      }
      send([CHALLENGE, 'cryptosign', login.extra]);
    } else if (type === AUTHENTICATE && login) {
      let principal;
      try {
        principal = login.authenticate(first);
      } catch (e) {
        return refuse('wamp.error.not_authorized', `[${e.code}] ${e.message}`);
      }
      console.error(`${socket.remoteAddress} welcome ${principal.name}`);
      send([WELCOME, ++sessions, { authid: principal.name, authrole: principal.role ?? 'user', authmethod: 'cryptosign', roles: { broker: {}, dealer: {} } }]);
    } else if (type === GOODBYE) {
      send([GOODBYE, {}, 'wamp.close.goodbye_and_out']);
      client.close();
    }
  });
});

https.listen(Number(env.PORT ?? 8443), env.HOST ?? '127.0.0.1', () => {
  console.log(`listening on wss://${env.HOST ?? '127.0.0.1'}:${https.address().port}/ws`);
  if (routerKey) console.log(`router key ${routerKey.publicKeyHex}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));

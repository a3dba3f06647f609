"""The tls-unique channel id as autobahn-python computes it
(autobahn.twisted.util.transport_channel_id), on a real Twisted TLS connection
with a Node end.

  tls_channel_id.py server CERT KEY   listen on 127.0.0.1 (prints the port), accept one
                                      connection, answer the first data with our id
  tls_channel_id.py client PORT       connect, send a line, read the Node end's reply

Either way the last stdout line is {"channel_id": hex} as autobahn computed it.
"""
import json
import sys

from autobahn.twisted.util import transport_channel_id
from twisted.internet import protocol, reactor, ssl


class Peer(protocol.Protocol):
    is_server = False

    def connectionMade(self):
        if not self.is_server:
            self.transport.write(b"hello\n")

    def dataReceived(self, data):
        cid = transport_channel_id(self.transport, self.is_server, "tls-unique")
        if self.is_server:
            self.transport.write(cid.hex().encode() + b"\n")
        print(json.dumps({"channel_id": cid.hex()}), flush=True)
        self.transport.loseConnection()
        reactor.callLater(0, reactor.stop)


def main():
    mode = sys.argv[1]
    if mode == "server":
        f = protocol.Factory.forProtocol(type("ServerPeer", (Peer,), {"is_server": True}))
        ctx = ssl.DefaultOpenSSLContextFactory(sys.argv[3], sys.argv[2])
        port = reactor.listenSSL(0, f, ctx, interface="127.0.0.1")
        print(json.dumps({"port": port.getHost().port}), flush=True)
    else:
        f = protocol.ClientFactory.forProtocol(Peer)
        reactor.connectSSL("127.0.0.1", int(sys.argv[2]), f, ssl.CertificateOptions(verify=False))
    reactor.callLater(60, reactor.stop)  # a hang guard: it stops itself after one exchange
    reactor.run()


main()

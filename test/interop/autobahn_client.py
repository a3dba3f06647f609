"""autobahn-python's own cryptosign client (Debian python3-autobahn, Twisted)
logging into a router: autobahn.twisted.component.Component with
authentication={"cryptosign": {...}}, as its docs show; over ws, or wss with
the test certificate as trust root, with or without channel_binding.

  autobahn_client.py URL PRIVKEY_HEX AUTHID|- BINDING|- CERT|-

Prints one JSON line: {"joined": {"authid", "authrole", "authmethod"}} or
{"left": {"reason", "message"}}.
"""
import json
import sys
from urllib.parse import urlparse

from autobahn.twisted.component import Component
from twisted.internet import reactor

url, privkey, authid, binding, cert = sys.argv[1:6]
u = urlparse(url)
endpoint = {"type": "tcp", "host": u.hostname, "port": u.port}
if cert != "-":
    endpoint["tls"] = {"hostname": "localhost", "trust_root": cert}
cryptosign = {"privkey": privkey}
if authid != "-":
    cryptosign["authid"] = authid
if binding != "-":
    cryptosign["authextra"] = {"channel_binding": binding}

component = Component(
    transports=[{"type": "websocket", "url": url, "endpoint": endpoint, "max_retries": 0,
                 "serializers": ["json"]}],
    realm="realm1",
    authentication={"cryptosign": cryptosign},
)
result = {}


@component.on_join
def joined(session, details):
    result["joined"] = {"authid": details.authid, "authrole": details.authrole, "authmethod": details.authmethod}
    session.leave()


@component.on_leave
def left(session, details):
    if "joined" not in result:
        result["left"] = {"reason": details.reason, "message": details.message}


@component.on_disconnect
def disconnected(session, was_clean):
    if reactor.running:
        reactor.stop()


def give_up():
    result.setdefault("left", {"reason": "timeout", "message": None})
    reactor.stop()


component.start(reactor)
reactor.callLater(60, give_up)  # a hang guard: a login takes well under a second
reactor.run()
print(json.dumps(result), flush=True)

"""A second implementation of transcript-bound WAMP-cryptosign, written from
docs/transcript-binding.md alone: PyNaCl (Debian python3-nacl) for Ed25519,
hashlib for SHA-256, pyOpenSSL for TLS (it exposes the peer's Finished
message and the TLS exporter), and a minimal WebSocket client.

  transcript_client.py vectors            stdin: the doc's JSON block; prints one
                                          JSON line per vector: transcript,
                                          signed_message, signature as computed here
  transcript_client.py login URL CA SEED REALM AUTHID BINDING ROUTERKEY|-

login prints one JSON line: {"welcome": {...}} or {"abort": [details, reason]}
or {"refused": "<why>"} (our own checks of the router failed; nothing signed).
"""
import base64
import hashlib
import json
import os
import socket
import struct
import sys
from urllib.parse import urlparse

import nacl.signing
from nacl.exceptions import BadSignatureError
from OpenSSL import SSL

VERSION = "cryptosign-transcript-v1"
LABELS = {
    "client": b"WAMP-cryptosign-transcript-v1 client\x00",
    "router": b"WAMP-cryptosign-transcript-v1 router\x00",
}


def field(b):
    return struct.pack(">I", len(b)) + b


def transcript(role, f):
    """Section 3: eleven length-prefixed fields, in order."""
    parts = [
        role.encode("ascii"),
        f["channel_binding"].encode("ascii"),
        f["channel_id"],
        f["realm"].encode("utf-8"),
        f["authid"].encode("utf-8"),
        f["client_pubkey"],
        f.get("router_pubkey", b""),
        f.get("client_challenge", b""),
        f["router_challenge"],
        f.get("client_certificate", b""),
        f.get("router_certificate", b""),
    ]
    return b"".join(field(p) for p in parts)


def message(role, f):
    return LABELS[role] + hashlib.sha256(transcript(role, f)).digest()


def run_vectors():
    doc = json.load(sys.stdin)
    for v in doc["vectors"]:
        f = {k: bytes.fromhex(v[k]) for k in ("channel_id", "client_pubkey", "router_pubkey", "client_challenge",
                                               "router_challenge", "client_certificate", "router_certificate")}
        f.update(channel_binding=v["channel_binding"], realm=v["realm"], authid=v["authid"])
        sk = nacl.signing.SigningKey(bytes.fromhex(v["signing_seed"]))
        m = message(v["role"], f)
        sig = sk.sign(m).signature
        print(json.dumps({"transcript": transcript(v["role"], f).hex(), "signed_message": m.hex(), "signature": sig.hex()}))


# ---- a minimal WebSocket client (RFC 6455) over pyOpenSSL ---------------------------------

class Ws:
    def __init__(self, url, ca):
        u = urlparse(url)
        ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
        ctx.load_verify_locations(ca)
        ctx.set_verify(SSL.VERIFY_PEER, lambda *a: a[-1])
        raw = socket.create_connection((u.hostname, u.port))
        self.tls = SSL.Connection(ctx, raw)
        self.tls.set_tlsext_host_name(b"localhost")
        self.tls.set_connect_state()
        self.tls.do_handshake()
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET {u.path or '/'} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               f"Sec-WebSocket-Protocol: wamp.2.json\r\n\r\n")
        self.tls.sendall(req.encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.tls.recv(4096)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError("websocket upgrade refused")

    def channel_id(self, binding):
        """Section 1: this side's own view of its TLS connection."""
        if binding == "tls-exporter":
            return self.tls.export_keying_material(b"EXPORTER-Channel-Binding", 32)
        if binding == "tls-unique":
            return hashlib.sha256(self.tls.get_peer_finished()).digest()
        raise ValueError(binding)

    def send(self, obj):
        data = json.dumps(obj).encode()
        mask = os.urandom(4)
        n = len(data)
        head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
        self.tls.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.tls.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        b0, b1 = self._read(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack(">H", self._read(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self._read(8))[0]
        payload = self._read(n)
        if b0 & 0x0F == 8:
            raise EOFError
        return json.loads(payload)


HELLO, WELCOME, ABORT, CHALLENGE, AUTHENTICATE = 1, 2, 3, 4, 5


def run_login(url, ca, seed, realm, authid, binding, router_key):
    sk = nacl.signing.SigningKey(bytes.fromhex(seed))
    ws = Ws(url, ca)
    authextra = {"pubkey": sk.verify_key.encode().hex(), "channel_binding": binding, "transcript": VERSION}
    client_challenge = None
    if router_key != "-":
        client_challenge = os.urandom(32)
        authextra["challenge"] = client_challenge.hex()
    hello = {"roles": {"caller": {}}, "authmethods": ["cryptosign"], "authextra": authextra}
    if authid != "-":
        hello["authid"] = authid
    ws.send([HELLO, realm, hello])
    msg = ws.recv()
    if msg[0] == ABORT:
        return {"abort": msg[1:]}
    extra = msg[2]
    # section 2, step 3: every check before our key signs
    if extra.get("transcript") != VERSION:
        return {"refused": "transcript mode not confirmed"}
    if extra.get("channel_binding") != binding:
        return {"refused": "channel binding mismatch"}
    f = {
        "channel_binding": binding,
        "channel_id": ws.channel_id(binding),
        "realm": realm,
        "authid": "" if authid == "-" else authid,
        "client_pubkey": sk.verify_key.encode(),
        "router_challenge": bytes.fromhex(extra["challenge"]),
    }
    if router_key != "-":
        if not extra.get("pubkey") or not extra.get("signature"):
            return {"refused": "router did not authenticate"}
        if extra["pubkey"].lower() != router_key.lower():
            return {"refused": "router key not trusted"}
        f["router_pubkey"] = bytes.fromhex(router_key)
        f["client_challenge"] = client_challenge
        sig = extra["signature"]
        if len(sig) != 128:
            return {"refused": "router signature wrong"}
        try:
            nacl.signing.VerifyKey(f["router_pubkey"]).verify(message("router", f), bytes.fromhex(sig))
        except BadSignatureError:
            return {"refused": "router signature wrong"}
    ws.send([AUTHENTICATE, sk.sign(message("client", f)).signature.hex(), {}])
    msg = ws.recv()
    if msg[0] == WELCOME:
        return {"welcome": msg[2]}
    return {"abort": msg[1:]}


if __name__ == "__main__":
    if sys.argv[1] == "vectors":
        run_vectors()
    else:
        print(json.dumps(run_login(*sys.argv[2:9])), flush=True)

#!/usr/bin/python3
"""A second, independent cryptosign-transcript-v1 client written from docs/transcript-binding.md alone.

Python + PyNaCl (Ed25519, libsodium-strict verification) + pyOpenSSL (the TLS channel id), and a
minimal WebSocket (RFC 6455) client written here, so no WAMP library decides anything for it.

  transcript_client.py vectors
      stdin: the doc's JSON vector block. stdout: one JSON line per vector
      {"name", "transcript", "signed_message", "signature"} computed from the vector's inputs only.
      Also checks the doc's XOR-mode contrast entry (exit 1 if it does not reproduce).

  transcript_client.py login URL CA SEED REALM AUTHID BINDING ROUTERKEY|-
      Logs in over wss:// with transcript mode. AUTHID "" (or "-") sends no authid. ROUTERKEY "-" asks for
      no router authentication. Last stdout line: {"welcome": {...}} (exit 0), or
      {"refused": "<reason>"} (the client refused before its key signed; exit 1), or
      {"abort": [details, reason]} (the router refused; exit 1).
"""
import base64
import hashlib
import json
import os
import signal
import socket
import struct
import sys
import urllib.parse

import nacl.exceptions
import nacl.signing
from OpenSSL import SSL, crypto

VERSION = "cryptosign-transcript-v1"
LABELS = {
    "client": b"WAMP-cryptosign-transcript-v1 client\x00",
    "router": b"WAMP-cryptosign-transcript-v1 router\x00",
}
BINDINGS = ("tls-exporter", "tls-unique")
MAX_TEXT_BYTES = 4096  # section 3: realm and authid are at most this many UTF-8 bytes


# ---- section 3: the signed message ----------------------------------------------------------------

def field(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


def transcript(role: str, binding: str, channel_id: bytes, realm: str, authid: str, client_pub: bytes,
               router_pub: bytes, client_chal: bytes, router_chal: bytes,
               client_cert: bytes = b"", router_cert: bytes = b"") -> bytes:
    assert role in LABELS and binding in BINDINGS
    assert len(channel_id) == 32 and len(client_pub) == 32 and len(router_chal) == 32
    assert (len(router_pub), len(client_chal)) in ((0, 0), (32, 32)), "fields 7 and 8: both or neither"
    return b"".join(field(x) for x in (
        role.encode("ascii"), binding.encode("ascii"), channel_id, realm.encode("utf-8"),
        authid.encode("utf-8"), client_pub, router_pub, client_chal, router_chal, client_cert, router_cert))


def message(role: str, t: bytes) -> bytes:
    m = LABELS[role] + hashlib.sha256(t).digest()
    assert len(m) == 69
    return m


def hexbytes(s, n=None):
    """Hex from the wire (either case) to bytes; None if not hex or not n bytes."""
    if not isinstance(s, str):
        return None
    try:
        b = bytes.fromhex(s)
    except ValueError:
        return None
    if len(s) != 2 * len(b) or (n is not None and len(b) != n):
        return None
    return b


def run_vectors() -> int:
    doc = json.load(sys.stdin)
    for v in doc["vectors"]:
        h = bytes.fromhex
        t = transcript(v["role"], v["channel_binding"], h(v["channel_id"]), v["realm"], v["authid"],
                       h(v["client_pubkey"]), h(v["router_pubkey"]), h(v["client_challenge"]),
                       h(v["router_challenge"]), h(v.get("client_certificate", "")), h(v.get("router_certificate", "")))
        m = message(v["role"], t)
        key = nacl.signing.SigningKey(h(v["signing_seed"]))
        sig = key.sign(m).signature
        # the verifier side: libsodium-strict (crypto_sign_open)
        key.verify_key.verify(m, sig)
        print(json.dumps({"name": v["name"], "transcript": t.hex(), "signed_message": m.hex(), "signature": sig.hex()}))
    c = doc.get("xor_mode_contrast")
    if c:
        xm = bytes(a ^ b for a, b in zip(bytes.fromhex(c["challenge"]), bytes.fromhex(c["channel_id"])))
        got = nacl.signing.SigningKey(bytes.fromhex(c["seed"])).sign(xm)  # signature || message
        if got.hex() != c["authenticate"].lower():
            print("xor_mode_contrast does not reproduce", file=sys.stderr)
            return 1
    return 0


# ---- TLS (pyOpenSSL) and the channel id -----------------------------------------------------------

def tls_connect(host: str, port: int, ca_path: str) -> SSL.Connection:
    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
    ctx.load_verify_locations(ca_path)
    # tests only: offer just these TLS 1.2 cipher suites (to check the TLS rule of section 1)
    if os.environ.get("TRANSCRIPT_CLIENT_TLS12_CIPHERS"):
        ctx.set_max_proto_version(SSL.TLS1_2_VERSION)
        ctx.set_cipher_list(os.environ["TRANSCRIPT_CLIENT_TLS12_CIPHERS"].encode("ascii"))
    ctx.set_verify(SSL.VERIFY_PEER, lambda conn, cert, errno, depth, ok: bool(ok))
    sock = socket.create_connection((host, port))
    conn = SSL.Connection(ctx, sock)
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
        is_ip = True
    except OSError:
        is_ip = False
        conn.set_tlsext_host_name(host.encode("idna"))
    # the name is checked by OpenSSL during the handshake
    param = SSL._lib.SSL_get0_param(conn._ssl)
    if is_ip:
        rc = SSL._lib.X509_VERIFY_PARAM_set1_ip_asc(param, host.encode("ascii"))
    else:
        rc = SSL._lib.X509_VERIFY_PARAM_set1_host(param, host.encode("ascii"), 0)
    if rc != 1:
        raise RuntimeError("cannot set the expected peer name")
    conn.set_connect_state()
    conn.do_handshake()
    return conn


def channel_id(conn: SSL.Connection, binding: str):
    """This side's own view of its TLS connection (section 1), or None."""
    # section 1: TLS 1.3, or TLS 1.2 with an ECDHE key exchange; otherwise there is no channel id to bind
    version = conn.get_protocol_version_name()
    if not (version == "TLSv1.3" or (version == "TLSv1.2" and (conn.get_cipher_name() or "").startswith("ECDHE-"))):
        return None
    if binding == "tls-exporter":
        # RFC 9266: label EXPORTER-Channel-Binding, no context (context=None), 32 bytes
        return conn.export_keying_material(b"EXPORTER-Channel-Binding", 32)
    if binding == "tls-unique":
        # autobahn/crossbar's flavour: SHA-256 of the server's Finished (the client reads the peer's)
        fin = conn.get_peer_finished()
        return hashlib.sha256(fin).digest() if fin else None
    return None


# ---- a minimal WebSocket client (RFC 6455) --------------------------------------------------------

class WebSocket:
    def __init__(self, conn: SSL.Connection, host_header: str, path: str, protocol: str):
        self.conn, self.buf = conn, b""
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n")
        conn.sendall(req.encode())
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if not lines[0].startswith("HTTP/1.1 101"):
            raise RuntimeError(f"websocket upgrade refused: {lines[0]}")
        hdrs = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        if hdrs.get("sec-websocket-accept") != accept:
            raise RuntimeError("bad Sec-WebSocket-Accept")
        if hdrs.get("sec-websocket-protocol") != protocol:
            raise RuntimeError("router did not accept the wamp.2.json subprotocol")

    def _fill(self):
        while True:
            try:
                data = self.conn.recv(65536)
                break
            except SSL.WantReadError:
                continue
            except SSL.ZeroReturnError:
                data = b""
                break
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def _take(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send_frame(self, opcode: int, payload: bytes):
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.conn.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def send(self, msg):
        self.send_frame(0x1, json.dumps(msg, separators=(",", ":")).encode("utf-8"))

    def recv(self):
        """The next WAMP message (a JSON list), or None when the router closed."""
        parts = []
        while True:
            b0, b1 = self._take(2)
            fin, opcode, n = b0 & 0x80, b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._take(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._take(8))[0]
            mask = self._take(4) if b1 & 0x80 else None
            payload = self._take(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x8:
                return None
            if opcode == 0x9:
                self.send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            parts.append(payload)
            if fin:
                return json.loads(b"".join(parts).decode("utf-8"))

    def close(self):
        try:
            self.send_frame(0x8, struct.pack(">H", 1000))
            self.conn.shutdown()
        except Exception:
            pass


# ---- WAMP login in transcript mode (section 2) ----------------------------------------------------

HELLO, WELCOME, ABORT, CHALLENGE, AUTHENTICATE, GOODBYE = 1, 2, 3, 4, 5, 6


class Refused(Exception):
    pass


def client_checks(extra, binding: str, cid, router_key, client_chal, realm, authid, client_pub):
    """Section 2 step 3, in the doc's order, before the key signs. Returns the client's transcript."""
    if not isinstance(extra, dict) or extra.get("transcript") != VERSION:
        raise Refused("transcript not confirmed")
    if extra.get("channel_binding") != binding:
        raise Refused("channel binding mismatch")
    if cid is None or len(cid) != 32:
        raise Refused("channel binding unavailable")
    router_chal = hexbytes(extra.get("challenge"), 32)
    if router_chal is None:
        raise Refused("invalid challenge")
    router_pub = b""
    if router_key is not None:
        pub_s, sig_s = extra.get("pubkey"), extra.get("signature")
        if not isinstance(pub_s, str) or not isinstance(sig_s, str) or pub_s == "" or sig_s == "":
            raise Refused("router not authenticated")
        sent_pub = hexbytes(pub_s, 32)
        if sent_pub is None or sent_pub != router_key:
            raise Refused("router key not trusted")
        router_pub = router_key
        sig = hexbytes(sig_s, 64)
        rt = transcript("router", binding, cid, realm, authid, client_pub, router_pub, client_chal, router_chal)
        try:
            if sig is None:
                raise nacl.exceptions.BadSignatureError()
            nacl.signing.VerifyKey(router_key).verify(message("router", rt), sig)
        except nacl.exceptions.BadSignatureError:
            raise Refused("router signature wrong")
    return transcript("client", binding, cid, realm, authid, client_pub, router_pub, client_chal, router_chal)


def run_login(url, ca, seed_hex, realm, authid, binding, router_key_hex) -> int:
    u = urllib.parse.urlsplit(url)
    if u.scheme != "wss":
        print(json.dumps({"refused": "transcript mode needs wss://"}))
        return 1
    if binding not in BINDINGS:
        print(json.dumps({"refused": "unknown channel binding"}))
        return 1
    if authid == "-":  # the old client's spelling of "no authid"
        authid = ""
    if realm == "" or len(realm.encode("utf-8")) > MAX_TEXT_BYTES or len(authid.encode("utf-8")) > MAX_TEXT_BYTES:
        print(json.dumps({"refused": "realm or authid cannot be bound (empty realm, or longer than 4096 bytes)"}))
        return 1
    host, port = u.hostname, u.port or 443
    key = nacl.signing.SigningKey(bytes.fromhex(seed_hex))
    client_pub = bytes(key.verify_key)
    router_key = None if router_key_hex == "-" else bytes.fromhex(router_key_hex)
    client_chal = os.urandom(32) if router_key is not None else b""

    conn = tls_connect(host, port, ca)
    cid = channel_id(conn, binding)
    host_header = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    ws = WebSocket(conn, host_header, (u.path or "/") + (f"?{u.query}" if u.query else ""), "wamp.2.json")
    try:
        authextra = {"pubkey": client_pub.hex(), "channel_binding": binding, "transcript": VERSION}
        if client_chal:
            authextra["challenge"] = client_chal.hex()
        details = {
            "roles": {"caller": {}, "callee": {}, "publisher": {}, "subscriber": {}},
            "authmethods": ["cryptosign"],
            "authextra": authextra,
        }
        if authid:
            details["authid"] = authid
        ws.send([HELLO, realm, details])
        msg = ws.recv()
        if msg is None or msg[0] == ABORT:
            print(json.dumps({"abort": None if msg is None else msg[1:]}))
            return 1
        if msg[0] != CHALLENGE or msg[1] != "cryptosign":
            print(json.dumps({"refused": "unexpected message"}))
            return 1
        try:
            t = client_checks(msg[2], binding, cid, router_key, client_chal, realm, authid, client_pub)
        except Refused as e:
            print(json.dumps({"refused": str(e)}))
            return 1
        ws.send([AUTHENTICATE, key.sign(message("client", t)).signature.hex(), {}])
        msg = ws.recv()
        if msg is None or msg[0] != WELCOME:
            print(json.dumps({"abort": None if msg is None else msg[1:]}))
            return 1
        d = msg[2]
        print(json.dumps({"welcome": {"session": msg[1], "authid": d.get("authid"), "authrole": d.get("authrole"),
                                      "authmethod": d.get("authmethod"), "channel_binding": binding}}))
        ws.send([GOODBYE, {}, "wamp.close.normal"])
        ws.recv()
        return 0
    finally:
        ws.close()


def main(argv) -> int:
    signal.alarm(30)  # never hang a test run
    if argv[1:2] == ["vectors"]:
        return run_vectors()
    if argv[1:2] == ["login"] and len(argv) == 9:
        return run_login(*argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

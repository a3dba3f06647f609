"""libsodium's verdict (crypto_sign_verify_detached, through Debian's python3-nacl) on
JSON lines {pk, msg, sig} (hex) from stdin: one line "1" (accepted) or "0" per case."""
import json
import sys

from nacl.bindings import crypto_sign_open
from nacl.exceptions import BadSignatureError, CryptoError

for line in sys.stdin:
    if not line.strip():
        continue
    c = json.loads(line)
    pk, msg, sig = bytes.fromhex(c["pk"]), bytes.fromhex(c["msg"]), bytes.fromhex(c["sig"])
    try:
        ok = len(sig) == 64 and crypto_sign_open(sig + msg, pk) == msg
    except (BadSignatureError, CryptoError, ValueError):
        ok = False
    print("1" if ok else "0")

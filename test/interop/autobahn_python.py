"""Signs with autobahn-python (Debian's python3-autobahn) for the interop tests.

Reads a JSON list of jobs on stdin, prints a JSON list of results. Jobs:
  {"kind": "seed", "seed": hex, "challenge": hex, "channel_id": hex|null}
  {"kind": "ssh_file", "path": str, "challenge": hex, "channel_id": hex|null}
  {"kind": "agent", "pubkey": "ssh-ed25519 AAAA...", "challenge": hex, "channel_id": hex|null}
  {"kind": "keyfile", "path": str, "challenge": hex, "channel_id": hex|null}   (crossbar key file)
  {"kind": "cra", "secret": str, "salt": str|null, "iterations": int, "keylen": int, "challenge": str}
  {"kind": "verify", "pubkey": hex, "signature": hex, "challenge": hex, "channel_id": hex|null}
      a signature in the AUTHENTICATE format (a router's answer to a client challenge):
      {"valid": bool} from the key autobahn builds (CryptosignKey.from_pubkey, whose
      verify key is PyNaCl's), and the signed message must be autobahn's own
      formatting of the challenge (XOR the channel id)
Each result is {"signature": hex} or {"error": str}; "pubkey" is added where a key is involved.
"""
import binascii
import json
import sys

import txaio

txaio.use_twisted()

from autobahn.wamp import auth, cryptosign
from autobahn.wamp.types import Challenge


def challenge_of(job):
    return Challenge('cryptosign', {'challenge': job['challenge']})


def channel(job):
    if job.get('channel_id'):
        return binascii.a2b_hex(job['channel_id']), 'tls-unique'
    return None, None


def local_key(job):
    kind = job['kind']
    if kind == 'seed':
        return cryptosign.CryptosignKey.from_bytes(binascii.a2b_hex(job['seed']))
    if kind == 'ssh_file':
        return cryptosign.CryptosignKey.from_ssh_file(job['path'])
    if kind == 'keyfile':
        return cryptosign.CryptosignKey.from_keyfile(job['path'])
    raise ValueError('unknown kind ' + kind)


def run_agent_jobs(jobs, results):
    from twisted.internet import reactor, defer
    from autobahn.wamp.cryptosign import CryptosignKey
    from autobahn.twisted.cryptosign import SSHAgentCryptosignKey

    class AgentKey(SSHAgentCryptosignKey):
        # autobahn 22.7.1 (Debian bookworm) passes the key comment as
        # CryptosignKey's `can_sign` argument, which fails its assertion for
        # every key with a comment. Only that constructor call is corrected
        # here; listing (new), agent signing (sign) and the challenge
        # formatting (sign_challenge) are autobahn's own.
        def __init__(self, key, comment=None, reactor=None):
            CryptosignKey.__init__(self, key, False, comment=comment)
            if not reactor:
                from twisted.internet import reactor
            self._reactor = reactor

    @defer.inlineCallbacks
    def main():
        try:
            for index, job in jobs:
                try:
                    key = yield AgentKey.new(job['pubkey'])
                    cid, ctype = channel(job)
                    sig = yield key.sign_challenge(challenge_of(job), cid, ctype)
                    results[index] = {'signature': sig, 'pubkey': key.public_key()}
                except Exception as e:  # reported to the test, which fails on it
                    results[index] = {'error': repr(e)}
        finally:
            reactor.stop()

    reactor.callWhenRunning(main)
    reactor.run()


def verify(job):
    from nacl.exceptions import BadSignatureError
    key = cryptosign.CryptosignKey.from_pubkey(binascii.a2b_hex(job['pubkey']))
    raw = binascii.a2b_hex(job['signature'])
    cid, ctype = channel(job)
    expected = cryptosign._format_challenge(challenge_of(job), cid, ctype)
    if len(raw) != 96 or raw[64:] != expected:
        return False
    try:
        key._key.verify(raw[64:], raw[:64])
        return True
    except BadSignatureError:
        return False


def main():
    jobs = json.load(sys.stdin)
    results = [None] * len(jobs)
    agent_jobs = []
    for index, job in enumerate(jobs):
        try:
            if job['kind'] == 'agent':
                agent_jobs.append((index, job))
            elif job['kind'] == 'verify':
                results[index] = {'valid': verify(job)}
            elif job['kind'] == 'cra':
                key = auth.derive_key(job['secret'], job['salt'], job['iterations'], job['keylen']) if job.get('salt') else job['secret']
                wcs = auth.compute_wcs(key, job['challenge'])
                results[index] = {'derived': key.decode() if isinstance(key, bytes) else key, 'signature': wcs.decode()}
            else:
                key = local_key(job)
                cid, ctype = channel(job)
                got = []
                d = key.sign_challenge(challenge_of(job), cid, ctype)
                d.addCallbacks(got.append, lambda f: got.append(f.value))
                if not got or isinstance(got[0], Exception):
                    raise RuntimeError('signing did not complete: %r' % (got,))
                results[index] = {'signature': got[0], 'pubkey': key.public_key()}
        except Exception as e:
            results[index] = {'error': repr(e)}
    if agent_jobs:
        run_agent_jobs(agent_jobs, results)
    json.dump(results, sys.stdout)


if __name__ == '__main__':
    main()

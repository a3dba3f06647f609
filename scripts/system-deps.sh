#!/bin/sh
# Makes sure the system tools are here, installing the missing ones with
# apt-get when it can (root on Debian/Ubuntu); otherwise says what to install.
#   system-deps.sh demo   OpenSSH's ssh-agent, ssh-add, ssh-keygen (npm start)
#   system-deps.sh test   those, plus OpenSSH's sshd (/usr/sbin/sshd, run
#                         privately by the sshd differential test), openssl,
#                         setsid, script and Debian's
#                         python3-autobahn with twisted, nacl and pyOpenSSL
#                         (npm test); AUTOBAHN_PYTHON names another python
#                         that has them (then nothing is installed for it)
set -eu
what=${1:-test}
need=""
for tool in ssh-agent ssh-add ssh-keygen; do
  command -v "$tool" >/dev/null 2>&1 || { need="$need openssh-client"; break; }
done
if [ "$what" = test ]; then
  [ -x /usr/sbin/sshd ] || need="$need openssh-server"
  command -v openssl >/dev/null 2>&1 || need="$need openssl"
  command -v setsid >/dev/null 2>&1 || need="$need util-linux"
  command -v script >/dev/null 2>&1 || need="$need bsdutils"
  py=${AUTOBAHN_PYTHON:-/usr/bin/python3}
  if ! "$py" -c 'import autobahn.wamp.cryptosign, nacl.signing, twisted.conch.ssh.agent, OpenSSL' >/dev/null 2>&1; then
    if [ -n "${AUTOBAHN_PYTHON:-}" ]; then
      echo "system-deps: $py cannot import autobahn, nacl, twisted and OpenSSL (AUTOBAHN_PYTHON)" >&2
      exit 1
    fi
    need="$need python3 python3-autobahn python3-nacl python3-twisted python3-openssl"
  fi
fi
[ -z "$need" ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else SUDO=none; fi
  if [ "$SUDO" != none ]; then
    echo "system-deps: installing$need" >&2
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    if $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null; then
      exit 0
    fi
  fi
fi
echo "system-deps: missing$need; install them (Debian/Ubuntu: apt-get install$need)" >&2
exit 1

#!/bin/sh
# The package as users get it (CI runs this beside the Node 22/24 tests; it packs from a clean
# clone of the committed tree and never touches the checkout's dist/): publint and
# are-the-types-wrong on the packed package (every subpath); then, in scratch consumer projects,
# `npm install <tarball>` and `npm install git+file://<clone>` each give a library that `import` and `require()` load, types that compile
# under strict TypeScript (node16 and bundler resolution), and a working
# `npx cryptosign-keys`.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/cryptosign-keys-pkg-XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

check_consumer() { # $1 dir, $2 what
  cd "$1"
  # import and require() both load the library and make a key; every subpath of the exports map loads both ways
  node --input-type=module -e "import { fromSeed, cryptosignClient } from 'cryptosign-keys'; const k = fromSeed('11'.repeat(32)); if (typeof cryptosignClient !== 'function' || k.publicKeyHex.length !== 64) process.exit(1);"
  node -e "const { fromSeed } = require('cryptosign-keys'); if (fromSeed('11'.repeat(32)).publicKeyHex.length !== 64) process.exit(1);"
  for sub in $subpaths; do
    node --input-type=module -e "const m = await import('cryptosign-keys/$sub'); if (Object.keys(m).length === 0) process.exit(1);"
    node -e "if (Object.keys(require('cryptosign-keys/$sub')).length === 0) process.exit(1);"
  done
  # the types, under strict TypeScript, importing the package by its name and its subpaths: an ES
  # module consumer (node16 and bundler resolution) and a CommonJS one (nodenext: require() of an
  # ES module, TS >= 5.8)
  body='import { fromSeed, cryptosignClient, signChallenge, type SigningKey } from "cryptosign-keys";
import { CryptosignAuthenticator, parseAuthorizedKeys, type PendingLogin } from "cryptosign-keys/router";
import { crossbarDecision } from "cryptosign-keys/crossbar";
import { tlsChannelId, type CryptosignChallengeExtra } from "cryptosign-keys/handshake";
import { fingerprintOfBlob, type AgentSigningKey } from "cryptosign-keys/ssh";
import { startThrowawayAgent } from "cryptosign-keys/testing";
const key: SigningKey = fromSeed("11".repeat(32));
const login = cryptosignClient(key, { channelBinding: "tls-unique", routerKeys: [key.publicKeyHex] });
const principals = parseAuthorizedKeys(`${key.publicKeyHex} alice`);
const auth = new CryptosignAuthenticator({ principals });
export const pieces: [unknown, unknown, unknown, unknown] = [crossbarDecision, tlsChannelId, fingerprintOfBlob, startThrowawayAgent];
export type Pieces = [PendingLogin, CryptosignChallengeExtra, AgentSigningKey];
export const done: Promise<string> = signChallenge(key, "00".repeat(32)).then((s) => s + login.authmethods[0] + String(auth));'
  printf '%s\n' "$body" > use.mts
  printf '%s\n' "$body" > use.cts
  tsc="$root/node_modules/.bin/tsc --noEmit --strict --target es2022 --types node --typeRoots $root/node_modules/@types"
  $tsc --module node16 --moduleResolution node16 use.mts
  $tsc --module esnext --moduleResolution bundler use.mts
  $tsc --module nodenext --moduleResolution nodenext use.cts
  # the CLI through npx
  out=$(echo 3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c | npx --no-install cryptosign-keys sign --seed-file "$work/seed")
  [ "${#out}" -eq 192 ] || { echo "check-package: $2: npx cryptosign-keys sign printed '$out'" >&2; exit 1; }
  npx --no-install cryptosign-keys --version >/dev/null
  # an encrypted key file: the entry's early KDF worker and the bundle's pool are the installed files
  pub=$(npx --no-install cryptosign-keys pubkey --ssh --key "$work/enc" --passphrase-file "$work/enc.pass")
  [ "$pub" = "$(cat "$work/enc.pub")" ] || { echo "check-package: $2: pubkey of an encrypted key printed '$pub'" >&2; exit 1; }
  echo "check-package: $2: import, require (root and $subpaths), types (ESM node16 and bundler, CommonJS nodenext), npx (sign, an encrypted key): ok"
}

# the subpaths of the exports map (router crossbar handshake ssh testing)
subpaths=$(node -p "Object.keys(require('$root/package.json').exports).filter((k) => k !== '.' && k !== './package.json').map((k) => k.slice(2)).join(' ')")

printf '%s' "$(printf '22%.0s' $(seq 32))" > "$work/seed"
chmod 600 "$work/seed"
cp "$root/fixtures/ed25519-encrypted" "$work/enc"
cp "$root/fixtures/ed25519-encrypted.passphrase" "$work/enc.pass"
cp "$root/fixtures/ed25519-encrypted.pub" "$work/enc.pub"
chmod 600 "$work/enc" "$work/enc.pass"

# 0. the tarball npm publish would upload, packed once (prepack builds it) from a clean clone of
# the committed tree (so this can run while tests use the checkout's dist/), and what it holds:
# no source maps, no bin/*.d.ts, no `prepare` left in its package.json
git clone -q "$root" "$work/clone"
ln -s "$root/node_modules" "$work/clone/node_modules"
cd "$work/clone"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
rm "$work/clone/node_modules"
[ -z "$(git -C "$work/clone" status --porcelain --ignored=no)" ] || { echo "check-package: packing changed the clone" >&2; git -C "$work/clone" status --short >&2; exit 1; }
listing=$(tar tzf "$work/$tarball")
if printf '%s\n' "$listing" | grep -E '\.map$|^package/dist/bin/.*\.d\.ts$|^package/dist/(test|bench|soak)/'; then
  echo "check-package: the tarball holds the files above, which it should not" >&2; exit 1
fi
for f in README.md docs/router-recipes.md examples/ws-router.mjs; do # what the README links to ships with it
  printf '%s\n' "$listing" | grep -qx "package/$f" || { echo "check-package: the tarball lacks $f" >&2; exit 1; }
done
tar xzf "$work/$tarball" -C "$work" package/package.json
node -e "const p = require('$work/package/package.json'); if (p.scripts && p.scripts.prepare) { console.error('check-package: the packed package.json still has prepare'); process.exit(1); }"

# 1. the package's metadata and types, as the linters read them, from that tarball (every
# subpath of the exports map). attw's cjs-resolves-to-esm is expected and fine: the package is
# ESM, and Node >= 20.19 (engines) loads it with require(); CommonJS TypeScript uses module nodenext.
"$root/node_modules/.bin/publint" run "$work/$tarball" --strict
"$root/node_modules/.bin/attw" "$work/$tarball" --ignore-rules cjs-resolves-to-esm --format ascii

# 2. the tarball, installed
mkdir "$work/from-tarball" && cd "$work/from-tarball" && npm init -y >/dev/null
npm install --silent --no-save "$work/$tarball" >/dev/null
check_consumer "$work/from-tarball" "npm install <tarball>"

# 3. a git dependency (npm runs `prepare` to build it)
mkdir "$work/from-git" && cd "$work/from-git" && npm init -y >/dev/null
npm install --silent --no-save "git+file://$work/clone" >/dev/null
check_consumer "$work/from-git" "npm install git+file://…"

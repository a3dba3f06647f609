// Bundles the CLI for start-up speed (issue 18): dist/bin/cryptosign-keys-<name>.cjs is the CLI's
// main with one command module (list, sign (sign and pubkey), verify, verify-router, authenticator,
// demo) or none ('main': --help, --version, usage errors), each one CommonJS file; the entry
// dist/bin/cryptosign-keys.cjs (package.json "bin") starts the one for the first argument, with V8's
// code cache (below), and dist/bin/key-file-worker.js is the worker that decrypts key files
// (dist/bin/key-index-worker.js: the one that indexes large authorized_keys files). Why this shape
// (figures in docs/cli.md): the tsc build's ESM graph is ~50 files through the ESM loader; ESM
// chunks still cost as much; one CJS file with every command (180 KB) is parsed whole on every run;
// a file per command parses 22 KB for --help, 55 KB for list. Inside a file, each module is
// initialised only when its command runs (esbuild's lazy wrappers), so list and sign --agent load only
// the builtins they use (no tls/https/child_process). A plain tsc build still gives a working, slower
// CLI in dist/bin/cryptosign-keys.js.
//
// bin/ imports only the public entry points (lib/index.ts, lib/ssh.ts, …), barrels of re-exports
// whose initialisation would start every module; `debarrel` rewrites bin's imports of a barrel to
// the modules that define each name (the same code, found the way the barrel's `export { … } from`
// lines say). Every module is marked side-effect free, so what a command does not use is not kept.
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist/bin');
const BARRELS = ['index', 'router', 'crossbar', 'handshake', 'ssh', 'testing'];

/** name → [defining module (absolute .ts path), its name there], from a barrel's `export … from` lines */
function barrelMap(barrel) {
  const file = join(ROOT, 'lib', `${barrel}.ts`);
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const map = new Map();
  const star = [];
  for (const m of text.matchAll(/export\s+(type\s+)?(\{[^}]*\}|\*)\s*from\s*'([^']+)'/g)) {
    const target = join(dirname(file), m[3].replace(/\.js$/, '.ts'));
    if (m[2] === '*') {
      star.push(target);
      continue;
    }
    for (const spec of m[2].slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean)) {
      const [orig, alias] = spec.replace(/^type\s+/, '').split(/\s+as\s+/);
      map.set(alias ?? orig, [target, orig]);
    }
  }
  return { map, star };
}

const debarrel = {
  name: 'debarrel',
  setup(b) {
    const maps = Object.fromEntries(BARRELS.map((n) => [n, barrelMap(n)]));
    b.onLoad({ filter: /[/\\]bin[/\\][^/\\]+\.ts$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const contents = src.replace(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*'\.\.\/lib\/([a-z]+)\.js';/g, (whole, typeOnly, specs, barrel) => {
        if (typeOnly || !maps[barrel]) return whole;
        const { map, star } = maps[barrel];
        const byFile = new Map();
        for (const spec of specs.split(',').map((s) => s.trim()).filter(Boolean)) {
          if (spec.startsWith('type ')) continue;
          const [name, local] = spec.split(/\s+as\s+/);
          const hit = map.get(name) ?? (star.length === 1 ? [star[0], name] : undefined);
          if (!hit) throw new Error(`${args.path}: ${name} is not a named export of lib/${barrel}.ts`);
          const list = byFile.get(hit[0]) ?? [];
          list.push(hit[1] === (local ?? name) ? hit[1] : `${hit[1]} as ${local ?? name}`);
          byFile.set(hit[0], list);
        }
        return [...byFile].map(([f, names]) => `import { ${names.join(', ')} } from ${JSON.stringify(f)};`).join('\n');
      });
      return { contents, loader: 'ts' };
    });
    // every module here is side-effect free: what a chunk does not use is not loaded
    b.onResolve({ filter: /^(\.\.?\/|\/)/ }, async (args) => {
      if (args.pluginData?.inner || args.kind === 'entry-point') return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { inner: true } });
      return r.errors.length ? { errors: r.errors } : { path: r.path, sideEffects: false };
    });
  },
};

// The KDF's worker pool is one module file of its own (dist/bin/bcrypt-workers.cjs) that the command
// bundles require: the entry starts its workers before it loads a bundle (sign/pubkey with
// --passphrase-file), and the bundle's openKeyFile must find that same pool.
const BCRYPT_WORKERS = join(ROOT, 'lib/crypto/bcrypt-pbkdf-workers.ts');
const sharedBcryptWorkers = {
  name: 'shared-bcrypt-workers',
  setup(b) {
    // (an import of the module itself, or debarrel's import by absolute path of a name from lib/ssh.ts)
    b.onResolve({ filter: /bcrypt-pbkdf-workers\.[jt]s$/ }, (args) =>
      resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')) === BCRYPT_WORKERS ? { path: './bcrypt-workers.cjs', external: true } : undefined,
    );
  },
};

/** command → the bin/ module that runs it, from main.ts's RUN table (`name: async () => (await import('./x.js'))…`) */
function commandModules() {
  const text = readFileSync(join(ROOT, 'bin/main.ts'), 'utf8');
  const map = new Map();
  for (const m of text.matchAll(/^\s*'?([a-z][a-z-]*)'?: async \(\) => \(await import\('\.\/([a-z-]+)\.js'\)\)/gm)) map.set(m[1], m[2]);
  if (map.size === 0) throw new Error("bin/main.ts: no commands found in RUN (the pattern in scripts/bundle-cli.mjs no longer matches)");
  return map;
}

/**
 * main.ts with one command module (or none): the other commands' dynamic imports resolve to a module
 * that throws when loaded. The entry only starts a bundle for the command it holds (main runs RUN[argv[0]]).
 */
function onlyCommand(keep, all) {
  const others = new Set([...all].filter((m) => m !== keep));
  return {
    name: 'only-command',
    setup(b) {
      b.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, (args) => {
        const mod = args.path.slice(2, -3);
        if (!others.has(mod) || !/[/\\]bin[/\\]main\.ts$/.test(args.importer)) return undefined;
        return { path: mod, namespace: 'not-in-this-bundle' };
      });
      b.onLoad({ filter: /.*/, namespace: 'not-in-this-bundle' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`this CLI bundle does not hold bin/${args.path}.ts`)});`,
        loader: 'js',
      }));
    },
  };
}

// The entry compiles the bundle through vm.Script with the code V8 produced on an earlier run
// (createCachedData at exit: the functions the command ran are in it, compiled; Node 22's own
// module.enableCompileCache writes its cache right after compiling, with little more than the top
// level: list +14 ms over bare node with it, +12 with this; sign --agent +30 and +19), kept in
// $TMPDIR/cryptosign-keys-v8-cache-<uid>/. Cached code is code this process will run, so it is used
// only from a directory and a file that are this user's and writable by nobody else (checked on the
// open descriptor; links not followed), and its name carries the installation's directory (hashed),
// the bundle's build hash, size and mtime
// (V8 itself rejects data from another V8 version, other flags or another source length).
// NODE_DISABLE_COMPILE_CACHE turns it off, as it does Node's own.
const entry = (bundles, hashes) => `#!/usr/bin/env node
'use strict';
// cryptosign-keys: starts the bundle that holds the command named by the first argument (built by
// scripts/bundle-cli.mjs; each is the CLI's main with that one command), or the one with no command
// (--help, --version, usage errors), with V8's code cache (why and how: scripts/bundle-cli.mjs).
const path = require('node:path');
const nodeModule = require('node:module');
const BUNDLES = ${JSON.stringify(bundles)};
// the first 16 hex digits of each bundle's SHA-256, for the cache file's name
const HASHES = ${JSON.stringify(hashes)};
const command = process.argv[2];
const name = Object.hasOwn(BUNDLES, command) ? BUNDLES[command] : 'main';
const file = path.join(__dirname, 'cryptosign-keys-' + name + '.cjs');

/** this user's cache directory, made if missing; undefined when it is not this user's alone */
function cacheDir(fs, uid) {
  const dir = path.join(process.env.TMPDIR || '/tmp', 'cryptosign-keys-v8-cache-' + uid);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if (e.code !== 'EEXIST') return undefined;
  }
  const st = fs.lstatSync(dir);
  return st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0 ? dir : undefined;
}

/** Compiles and runs the bundle with cached code; false (nothing run) when there is no usable cache directory. */
function runWithCodeCache() {
  if (process.env.NODE_DISABLE_COMPILE_CACHE || typeof process.getuid !== 'function') return false;
  const fs = require('node:fs');
  const uid = process.getuid();
  // this installation's files (FNV-1a of its directory): two installations do not evict each other's
  let h = 0x811c9dc5;
  for (let i = 0; i < __dirname.length; i++) h = Math.imul(h ^ __dirname.charCodeAt(i), 0x01000193) >>> 0;
  const prefix = name + '-' + h.toString(16).padStart(8, '0') + '-';
  let cacheFile, source, cachedData;
  try {
    const dir = cacheDir(fs, uid);
    if (!dir) return false;
    const fd = fs.openSync(file, 'r');
    try {
      const st = fs.fstatSync(fd);
      source = fs.readFileSync(fd, 'utf8');
      cacheFile = path.join(dir, prefix + HASHES[name] + '-' + st.size + '-' + Math.trunc(st.mtimeMs) + '-' + process.version + '.v8');
    } finally {
      fs.closeSync(fd);
    }
    try {
      const cfd = fs.openSync(cacheFile, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      try {
        const st = fs.fstatSync(cfd);
        if (st.isFile() && st.uid === uid && (st.mode & 0o022) === 0) cachedData = fs.readFileSync(cfd);
      } finally {
        fs.closeSync(cfd);
      }
    } catch {
      // no cache yet
    }
  } catch {
    return false;
  }
  // (the bundles hold no import(): esbuild turned each into require, see bundleCli)
  const script = new (require('node:vm').Script)(nodeModule.wrap(source.replace(/^#!/, '//')), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        const tmp = cacheFile + '.' + process.pid;
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600, flag: 'wx' });
        fs.renameSync(tmp, cacheFile);
        // this installation's caches of this file from other builds, for this Node version
        const dir = path.dirname(cacheFile);
        for (const f of fs.readdirSync(dir)) {
          if (f.startsWith(prefix) && f.endsWith('-' + process.version + '.v8') && f !== path.basename(cacheFile)) fs.rmSync(path.join(dir, f), { force: true });
        }
      } catch {
        // no cache this time
      }
    });
  }
  // as require() would: a module in require.cache, with its own require
  const m = new nodeModule(file, module);
  m.filename = file;
  m.paths = nodeModule._nodeModulePaths(__dirname);
  nodeModule._cache[file] = m;
  script.runInThisContext().call(m.exports, m.exports, nodeModule.createRequire(file), m, file, __dirname);
  m.loaded = true;
  return true;
}

// An encrypted key file to open (--key with --passphrase-file, no --help): its KDF's worker starts
// now (~30 ms), while the bundle loads and the files are read, not after
// (lib/crypto/bcrypt-pbkdf-workers.ts; the bundle uses this pool).
const given = (o) => process.argv.some((a) => a === o || a.startsWith(o + '='));
if ((command === 'sign' || command === 'pubkey') && given('--key') && given('--passphrase-file') && !given('--help') && !given('-h')) {
  try {
    require('./bcrypt-workers.cjs').prestartBcryptWorkers();
  } catch {
    // the bundle's openKeyFile starts them
  }
}

// Node's own cache (22.1+) for the packages a command loads; the bundle's code from the cache above
try {
  nodeModule.enableCompileCache?.();
} catch {
  // no cache directory: start without it
}
if (!runWithCodeCache()) require(file);
`;

/** Builds the CLI into `outdir` (two levels below the package root: the CLI reads ../../package.json). */
export async function bundleCli(outdir = OUT) {
  const common = {
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node20.19',
    packages: 'external',
    keepNames: true,
    logLevel: 'warning',
  };
  const commands = commandModules();
  const modules = new Set(commands.values());
  // one bundle per command module (sign and pubkey share sign-command) and one with none
  const bundles = Object.fromEntries([...commands].map(([name, mod]) => [name, mod.replace(/-command$/, '')]));
  await Promise.all(
    [...[...modules].map((mod) => [mod, mod.replace(/-command$/, '')]), [undefined, 'main']].map(([mod, name]) =>
      build({
        ...common,
        plugins: [onlyCommand(mod, modules), sharedBcryptWorkers, debarrel],
        entryPoints: ['bin/cryptosign-keys.ts'],
        outfile: join(outdir, `cryptosign-keys-${name}.cjs`),
        format: 'cjs',
        // import() of a builtin or package becomes require(): the entry may compile a bundle through vm.Script, which has no import()
        supported: { 'dynamic-import': false },
        // the library finds its files and packages from import.meta.url: here, this file's URL (made when first asked for)
        define: { 'import.meta.url': '__cliModule.url' },
        banner: { js: "const __cliModule = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" },
      }),
    ),
  );
  const hashes = Object.fromEntries(
    [...new Set(Object.values(bundles)), 'main'].map((n) => [n, createHash('sha256').update(readFileSync(join(outdir, `cryptosign-keys-${n}.cjs`))).digest('hex').slice(0, 16)]),
  );
  const file = join(outdir, 'cryptosign-keys.cjs');
  writeFileSync(file, entry(bundles, hashes));
  chmodSync(file, 0o755);
  await build({ ...common, entryPoints: [BCRYPT_WORKERS], outfile: join(outdir, 'bcrypt-workers.cjs'), format: 'cjs' });
  // where the bundled openKeyFile looks for it: new URL('./key-file-worker.js', import.meta.url)
  await build({ ...common, plugins: [debarrel], entryPoints: ['lib/keys/key-file-worker.ts'], outfile: join(outdir, 'key-file-worker.js'), format: 'esm' });
  // and the bundled AuthorizedKeysFile's: new URL('./key-index-worker.js', import.meta.url) (without it, large files are indexed in slices)
  await build({ ...common, plugins: [debarrel], entryPoints: ['lib/wamp/router/key-index-worker.ts'], outfile: join(outdir, 'key-index-worker.js'), format: 'esm' });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await bundleCli();

// Bundles the CLI for start-up speed (issue 18): dist/bin/cryptosign-keys-cli.cjs is the whole CLI
// in one CommonJS file, started by dist/bin/cryptosign-keys.cjs (package.json "bin": it turns on
// V8's compile cache where Node has one), and dist/bin/key-file-worker.js is the worker it starts to
// decrypt key files (dist/bin/key-index-worker.js: the one that indexes large authorized_keys
// files). Why this shape (figures in docs/cli.md): the tsc build's ESM graph is ~50 files
// through the ESM loader; ESM chunks still cost as much; one CJS file with each command's modules
// initialised only when that command runs (esbuild's lazy wrappers) starts `list`, `sign --agent` and
// `--help` with only the builtins they use (no tls/https/child_process). A plain tsc build still
// gives a working, slower CLI in dist/bin/cryptosign-keys.js.
//
// bin/ imports only the public entry points (lib/index.ts, lib/ssh.ts, …), barrels of re-exports
// whose initialisation would start every module; `debarrel` rewrites bin's imports of a barrel to
// the modules that define each name (the same code, found the way the barrel's `export { … } from`
// lines say). Every module is marked side-effect free, so what a command does not use is not kept.
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

const ENTRY = `#!/usr/bin/env node
'use strict';
// cryptosign-keys: the CLI is ./cryptosign-keys-cli.cjs (built by scripts/bundle-cli.mjs).
// V8's compile cache where Node has it (module.enableCompileCache, Node >= 22.1); older Node skips it.
try {
  require('node:module').enableCompileCache?.();
} catch {
  // no cache directory: start without it
}
require('./cryptosign-keys-cli.cjs');
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
    plugins: [debarrel],
  };
  await build({
    ...common,
    entryPoints: ['bin/cryptosign-keys.ts'],
    outfile: join(outdir, 'cryptosign-keys-cli.cjs'),
    format: 'cjs',
    // the library finds its files and packages from import.meta.url: here, this file's URL
    define: { 'import.meta.url': '__cliModuleUrl' },
    banner: { js: "const __cliModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  // the entry: V8's compile cache first where Node has it (22.1+; -4 ms CPU a run there), then the CLI
  const entry = join(outdir, 'cryptosign-keys.cjs');
  writeFileSync(entry, ENTRY);
  chmodSync(entry, 0o755);
  // where the bundled openKeyFile looks for it: new URL('./key-file-worker.js', import.meta.url)
  await build({ ...common, entryPoints: ['lib/keys/key-file-worker.ts'], outfile: join(outdir, 'key-file-worker.js'), format: 'esm' });
  // and the bundled AuthorizedKeysFile's: new URL('./key-index-worker.js', import.meta.url) (without it, large files are indexed in slices)
  await build({ ...common, entryPoints: ['lib/wamp/router/key-index-worker.ts'], outfile: join(outdir, 'key-index-worker.js'), format: 'esm' });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await bundleCli();

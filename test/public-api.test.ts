/**
 * The public surface, as package.json's `exports` map publishes it: every subpath loads by the
 * package's own name; every exported name (value or type) has JSDoc; the root holds what a WAMP
 * client needs and nothing more, plus the 0.1 root names that moved, each marked `@deprecated`
 * with the subpath that now exports it (and the very same object there); classes whose
 * constructors are internal are exported as types only; what TypeScript declares and what Node
 * loads agree name for name.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { ROOT } from './helpers/paths.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string | { types: string; default: string }>;
  typesVersions: Record<string, Record<string, string[]>>;
};

/** '.', './router', … with the source file of each (dist/lib/x.d.ts → lib/x.ts) */
const entries = Object.entries(pkg.exports)
  .filter(([sub]) => sub !== './package.json')
  .map(([sub, target]) => {
    assert.ok(typeof target === 'object' && target.types && target.default, `${sub}: types and default`);
    const source = target.types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts');
    return { sub, specifier: sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`, source: join(ROOT, source) };
  });

/** What a WAMP client needs: the names the root keeps (anything else there must be deprecated). */
const ROOT_NAMES = new Set([
  // key sources
  'SigningKey', 'KeySource', 'fromSeed', 'loadSeedFile', 'fromCrossbarKeyText', 'loadKeyFile', 'openKeyFile', 'KeyFileOptions',
  'readKeyFilePublicKey', 'KeyFilePublicKey',
  'PrivateFileOptions', 'openAgentKey', 'listAgentKeys', 'AgentKeyInfo', 'AgentKeyOptions',
  // logging in
  'cryptosignClient', 'CryptosignClient', 'CryptosignClientOptions', 'ChannelBindingType', 'TrustedRouterKeys',
  'signChallenge', 'verifyChallengeSignature', 'ChallengeOptions', 'joinWamp', 'WampSession', 'JoinOptions', 'Procedure',
  // errors
  'ErrorCode', 'CryptosignKeysError', 'InputError', 'KeyFileError', 'AgentError', 'AuthorizedKeysError', 'AuthError',
  'ChannelBindingError', 'RouterAuthError', 'WampSessionError', 'WampCallError', 'isCryptosignKeysError',
]);

/** Made only by the library (their constructors take internal state): never a value export. */
const TYPE_ONLY_CLASSES = ['AgentSigningKey', 'LocalSigningKey', 'PendingLogin', 'AuthorizedKeys'];

interface Exported {
  name: string;
  value: boolean;
  documented: boolean;
  deprecated: string | undefined;
}

/** Every name each entry exports, from the TypeScript sources (one program for all entries, made once). */
let declaredCache: Map<string, Exported[]> | undefined;
function declaredExports(): Map<string, Exported[]> {
  if (declaredCache) return declaredCache;
  const program = ts.createProgram(
    entries.map((e) => e.source),
    { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
  );
  const checker = program.getTypeChecker();
  const out = new Map<string, Exported[]>();
  for (const e of entries) {
    const file = program.getSourceFile(e.source);
    assert.ok(file, e.source);
    const moduleSymbol = checker.getSymbolAtLocation(file);
    assert.ok(moduleSymbol, e.source);
    out.set(
      e.sub,
      checker.getExportsOfModule(moduleSymbol).map((symbol) => {
        const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        const decl = symbol.declarations?.[0];
        const typeOnly = !!decl && ts.isExportSpecifier(decl) && (decl.isTypeOnly || decl.parent.parent.isTypeOnly);
        const deprecatedTag = decl && ts.isExportSpecifier(decl) ? ts.getJSDocDeprecatedTag(decl) : undefined;
        return {
          name: symbol.name,
          value: !typeOnly && (target.flags & ts.SymbolFlags.Value) !== 0,
          documented: ts.displayPartsToString(target.getDocumentationComment(checker)).trim() !== '',
          deprecated: deprecatedTag ? ts.getTextOfJSDocComment(deprecatedTag.comment) ?? '' : undefined,
        };
      }),
    );
  }
  declaredCache = out;
  return out;
}

test('every subpath: types and default, loads by the package name, and Node loads exactly the values TypeScript declares, each documented', async () => {
  const declared = declaredExports();
  for (const e of entries) {
    const names = declared.get(e.sub)!;
    const undocumented = names.filter((n) => !n.documented).map((n) => n.name);
    assert.deepEqual(undocumented, [], `${e.specifier}: exports without JSDoc`);
    if (e.sub !== '.') {
      // TypeScript's node10 resolution (no exports map) finds the same declarations
      assert.deepEqual(pkg.typesVersions['*']?.[e.sub.slice(2)], [(pkg.exports[e.sub] as { types: string }).types], `${e.specifier}: typesVersions`);
    }
    const loaded = (await import(e.specifier)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(loaded).sort(), names.filter((n) => n.value).map((n) => n.name).sort(), `${e.specifier}: runtime exports`);
    // and through require() (Node >= 20.19 loads the ES module)
    const required = createRequire(join(ROOT, 'package.json'))(e.specifier) as Record<string, unknown>;
    for (const [k, v] of Object.entries(loaded)) assert.equal(required[k], v, `${e.specifier}: require() gives the same ${k}`);
    for (const cls of TYPE_ONLY_CLASSES) {
      if (e.sub === '.') continue; // the deprecated root names keep their 0.1 shape
      assert.equal(loaded[cls], undefined, `${e.specifier}: ${cls} is exported as a type only`);
    }
  }
});

test('the root holds what a WAMP client needs; every other root name is a deprecated 0.1 name that names its new subpath, where it is the same thing', async () => {
  const declared = declaredExports();
  const root = declared.get('.')!;
  const current = root.filter((n) => n.deprecated === undefined).map((n) => n.name);
  assert.deepEqual(current.sort(), [...ROOT_NAMES].sort(), 'root names that are not deprecated');
  assert.ok(root.filter((n) => n.deprecated === undefined && n.value).length <= 25, 'the root stays small');
  const rootModule = (await import(pkg.name)) as Record<string, unknown>;
  for (const n of root.filter((x) => x.deprecated !== undefined)) {
    const sub = /`cryptosign-keys\/([a-z]+)`/.exec(n.deprecated!)?.[1];
    assert.ok(sub, `${n.name}: the @deprecated note names the subpath (${n.deprecated})`);
    const there = declared.get(`./${sub}`)?.find((x) => x.name === n.name);
    assert.ok(there, `${n.name}: cryptosign-keys/${sub} exports it`);
    if (there.value) {
      const subModule = (await import(`${pkg.name}/${sub}`)) as Record<string, unknown>;
      assert.equal(rootModule[n.name], subModule[n.name], `${n.name}: the same object from the root and from cryptosign-keys/${sub}`);
    } else {
      assert.ok(TYPE_ONLY_CLASSES.includes(n.name) || !n.value, `${n.name}: a value at the root but a type at cryptosign-keys/${sub}`);
    }
  }
  // every name the 0.1 root exported is still there
  const v01 = readFileSync(join(ROOT, 'test', 'api', 'root-names-0.1.txt'), 'utf8').split('\n').filter(Boolean);
  assert.equal(v01.length, 102);
  assert.deepEqual(v01.filter((name) => !root.some((n) => n.name === name)), [], '0.1 root names that no longer resolve');
});

test('WampCallError is a CryptosignKeysError with a code, and keeps its URI', async () => {
  const { WampCallError, CryptosignKeysError, isCryptosignKeysError } = (await import(pkg.name)) as typeof import('../lib/index.js');
  const e = new WampCallError('wamp.error.not_authorized', 'no');
  assert.ok(e instanceof CryptosignKeysError && isCryptosignKeysError(e));
  assert.equal(e.code, 'WAMP_CALL_REFUSED');
  assert.equal(e.uri, 'wamp.error.not_authorized');
  assert.equal(e.name, 'WampCallError');
  assert.equal(e.message, 'no');
});

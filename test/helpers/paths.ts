import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(ROOT, 'dist/bin/cryptosign-keys.js');

export function fixture(name: string): string {
  return join(ROOT, 'fixtures', name);
}

/** A private temp dir, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cryptosign-keys-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Copies a fixture into `dir` with the given mode (git checks them out 0644). */
export function fixtureCopy(dir: string, name: string, mode = 0o600): string {
  const path = join(dir, name.replace(/\//g, '_'));
  copyFileSync(fixture(name), path);
  chmodSync(path, mode);
  return path;
}

/**
 * The shared test vectors (never copied into the repo): $CRYPTOSIGN_VECTORS_DIR,
 * else `shared/vectors` beside the checkout or an ancestor of it, else beside
 * the checkout this one was cloned from (a CI clone in a scratch directory).
 * Throws — the test fails, never skips — when none is there.
 */
export function sharedVectorsDir(): string {
  const candidates: string[] = [];
  if (process.env.CRYPTOSIGN_VECTORS_DIR) candidates.push(process.env.CRYPTOSIGN_VECTORS_DIR);
  for (let dir = ROOT; ; ) {
    candidates.push(join(dir, '..', 'shared', 'vectors'));
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const origin = spawnSync('git', ['-C', ROOT, 'config', '--get', 'remote.origin.url'], { encoding: 'utf8' }).stdout?.trim();
  if (origin && isAbsolute(origin)) candidates.push(join(origin, '..', 'shared', 'vectors'));
  const found = candidates.find((d) => existsSync(join(d, 'wycheproof')));
  if (!found) throw new Error(`shared test vectors not found (set CRYPTOSIGN_VECTORS_DIR); looked in: ${candidates.join(', ')}`);
  return found;
}

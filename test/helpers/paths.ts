import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
 * The test vectors kept in the repository, in folders named by their source
 * (`test/vectors/wycheproof/`, with its license and a note of where it came from).
 * Read from the source tree, not dist/: the files are data, not compiled.
 */
export function vectorsDir(): string {
  return join(ROOT, 'test', 'vectors');
}

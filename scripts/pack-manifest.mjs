// `prepare` is for git installs (npm builds a git dependency by running it, with the
// devDependencies installed); the tarball is already built, so its package.json goes without it
// and npm has no install-time script to ask its users about. `strip` (the end of prepack) takes
// `scripts.prepare` out of package.json and keeps the original beside it; `restore` (postpack)
// puts the original back. A `strip` finding a leftover copy (a pack that died half-way) restores
// that first.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const manifest = new URL('../package.json', import.meta.url);
const kept = new URL('../package.json.prepack', import.meta.url);
const mode = process.argv[2];

if (mode === 'strip') {
  if (existsSync(kept)) renameSync(kept, manifest);
  const text = readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(text);
  writeFileSync(kept, text);
  delete pkg.scripts.prepare;
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (mode === 'restore') {
  if (existsSync(kept)) renameSync(kept, manifest);
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}

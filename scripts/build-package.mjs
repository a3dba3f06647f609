// The published build: dist/lib and dist/bin emptied first (a file removed from lib/ must not
// linger in the tarball), then compiled by tsconfig.build.json (lib/ and bin/, no source maps).
// Run by `prepack` (npm pack, npm publish) and by `prepare` (git installs); package.json's
// `files` also leaves out any *.map and bin's *.d.ts a development build put in dist/.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
for (const dir of ['dist/lib', 'dist/bin']) rmSync(new URL(`../${dir}`, import.meta.url), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
// the CLI users run (package.json "bin"): one bundled file, for start-up time (scripts/bundle-cli.mjs)
execFileSync(process.execPath, [fileURLToPath(new URL('./bundle-cli.mjs', import.meta.url))], { cwd: root, stdio: 'inherit' });

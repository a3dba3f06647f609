import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths.js';
import { runProcess } from './run-process.js';

/**
 * Debian's python3-autobahn lives in the system Python, which may not be the
 * first python3 on PATH (pyenv and friends). The tests fail, never skip,
 * when it is missing: .ci/run installs it.
 */
export const SYSTEM_PYTHON = process.env.AUTOBAHN_PYTHON ?? '/usr/bin/python3';

export type PyJob = Record<string, unknown>;
export type PyResult = { signature?: string; pubkey?: string; derived?: string; error?: string };

export function autobahnPython(jobs: PyJob[], env: NodeJS.ProcessEnv = process.env): PyResult[] {
  const r = spawnSync(SYSTEM_PYTHON, [join(ROOT, 'test/interop/autobahn_python.py')], {
    input: JSON.stringify(jobs),
    env,
    encoding: 'utf8',
    timeout: 60000,
  });
  if (r.error) throw new Error(`cannot run ${SYSTEM_PYTHON}: ${r.error.message} (apt-get install python3-autobahn python3-twisted)`);
  if (r.status !== 0) throw new Error(`autobahn-python failed (apt-get install python3-autobahn python3-twisted): ${r.stderr}`);
  return JSON.parse(r.stdout) as PyResult[];
}

export interface PyLogin {
  joined?: { authid: string; authrole: string; authmethod: string };
  left?: { reason: string; message: string | null };
}

/**
 * autobahn-python's own cryptosign client (test/interop/autobahn_client.py)
 * logs in to `url`; asynchronous, since the router runs in this process.
 */
export async function autobahnPythonLogin(url: string, seedHex: string, opts: { authid?: string; binding?: string; caFile?: string } = {}): Promise<PyLogin> {
  const args = [join(ROOT, 'test/interop/autobahn_client.py'), url, seedHex, opts.authid ?? '-', opts.binding ?? '-', opts.caFile ?? '-'];
  const r = await runProcess(SYSTEM_PYTHON, args);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.code !== 0 || !last.startsWith('{')) {
    throw new Error(`autobahn-python client exited ${r.code} (apt-get install python3-autobahn python3-twisted python3-openssl): ${r.stderr.slice(-2000)}`);
  }
  return JSON.parse(last) as PyLogin;
}

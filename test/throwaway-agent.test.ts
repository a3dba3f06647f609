/**
 * startThrowawayAgent(): starts fast, leaves nothing behind after stop(),
 * and cleans up (agent killed, key directory removed) however its parent
 * process ends: exit without stop(), an uncaught throw, SIGINT, SIGTERM,
 * SIGHUP and SIGKILL. Its JSON never carries the environment.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { startThrowawayAgent } from '../lib/agent/throwaway.js';

const LIB = new URL('../lib/index.js', import.meta.url).href;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (bounded) for another process's cleanup, which sends us no event. */
async function until(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('stop() kills the agent, removes its directory and leaves no timer or handle behind', async () => {
  const before = new Set(process.getActiveResourcesInfo());
  const agent = await startThrowawayAgent();
  await agent.makeKey('k');
  assert.match(await agent.sshAdd('-l'), /ED25519/);
  await agent.stop();
  assert.equal(alive(agent.pid), false, 'agent still running');
  assert.equal(existsSync(agent.dir), false, 'directory still there');
  const left = () => process.getActiveResourcesInfo().filter((r) => !before.has(r));
  // no timer: nothing that would keep a process alive after stop()
  assert.deepEqual(left().filter((r) => /Timeout|Immediate/.test(r)), [], `left behind: ${left().join(', ')}`);
  // the child-process handles are closing already and go by themselves
  await until(() => left().length === 0, `handles to close (${left().join(', ')})`);
  await agent.stop(); // twice is fine
});

test('JSON and inspect of the agent show where it is, not the environment', async () => {
  const agent = await startThrowawayAgent({ env: { SECRET_TOKEN: 'hunter2-do-not-print' } });
  try {
    const json = JSON.stringify(agent);
    assert.deepEqual(JSON.parse(json), { socketPath: agent.socketPath, pid: agent.pid, dir: agent.dir });
    const { inspect } = await import('node:util');
    assert.doesNotMatch(inspect(agent, { depth: 5 }), /hunter2|SECRET_TOKEN|PATH=/);
    assert.equal(agent.env.SECRET_TOKEN, 'hunter2-do-not-print');
  } finally {
    await agent.stop();
  }
});

const ENDINGS: Record<string, { code: string; signal?: NodeJS.Signals }> = {
  'process.exit without stop()': { code: 'process.exit(0);' },
  'an uncaught throw': { code: "setImmediate(() => { throw new Error('boom'); });" },
  SIGINT: { code: 'setInterval(() => {}, 1000);', signal: 'SIGINT' },
  SIGTERM: { code: 'setInterval(() => {}, 1000);', signal: 'SIGTERM' },
  SIGHUP: { code: 'setInterval(() => {}, 1000);', signal: 'SIGHUP' },
  'SIGKILL (a crash)': { code: 'setInterval(() => {}, 1000);', signal: 'SIGKILL' },
};

for (const [how, { code, signal }] of Object.entries(ENDINGS)) {
  test(`the agent and its key are cleaned up when the parent ends by ${how}`, async () => {
    const script = `
      const { startThrowawayAgent } = await import(${JSON.stringify(LIB)});
      const a = await startThrowawayAgent();
      await a.makeKey('k');
      console.log(JSON.stringify({ pid: a.pid, dir: a.dir }));
      // the ending comes once the test has looked (a line on stdin), so its cleanup cannot run first
      process.stdin.once('data', () => { ${code} });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise((r) => child.once('exit', r));
    const info = await new Promise<{ pid: number; dir: string }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(JSON.parse(out));
      });
      child.once('close', () => reject(new Error('child exited before reporting')));
    });
    assert.equal(alive(info.pid), true);
    assert.equal(existsSync(`${info.dir}/k`), true);
    if (signal) child.kill(signal);
    else child.stdin.write('end\n');
    await exited;
    await until(() => !alive(info.pid), 'the agent to be killed');
    await until(() => !existsSync(info.dir), 'the key directory to be removed');
  });
}
